//! The catalog page's data file. The page itself carries only the first rows (a first paint
//! that also works without script); the full list, in the same order, is a compact script that
//! `static/catalog.js` filters and renders, so the page stays small however large the catalog
//! grows. It loads through a classic `<script src>` that sets a global, which works on
//! `file://` too.
//!
//! Each row carries its entity's scorecard score for the health column; the column's cluster
//! health changes with every snapshot, so it comes from the volatile `catalog/status.js`
//! (`kubernetes::status_files`), never from this file or the page.

use crate::catalog::summary::{EntityLink, EntitySummary};
use crate::catalog::Catalog;
use crate::scorecard::Scorecards;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Rows rendered into the HTML page before the script takes over.
pub(super) const FIRST_PAINT_ROWS: usize = 50;

/// What the catalog page shows before its data file is loaded: the first rows, the number of
/// entities and the filters' choices. Kept in place of every entity's summary while the pages
/// are rendered; the data file, made before them, has all the rows.
pub(super) struct FirstPaint {
    pub(super) rows: Vec<EntitySummary>,
    pub(super) total: usize,
    pub(super) facets: super::model::Facets,
}

impl FirstPaint {
    pub(super) fn of(mut summaries: Vec<EntitySummary>) -> FirstPaint {
        let facets = super::model::facets(&summaries);
        let total = summaries.len();
        summaries.truncate(FIRST_PAINT_ROWS);
        summaries.shrink_to_fit();
        FirstPaint {
            rows: summaries,
            total,
            facets,
        }
    }
}

/// Characters of a description kept in a row, as the row template truncates it.
const DESCRIPTION_CHARS: usize = 180;

#[derive(Serialize)]
struct Data<'a> {
    /// Owners and systems, each once: `[ref, title, url]`, url empty when unresolved.
    links: Vec<[&'a str; 3]>,
    /// `[kind, namespace, name, title, type, lifecycle, owner, system, tags, description, url,
    /// score]`, owner and system being indices into `links` (-1: none), score 0–100 (-1: none).
    rows: Vec<Row<'a>>,
    /// `[lowest score, level]`, best first: the class a score is shown with.
    levels: &'static [(u32, &'static str)],
}

type Row<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    i64,
    i64,
    &'a [String],
    String,
    &'a str,
    i64,
);

/// Each scored entity's score, by entity ref.
pub(super) fn scores(cards: Option<&Scorecards>) -> HashMap<String, u32> {
    let cards = cards.map(|c| c.cards.iter()).into_iter().flatten();
    cards
        .filter_map(|(key, card)| Some((key.to_string(), card.score?)))
        .collect()
}

/// What a first-paint row's health cells show without script: the score, and for an entity
/// with workloads a link to its cluster status (which changes too often for this page).
#[derive(Serialize)]
pub(super) struct RowHealth {
    score: Option<u32>,
    level: &'static str,
    kubernetes: Option<String>,
}

/// The health cells of `rows`, by entity ref.
pub(super) fn first_paint_health<'a>(
    catalog: &Catalog,
    rows: &'a [EntitySummary],
    cards: Option<&Scorecards>,
) -> BTreeMap<&'a str, RowHealth> {
    let scores = scores(cards);
    let with_workloads: HashMap<String, String> = catalog
        .entities
        .iter()
        .filter(|e| crate::cluster::matching::names_workloads(e))
        .map(|e| (e.key.to_string(), super::kubernetes::page_dir(e)))
        .collect();
    rows.iter()
        .map(|e| {
            let score = scores.get(&e.entity_ref).copied();
            let kubernetes = with_workloads.get(&e.entity_ref);
            let health = RowHealth {
                score,
                level: super::scorecards::level(score),
                kubernetes: kubernetes.map(|dir| format!("{dir}/index.html")),
            };
            (e.entity_ref.as_str(), health)
        })
        .collect()
}

