//! The demo portal built end to end: every relative link resolves to a file, every entity has
//! a page, every page carries the CSP and no inline script, and a rebuild is byte-identical.

use crate::common;

use common::files_below;
use common::page::assert_main_snapshot;
use playbill::config::Config;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn demo_config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml")).expect("demo site.toml")
}

fn build_demo(out: &Path) -> playbill::build::BuildReport {
    playbill::build::build(&demo_config(), out, &|_| {}).expect("demo builds")
}

/// Values of `name=` attributes, quoted or not.
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let needle = format!("{name}=");
    let mut out = Vec::new();
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(i) = html[from..].find(&needle) {
        let start = from + i;
        from = start + needle.len();
        if start > 0 && !bytes[start - 1].is_ascii_whitespace() {
            continue;
        }
        let rest = &html[from..];
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
            _ => rest
                .split(|c: char| c.is_ascii_whitespace() || c == '>')
                .next()
                .unwrap_or(""),
        };
        out.push(value.replace("&amp;", "&"));
    }
    out
}

fn html_pages(out: &Path) -> BTreeMap<String, String> {
    files_below(out)
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| {
            let text = std::fs::read_to_string(out.join(&f)).unwrap();
            (f, text)
        })
        .collect()
}

#[test]
fn every_relative_link_resolves_and_every_entity_has_a_page() {
    // Long on purpose: one crawl of the whole demo output.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let report = build_demo(&out);
    assert!(
        report.entities >= 100,
        "the demo has {} entities",
        report.entities
    );
    let pages = html_pages(&out);
    let mut checked = 0;
    let mut anchors = 0;
    for (page, html) in &pages {
        let base = Path::new(page).parent().unwrap_or(Path::new(""));
        for value in attribute_values(html, "href")
            .into_iter()
            .chain(attribute_values(html, "src"))
        {
            if value.contains(':') && !value.starts_with('.') {
                // Absolute URLs: only web and mail links may appear.
                assert!(
                    value.starts_with("https://")
                        || value.starts_with("http://")
                        || value.starts_with("mailto:"),
                    "{page}: unexpected scheme in {value}"
                );
                continue;
            }
            if let Some(anchor) = value.strip_prefix('#').filter(|a| !a.is_empty()) {
                assert!(
                    attribute_values(html, "id").iter().any(|id| id == anchor),
                    "{page}: {value} names no element id on the page"
                );
                anchors += 1;
                continue;
            }
            if value.starts_with('#') || value.is_empty() {
                continue;
            }
            // The 404 page is delivered at any depth, so its links start from the root
            // (tests/it/not_found.rs); it lies at the root, so they resolve the same.
            let value = match value.strip_prefix('/') {
                Some(rooted) if page == "404.html" => rooted.to_string(),
                _ => value,
            };
            assert!(!value.starts_with('/'), "{page}: absolute path {value}");
            let path = value.split(['?', '#']).next().unwrap();
            assert!(
                !path.ends_with('/'),
                "{page}: link {value} does not name a file"
            );
            let target: PathBuf = normalize(&base.join(path));
            assert!(
                out.join(&target).is_file(),
                "{page}: {value} -> {} is missing",
                target.display()
            );
            if let Some(anchor) = value
                .split_once('#')
                .map(|(_, a)| a)
                .filter(|a| !a.is_empty())
            {
                let key = target.to_string_lossy().replace('\\', "/");
                let html = pages.get(&key).expect("anchors point into pages");
                assert!(
                    attribute_values(html, "id").iter().any(|id| id == anchor),
                    "{page}: {value} names no element id in {key}"
                );
                anchors += 1;
            }
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
    assert!(anchors > 20, "only {anchors} anchors checked");
    let config = demo_config();
    let (_, catalog, _) = playbill::build::load_catalog(&config, &|_| {});
    for e in &catalog.entities {
        let page = out.join(format!(
            "catalog/{}/{}/{}/index.html",
            e.key.namespace, e.key.kind, e.key.name
        ));
        assert!(page.is_file(), "no page for {}", e.key);
    }
    for page in [
        "index.html",
        "catalog/index.html",
        "teams/index.html",
        "issues/index.html",
        "404.html",
    ] {
        assert!(pages.contains_key(page), "missing {page}");
    }
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                assert!(out.pop(), "{} climbs above the site root", path.display())
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn every_page_has_the_csp_and_no_inline_script_or_style() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build_demo(&out);
    for (page, html) in html_pages(&out) {
        assert!(html.contains("Content-Security-Policy"), "{page}: no CSP");
        assert!(html.contains(playbill::site::CSP), "{page}: CSP differs");
        assert_eq!(common::unsafe_markup(&html), Vec::<String>::new(), "{page}");
        // Link previews in chat need a title of their own on every page.
        let og_title = common::start_tags(&html).into_iter().find(|(name, attrs)| {
            name == "meta"
                && attrs
                    .iter()
                    .any(|(a, v)| a == "property" && v == "og:title")
        });
        let og_title = og_title.unwrap_or_else(|| panic!("{page}: no og:title"));
        assert!(
            og_title
                .1
                .iter()
                .any(|(a, v)| a == "content" && !v.is_empty()),
            "{page}"
        );
        // The <title> is text, whatever it holds; look at the markup outside it.
        let lower = html.to_ascii_lowercase();
        let lower = match (lower.find("<title>"), lower.find("</title>")) {
            (Some(a), Some(b)) => format!("{}{}", &lower[..a], &lower[b..]),
            _ => lower,
        };
        let scripts = lower.matches("<script").count();
        let with_src = common::start_tags(&html)
            .into_iter()
            .filter(|(name, attrs)| name == "script" && attrs.iter().any(|(a, _)| a == "src"))
            .count();
        assert_eq!(scripts, with_src, "{page}: a script without src");
        assert!(!lower.contains(" style="), "{page}: inline style attribute");
        assert!(!lower.contains("<style"), "{page}: inline style element");
        for handler in [
            " onclick=",
            " onload=",
            " onerror=",
            " onmouseover=",
            "javascript:",
        ] {
            assert!(!lower.contains(handler), "{page}: {handler}");
        }
    }
}

#[test]
fn a_rebuild_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build_demo(&a);
    build_demo(&b);
    let files = files_below(&a);
    assert_eq!(files, files_below(&b));
    // The build's time, and the ledger of when each page was written.
    let stamped = [playbill::freshness::BUILD_PATH, playbill::write::LEDGER];
    for f in files.iter().filter(|f| !stamped.contains(&f.as_str())) {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // Building again into the same directory rewrites nothing but the build's time.
    let before = common::build_time_file(&a);
    let again = build_demo(&a);
    let moved = before != common::build_time_file(&a);
    assert_eq!(again.write.written, usize::from(moved));
    assert_eq!(
        again.write.unchanged,
        files.len() - 2 - usize::from(moved),
        "every file but the manifest and the ledger (and the build time, when it moved) is unchanged"
    );
}

#[test]
fn the_issues_page_lists_the_demos_broken_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let report = build_demo(&out);
    let issues = std::fs::read_to_string(out.join("issues/index.html")).unwrap();
    for d in &report.diagnostics {
        assert!(issues.contains(d.code), "issues page lacks {}", d.code);
        if let Some(file) = &d.file {
            assert!(issues.contains(file.as_str()), "issues page lacks {file}");
        }
    }
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    for expected in [
        "catalog/yaml-syntax",
        "catalog/invalid-field",
        "catalog/unresolved-ref",
        "catalog/location-target-missing",
    ] {
        assert!(
            codes.contains(&expected),
            "the demo should show {expected}: {codes:?}"
        );
    }
}

#[test]
fn hostile_names_and_links_render_as_text() {
    let fx = common::Fixture::new().file(
        "evil/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: evil\n  title: \"<script>alert(1)</script>\"\n  description: \"<img src=x onerror=alert(1)>\"\n  links:\n    - url: \"javascript:alert(1)\"\n      title: click\n  annotations:\n    example.com/x: \"javascript:alert(2)\"\nspec:\n  type: service\n  lifecycle: production\n  owner: t\n",
    );
    let config = fx.load_config();
    playbill::build::build(&config, &fx.out(), &|_| {}).unwrap();
    let html = std::fs::read_to_string(fx.out().join("catalog/default/component/evil/index.html"))
        .unwrap();
    // In <title> and quoted attributes the text is inert; in the body it must stay escaped.
    let body = &html[html.find("<body").expect("a body")..];
    assert!(!body.contains("<script>alert"), "title not escaped");
    assert!(!body.contains("<img src=x"), "description not escaped");
    assert!(
        !html.contains("href=\"javascript:") && !html.contains("href=javascript:"),
        "unsafe link rendered"
    );
    assert!(body.contains("&LTscript>alert(1)") || body.contains("&lt;script&gt;alert(1)"));
}

#[test]
fn api_definitions_are_highlighted_and_templates_list_parameters_and_steps() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build_demo(&out);
    let api =
        std::fs::read_to_string(out.join("catalog/default/api/ledger-api/index.html")).unwrap();
    assert!(
        api.contains("hl-"),
        "the OpenAPI definition is highlighted with classes"
    );
    assert!(
        api.contains("openapi"),
        "the definition text is on the page"
    );
    let template =
        std::fs::read_to_string(out.join("catalog/default/template/go-microservice/index.html"))
            .unwrap();
    // Its parameter sections (About the service, Runtime) and steps (Render the skeleton with
    // fetch:template, … catalog:write).
    assert_main_snapshot!("go_microservice_template", &template);
    let group =
        std::fs::read_to_string(out.join("catalog/default/group/team-ledger/index.html")).unwrap();
    assert!(
        group.contains("../../../../catalog/default/component/payments-ledger/index.html"),
        "a group page lists what it owns"
    );
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("catalog/default/component/treasury-sweeper/index.html"),
        "the home page lists entities with problems"
    );
    for link in [
        "catalog/index.html",
        "teams/index.html",
        "issues/index.html",
    ] {
        assert!(home.contains(link), "home links to {link}");
    }
}

