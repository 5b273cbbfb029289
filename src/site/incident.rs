//! The incident card at the top of a service's page: who to call and what to read first. Its
//! static part comes from the catalog and the change history only (the owner team's chat,
//! e-mail and on-call links, the runbook, the last version changes and new problems); where it
//! runs, how healthy it is and which dependencies are in trouble change with every snapshot and
//! come from the entity's status file (the `incident` fragment, `kubernetes.rs`).
//!
//! The runbook, when several links could be it, is the first of: an entity link of `type:
//! runbook`; an entity link whose title or URL says "runbook"; the entity's TechDocs pages that
//! match `[scorecards] runbook`, in page order; the same two kinds of links on the owner team.
//! The others are listed below it.

use crate::catalog::summary::{first_target, link, safe_url, EntityLink};
use crate::catalog::{Catalog, Entity};
use crate::changes::{ChangeKind, State};
use crate::config::OncallConfig;
use crate::docs::DocSets;
use crate::frozen::Frozen;
use crate::scorecard::config::RunbookPattern;
use serde::Serialize;
use serde_json::Value;

/// Version changes and new problems shown, newest first.
const MAX_RECENT: usize = 5;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(super) struct CardLink {
    pub title: String,
    /// Absolute (`https:`, `mailto:`) or, when `internal`, relative to the site root.
    pub url: String,
    pub internal: bool,
    /// Where it came from, when not the entity's own links: `docs page`, `team link`.
    pub note: String,
    /// The link's `type` and `icon`, lower case, for matching.
    #[serde(skip)]
    kind: String,
}

#[derive(Debug, Serialize)]
pub(super) struct IncidentCard {
    pub owner: Option<EntityLink>,
    /// The owner group's `spec.profile.displayName`, else its title.
    pub team: String,
    pub email: Option<String>,
    pub chat: Vec<CardLink>,
    pub oncall: Vec<CardLink>,
    /// On-call services named without an address to link to (`[oncall]` unset).
    pub oncall_text: Vec<String>,
    pub runbook: Option<CardLink>,
    pub other_runbooks: Vec<CardLink>,
    /// `{date, kind, text}`, newest first.
    pub recent: Vec<Value>,
    /// The entity's status slot, when it has a Kubernetes view.
    pub status_key: Option<String>,
}

/// What the card shows for a component; None for other kinds.
pub(super) fn card(
    catalog: &Catalog,
    docs: &DocSets,
    e: &Entity,
    pattern: &RunbookPattern,
    oncall: &OncallConfig,
    history: &State,
) -> Option<IncidentCard> {
    if e.key.kind != "component" {
        return None;
    }
    let owner_ref = first_target(catalog, &e.key, "ownedBy", None);
    let group = owner_ref.and_then(|r| catalog.get(r));
    let profile = |field: &str| {
        group
            .and_then(|g| g.value.pointer(&format!("/spec/profile/{field}")))
            .and_then(Frozen::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
    };
    let own_links = links(e, "");
    let team_links = group.map(|g| links(g, "team link")).unwrap_or_default();
    let (oncall_links, oncall_text) = paging(e, group, oncall);
    let mut oncall_all: Vec<CardLink> = own_links
        .iter()
        .chain(&team_links)
        .filter(|l| is_oncall(l))
        .cloned()
        .collect();
    oncall_all.extend(oncall_links);
    let mut runbooks = runbook_candidates(docs, e, pattern, &own_links, &team_links);
    let runbook = (!runbooks.is_empty()).then(|| runbooks.remove(0));
    Some(IncidentCard {
        owner: owner_ref.map(|r| link(catalog, r)),
        team: profile("displayName")
            .or_else(|| group.map(|g| g.title().to_string()))
            .unwrap_or_default(),
        email: profile("email").and_then(|m| safe_url(&format!("mailto:{m}")).map(|_| m)),
        chat: team_links
            .iter()
            .chain(&own_links)
            .filter(|l| is_chat(l))
            .cloned()
            .collect(),
        oncall: oncall_all,
        oncall_text,
        runbook,
        other_runbooks: runbooks,
        recent: recent_changes(history, &e.key.to_string()),
        status_key: crate::cluster::matching::names_workloads(e).then(|| e.key.to_string()),
    })
}

/// An entity's `metadata.links` with a safe URL.
fn links(e: &Entity, note: &str) -> Vec<CardLink> {
    let Some(list) = e
        .value
        .pointer("/metadata/links")
        .and_then(Frozen::as_array)
    else {
        return Vec::new();
    };
    let text = |l: &Frozen, k: &str| l.get(k).and_then(Frozen::as_str).unwrap_or("").to_string();
    list.iter()
        .filter_map(|l| {
            let url = safe_url(l.get("url")?.as_str()?)?;
            let title = Some(text(l, "title"))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| url.clone());
            let kind = format!("{} {}", text(l, "type"), text(l, "icon"));
            Some(CardLink {
                title,
                url,
                internal: false,
                note: note.to_string(),
                kind: kind.trim().to_lowercase(),
            })
        })
        .collect()
}

