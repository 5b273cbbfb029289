//! The docs stage over real repositories: which entities get docs, mkdocs.yml and its nav,
//! links between pages, copied files, and what TechDocs would publish beside a site.

use crate::common;

use common::{component, find, Fixture};
use playbill::config::Config;

fn with_docs(name: &str, techdocs_ref: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n    backstage.io/techdocs-ref: {techdocs_ref}\nspec:\n  type: service\n  lifecycle: production\n  owner: t\n"
    )
}

fn build(fx: &Fixture) -> (playbill::build::BuildReport, Config) {
    let config = fx.load_config();
    let report = playbill::build::build(&config, &fx.out(), &|_| {}).expect("builds");
    (report, config)
}

fn read(fx: &Fixture, path: &str) -> String {
    std::fs::read_to_string(fx.out().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn a_nested_nav_site_renders_every_page_with_links_back_and_forth() {
    // Long on purpose: one site built once, then each page checked in nav order.
    let fx = Fixture::new()
        .file("ledger/catalog-info.yaml", with_docs("ledger", "dir:."))
        .file(
            "ledger/mkdocs.yml",
            "site_name: Ledger docs\nsite_description: How it works\nrepo_url: https://github.com/o/ledger\nedit_uri: edit/main/docs/\nnav:\n  - Home: index.md\n  - Operations:\n      - Runbook: ops/runbook.md\n  - API: https://api.example/ledger\n  - Gone: gone.md\nplugins:\n  - techdocs-core\n  - some-plugin\nmarkdown_extensions:\n  - admonition\n  - unknown_ext\n",
        )
        .file("ledger/docs/index.md", "# Ledger\n\nSee the [runbook](ops/runbook.md).\n\n![diagram](img/arch.svg)\n")
        .file("ledger/docs/ops/runbook.md", "# Runbook\n\nBack [home](../index.md).\n")
        .file("ledger/docs/extra.md", "# Extra\n\nNot in the nav, still rendered.\n")
        .file("ledger/docs/img/arch.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
        .file("ledger/docs/.hidden.md", "# hidden\n");
    let (report, _) = build(&fx);
    let base = "docs/default/component/ledger";
    for page in [
        "index.html",
        "ops/runbook/index.html",
        "extra/index.html",
        "img/arch.svg",
        "techdocs_metadata.json",
    ] {
        assert!(fx.out().join(base).join(page).is_file(), "missing {page}");
    }
    assert!(!fx.out().join(base).join(".hidden/index.html").exists());
    let home = read(&fx, &format!("{base}/index.html"));
    assert!(home.contains("Ledger docs"), "site name shown");
    assert!(
        home.contains("ops/runbook/index.html"),
        "nav links to the runbook"
    );
    assert!(
        home.contains("https://api.example/ledger"),
        "external nav link kept"
    );
    assert!(
        home.contains("https://github.com/o/ledger/edit/main/docs/index.md"),
        "edit link"
    );
    assert!(
        home.contains("../../../../catalog/default/component/ledger/index.html"),
        "links back to the entity"
    );
    let entity = read(&fx, "catalog/default/component/ledger/index.html");
    assert!(
        entity.contains("../../../../docs/default/component/ledger/index.html"),
        "entity links to its docs"
    );
    let runbook = read(&fx, &format!("{base}/ops/runbook/index.html"));
    assert!(runbook.contains("Runbook"));
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        find(&report.diagnostics, "docs/nav-missing-page").len(),
        1,
        "{codes:?}"
    );
    assert_eq!(
        find(&report.diagnostics, "docs/unsupported").len(),
        2,
        "{codes:?}"
    );
    let meta: serde_json::Value =
        serde_json::from_str(&read(&fx, &format!("{base}/techdocs_metadata.json"))).unwrap();
    assert_eq!(meta["site_name"], "Ledger docs");
    assert_eq!(meta["site_description"], "How it works");
    let files: Vec<&str> = meta["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        vec![
            "extra/index.html",
            "img/arch.svg",
            "index.html",
            "ops/runbook/index.html",
            "techdocs_metadata.json"
        ]
    );
}

#[test]
fn without_mkdocs_yml_or_nav_the_docs_still_render_with_a_derived_nav() {
    let fx = Fixture::new()
        .file("svc/catalog-info.yaml", with_docs("svc", "dir:."))
        .file("svc/docs/README.md", "# Service\n")
        .file("svc/docs/b-page.md", "# B\n")
        .file("svc/docs/a-page.md", "# A\n")
        .file("svc/docs/guides/setup.md", "# Setup\n");
    let (report, _) = build(&fx);
    assert_eq!(find(&report.diagnostics, "docs/mkdocs-missing").len(), 1);
    let home = read(&fx, "docs/default/component/svc/index.html");
    let a = home.find("a-page/index.html").expect("a-page in nav");
    let b = home.find("b-page/index.html").expect("b-page in nav");
    let g = home
        .find("guides/setup/index.html")
        .expect("guides section in nav");
    assert!(
        a < b && b < g,
        "index first, then files by name, then sections"
    );
    assert!(home.contains("Guides"));
}

#[test]
fn a_broken_mkdocs_yml_is_a_diagnostic_and_readme_yields_to_index() {
    let fx = Fixture::new()
        .file("svc/catalog-info.yaml", with_docs("svc", "dir:."))
        .file("svc/mkdocs.yml", "site_name: [unclosed\n")
        .file("svc/docs/index.md", "# Index\n")
        .file("svc/docs/README.md", "# Readme\n");
    let (report, _) = build(&fx);
    assert_eq!(find(&report.diagnostics, "docs/mkdocs-invalid").len(), 1);
    assert_eq!(find(&report.diagnostics, "docs/readme-dropped").len(), 1);
    assert!(fx
        .out()
        .join("docs/default/component/svc/index.html")
        .is_file());
}

#[test]
fn docs_refs_stay_in_their_repository_and_techdocs_entity_borrows_docs() {
    let fx = Fixture::new()
        .file("a/catalog-info.yaml", with_docs("escaper", "dir:../b"))
        .file("b/catalog-info.yaml", with_docs("owner-svc", "dir:."))
        .file("b/docs/index.md", "# B docs\n")
        .file("b/mkdocs.yml", "site_name: B\ndocs_dir: ../../elsewhere\n")
        .file(
            "c/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: borrower\n  annotations:\n    backstage.io/techdocs-entity: component:default/other\nspec:\n  type: service\n  lifecycle: production\n  owner: t\n",
        )
        .file("d/catalog-info.yaml", with_docs("other", "dir:."))
        .file("d/docs/index.md", "# Other docs\n")
        .file("e/catalog-info.yaml", with_docs("remote", "url:https://github.com/elsewhere/repo/tree/main/"))
        .file("f/catalog-info.yaml", component("plain", "t"));
    let (report, _) = build(&fx);
    assert_eq!(
        find(&report.diagnostics, "docs/outside-repo").len(),
        2,
        "{:?}",
        report.diagnostics
    );
    assert_eq!(find(&report.diagnostics, "docs/ref-not-resolved").len(), 1);
    let borrower = read(&fx, "catalog/default/component/borrower/index.html");
    assert!(
        borrower.contains("docs/default/component/other/index.html"),
        "techdocs-entity links to the other entity's docs"
    );
    assert!(!fx.out().join("docs/default/component/escaper").exists());
    assert!(!fx.out().join("docs/default/component/borrower").exists());
}

#[test]
fn docs_build_checks_one_repository() {
    let fx = Fixture::new()
        .file("svc/catalog-info.yaml", with_docs("svc", "dir:."))
        .file("svc/mkdocs.yml", "site_name: Svc\n")
        .file("svc/docs/index.md", "# Svc\n\n[missing](nope.md)\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_playbill"))
        .args(["docs", "build", "svc", "--out", "../site"])
        .current_dir(fx.repos())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        fx.repos()
            .join("../site/docs/default/component/svc/index.html")
            .is_file(),
        "{stderr}"
    );
    assert!(stderr.contains("Built 1 docs pages"), "{stderr}");
    assert_eq!(
        out.status.code(),
        Some(0),
        "a broken link is a warning: {stderr}"
    );
    assert!(
        stderr.contains("svc/docs/index.md:3: warning[docs/broken-link]"),
        "{stderr}"
    );
    let strict = std::process::Command::new(env!("CARGO_BIN_EXE_playbill"))
        .args(["docs", "build", "svc", "--out", "../site", "--strict"])
        .current_dir(fx.repos())
        .output()
        .unwrap();
    assert_eq!(
        strict.status.code(),
        Some(1),
        "the broken link fails --strict: {}",
        String::from_utf8_lossy(&strict.stderr)
    );
}

