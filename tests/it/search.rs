//! The search index of the demo portal: the browser and the build agree on terms and on
//! ranking. Both read the fixtures under tests/fixtures/search/, which the browser suite
//! (tests/e2e/search.test.js) checks too. `PLAYBILL_UPDATE_FIXTURES=1` rewrites the expected
//! rankings after a deliberate change to the demo or to ranking.

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

#[test]
fn the_demo_ranks_as_recorded() {
    let config =
        Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml")).expect("site.toml");
    let rendered = playbill::build::render(&config, &|_| {}).expect("demo renders");
    let (catalog, docs) = (rendered.catalog, rendered.docs);
    let summaries: Vec<_> = catalog
        .entities
        .iter()
        .map(|e| playbill::site::model::summary(&catalog, e))
        .collect();
    let index = build_index(&catalog, &summaries, &docs);
    let path = fixture("demo-queries.json");
    let recorded: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut now = serde_json::Map::new();
    for q in recorded.as_object().unwrap().keys() {
        let urls: Vec<&str> = query::search(&index, q)
            .iter()
            .take(5)
            .map(|h| index.docs[h.doc as usize].url.as_str())
            .collect();
        now.insert(q.clone(), serde_json::json!(urls));
    }
    let now = Value::Object(now);
    if std::env::var_os("PLAYBILL_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(&now).unwrap() + "\n").unwrap();
        return;
    }
    assert_eq!(now, recorded, "rankings changed; see the module comment");
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
