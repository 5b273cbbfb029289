//! Versioned docs: tags and branches of a real git repository (made with the `git` command)
//! and committed archive directories, each built under `docs/<ns>/<kind>/<name>/v/<version>/`
//! with a switcher whose links resolve, a banner back to latest, latest unchanged at its own
//! address, old versions out of the search index, and a broken version reported on its own.

use crate::common;

use common::{find, start_tags, Fixture};
use std::path::{Path, PathBuf};
use std::process::Command;

const BASE: &str = "docs/default/component/ledger";

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(repo: &Path, path: &str, text: &str) {
    common::write_file(repo, path, text);
}

fn commit(repo: &Path, message: &str) {
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", message]);
}

fn catalog_file() -> String {
    common::component("ledger", "t").replace(
        "metadata:\n  name: ledger\n",
        "metadata:\n  name: ledger\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n",
    )
}

/// A repository with docs at v1.0 (which has a page later removed), v2.0, a release-1
/// branch, and a latest that differs from all of them.
fn tagged_repo(fx: &Fixture) -> PathBuf {
    let repo = fx.repos().join("ledger");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    write(&repo, "catalog-info.yaml", &catalog_file());
    write(&repo, "mkdocs.yml", "site_name: Ledger docs\n");
    write(&repo, "docs/index.md", "# Ledger\n\nThe first release.\n");
    write(
        &repo,
        "docs/old.md",
        "# Old page\n\nOnly in the first release.\n",
    );
    commit(&repo, "one");
    git(&repo, &["tag", "-a", "v1.0", "-m", "v1.0"]);
    write(&repo, "docs/index.md", "# Ledger\n\nThe second release.\n");
    std::fs::remove_file(repo.join("docs/old.md")).unwrap();
    commit(&repo, "two");
    git(&repo, &["tag", "v2.0"]);
    git(&repo, &["branch", "release-1", "v1.0"]);
    write(&repo, "docs/index.md", "# Ledger\n\nThe latest words.\n");
    commit(&repo, "three");
    repo
}

const VERSIONS: &str = "[docs.versions]\ntags = \"v*\"\nbranches = [\"release-1\", \"gone\"]\n";

/// Builds the fixture's portal; its diagnostics.
fn build(fx: &Fixture) -> playbill::diagnostics::Diagnostics {
    let config = fx.load_config();
    playbill::build::build(&config, &fx.out(), &|_| {})
        .expect("builds")
        .diagnostics
}