#[test]
fn hostile_markdown_renders_without_script_handlers_or_javascript_links() {
    let fx = Fixture::new()
        .file("svc/catalog-info.yaml", with_docs("svc", "dir:."))
        .file("svc/mkdocs.yml", "site_name: \"<script>alert('name')</script>\"\nnav:\n  - \"<img src=x onerror=alert(1)>\": index.md\n")
        .file(
            "svc/docs/index.md",
            "# Title <script>alert(1)</script>\n\n<script>alert(2)</script>\n\n<img src=x onerror=\"alert(3)\">\n\n[click](javascript:alert(4))\n\n<a href=\"javascript:alert(5)\">x</a>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n<details><summary>More</summary>kept</details>\n",
        );
    let (_, _) = build(&fx);
    let html = read(&fx, "docs/default/component/svc/index.html");
    assert_eq!(common::unsafe_markup(&html), Vec::<String>::new());
    let body = &html[html.find("<body").unwrap()..];
    assert!(
        !body.contains("alert(2)") || !body.contains("<script>alert(2)"),
        "the script element is gone"
    );
    assert!(
        body.contains("<details>") && body.contains("<summary>More</summary>"),
        "allowed HTML is kept"
    );
}

#[test]
fn a_url_ref_into_a_gathered_repository_resolves_to_it() {
    let fx = Fixture::new()
        .file(
            "ledger/.git/HEAD",
            "0123456789abcdef0123456789abcdef01234567\n",
        )
        .file(
            "ledger/.git/config",
            "[remote \"origin\"]\n\turl = git@github.com:kloudvin/ledger.git\n",
        )
        .file("ledger/handbook/mkdocs.yml", "site_name: Ledger handbook\n")
        .file("ledger/handbook/docs/index.md", "# Handbook\n")
        .file(
            "portal/catalog-info.yaml",
            with_docs(
                "ledger-handbook",
                "url:https://github.com/kloudvin/ledger/tree/main/handbook",
            ),
        );
    let (report, _) = build(&fx);
    assert!(
        find(&report.diagnostics, "docs/ref-not-resolved").is_empty(),
        "{:?}",
        report.diagnostics
    );
    let home = read(&fx, "docs/default/component/ledger-handbook/index.html");
    assert!(home.contains("Ledger handbook"));
    let meta: serde_json::Value = serde_json::from_str(&read(
        &fx,
        "docs/default/component/ledger-handbook/techdocs_metadata.json",
    ))
    .unwrap();
    assert_eq!(meta["etag"], "0123456789abcdef0123456789abcdef01234567");
}

