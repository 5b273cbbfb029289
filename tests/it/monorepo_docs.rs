//! Nav includes (mkdocs-monorepo-plugin's `!include` and `*include`) in a docs site built from
//! a catalog entity: each included project's pages at the URLs mkdocs gives them, links between
//! the projects resolved, and a bad include reported at its line of mkdocs.yml while the rest
//! of the site builds. (tests/differential/docs/fixtures/monorepo compares the same with mkdocs.)

use crate::common::{docs_build, write_file as write};
use std::path::Path;

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files = [
        ("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: mono\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"),
        ("mkdocs.yml", "site_name: Mono\nnav:\n  - Home: index.md\n  - Pay: '!include ./svc/pay/mkdocs.yml'\n  - Teams: '*include teams/*/mkdocs.yml'\n  - Gone: '!include svc/gone/mkdocs.yml'\n  - Out: '!include ../mkdocs.yml'\n  - Loop: '!include svc/loop/mkdocs.yml'\nplugins:\n  - techdocs-core\n"),
        ("docs/index.md", "# Mono\n\n[pay](pay/index.md) [ops](ops-team/run.md#steps)\n"),
        ("svc/pay/mkdocs.yml", "site_name: pay\nnav:\n  - index.md\n  - Charges: api/charges.md\n"),
        ("svc/pay/docs/index.md", "# Pay\n\n[charges](api/charges.md) [home](../index.md) [ops](../ops-team/run.md)\n"),
        ("svc/pay/docs/api/charges.md", "# Charges\n\n[back](../index.md)\n"),
        ("teams/ops/mkdocs.yml", "site_name: Ops Team\n"),
        ("teams/ops/docs/run.md", "# Run\n\n## Steps\n\n[pay](../pay/api/charges.md)\n"),
        ("svc/loop/mkdocs.yml", "site_name: loop\nnav:\n  - Again: '!include ../loop/mkdocs.yml'\n"),
        ("svc/loop/docs/index.md", "# Loop\n"),
    ];
    for (path, text) in files {
        write(root, path, text);
    }
    dir
}

#[test]
fn included_projects_are_merged_and_bad_includes_reported_at_their_line() {
    let repo = repo();
    let (result, out) = docs_build(repo.path());
    let stderr = String::from_utf8_lossy(&result.stderr);
    let base = out.path().join("docs/default/component/mono");
    let read = |page: &str| {
        std::fs::read_to_string(base.join(page)).unwrap_or_else(|e| panic!("{page}: {e}\n{stderr}"))
    };
    for page in [
        "index.html",
        "pay/index.html",
        "pay/api/charges/index.html",
        "ops-team/run/index.html",
    ] {
        assert!(base.join(page).is_file(), "{page} missing:\n{stderr}");
    }
    assert!(
        !Path::new(&base.join("loop/index.html")).exists(),
        "{stderr}"
    );
    let pay = read("pay/index.html");
    for link in [
        "href=\"api/charges/index.html\"",
        "href=\"../index.html\"",
        "href=\"../ops-team/run/index.html\"",
    ] {
        assert!(pay.contains(link), "{link} in\n{pay}");
    }
    assert!(read("index.html").contains("href=\"ops-team/run/index.html#steps\""));
    assert!(read("ops-team/run/index.html").contains("href=\"../../pay/api/charges/index.html\""));
    assert!(pay.contains(">Charges</a>"), "the included nav's title");
    assert!(!stderr.contains("docs/broken-link"), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("[docs/include]"))
        .collect();
    assert_eq!(errors.len(), 3, "{stderr}");
    let at = |n: usize, line: u32, what: &str| {
        assert!(
            errors[n].contains(&format!("mkdocs.yml:{line}: error")) && errors[n].contains(what),
            "{}",
            errors[n]
        )
    };
    at(0, 6, "cannot read svc/gone/mkdocs.yml");
    at(1, 7, "inside the repository");
    at(2, 8, "does not support");
}