fn read(out: &Path, path: &str) -> String {
    std::fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The switcher's entries of a page: (text, href).
fn switcher(html: &str) -> Vec<(String, String)> {
    let list = html
        .split_once("class=\"docs-versions\">")
        .expect("a version switcher")
        .1
        .split("</details>")
        .next()
        .unwrap();
    let hrefs = start_tags(list)
        .into_iter()
        .filter(|(tag, _)| tag == "a")
        .filter_map(|(_, attrs)| attrs.into_iter().find(|(n, _)| n == "href"))
        .map(|(_, v)| v);
    let texts = list
        .split("</a>")
        .filter_map(|a| a.rsplit_once('>').map(|(_, t)| t.to_string()));
    texts.zip(hrefs).collect()
}

/// The first link after `marker` in `html`.
fn link_after(html: &str, marker: &str) -> String {
    let rest = html.split_once(marker).expect(marker).1;
    let (_, attrs) = start_tags(rest)
        .into_iter()
        .find(|(tag, _)| tag == "a")
        .expect("a link");
    attrs.into_iter().find(|(n, _)| n == "href").unwrap().1
}

fn resolve(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for segment in href.split('/') {
        match segment {
            ".." => {
                parts.pop();
            }
            "." => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[test]
fn tags_and_branches_build_under_v_with_a_switcher_and_a_banner() {
    let fx = Fixture::new().config(VERSIONS);
    let repo = tagged_repo(&fx);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let refs = git(&repo, &["for-each-ref"]);
    let diagnostics = build(&fx);
    let out = fx.out();

    // Latest stays where it was; each version has its own text.
    assert!(read(&out, &format!("{BASE}/index.html")).contains("The latest words."));
    assert!(read(&out, &format!("{BASE}/v/v2.0/index.html")).contains("The second release."));
    assert!(read(&out, &format!("{BASE}/v/v1.0/index.html")).contains("The first release."));
    assert!(read(&out, &format!("{BASE}/v/release-1/old/index.html")).contains("Only in the first"));
    assert!(!out.join(BASE).join("old").exists());
    assert!(
        !out.join(BASE).join("v/gone").exists(),
        "a missing branch is no version"
    );

    // Latest first, then branches as listed, then tags newest first; every link resolves.
    let page = format!("{BASE}/v/v1.0/old/index.html");
    let html = read(&out, &page);
    let entries = switcher(&html);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["latest", "release-1", "v2.0", "v1.0"]);
    let targets: Vec<String> = entries.iter().map(|(_, h)| resolve(&page, h)).collect();
    for target in &targets {
        assert!(out.join(target).is_file(), "{target} from {page}");
    }
    // The same page where a version has it, else that version's home.
    assert_eq!(targets[1], format!("{BASE}/v/release-1/old/index.html"));
    assert_eq!(targets[2], format!("{BASE}/v/v2.0/index.html"));
    assert_eq!(targets[0], format!("{BASE}/index.html"));

    // An older version says so and links to latest; latest has the switcher, no banner.
    assert!(html.contains("You are reading version <strong>v1.0</strong>"));
    let href = link_after(&html, "docs-version-banner");
    assert_eq!(resolve(&page, &href), format!("{BASE}/index.html"));
    let latest = read(&out, &format!("{BASE}/index.html"));
    assert_eq!(switcher(&latest).len(), 4);
    assert!(!latest.contains("docs-version-banner"));

    // Only latest is searched.
    let mut search = String::new();
    for entry in std::fs::read_dir(out.join("search")).unwrap() {
        search.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap_or_default());
    }
    assert!(
        search.contains("The latest words"),
        "latest is in the index"
    );
    assert!(!search.contains("/v/"), "no older version is in the index");

    // The repository was only read.
    assert_eq!(git(&repo, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(&repo, &["for-each-ref"]), refs);
    assert_eq!(git(&repo, &["status", "--porcelain"]), "");
    assert!(
        find(&diagnostics, "docs/version-failed").is_empty(),
        "{diagnostics:?}"
    );
}

#[test]
fn max_keeps_the_newest_tags_by_version_number() {
    let fx = Fixture::new().config("[docs.versions]\ntags = \"v*\"\nmax = 1\n");
    let repo = tagged_repo(&fx);
    git(&repo, &["tag", "v10.0", "v1.0"]);
    git(&repo, &["tag", "other-9", "v1.0"]);
    build(&fx);
    let names: Vec<String> = std::fs::read_dir(fx.out().join(BASE).join("v"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["v10.0"], "v10.0 is newer than v2.0");
}

#[test]
fn a_broken_version_is_reported_with_its_ref_and_the_rest_builds() {
    let fx = Fixture::new().config("[docs.versions]\ntags = \"v*\"\n");
    let repo = tagged_repo(&fx);
    // v0.1: before the docs existed; v0.5: a mkdocs.yml that does not parse.
    git(&repo, &["checkout", "-q", "--orphan", "old"]);
    git(&repo, &["rm", "-rq", "--cached", "."]);
    std::fs::remove_dir_all(repo.join("docs")).unwrap();
    write(&repo, "mkdocs.yml", "site_name: [unclosed\n");
    commit(&repo, "old");
    git(&repo, &["tag", "v0.5"]);
    std::fs::remove_file(repo.join("mkdocs.yml")).unwrap();
    commit(&repo, "older");
    git(&repo, &["tag", "v0.1"]);
    git(&repo, &["checkout", "-q", "-f", "main"]);
    let diagnostics = build(&fx);

    let out = fx.out();
    assert!(read(&out, &format!("{BASE}/index.html")).contains("The latest words."));
    assert!(out.join(BASE).join("v/v1.0/index.html").is_file());
    assert!(!out.join(BASE).join("v/v0.1").exists());
    let mkdocs = find(&diagnostics, "docs/mkdocs-invalid");
    assert!(
        mkdocs
            .iter()
            .any(|d| d.message.starts_with("version v0.5 (tag v0.5)")
                && d.repo.as_deref() == Some("ledger")
                && d.file.as_deref() == Some("mkdocs.yml")),
        "{mkdocs:?}"
    );
    let no_pages = find(&diagnostics, "docs/no-pages");
    assert!(
        no_pages
            .iter()
            .any(|d| d.message.starts_with("version v0.1 (tag v0.1)")),
        "{no_pages:?}"
    );
    assert!(
        diagnostics
            .iter()
            .all(|d| !d.message.starts_with("version ")
                || d.severity != playbill::diagnostics::Severity::Error),
        "an old version's problems warn"
    );
}

#[test]
fn a_plain_directory_notes_once_that_it_has_no_tags() {
    let site = |name: &str, dir: &str| {
        common::component(name, "t").replace(
            &format!("metadata:\n  name: {name}\n"),
            &format!("metadata:\n  name: {name}\n  annotations:\n    backstage.io/techdocs-ref: dir:{dir}\n"),
        )
    };
    let fx = Fixture::new()
        .config(VERSIONS)
        .file(
            "mono/catalog-info.yaml",
            format!("{}---\n{}", site("a", "a"), site("b", "b")),
        )
        .file("mono/a/mkdocs.yml", "site_name: A\n")
        .file("mono/a/docs/index.md", "# A\n")
        .file("mono/b/mkdocs.yml", "site_name: B\n")
        .file("mono/b/docs/index.md", "# B\n");
    let diagnostics = build(&fx);
    let notes = find(&diagnostics, "docs/versions-unavailable");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].repo.as_deref(), Some("mono"));
    assert!(notes[0].message.contains("not a git checkout"));
    assert!(fx
        .out()
        .join("docs/default/component/b/index.html")
        .is_file());
    let page = read(&fx.out(), "docs/default/component/a/index.html");
    assert!(!page.contains("docs-versions"), "no versions, no switcher");
}

#[test]
fn an_archive_directory_is_a_version_of_the_sites_that_have_it() {
    let fx = Fixture::new()
        .config("[docs.versions]\ndirs = [{ name = \"1.x\", dir = \"docs-archive/1.x\" }]\n")
        .file("ledger/catalog-info.yaml", catalog_file())
        .file("ledger/mkdocs.yml", "site_name: Ledger docs\n")
        .file("ledger/docs/index.md", "# Ledger\n\nNow.\n")
        .file(
            "ledger/docs-archive/1.x/mkdocs.yml",
            "site_name: Ledger 1.x\n",
        )
        .file(
            "ledger/docs-archive/1.x/docs/index.md",
            "# Ledger\n\nBack then.\n",
        )
        .file(
            "other/catalog-info.yaml",
            common::component("other", "t").replace(
                "metadata:\n  name: other\n",
                "metadata:\n  name: other\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n",
            ),
        )
        .file("other/mkdocs.yml", "site_name: Other\n")
        .file("other/docs/index.md", "# Other\n");
    let diagnostics = build(&fx);
    let out = fx.out();
    assert!(read(&out, &format!("{BASE}/v/1.x/index.html")).contains("Back then."));
    assert!(!read(&out, &format!("{BASE}/index.html")).contains("Back then."));
    assert!(!out.join("docs/default/component/other/v").exists());
    let tags = start_tags(&read(&out, &format!("{BASE}/index.html")));
    assert!(tags.iter().any(
        |(t, a)| t == "details" && a.iter().any(|(n, v)| n == "class" && v == "docs-versions")
    ));
    assert!(
        find(&diagnostics, "docs/versions-unavailable").is_empty(),
        "no git wanted"
    );
}

/// Object names under the docs site's `v/`: the version directories the bucket holds.
fn versions_in(objects: &std::collections::BTreeMap<String, u64>) -> Vec<String> {
    let prefix = format!("{BASE}/v/");
    let mut names: Vec<String> = objects
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix)?.split('/').next().map(String::from))
        .collect();
    names.dedup();
    names
}

