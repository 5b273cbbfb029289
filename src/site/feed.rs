//! What the history looks like to readers: the "What changed" page's context, the Atom feed
//! (`changes/feed.xml`) and the JSON (`changes/changes.json`). Everything is derived from the
//! history alone, so an unchanged history gives the same bytes; times are those of the builds
//! that found the changes.

use crate::catalog::Catalog;
use crate::changes::{Change, ChangeKind, ChangeSet, State};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub const PAGE_PATH: &str = "changes/index.html";
pub const FEED_PATH: &str = "changes/feed.xml";
pub const JSON_PATH: &str = "changes/changes.json";
/// Changes listed on one page of "What changed": older change sets go on `changes/2/index.html`
/// and so on, so that a full history (up to 500 changes) stays within the page budget.
const CHANGES_PER_PAGE: usize = 150;

/// The page (from 0) each change set of `history` is on: in order, a new page when the next
/// set would take the page past [`CHANGES_PER_PAGE`]; a larger set has a page to itself.
pub fn parts_of(history: &[ChangeSet]) -> Vec<usize> {
    let mut parts = Vec::with_capacity(history.len());
    let (mut part, mut on_page) = (0, 0);
    for set in history {
        if on_page > 0 && on_page + set.changes.len() > CHANGES_PER_PAGE {
            part += 1;
            on_page = 0;
        }
        on_page += set.changes.len();
        parts.push(part);
    }
    parts
}

/// Where page `part` (from 0) of "What changed" is written.
pub fn part_path(part: usize) -> String {
    match part {
        0 => PAGE_PATH.to_string(),
        n => format!("changes/{}/index.html", n + 1),
    }
}

/// How many pages "What changed" takes (at least one).
pub fn parts(state: &State) -> usize {
    parts_of(&state.history).last().map_or(1, |last| last + 1)
}

/// The address of change set `set` (on page `part`), root-relative.
pub fn set_url(set: &ChangeSet, part: usize) -> String {
    format!("{}#{}", part_path(part), anchor(set))
}

/// The fragment id of a change set on the page (stable: derived from its id).
pub fn anchor(set: &ChangeSet) -> String {
    let tail = set
        .id
        .strip_prefix("urn:playbill:changes:")
        .unwrap_or(&set.id);
    format!("set-{}", tail.replace(':', "-"))
}

/// What changed, beside the entity: `old → new`, and where for versions and problems, the
/// pages for docs; None for an entity added or removed.
pub fn detail(c: &Change) -> Option<String> {
    let from_to = format!(
        "{} → {}",
        c.old.as_deref().unwrap_or("none"),
        c.new.as_deref().unwrap_or("none")
    );
    let place = format!(
        "{} in {}",
        c.object.as_deref().unwrap_or(""),
        c.cluster.as_deref().unwrap_or("")
    );
    match c.change {
        ChangeKind::Added | ChangeKind::Removed => None,
        ChangeKind::Owner | ChangeKind::Type | ChangeKind::Lifecycle | ChangeKind::System => {
            Some(from_to)
        }
        ChangeKind::Version => Some(format!("{place}: {from_to}")),
        ChangeKind::Problem => Some(format!("{place}: {}", c.new.as_deref().unwrap_or(""))),
        ChangeKind::Docs => c.new.clone(),
    }
}

/// One line of text per change, for the feed and for people reading JSON.
pub fn describe(c: &Change) -> String {
    let subject = format!("{} ({})", c.title, c.entity);
    let detail = detail(c).unwrap_or_default();
    match c.change {
        ChangeKind::Added => format!("New {}: {subject}", c.kind),
        ChangeKind::Removed => format!("Removed {}: {subject}", c.kind),
        ChangeKind::Owner | ChangeKind::Type | ChangeKind::Lifecycle | ChangeKind::System => {
            format!("{}: {subject} {detail}", c.change.label())
        }
        ChangeKind::Version => format!("Version changed: {subject} {detail}"),
        ChangeKind::Problem => format!("New problem: {subject} {detail}"),
        ChangeKind::Docs => format!("Docs updated: {subject} {detail}"),
    }
}

