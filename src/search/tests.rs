//! Ranking, sharding and determinism of the index, on a small hand-made portal.

use super::query::{search, words};
use super::{
    build_index, build_index_in_parts, shard_file_key, shards_for, write_index, Entities, Index,
    MANIFEST,
};
use crate::catalog::summary::{EntityLink, EntitySummary};
use crate::catalog::EntityRef;
use crate::docs::markdown::Heading;
use crate::docs::{DocPage, DocSets, DocSite};
use serde_json::Value;
use std::collections::BTreeMap;

fn owner(name: &str) -> EntityLink {
    EntityLink {
        entity_ref: format!("group:default/{name}"),
        title: name.to_string(),
        kind: "group".into(),
        name: name.to_string(),
        namespace: "default".into(),
        url: format!("catalog/default/group/{name}/index.html"),
        resolved: true,
    }
}

fn entity(kind: &str, name: &str, title: &str, description: &str, team: &str) -> EntitySummary {
    EntitySummary {
        entity_ref: format!("{kind}:default/{name}"),
        kind: kind.to_string(),
        kind_lc: kind.to_ascii_lowercase(),
        namespace: "default".into(),
        name: name.to_string(),
        title: title.to_string(),
        description: description.to_string(),
        spec_type: "service".into(),
        lifecycle: "production".into(),
        owner: Some(owner(team)),
        system: None,
        tags: vec!["payments".into()],
        url: format!(
            "catalog/default/{}/{name}/index.html",
            kind.to_ascii_lowercase()
        ),
    }
}

/// A docs site for `component:default/<name>` with one page of `(id, heading, text)` sections.
fn site(name: &str, page_title: &str, sections: &[(&str, &str, &str)]) -> DocSite {
    let base = format!("docs/default/component/{name}");
    let headings = sections
        .iter()
        .filter(|(id, _, _)| !id.is_empty())
        .enumerate()
        .map(|(i, (id, text, _))| Heading {
            level: if i == 0 { 1 } else { 2 },
            id: id.to_string(),
            text: text.to_string(),
        })
        .collect();
    DocSite {
        entity: EntityRef::new("component", "default", name),
        base: base.clone(),
        site_name: format!("{name} docs"),
        site_description: String::new(),
        nav: vec![],
        pages: vec![DocPage {
            source: "index.md".into(),
            out: format!("{base}/index.html"),
            title: page_title.to_string(),
            html: String::new(),
            body_key: None,
            headings,
            sections: sections
                .iter()
                .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
                .collect(),
            edit_url: None,
            prev: None,
            next: None,
            digest: String::new(),
        }],
        files: vec![],
        repo: name.to_string(),
        commit: None,
        commit_time: None,
        version: None,
        versions: Vec::new(),
        prebuilt_pages: 0,
        search_part: None,
    }
}

fn portal() -> Index {
    let entities = vec![
        entity(
            "Component",
            "billing-api",
            "Billing API",
            "Sends invoices; talks to the ledger of record.",
            "team-billing",
        ),
        entity(
            "Component",
            "payments-ledger",
            "Payments Ledger",
            "Double-entry bookkeeping.",
            "team-ledger",
        ),
        entity(
            "Component",
            "ledger",
            "Ledger",
            "The general ledger.",
            "team-ledger",
        ),
        entity(
            "Component",
            "fx-zurich",
            "FX Zürich",
            "Quotes from the Zürich desk.",
            "team-fx",
        ),
        entity(
            "Component",
            "audit-log",
            "Audit log",
            "Keeps an append-only logbook.",
            "team-audit",
        ),
    ];
    let mut docs = DocSets::default();
    docs.sites.push(site(
        "billing-api",
        "Billing API",
        &[
            (
                "billing-api",
                "Billing API",
                "Ledger ledger ledger: every invoice lands in the ledger.",
            ),
            (
                "deploying",
                "Deploying",
                "Deployments roll out with canaries; rollback is one command.",
            ),
            (
                "rotate-keys",
                "Rotate the signing keys",
                "Signing keys rotate monthly via the vault.",
            ),
        ],
    ));
    build_index(
        &Default::default(),
        Entities::Summarised(&entities),
        &docs,
        None,
    )
}

fn urls(index: &Index, q: &str) -> Vec<String> {
    search(index, q)
        .iter()
        .map(|h| index.docs[h.doc as usize].doc().url)
        .collect()
}

#[test]
fn an_exact_entity_name_beats_body_mentions() {
    let index = portal();
    let found = urls(&index, "ledger");
    assert_eq!(
        found[0], "catalog/default/component/ledger/index.html",
        "{found:?}"
    );
    assert_eq!(
        found[1], "catalog/default/component/payments-ledger/index.html",
        "{found:?}"
    );
    assert!(
        found.contains(&"docs/default/component/billing-api/index.html#billing-api".to_string())
    );
    let found = urls(&index, "payments-ledger");
    assert_eq!(
        found[0],
        "catalog/default/component/payments-ledger/index.html"
    );
}

#[test]
fn prefixes_match_as_you_type_but_rank_below_whole_words() {
    let index = portal();
    let mut top = urls(&index, "ledg")[..2].to_vec();
    top.sort();
    assert_eq!(
        top,
        [
            "catalog/default/component/ledger/index.html",
            "catalog/default/component/payments-ledger/index.html"
        ]
    );
    // "log" is a whole word of audit-log; "logbook" only starts with it.
    let hits = search(&index, "log");
    assert_eq!(index.docs[hits[0].doc as usize].name, "audit-log");
    // One character matches whole terms only.
    assert!(search(&index, "l").is_empty());
}