#[test]
fn publish_keeps_every_listed_version_and_drops_one_no_longer_listed() {
    use crate::common::object_stores::{bucket, moto, runtime, s3_store};
    use crate::publish::publish;
    let Some(server) = moto() else { return };
    let fx = Fixture::new().config("[docs.versions]\ntags = \"v*\"\nmax = 2\n");
    let repo = tagged_repo(&fx);
    let (rt, store) = (runtime(), s3_store(&server, "portal"));
    build(&fx);
    publish(&rt, &store, &fx.out()).expect("first publish");
    assert_eq!(versions_in(&bucket(&rt, &store)), ["v1.0", "v2.0"]);

    // The same versions again: nothing is deleted (the build's own record of its time changes).
    build(&fx);
    let again = publish(&rt, &store, &fx.out()).expect("second publish");
    assert_eq!(again.deleted, 0);
    assert_eq!(versions_in(&bucket(&rt, &store)), ["v1.0", "v2.0"]);

    // v3.0 pushes v1.0 beyond `max`: v1.0 leaves the bucket, latest and v2.0 stay.
    git(&repo, &["tag", "v3.0"]);
    build(&fx);
    let third = publish(&rt, &store, &fx.out()).expect("third publish");
    let objects = bucket(&rt, &store);
    assert_eq!(versions_in(&objects), ["v2.0", "v3.0"]);
    assert!(third.deleted > 0, "v1.0's objects are deleted");
    assert!(objects.contains_key(&format!("{BASE}/index.html")));
    assert!(objects.contains_key(&format!("{BASE}/v/v2.0/index.html")));
}

