//! What a team owns, rolled up over its sub-teams, and the catalog health of all of it: the
//! Group page's roll-up (direct and transitive counts by kind, what the sub-teams own) and
//! its list of problems an owner can fix (unresolved references, broken Locations, docs that
//! do not build, no docs or runbook), taken from the diagnostics and the scorecards.

use super::Shared;
use crate::catalog::summary::link;
use crate::catalog::{Catalog, Entity, EntityRef};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Sub-teams deeper than this are not walked (a `parent` cycle is reported by the catalog).
const MAX_DEPTH: usize = 32;
/// Rows listed per section; the rest are counted.
const MAX_ROWS: usize = 100;

/// `group` and every group below it, the group first.
pub(super) fn team_and_sub_teams(catalog: &Catalog, group: &EntityRef) -> Vec<EntityRef> {
    let mut seen: BTreeSet<EntityRef> = BTreeSet::from([group.clone()]);
    let mut all = vec![group.clone()];
    let mut frontier = vec![group.clone()];
    for _ in 0..MAX_DEPTH {
        let mut next = Vec::new();
        for g in &frontier {
            for r in catalog.relations_of(g).filter(|r| r.kind == "parentOf") {
                if seen.insert(r.target.clone()) {
                    next.push(r.target.clone());
                }
            }
        }
        if next.is_empty() {
            break;
        }
        all.extend(next.iter().cloned());
        frontier = next;
    }
    all
}

/// The roll-up of a Group page; None for other kinds and for a team without sub-teams.
pub(super) fn roll_up(shared: &Shared<'_>, group: &Entity) -> Option<Value> {
    if group.key.kind != "group" {
        return None;
    }
    let catalog = shared.catalog;
    let teams = team_and_sub_teams(catalog, &group.key);
    // (entity, owning team), sorted by entity.
    let mut owned: BTreeMap<&EntityRef, &EntityRef> = BTreeMap::new();
    for team in &teams {
        for r in catalog.relations_of(team).filter(|r| r.kind == "ownerOf") {
            owned.entry(r.target).or_insert(team);
        }
    }
    let direct = owned.values().filter(|t| ***t == group.key).count();
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (e, team) in &owned {
        let counts = by_kind.entry(e.kind.as_str()).or_default();
        if **team == group.key {
            counts.0 += 1;
        }
        counts.1 += 1;
    }
    let via_sub_teams: Vec<Value> = owned
        .iter()
        .filter(|(_, t)| ***t != group.key)
        .take(MAX_ROWS)
        .map(|(e, t)| json!({ "entity": link(catalog, e), "team": link(catalog, t) }))
        .collect();
    let kinds: Vec<Value> = by_kind
        .iter()
        .map(|(k, (d, t))| json!({ "kind": k, "direct": d, "total": t }))
        .collect();
    let health = catalog_health(shared, owned.keys().copied());
    Some(json!({
        "sub_teams": teams.len() - 1,
        "direct": direct,
        "total": owned.len(),
        "kinds": kinds,
        "via_sub_teams": via_sub_teams,
        "more": (owned.len() - direct).saturating_sub(MAX_ROWS),
        "health": health,
    }))
}

/// Diagnostic codes an owner fixes in the catalog files or the docs, with what they mean.
const CODES: &[(&str, &str)] = &[
    ("catalog/unresolved-ref", "dangling reference"),
    (
        "catalog/unexpected-owner-kind",
        "owner is not a team or person",
    ),
    ("catalog/invalid-ref", "malformed reference"),
    ("catalog/location-target-missing", "broken Location"),
    ("catalog/location-outside-repo", "broken Location"),
    ("catalog/location-cycle", "broken Location"),
    ("docs/ref-not-resolved", "docs not found"),
    ("docs/mkdocs-missing", "docs not found"),
    ("docs/broken-link", "broken link in docs"),
];

/// Scorecard checks whose failure is a gap in the catalog, with what it means.
const CHECKS: &[(&str, &str)] = &[
    ("owner-resolves", "unknown owner"),
    ("has-docs", "no docs"),
    ("has-runbook", "no runbook"),
];

/// Whether `key` fails one of [`CHECKS`]: only then is it judged again for the reasons.
fn fails_a_gap_check(shared: &Shared<'_>, key: &EntityRef) -> bool {
    let gap =
        |check: crate::scorecard::config::Check| CHECKS.iter().any(|(id, _)| *id == check.id());
    let cards = shared.scorecards.as_ref();
    cards.is_some_and(|cards| cards.failed(key).any(gap))
}

/// The problems of `owned` an owner can fix: `{entity, what, detail}`, by entity.
fn catalog_health<'a>(shared: &Shared<'_>, owned: impl Iterator<Item = &'a EntityRef>) -> Value {
    let mut rows = Vec::new();
    let mut total = 0;
    for key in owned {
        let mut push = |what: &str, detail: String| {
            total += 1;
            if rows.len() < MAX_ROWS {
                let entity = link(shared.catalog, key);
                rows.push(json!({ "entity": entity, "what": what, "detail": detail }));
            }
        };
        for d in shared.by_entity.get(&key.to_string()).into_iter().flatten() {
            if let Some((_, what)) = CODES.iter().find(|(c, _)| *c == d.code) {
                let place = match (&d.file, d.line) {
                    (Some(f), Some(l)) => format!("{f}:{l}: "),
                    _ => String::new(),
                };
                push(what, format!("{place}{}", d.message));
            }
        }
        if !fails_a_gap_check(shared, key) {
            continue;
        }
        let entity = shared.catalog.get(key);
        for r in entity
            .map(|e| super::scorecards::results(shared, e))
            .unwrap_or_default()
        {
            let failed = r.outcome.status == crate::scorecard::Status::Fail;
            if let Some((_, what)) = CHECKS.iter().find(|(c, _)| failed && *c == r.id) {
                push(what, r.outcome.reason.into_owned());
            }
        }
    }
    let more = total - rows.len();
    json!({ "rows": rows, "total": total, "more": more })
}
