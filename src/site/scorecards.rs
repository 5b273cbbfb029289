//! What the scorecard pages show: the card on an entity page, and the ranking page
//! (`scorecards/index.html`) — teams by average score with the entities failing each check,
//! and each check's pass rate across the organisation. Built from `scorecard::Scorecards`.

use crate::catalog::summary::EntityLink;
use crate::catalog::{Catalog, EntityRef};
use crate::scorecard::config::Check;
use crate::scorecard::{Scorecard, Scorecards, Status};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where the ranking page is written.
pub const PAGE: &str = "scorecards/index.html";

/// An entity as a line of the ranking page.
#[derive(Clone, Debug, Serialize)]
struct Scored {
    title: String,
    #[serde(rename = "ref")]
    entity_ref: String,
    url: String,
    score: Option<u32>,
}

/// One check failing for some of a team's entities.
#[derive(Debug, Serialize)]
struct Failing {
    id: &'static str,
    title: &'static str,
    entities: Vec<Scored>,
}

/// A team (the owner of scored entities) on the ranking page.
#[derive(Debug, Serialize)]
struct Team {
    /// None for entities without an owner.
    owner: Option<EntityLink>,
    entities: usize,
    /// Mean of its entities' scores, rounded; None when none has a score.
    average: Option<u32>,
    level: &'static str,
    failing: Vec<Failing>,
    failed_checks: usize,
}

/// One check across every scored entity.
#[derive(Debug, Serialize)]
struct Rate {
    id: &'static str,
    title: &'static str,
    passed: usize,
    failed: usize,
    not_applicable: usize,
    /// Share of the entities it applies to that pass, in percent.
    rate: Option<u32>,
}

/// The ranking page's context: `teams` best first, `checks` in page order, `scored` entities.
pub fn page_context(catalog: &Catalog, cards: &Scorecards) -> serde_json::Value {
    let mut teams: BTreeMap<Option<EntityRef>, Vec<(&EntityRef, &Scorecard)>> = BTreeMap::new();
    for (key, card) in &cards.cards {
        teams
            .entry(owner_of(catalog, key))
            .or_default()
            .push((key, card));
    }
    let mut rows: Vec<Team> = teams
        .into_iter()
        .map(|(owner, members)| team(catalog, cards, owner, &members))
        .collect();
    // Best average first; teams without any score last; then by name, so the order is stable.
    rows.sort_by(|a, b| {
        b.average
            .cmp(&a.average)
            .then_with(|| title(a).cmp(&title(b)))
    });
    let rates: Vec<Rate> = cards.checks.iter().map(|&c| rate(cards, c)).collect();
    let scores: Vec<u32> = cards.cards.values().filter_map(|c| c.score).collect();
    serde_json::json!({
        "teams": rows,
        "checks": rates,
        "scored": cards.cards.len(),
        "average": mean(&scores),
    })
}

/// The card on an entity page.
pub fn card(cards: &Scorecards, key: &EntityRef) -> Option<serde_json::Value> {
    let card = cards.cards.get(key)?;
    Some(serde_json::json!({
        "score": card.score,
        "passed": card.passed,
        "failed": card.failed,
        "level": level(card.score),
        "results": card.results,
    }))
}

/// `good`, `fair` or `poor`: the colour a score is shown in.
fn level(score: Option<u32>) -> &'static str {
    match score {
        Some(s) if s >= 80 => "good",
        Some(s) if s >= 50 => "fair",
        Some(_) => "poor",
        None => "none",
    }
}

fn owner_of(catalog: &Catalog, key: &EntityRef) -> Option<EntityRef> {
    let relations = catalog.relations_of(key);
    relations
        .iter()
        .find(|r| r.kind == "ownedBy")
        .map(|r| r.target.clone())
}

fn title(team: &Team) -> String {
    team.owner
        .as_ref()
        .map_or_else(String::new, |o| o.title.to_lowercase())
}

fn mean(scores: &[u32]) -> Option<u32> {
    let n = scores.len() as u32;
    (n > 0).then(|| (scores.iter().sum::<u32>() + n / 2) / n)
}

fn scored(catalog: &Catalog, key: &EntityRef, card: &Scorecard) -> Scored {
    let link = crate::catalog::summary::link(catalog, key);
    Scored {
        title: link.title,
        entity_ref: link.entity_ref,
        url: link.url,
        score: card.score,
    }
}

fn team(
    catalog: &Catalog,
    cards: &Scorecards,
    owner: Option<EntityRef>,
    members: &[(&EntityRef, &Scorecard)],
) -> Team {
    let scores: Vec<u32> = members.iter().filter_map(|(_, c)| c.score).collect();
    let failing: Vec<Failing> = cards
        .checks
        .iter()
        .filter_map(|check| {
            let entities: Vec<Scored> = members
                .iter()
                .filter(|(_, c)| status_of(c, *check) == Some(Status::Fail))
                .map(|(k, c)| scored(catalog, k, c))
                .collect();
            (!entities.is_empty()).then_some(Failing {
                id: check.id(),
                title: check.title(),
                entities,
            })
        })
        .collect();
    let average = mean(&scores);
    Team {
        owner: owner.map(|o| crate::catalog::summary::link(catalog, &o)),
        entities: members.len(),
        average,
        level: level(average),
        failed_checks: failing.iter().map(|f| f.entities.len()).sum(),
        failing,
    }
}

fn status_of(card: &Scorecard, check: Check) -> Option<Status> {
    let result = card.results.iter().find(|r| r.id == check.id());
    result.map(|r| r.outcome.status)
}

fn rate(cards: &Scorecards, check: Check) -> Rate {
    let count = |status: Status| {
        let cards = cards.cards.values();
        cards
            .filter(|c| status_of(c, check) == Some(status))
            .count()
    };
    let (passed, failed) = (count(Status::Pass), count(Status::Fail));
    let applicable = (passed + failed) as u32;
    Rate {
        id: check.id(),
        title: check.title(),
        passed,
        failed,
        not_applicable: count(Status::NotApplicable),
        rate: (applicable > 0).then(|| (passed as u32 * 100 + applicable / 2) / applicable),
    }
}