#[test]
fn a_sharded_build_assembles_the_versions_without_a_moved_commit_warning() {
    use playbill::build::{build_part, Part};
    use playbill::shard::Shard;
    let fx = Fixture::new().config(VERSIONS);
    tagged_repo(&fx);
    let config = fx.load_config();
    let shard = fx.out().with_file_name("shard");
    let part = Part::Shard(Shard { index: 1, count: 1 });
    build_part(&config, &part, &shard, &|_| {}).expect("the shard builds");
    let assemble = Part::Assemble(vec![shard]);
    let report = build_part(&config, &assemble, &fx.out(), &|_| {}).expect("it assembles");
    let moved = find(&report.diagnostics, "docs/shard-commit");
    assert!(moved.is_empty(), "{moved:?}");
    let page = read(&fx.out(), &format!("{BASE}/v/v1.0/old/index.html"));
    assert_eq!(switcher(&page).len(), 4);
}

#[test]
fn a_file_over_the_size_limit_in_a_tag_is_left_out_and_named() {
    let fx = Fixture::new()
        .config("[limits]\nmax_file_bytes = 4096\n\n[docs.versions]\ntags = \"v3*\"\n");
    let repo = tagged_repo(&fx);
    write(&repo, "docs/huge.md", &"# Huge\n\n".repeat(1000));
    commit(&repo, "huge");
    git(&repo, &["tag", "v3.0"]);
    std::fs::remove_file(repo.join("docs/huge.md")).unwrap();
    commit(&repo, "smaller again");
    let diagnostics = build(&fx);
    assert!(fx.out().join(BASE).join("v/v3.0/index.html").is_file());
    assert!(!fx.out().join(BASE).join("v/v3.0/huge").exists());
    let left_out = find(&diagnostics, "docs/version-failed");
    assert!(
        left_out
            .iter()
            .any(|d| d.file.as_deref() == Some("docs/huge.md")
                && d.message
                    .starts_with("version v3.0 (tag v3.0): docs/huge.md is too large")),
        "{left_out:?}"
    );
}