#[test]
fn the_unsafe_markup_check_finds_what_it_looks_for() {
    let found = common::unsafe_markup(
        "<title><script>x</script></title><p title=\"<script>\">t</p><script>a</script><a href=JavaScript:x>y</a><img src=x onerror=alert(1)><iframe src=a></iframe><script src=ok.js></script>",
    );
    assert_eq!(
        found,
        vec![
            "inline <script>",
            "<a href=JavaScript:x>",
            "<img onerror=...>",
            "<iframe>"
        ]
    );
}

#[test]
fn a_site_overrides_templates_and_static_files_beside_its_site_toml() {
    let fx = common::Fixture::new().file("a/catalog-info.yaml", common::component("svc", "t"));
    let site_dir = fx.dir.path();
    std::fs::create_dir_all(site_dir.join("templates")).unwrap();
    std::fs::create_dir_all(site_dir.join("static")).unwrap();
    std::fs::write(
        site_dir.join("templates/home.html"),
        "{% extends \"base.html\" %}{% block content %}<p id=custom>Our own home: {{ total_entities }} entities</p>{% endblock content %}",
    )
    .unwrap();
    std::fs::write(
        site_dir.join("static/playbill.css"),
        "body { color: rebeccapurple }",
    )
    .unwrap();
    std::fs::write(
        site_dir.join("static/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    let config = fx.load_config();
    assert_eq!(
        config.templates_dir.as_deref(),
        Some(site_dir.join("templates").as_path())
    );
    playbill::build::build(&config, &fx.out(), &|_| {}).unwrap();
    let home = std::fs::read_to_string(fx.out().join("index.html")).unwrap();
    assert!(home.contains("Our own home: 1 entities"), "{home}");
    let css: Vec<String> = files_below(&fx.out().join("static"))
        .into_iter()
        .filter(|f| f.starts_with("playbill."))
        .collect();
    assert_eq!(css.len(), 1);
    assert_eq!(
        std::fs::read_to_string(fx.out().join("static").join(&css[0])).unwrap(),
        "body { color: rebeccapurple }"
    );
    assert!(files_below(&fx.out().join("static"))
        .iter()
        .any(|f| f.starts_with("logo.") && f.ends_with(".svg")));
    // Other templates are still the built-in ones.
    assert!(std::fs::read_to_string(fx.out().join("catalog/index.html"))
        .unwrap()
        .contains("data-kind"));
}

#[test]
fn theme_directories_inside_a_source_are_not_overrides() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        "[[sources]]\ntype = \"local\"\npath = \".\"\n",
    )
    .unwrap();
    let config = Config::load(&dir.path().join("site.toml")).unwrap();
    assert_eq!(config.templates_dir, None);
}

