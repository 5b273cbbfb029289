//! Golden tests over TechDocs repositories shaped like real ones (tests/fixtures/techdocs/*):
//! each case's nav, page titles, rendered HTML and docs diagnostics are compared with its
//! snapshot, `snapshots/it__golden__<case>.snap`. After an intended change, bless with
//! `INSTA_UPDATE=always cargo test --test it golden::` (or `cargo insta review`) and review
//! the diff like code.

use playbill::config::Config;
use std::path::Path;

fn golden(case: &Path) -> String {
    let out = tempfile::tempdir().unwrap();
    let config = Config::for_repository(case, out.path());
    let rendered = playbill::build::render(&config, &|_| {}).expect("renders");
    let (docs, diagnostics) = (rendered.docs, rendered.diagnostics);
    let mut text = String::new();
    for site in &docs.sites {
        text.push_str(&format!("# site {} ({})\n", site.site_name, site.base));
        text.push_str("## nav\n");
        text.push_str(&serde_json::to_string_pretty(&site.nav).unwrap());
        text.push('\n');
        let mut pages: Vec<_> = site.pages.iter().collect();
        pages.sort_by(|a, b| a.source.cmp(&b.source));
        for page in pages {
            let neighbour =
                |i: Option<usize>| i.map(|i| site.pages[i].source.as_str()).unwrap_or("-");
            text.push_str(&format!(
                "## page {} -> {}\ntitle: {}\nprev: {} next: {}\nedit: {}\n",
                page.source,
                page.out,
                page.title,
                neighbour(page.prev),
                neighbour(page.next),
                page.edit_url.as_deref().unwrap_or("-")
            ));
            text.push_str(&page.html);
            text.push('\n');
        }
        let mut files: Vec<&str> = site.files.iter().map(|(p, _)| p.as_str()).collect();
        files.sort();
        text.push_str(&format!("## files\n{}\n", files.join("\n")));
    }
    text.push_str("## diagnostics\n");
    for d in diagnostics.iter().filter(|d| d.code.starts_with("docs/")) {
        text.push_str(&d.to_text());
        text.push('\n');
    }
    text
}

#[test]
fn techdocs_fixtures_render_as_expected() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/techdocs");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 4);
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(name, golden(&case));
    }
}