/// The data file's bytes: `window.PLAYBILL_CATALOG = {...};`, with each row's score from
/// `scores` ([`scores`]).
pub(super) fn script(summaries: &[EntitySummary], scores: &HashMap<String, u32>) -> Vec<u8> {
    let mut index: BTreeMap<&str, i64> = BTreeMap::new();
    let mut links: Vec<[&str; 3]> = Vec::new();
    let rows = summaries
        .iter()
        .map(|e| {
            (
                e.kind.as_str(),
                e.namespace.as_str(),
                e.name.as_str(),
                e.title.as_str(),
                e.spec_type.as_str(),
                e.lifecycle.as_str(),
                link_index(&e.owner, &mut index, &mut links),
                link_index(&e.system, &mut index, &mut links),
                e.tags.as_slice(),
                truncate(&e.description, DESCRIPTION_CHARS),
                e.url.as_str(),
                scores.get(&e.entity_ref).map_or(-1, |s| i64::from(*s)),
            )
        })
        .collect();
    let levels = &super::scorecards::LEVELS;
    let data = Data {
        links,
        rows,
        levels,
    };
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{}".into());
    crate::output::inert_json(format!("window.PLAYBILL_CATALOG={json};\n")).into_bytes()
}

/// The index of `link` in `links`, adding it the first time; -1 for none.
fn link_index<'a>(
    link: &'a Option<EntityLink>,
    index: &mut BTreeMap<&'a str, i64>,
    links: &mut Vec<[&'a str; 3]>,
) -> i64 {
    let Some(l) = link.as_ref() else { return -1 };
    *index.entry(&l.entity_ref).or_insert_with(|| {
        let url = if l.resolved { l.url.as_str() } else { "" };
        links.push([&l.entity_ref, &l.title, url]);
        links.len() as i64 - 1
    })
}

/// Tera's `truncate`: at most `n` characters, with `…` when something was cut.
fn truncate(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(name: &str, owner: Option<&str>, description: &str) -> EntitySummary {
        EntitySummary {
            entity_ref: format!("component:default/{name}"),
            kind: "Component".into(),
            kind_lc: "component".into(),
            namespace: "default".into(),
            name: name.into(),
            title: format!("<b>{name}</b>"),
            description: description.into(),
            spec_type: "service".into(),
            lifecycle: "production".into(),
            owner: owner.map(|o| EntityLink {
                entity_ref: format!("group:default/{o}"),
                title: o.into(),
                kind: "group".into(),
                name: o.into(),
                namespace: "default".into(),
                url: format!("catalog/default/group/{o}/index.html"),
                resolved: o != "ghost",
            }),
            system: None,
            tags: vec!["payments".into()],
            url: format!("catalog/default/component/{name}/index.html"),
        }
    }

    #[test]
    fn rows_share_their_links_and_no_markup_survives() {
        let long = "é".repeat(200);
        let scores = HashMap::from([("component:default/b".to_string(), 85)]);
        let js = String::from_utf8(script(
            &[
                summary("a", Some("team-a"), "short"),
                summary("b", Some("team-a"), &long),
                summary("c", Some("ghost"), "</script><script>alert(1)</script>"),
                summary("d", None, ""),
            ],
            &scores,
        ))
        .unwrap();
        assert!(js.starts_with("window.PLAYBILL_CATALOG={"));
        assert!(!js.contains('<'), "{js}");
        let json: serde_json::Value = serde_json::from_str(
            js.trim_start_matches("window.PLAYBILL_CATALOG=")
                .trim_end_matches(";\n"),
        )
        .unwrap();
        let links = json["links"].as_array().unwrap();
        assert_eq!(links.len(), 2, "team-a once, ghost once");
        assert_eq!(links[1][2], "", "an unresolved owner has no url");
        let rows = json["rows"].as_array().unwrap();
        assert_eq!(rows[0][6], 0);
        assert_eq!(rows[1][6], 0);
        assert_eq!(rows[3][6], -1);
        assert_eq!(
            rows[0][3], "<b>a</b>",
            "the title is data; the page escapes it"
        );
        assert_eq!(rows[1][9].as_str().unwrap().chars().count(), 181);
        assert_eq!(rows[2][9], "</script><script>alert(1)</script>");
        assert_eq!(
            (rows[0][11].clone(), rows[1][11].clone()),
            (json!(-1), json!(85))
        );
        assert_eq!(json["levels"][0], json!([80, "good"]));
    }
}