/// Commits everything in `dir` as a new git repository, dated `date` (RFC 2822 or ISO 8601).
fn git_commit(dir: &Path, date: &str) {
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
            .args(args)
            .current_dir(dir)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_AUTHOR_DATE", date)
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "init"]);
}

#[test]
fn the_home_page_lists_recently_changed_services_newest_first() {
    let fx = common::Fixture::new()
        .file("old/catalog-info.yaml", common::component("old-svc", "t"))
        .file("new/catalog-info.yaml", common::component("new-svc", "t"))
        .file("none/catalog-info.yaml", common::component("no-git", "t"));
    git_commit(&fx.repos().join("old"), "2024-01-02T10:00:00Z");
    git_commit(&fx.repos().join("new"), "2025-06-30T10:00:00Z");
    let config = fx.load_config();
    playbill::build::build(&config, &fx.out(), &|_| {}).expect("builds");
    let home = std::fs::read_to_string(fx.out().join("index.html")).unwrap();
    let section = &home[home.find("Recently changed").expect("a recent section")..];
    let new = section.find("new-svc").expect("new-svc listed");
    let old = section.find("old-svc").expect("old-svc listed");
    assert!(new < old, "newest first");
    assert!(section.contains("2025-06-30") && section.contains("2024-01-02"));
    let list_end = section.find("</ul>").unwrap();
    assert!(
        !section[..list_end].contains("no-git"),
        "no commit, no date"
    );
}

#[test]
fn the_audit_report_names_the_clusters_behind_the_pages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let report = build_demo(&out);
    let audit = playbill::audit::AuditReport::new(&report, None, &out);
    let json = serde_json::to_value(&audit).unwrap();
    let names: Vec<&str> = json["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["prod-eu", "prod-us", "staging", "dev"]);
    let dev = &json["clusters"][3];
    assert_eq!(dev["stale"], true, "the demo's dev cluster is stale");
    assert_eq!(json["sources"].as_array().unwrap().len(), report.repos);
}