#[test]
fn inflections_meet_through_their_stem() {
    let index = portal();
    for q in ["deploying", "deployment", "deploys"] {
        let found = urls(&index, q);
        assert_eq!(
            found.first().map(String::as_str),
            Some("docs/default/component/billing-api/index.html#deploying"),
            "{q}"
        );
    }
    assert_eq!(
        urls(&index, "rotating key")[0],
        "docs/default/component/billing-api/index.html#rotate-keys"
    );
}

#[test]
fn diacritics_and_case_are_folded() {
    let index = portal();
    for q in ["zurich", "ZÜRICH", "Zu\u{308}rich"] {
        assert_eq!(
            urls(&index, q)[0],
            "catalog/default/component/fx-zurich/index.html",
            "{q}"
        );
    }
}

#[test]
fn more_matched_words_rank_higher_and_stop_words_are_ignored() {
    let index = portal();
    assert_eq!(words("the ledger of the Invoice"), ["ledger", "invoice"]);
    let hits = search(&index, "ledger invoice");
    assert_eq!(hits[0].matched, 2);
    assert!(hits.windows(2).all(|w| w[0].matched >= w[1].matched));
}

/// The shard scripts of a build, parsed: key -> terms.
fn shard_terms(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<String>> {
    let manifest = String::from_utf8(files[MANIFEST].clone()).unwrap();
    let json = manifest
        .trim_end()
        .strip_prefix("PlaybillSearch.manifest(")
        .and_then(|s| s.strip_suffix(");"))
        .unwrap();
    let manifest: Value = serde_json::from_str(json).unwrap();
    let mut out = BTreeMap::new();
    for (root, group) in manifest["shards"].as_object().unwrap() {
        let group = group.as_array().unwrap();
        let hash = group[0].as_str().unwrap();
        for suffix in &group[1..] {
            let key = format!("{root}{}", suffix.as_str().unwrap());
            let file = format!("search/{}.{hash}.js", shard_file_key(&key));
            let text = String::from_utf8(files[&file].clone()).unwrap();
            let args = text
                .trim_end()
                .strip_prefix("PlaybillSearch.shard(")
                .and_then(|s| s.strip_suffix(");"))
                .unwrap();
            let args: Value = serde_json::from_str(&format!("[{args}]")).unwrap();
            assert_eq!(args[0], key.as_str());
            let terms = args[1]["t"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
                .collect();
            out.insert(key.clone(), terms);
        }
    }
    out
}

#[test]
fn a_querys_shards_hold_every_term_it_can_match() {
    // Enough terms under one prefix that its shard is split, several levels deep.
    let text: Vec<String> = (0..6000)
        .map(|i| format!("de{:x}word{i}", i * 7919))
        .collect();
    let mut entities = vec![entity(
        "Component",
        "deploy",
        "Deploy",
        &text.join(" "),
        "t",
    )];
    entities.push(entity("Component", "ede", "Édé", "de d x", "t"));
    let index = build_index(
        &Default::default(),
        Entities::Summarised(&entities),
        &DocSets::default(),
        None,
    );
    let files = write_index(&index);
    let shards = shard_terms(&files);
    assert!(
        shards.keys().any(|k| k.chars().count() > 2),
        "no split: {:?}",
        shards.keys()
    );
    // Every term is in exactly one shard, under a key that begins it.
    let mut seen = 0;
    for (key, terms) in &shards {
        for t in terms {
            assert!(t.starts_with(key.as_str()), "{t} under {key}");
            seen += 1;
        }
    }
    assert_eq!(seen, index.terms.len());
    for word in [
        "d",
        "de",
        "de1",
        "de1f",
        "deploy",
        "ede",
        "x",
        "zz",
        "de2b3dword",
    ] {
        let loaded: Vec<&String> = shards_for(shards.keys(), word)
            .into_iter()
            .flat_map(|k| &shards[k])
            .collect();
        let prefix = word.chars().count() >= 2;
        for term in index.terms.keys() {
            if term == word || (prefix && term.starts_with(word)) {
                assert!(
                    loaded.contains(&term),
                    "{word}: {term} not in the loaded shards"
                );
            }
        }
    }
}

#[test]
fn entities_analysed_in_parts_give_the_index_of_one_part() {
    let teams = ["team-ledger", "team-fx", "team-audit"];
    let entities: Vec<EntitySummary> = (0..100)
        .map(|i| {
            let name = format!("svc-{i:03}");
            let title = format!("Service {} of the ledger", i % 7);
            let description = format!("Reconciles payments; shard {} of {}.", i % 5, i % 11);
            entity("Component", &name, &title, &description, teams[i % 3])
        })
        .collect();
    let docs = DocSets::default();
    let whole = build_index_in_parts(
        &Default::default(),
        Entities::Summarised(&entities),
        &docs,
        None,
        usize::MAX,
    );
    assert_eq!(whole.docs.len(), 100);
    for per_part in [1, 7, 64] {
        let parts = build_index_in_parts(
            &Default::default(),
            Entities::Summarised(&entities),
            &docs,
            None,
            per_part,
        );
        assert!(parts == whole, "{per_part} a part");
        assert_eq!(
            write_index(&parts),
            write_index(&whole),
            "{per_part} a part"
        );
    }
}

#[test]
fn the_index_is_byte_identical_across_builds() {
    let a = write_index(&portal());
    let b = write_index(&portal());
    assert_eq!(a, b);
    assert!(a
        .keys()
        .all(|k| k.starts_with("search/") && k.ends_with(".js")));
    assert!(a
        .keys()
        .filter(|k| *k != MANIFEST)
        .all(|k| k.matches('.').count() == 2));
}
