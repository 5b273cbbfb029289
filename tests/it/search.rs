//! The search index of the demo portal: the browser and the build agree on terms and on
//! ranking. The cases of tests/fixtures/search/terms.json and the recorded rankings of the
//! demo, `snapshots/it__search__demo_rankings.snap`, are checked by the browser suite
//! (tests/e2e/search.test.js) too. After a deliberate change to the demo or to ranking, bless
//! the rankings with `INSTA_UPDATE=always cargo test --test it search::` (or
//! `cargo insta review`).

use playbill::config::Config;
use playbill::search::{build_index, query, text};
use serde_json::Value;
use std::path::Path;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/search")
        .join(name)
}

#[test]
fn terms_are_cut_as_the_browser_cuts_them() {
    let cases: Vec<(String, Vec<String>)> =
        serde_json::from_str(&std::fs::read_to_string(fixture("terms.json")).unwrap()).unwrap();
    for (input, want) in cases {
        assert_eq!(text::terms(&input), want, "{input}");
    }
}

/// The queries whose first five results are recorded.
const QUERIES: &[&str] = &[
    "LEDGER Reconciler",
    "idempotency keys",
    "ledg",
    "ledger",
    "payments-ledger",
    "rotate signing keys",
    "rotating credentials",
    "team-identity",
];

#[test]
fn the_demo_ranks_as_recorded() {
    let config =
        Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml")).expect("site.toml");
    let rendered = playbill::build::render(&config, &|_| {}).expect("demo renders");
    let (catalog, docs) = (rendered.catalog, rendered.docs);
    let summaries: Vec<_> = catalog
        .entities
        .iter()
        .map(|e| playbill::catalog::summary::summary(&catalog, e))
        .collect();
    let index = build_index(&catalog, &summaries, &docs);
    let mut now = serde_json::Map::new();
    for q in QUERIES {
        let urls: Vec<&str> = query::search(&index, q)
            .iter()
            .take(5)
            .map(|h| index.docs[h.doc as usize].url.as_str())
            .collect();
        now.insert(q.to_string(), serde_json::json!(urls));
    }
    let now = Value::Object(now);
    // Pretty JSON, which the browser suite reads from the snapshot file.
    insta::assert_snapshot!("demo_rankings", serde_json::to_string_pretty(&now).unwrap());
    // What the rankings must show, whatever else changes.
    let first = |q: &str| now[q][0].as_str().unwrap().to_string();
    assert_eq!(first("ledger"), "catalog/default/system/ledger/index.html");
    assert_eq!(
        now["ledger"][1],
        "catalog/default/component/payments-ledger/index.html"
    );
    assert_eq!(
        first("payments-ledger"),
        "catalog/default/component/payments-ledger/index.html"
    );
    assert!(first("idempotency keys").ends_with("integrating/index.html#idempotency-keys"));
}
