//! The search index of the demo portal: the browser and the build agree on terms and on
//! ranking. The cases of tests/fixtures/search/terms.json and the recorded rankings of the
//! demo, `snapshots/it__search__demo_rankings.snap`, are checked by the browser suite
//! (tests/e2e/search.test.js) too. After a deliberate change to the demo or to ranking, bless
//! the rankings with `INSTA_UPDATE=always cargo test --test it search::` (or
//! `cargo insta review`).

use playbill::config::Config;
use playbill::search::{build_index, query, text, Entities};
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

/// The demo rendered without the render cache, so that its docs pages hold their sections.
fn demo() -> playbill::build::Rendered {
    let mut config =
        Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml")).expect("site.toml");
    config.render_cache = false;
    playbill::build::render(&config, &|_| {}).expect("demo renders")
}

/// The demo portal's search index, and its docs sites.
fn demo_index() -> (playbill::search::Index, playbill::docs::DocSets) {
    let rendered = demo();
    let (catalog, docs) = (rendered.catalog, rendered.docs);
    let index = build_index(&catalog, Entities::Of(&catalog), &docs, None);
    (index, docs)
}

/// The demo's catalog summaries and docs sites, as the search stage gets them; the pages'
/// sections stand for themselves (no render cache entry names them).
fn demo_inputs() -> (
    playbill::catalog::Catalog,
    Vec<playbill::catalog::summary::EntitySummary>,
    playbill::docs::DocSets,
) {
    let rendered = demo();
    let (catalog, docs) = (rendered.catalog, rendered.docs);
    let summaries = catalog
        .entities
        .iter()
        .map(|e| playbill::catalog::summary::summary(&catalog, e))
        .collect();
    (catalog, summaries, docs)
}

#[test]
fn an_index_from_kept_docs_sites_is_the_index_made_afresh() {
    let (catalog, summaries, mut docs) = demo_inputs();
    let scratch = tempfile::tempdir().unwrap();
    let cache = playbill::render_cache::RenderCache::open(scratch.path());
    let summarised = Entities::Summarised(&summaries);
    let cold = build_index(&catalog, Entities::Of(&catalog), &docs, Some(&cache));
    assert_eq!(
        cold,
        build_index(&catalog, summarised, &docs, None),
        "summaries made part by part from the catalog index as those given"
    );
    // One entry per docs site whose entity is in the catalog.
    let cold_stats = cache.stats();
    let sites = cold_stats.rendered + cold_stats.reused;
    assert!(sites >= 3, "the demo has {sites} docs sites");
    // One site changes: a new word in one section, and one page fewer.
    let changed = &mut docs.sites[1];
    changed.pages[0].sections[0]
        .2
        .push_str(" Quokkas reconcile the zeppelin.");
    changed.pages.pop();
    let before = cache.stats();
    let warm = build_index(&catalog, summarised, &docs, Some(&cache));
    let after = cache.stats();
    assert_eq!(
        after.reused - before.reused,
        sites - 1,
        "the other sites are read back"
    );
    assert_eq!(
        after.rendered - before.rendered,
        1,
        "the changed site is analysed again"
    );
    assert_eq!(warm, build_index(&catalog, summarised, &docs, None));
    assert_ne!(warm, cold);
    assert!(query::search(&warm, "quokkas").len() == 1);
}

#[test]
fn the_demo_ranks_as_recorded() {
    let (index, _) = demo_index();
    let mut now = serde_json::Map::new();
    for q in QUERIES {
        let urls: Vec<String> = query::search(&index, q)
            .iter()
            .take(5)
            .map(|h| index.docs[h.doc as usize].doc().url)
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

/// The JSON a classic index script hands to `PlaybillSearch.<call>(...)`.
fn script_body(bytes: &[u8], call: &str) -> Value {
    let text = std::str::from_utf8(bytes).unwrap();
    let body = text
        .trim_end()
        .strip_prefix(&format!("PlaybillSearch.{call}("))
        .and_then(|t| t.strip_suffix(");"))
        .unwrap_or_else(|| panic!("not a {call} script: {text}"));
    serde_json::from_str(body).unwrap()
}

#[test]
fn the_facets_name_each_docs_sites_sections_for_the_scoped_box() {
    let (index, docs) = demo_index();
    let files = playbill::search::write_index(&index);
    let (_, facets) = files
        .iter()
        .find(|(path, _)| path.starts_with("search/facets."))
        .expect("a facets file");
    let facets = script_body(facets, "facets");
    let sites = facets["d"].as_object().expect("facets.d");
    let rows = facets["e"].as_array().unwrap();
    let latest = docs.sites.iter().filter(|s| s.version.is_none()).count();
    assert_eq!(
        sites.len(),
        latest,
        "one entry per docs site, older versions left out"
    );
    for (site, entity) in sites {
        // The browser's range: from this entity's first section to the next entity's.
        let i = entity.as_u64().unwrap() as usize;
        let lo = rows[i][0].as_u64().unwrap() as usize;
        let hi = rows
            .get(i + 1)
            .map_or(index.docs.len(), |r| r[0].as_u64().unwrap() as usize);
        let prefix = format!("docs/{site}/");
        let inside: Vec<usize> = (0..index.docs.len())
            .filter(|&d| index.docs[d].doc().url.starts_with(&prefix))
            .collect();
        assert!(!inside.is_empty(), "{site} has sections");
        assert_eq!(inside, (lo..hi).collect::<Vec<_>>(), "{site}");
    }
}
