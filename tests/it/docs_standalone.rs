//! `playbill docs build DIR` on a repository with mkdocs.yml and docs/ but no catalog file,
//! the way `techdocs-cli generate` takes one.

use crate::common::{self, write_file as write};

fn plain_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "mkdocs.yml",
        "site_name: Payments API (v2)\nplugins:\n  - techdocs-core\n",
    );
    write(
        dir.path(),
        "docs/index.md",
        "# Payments\n\nSee the [guide](guide.md).\n",
    );
    write(
        dir.path(),
        "docs/guide.md",
        "# Guide\n\n## GET /payments/{id}\n",
    );
    dir
}

#[test]
fn a_plain_mkdocs_repository_is_built_under_its_site_name() {
    let repo = plain_repo();
    let out = tempfile::tempdir().unwrap();
    let result = common::docs_build_into(repo.path(), out.path(), &[]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(stderr.contains("Built 2 docs pages"), "{stderr}");
    let site = out.path().join("docs/default/component/payments-api-v2");
    let guide = std::fs::read_to_string(site.join("guide/index.html")).unwrap();
    assert!(guide.contains("id=\"get-paymentsid\""), "{guide}");
    let home = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(home.contains("<title>Payments API (v2)"), "{home}");
    assert!(home.contains("guide/index.html"), "{home}");
}

#[test]
fn the_entity_option_places_the_site() {
    let repo = plain_repo();
    let out = tempfile::tempdir().unwrap();
    let result = common::docs_build_into(
        repo.path(),
        out.path(),
        &["--entity", "team-a/system/payments"],
    );
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(out
        .path()
        .join("docs/team-a/system/payments/guide/index.html")
        .is_file());
}

#[test]
fn a_bad_entity_or_no_mkdocs_yml_is_a_clear_error() {
    let repo = plain_repo();
    let out = tempfile::tempdir().unwrap();
    let result = common::docs_build_into(repo.path(), out.path(), &["--entity", "payments"]);
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("must be namespace/kind/name"), "{stderr}");

    let empty = tempfile::tempdir().unwrap();
    let result = common::docs_build_into(
        empty.path(),
        out.path(),
        &["--entity", "default/component/x"],
    );
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("has no mkdocs.yml"), "{stderr}");

    // Neither a catalog file nor mkdocs.yml: nothing to build, as before.
    let result = common::docs_build_into(empty.path(), out.path(), &[]);
    assert_eq!(result.status.code(), Some(1));
}