fn kind_of(l: &CardLink) -> &str {
    &l.kind
}

fn says(l: &CardLink, words: &[&str]) -> bool {
    let hay = format!("{} {} {}", kind_of(l), l.title, l.url).to_lowercase();
    words.iter().any(|w| hay.contains(w))
}

fn is_chat(l: &CardLink) -> bool {
    kind_of(l).split(' ').any(|k| k == "chat")
        || l.title.starts_with('#')
        || says(l, &["slack.com", "teams.microsoft.com"])
}

fn is_oncall(l: &CardLink) -> bool {
    kind_of(l)
        .split(' ')
        .any(|k| k == "oncall" || k == "on-call")
        || says(l, &["on-call", "oncall", "pagerduty.com", "opsgenie.com"])
}

/// The entity's (else the owner team's) PagerDuty and Opsgenie annotations: links where
/// `[oncall]` names the service's address, text otherwise.
fn paging(
    e: &Entity,
    group: Option<&Entity>,
    config: &OncallConfig,
) -> (Vec<CardLink>, Vec<String>) {
    let annotation = |key: &str| e.annotation(key).or_else(|| group?.annotation(key));
    let mut linked = Vec::new();
    let mut text = Vec::new();
    if let Some(id) = annotation("pagerduty.com/service-id") {
        let id = id.trim();
        match &config.pagerduty_url {
            Some(base) => linked.push(CardLink {
                title: format!("PagerDuty service {id}"),
                url: format!("{base}/service-directory/{}", encode(id)),
                internal: false,
                note: String::new(),
                kind: "pagerduty".into(),
            }),
            None => text.push(format!("PagerDuty service {id}")),
        }
    } else if annotation("pagerduty.com/integration-key").is_some() {
        text.push("PagerDuty (integration key set)".to_string());
    }
    if let Some(team) = annotation("opsgenie.com/team") {
        let team = team.trim();
        match &config.opsgenie_url {
            // Opsgenie's addresses carry team ids, not names: its "who is on call" page.
            Some(base) => linked.push(CardLink {
                title: format!("Opsgenie: who is on call (team {team})"),
                url: format!("{base}/schedule/whoIsOnCall"),
                internal: false,
                note: String::new(),
                kind: "opsgenie".into(),
            }),
            None => text.push(format!("Opsgenie team {team}")),
        }
    }
    (linked, text)
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Every runbook candidate in the order of the module's rule, without repeats.
fn runbook_candidates(
    docs: &DocSets,
    e: &Entity,
    pattern: &RunbookPattern,
    own: &[CardLink],
    team: &[CardLink],
) -> Vec<CardLink> {
    let typed = |l: &&CardLink| kind_of(l).split(' ').any(|k| k == "runbook");
    let named = |l: &&CardLink| !typed(l) && says(l, &["runbook"]);
    let pages = docs.site_of(&e.key).into_iter().flat_map(|site| {
        site.pages
            .iter()
            .filter(|p| pattern.matches(&p.source, &p.title))
            .map(|p| CardLink {
                title: p.title.clone(),
                url: p.out.clone(),
                internal: true,
                note: "docs page".into(),
                kind: String::new(),
            })
    });
    let mut out: Vec<CardLink> = Vec::new();
    let ordered = own
        .iter()
        .filter(typed)
        .chain(own.iter().filter(named))
        .cloned()
        .chain(pages)
        .chain(
            team.iter()
                .filter(typed)
                .chain(team.iter().filter(named))
                .cloned(),
        );
    for l in ordered {
        if !out.iter().any(|o| o.url == l.url) {
            out.push(l);
        }
    }
    out
}

/// The entity's version changes and new problems from the change history, newest first.
fn recent_changes(history: &State, key: &str) -> Vec<Value> {
    history
        .history
        .iter()
        .flat_map(|set| set.changes.iter().map(move |c| (set.at, c)))
        .filter(|(_, c)| c.entity == key)
        .filter(|(_, c)| matches!(c.change, ChangeKind::Version | ChangeKind::Problem))
        .take(MAX_RECENT)
        .map(|(at, c)| {
            serde_json::json!({
                "date": crate::time::iso_date(at),
                "iso": crate::time::iso_datetime(at),
                "kind": c.change.name(),
                "label": c.change.label(),
                "text": super::feed::detail(c).unwrap_or_default(),
            })
        })
        .collect()
}