#[test]
fn a_docs_directory_over_the_file_limit_is_cut_and_reported() {
    let mut fx = Fixture::new()
        .file("big/catalog-info.yaml", with_docs("big", "dir:."))
        .config("[limits]\nmax_files_per_docs_site = 5\n");
    for i in 0..12 {
        fx = fx.file(&format!("big/docs/p{i:02}.md"), format!("# Page {i}\n"));
    }
    let (report, _) = build(&fx);
    let cut = find(&report.diagnostics, "docs/too-many-files");
    assert_eq!(cut.len(), 1);
    assert!(cut[0].message.contains("12 files"), "{}", cut[0].message);
    assert_eq!(report.docs_pages, 5);
    assert!(fx
        .out()
        .join("docs/default/component/big/p04/index.html")
        .is_file());
    assert!(!fx
        .out()
        .join("docs/default/component/big/p05/index.html")
        .exists());
}

#[test]
fn a_docs_template_of_the_sites_own_draws_the_nav_entries() {
    let fx = Fixture::new()
        .file("ledger/catalog-info.yaml", with_docs("ledger", "dir:."))
        .file(
            "ledger/mkdocs.yml",
            "site_name: Ledger docs\nnav:\n  - Home: index.md\n  - Operations:\n      - Runbook: ops/runbook.md\n",
        )
        .file("ledger/docs/index.md", "# Ledger\n")
        .file("ledger/docs/ops/runbook.md", "# Runbook\n");
    std::fs::create_dir_all(fx.dir.path().join("templates")).unwrap();
    std::fs::write(
        fx.dir.path().join("templates/docs.html"),
        "{% for e in docs.nav %}<li>{{ e.title }}:{{ e.active }}{% for c in e.children %} [{{ c.title }} {{ c.url }}]{% endfor %}</li>{% endfor %}",
    )
    .unwrap();
    build(&fx);
    let runbook = read(&fx, "docs/default/component/ledger/ops/runbook/index.html");
    assert_eq!(
        runbook,
        "<li>Home:false</li><li>Operations:false [Runbook docs/default/component/ledger/ops/runbook/index.html]</li>"
    );
}