/// `3 changes: 1 new, 2 version changed`.
fn headline(set: &ChangeSet) -> String {
    let mut counts: BTreeMap<ChangeKind, usize> = BTreeMap::new();
    for c in &set.changes {
        *counts.entry(c.change).or_default() += 1;
    }
    let total = set.changes.len() + set.omitted;
    let parts: Vec<String> = counts
        .iter()
        .map(|(k, n)| {
            let (one, many) = match k {
                ChangeKind::Added => ("new", "new"),
                ChangeKind::Removed => ("removed", "removed"),
                ChangeKind::Owner => ("owner change", "owner changes"),
                ChangeKind::Type => ("type change", "type changes"),
                ChangeKind::Lifecycle => ("lifecycle change", "lifecycle changes"),
                ChangeKind::System => ("system change", "system changes"),
                ChangeKind::Version => ("version change", "version changes"),
                ChangeKind::Problem => ("new problem", "new problems"),
                ChangeKind::Docs => ("docs update", "docs updates"),
            };
            format!("{n} {}", if *n == 1 { one } else { many })
        })
        .collect();
    format!(
        "{total} change{}: {}",
        if total == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

/// A link to an entity of the current catalog (None for one that is gone).
fn entity_link(catalog: &Catalog, entity_ref: &str) -> Option<Value> {
    let key = crate::catalog::EntityRef::parse(entity_ref, None, "default").ok()?;
    let link = crate::catalog::summary::link(catalog, &key);
    link.resolved
        .then(|| json!({ "title": link.title, "url": link.url }))
}

/// The context of page `part`: its change sets newest first, each change with links where the
/// entity (or the old and new owner or system) is in the catalog now, the kinds present for
/// filters, and the pages.
pub fn page_context(state: &State, catalog: &Catalog, compared: bool, part: usize) -> Value {
    let mut present: BTreeMap<ChangeKind, usize> = BTreeMap::new();
    let parts = parts_of(&state.history);
    let sets: Vec<Value> = state
        .history
        .iter()
        .zip(&parts)
        .filter(|(_, p)| **p == part)
        .map(|(set, _)| {
            let changes: Vec<Value> = set
                .changes
                .iter()
                .take(CHANGES_PER_PAGE)
                .map(|c| {
                    *present.entry(c.change).or_default() += 1;
                    let refs = matches!(c.change, ChangeKind::Owner | ChangeKind::System);
                    let side = |v: &Option<String>| {
                        v.as_deref()
                            .filter(|_| refs)
                            .and_then(|r| entity_link(catalog, r))
                    };
                    json!({
                        "change": c.change.name(),
                        "label": c.change.label(),
                        "entity": c.entity,
                        "title": c.title,
                        "kind": c.kind,
                        "link": entity_link(catalog, &c.entity),
                        "cluster": c.cluster,
                        "object": c.object,
                        "old": c.old,
                        "new": c.new,
                        "old_link": side(&c.old),
                        "new_link": side(&c.new),
                    })
                })
                .collect();
            json!({
                "id": anchor(set),
                "time": crate::time::datetime(set.at),
                "datetime": crate::time::iso_datetime(set.at),
                "headline": headline(set),
                "omitted": set.omitted,
                // Beyond what one page lists; the JSON and the feed have them.
                "unlisted": set.changes.len().saturating_sub(CHANGES_PER_PAGE),
                "changes": changes,
            })
        })
        .collect();
    let pages = parts.last().map_or(1, |last| last + 1);
    let pager: Vec<Value> = (0..pages)
        .map(|n| json!({ "n": n + 1, "url": part_path(n), "current": n == part }))
        .collect();
    let kinds: Vec<Value> = present
        .iter()
        .map(|(k, n)| json!({ "name": k.name(), "label": k.label(), "count": n }))
        .collect();
    json!({
        "sets": sets,
        "kinds": kinds,
        "compared": compared,
        "pager": if pages > 1 { pager } else { Vec::new() },
        "feed": "changes/feed.xml",
        "json": JSON_PATH,
    })
}

/// The newest change sets for the home page (at most `n` changes, from the newest set).
pub fn home_context(state: &State, catalog: &Catalog, n: usize) -> Option<Value> {
    let set = state.history.first()?;
    let changes: Vec<Value> = set
        .changes
        .iter()
        .take(n)
        .map(|c| {
            json!({
                "label": c.change.label(),
                "title": c.title,
                "link": entity_link(catalog, &c.entity),
                "detail": detail(c),
            })
        })
        .collect();
    Some(json!({
        "time": crate::time::datetime(set.at),
        "datetime": crate::time::iso_datetime(set.at),
        "headline": headline(set),
        "changes": changes,
        "more": (set.changes.len() + set.omitted).saturating_sub(n),
        "url": format!("{PAGE_PATH}#{}", anchor(set)),
    }))
}

/// Text for XML: escaped, without the control characters XML 1.0 forbids.
fn xml(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    crate::highlight::escape(&clean)
}

/// The Atom 1.0 feed: one entry per change set. With `base_url` links are absolute; without,
/// they are relative to the feed (Atom resolves them against the feed's own address).
pub fn atom(state: &State, title: &str, base_url: Option<&str>) -> Vec<u8> {
    use sha2::Digest;
    let base = base_url.unwrap_or("");
    // A page's address as the feed links it: absolute, or relative to the feed in changes/.
    let page_of = |part: usize| {
        let path = part_path(part);
        match base {
            "" => path.strip_prefix("changes/").unwrap_or(&path).to_string(),
            _ => format!("{base}{path}"),
        }
    };
    let page = page_of(0);
    let feed_id = if base.is_empty() {
        let digest = sha2::Sha256::digest(title.as_bytes());
        let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("urn:playbill:feed:{hash}")
    } else {
        format!("{base}{FEED_PATH}")
    };
    // The time of the newest change, not of the build: an unchanged build writes the same feed.
    let updated = crate::time::iso_datetime(state.history.first().map(|s| s.at).unwrap_or(0));
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out += &format!("<id>{}</id>\n", xml(&feed_id));
    out += &format!("<title>{} · What changed</title>\n", xml(title));
    out += &format!("<updated>{updated}</updated>\n");
    out += &format!("<author><name>{}</name></author>\n", xml(title));
    out += "<generator>Playbill</generator>\n";
    out += &format!(
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml(&page)
    );
    if !base.is_empty() {
        out += &format!(
            "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
            xml(&format!("{base}{FEED_PATH}"))
        );
    }
    for (set, part) in state.history.iter().zip(parts_of(&state.history)) {
        let at = crate::time::iso_datetime(set.at);
        let mut html = String::from("<ul>");
        for c in &set.changes {
            html += &format!("<li>{}</li>", crate::highlight::escape(&describe(c)));
        }
        if set.omitted > 0 {
            html += &format!("<li>… and {} more</li>", set.omitted);
        }
        html += "</ul>";
        out += "<entry>\n";
        out += &format!("<id>{}</id>\n", xml(&set.id));
        out += &format!("<title>{}</title>\n", xml(&headline(set)));
        out += &format!("<updated>{at}</updated>\n");
        out += &format!(
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}#{}\"/>\n",
            xml(&page_of(part)),
            anchor(set)
        );
        out += &format!("<content type=\"html\">{}</content>\n", xml(&html));
        out += "</entry>\n";
    }
    out += "</feed>\n";
    out.into_bytes()
}

/// `changes/changes.json`: the history with a text line and the page of each entity.
pub fn json(state: &State, catalog: &Catalog) -> Vec<u8> {
    let sets: Vec<Value> = state
        .history
        .iter()
        .map(|set| {
            let changes: Vec<Value> = set
                .changes
                .iter()
                .map(|c| {
                    let mut v = serde_json::to_value(c).unwrap_or_default();
                    v["text"] = describe(c).into();
                    if let Some(link) = entity_link(catalog, &c.entity) {
                        v["url"] = link["url"].clone();
                    }
                    v
                })
                .collect();
            json!({
                "id": set.id,
                "at": crate::time::iso_datetime(set.at),
                "changes": changes,
                "omitted": set.omitted,
            })
        })
        .collect();
    let value = json!({
        "updated": state.history.first().map(|s| crate::time::iso_datetime(s.at)),
        "change_sets": sets,
    });
    crate::output::pretty_json(&value)
}

/// Every file of the feed but the page: the Atom feed and the JSON.
pub fn files(
    state: &State,
    catalog: &Catalog,
    title: &str,
    base_url: Option<&str>,
) -> Vec<(String, Vec<u8>)> {
    vec![
        (FEED_PATH.to_string(), atom(state, title, base_url)),
        (JSON_PATH.to_string(), json(state, catalog)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(at: i64, n: usize) -> ChangeSet {
        crate::changes::added_set(format!("urn:playbill:changes:{at}:00"), at, n)
    }

    #[test]
    fn a_long_history_goes_on_pages_of_whole_change_sets() {
        let history = [set(5, 100), set(4, 50), set(3, 1), set(2, 400), set(1, 10)];
        assert_eq!(parts_of(&history), [0, 0, 1, 2, 3]);
        assert_eq!(part_path(0), "changes/index.html");
        assert_eq!(set_url(&history[3], 2), "changes/3/index.html#set-2-00");
        let state = State {
            history: history.to_vec(),
            ..State::default()
        };
        assert_eq!(parts(&state), 4);
        let page = page_context(&state, &Catalog::default(), true, 2);
        let sets = page["sets"].as_array().unwrap();
        assert_eq!(sets.len(), 1);
        assert_eq!(
            sets[0]["changes"].as_array().unwrap().len(),
            CHANGES_PER_PAGE
        );
        assert_eq!(sets[0]["unlisted"], 400 - CHANGES_PER_PAGE);
        assert_eq!(page["pager"].as_array().unwrap().len(), 4);
        assert_eq!(parts(&State::default()), 1);
    }
}
