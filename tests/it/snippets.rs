//! Snippets (`--8<--`) in a docs site built from a catalog entity whose mkdocs.yml sits in a
//! subdirectory: included from that directory, and a snippet that is missing or leaves it is
//! left out with a `docs/snippet` warning at the page's line, while the build goes on.

use crate::common::{docs_build, write_file as write};

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: shop\n  annotations:\n    backstage.io/techdocs-ref: dir:./site\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
    );
    write(root, "private.md", "Not for the docs.\n");
    write(
        root,
        "site/mkdocs.yml",
        "site_name: Shop\nplugins:\n  - techdocs-core\n",
    );
    write(
        root,
        "site/parts/intro.md",
        "## Included heading\n\nIncluded text.\n",
    );
    write(
        root,
        "site/docs/index.md",
        "# Shop\n\n--8<-- \"parts/intro.md\"\n\n--8<-- \"parts/missing.md\"\n\n--8<-- \"../private.md\"\n\nEnd.\n",
    );
    dir
}

#[test]
fn snippets_are_included_and_bad_ones_reported_at_their_line() {
    let repo = repo();
    let (result, out) = docs_build(repo.path());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    let page =
        std::fs::read_to_string(out.path().join("docs/default/component/shop/index.html")).unwrap();
    assert!(page.contains("id=\"included-heading\""), "{page}");
    assert!(page.contains("Included text."), "{page}");
    assert!(!page.contains("Not for the docs"), "{page}");
    assert!(!page.contains("8&lt;"), "{page}");
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("[docs/snippet]"))
        .collect();
    assert_eq!(warnings.len(), 2, "{stderr}");
    assert!(
        warnings[0].contains("site/docs/index.md:5: warning")
            && warnings[0].contains("parts/missing.md"),
        "{stderr}"
    );
    assert!(
        warnings[1].contains("site/docs/index.md:7: warning")
            && warnings[1].contains("outside site, the directory of mkdocs.yml"),
        "{stderr}"
    );
}
