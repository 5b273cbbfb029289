//! What the scorecard pages show: the card on an entity page, and the ranking page
//! (`scorecards/index.html`) — teams in a size-aware order (`RANK_PRIOR`) with their size and
//! the entities failing each check, and each check's pass rate across the organisation. Built
//! from `scorecard::Scorecards`.

use super::{sparkline, Shared};
use crate::catalog::summary::EntityLink;
use crate::catalog::{Catalog, Entity, EntityRef};
use crate::scorecard::config::Check;
use crate::scorecard::{mean, owner_of, CheckResult, Scorecard, Scorecards, Status};
use serde::Serialize;
use std::collections::BTreeMap;

/// Where the ranking page is written.
pub const PAGE: &str = "scorecards/index.html";
/// Teams per page of the ranking: the first page holds the best, `scorecards/2/index.html`
/// the next, and so on, so that no page outgrows the page budget.
const TEAMS_PER_PAGE: usize = 20;
/// A team's entities listed under one failing check; the rest are counted, and the catalog
/// (filtered to the team, worst score first) lists them all.
const FAILING_SHOWN: usize = 10;

/// Where part `part` (from 0) of the ranking is written.
pub fn part_path(part: usize) -> String {
    match part {
        0 => PAGE.to_string(),
        n => format!("scorecards/{}/index.html", n + 1),
    }
}

/// How many pages the ranking takes (at least one).
pub fn parts(catalog: &Catalog, cards: &Scorecards) -> usize {
    let owners: std::collections::BTreeSet<Option<EntityRef>> =
        cards.cards.keys().map(|k| owner_of(catalog, k)).collect();
    owners.len().div_ceil(TEAMS_PER_PAGE).max(1)
}

/// How many entities at the organisation's average a team's own scores are blended with to
/// rank it: a team's rank score is (sum of its scores + RANK_PRIOR × the organisation's
/// average) / (its scored entities + RANK_PRIOR). Two perfect entities do not outrank twenty
/// nearly perfect ones; with many entities a team's own average decides.
pub const RANK_PRIOR: u32 = 5;

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
    /// Entities failing it beyond those listed.
    more: usize,
    total: usize,
}

/// A team (the owner of scored entities) on the ranking page.
#[derive(Debug, Serialize)]
struct Team {
    /// None for entities without an owner.
    owner: Option<EntityLink>,
    entities: usize,
    /// People in the team (its `hasMember` relations); None for a User or no owner.
    members: Option<usize>,
    /// Mean of its entities' scores, rounded; None when none has a score.
    average: Option<u32>,
    /// The average blended with the organisation's (`RANK_PRIOR`), in tenths: the order.
    #[serde(skip)]
    rank_score: Option<u32>,
    level: &'static str,
    failing: Vec<Failing>,
    failed_checks: usize,
    /// How many of its entities reached each `[scorecards]` level, highest first (none: 0).
    levels: Vec<LevelCount>,
    /// Its average over the last days, when the change state has a history.
    trend: Option<sparkline::Sparkline>,
}

#[derive(Debug, Serialize)]
struct LevelCount {
    name: String,
    count: usize,
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

/// Every team ranked, and what every part of the ranking page shows alike: made once, then
/// cut into parts (a large organisation's ranking has dozens).
pub(super) struct Ranking {
    rows: Vec<Team>,
    legend: Vec<serde_json::Value>,
    rates: Vec<Rate>,
    scored: usize,
    organisation: Option<u32>,
}

/// The ranking: `teams` best first, `checks` in page order, `scored` entities.
pub(super) fn ranking(
    catalog: &Catalog,
    cards: &Scorecards,
    (levels, window): (&[crate::scorecard::levels::Level], sparkline::Window<'_>),
) -> Ranking {
    let mut teams: BTreeMap<Option<EntityRef>, Vec<(&EntityRef, &Scorecard)>> = BTreeMap::new();
    for (key, card) in &cards.cards {
        teams
            .entry(owner_of(catalog, key))
            .or_default()
            .push((key, card));
    }
    let scores: Vec<u32> = cards.cards.values().filter_map(|c| c.score).collect();
    let organisation = mean(&scores);
    let mut rows: Vec<Team> = teams
        .into_iter()
        .map(|(owner, members)| {
            let mut row = team(catalog, cards, owner, &members, organisation);
            row.levels = level_counts(levels, &members);
            row.trend = row.owner.as_ref().and_then(|o| {
                let teams = &window.trends.teams;
                sparkline::of(window, teams, &o.entity_ref, sparkline::SCORE)
            });
            row
        })
        .collect();
    // Best rank score first; teams without any score last; then the bigger team, then by
    // name, so the order is stable.
    rows.sort_by(|a, b| {
        b.rank_score
            .cmp(&a.rank_score)
            .then_with(|| b.entities.cmp(&a.entities))
            .then_with(|| title(a).cmp(&title(b)))
    });
    let legend = levels
        .iter()
        .map(|l| {
            let checks: Vec<&str> = l.checks.iter().map(|c| c.title()).collect();
            serde_json::json!({ "name": l.name, "checks": checks })
        })
        .collect();
    Ranking {
        rows,
        legend,
        rates: cards.checks.iter().map(|&c| rate(cards, c)).collect(),
        scored: cards.cards.len(),
        organisation,
    }
}

/// The context of the ranking page's part `part`.
pub(super) fn page_context(ranking: &Ranking, part: usize) -> serde_json::Value {
    let rows = &ranking.rows;
    let pages = rows.len().div_ceil(TEAMS_PER_PAGE).max(1);
    let pager: Vec<serde_json::Value> = (0..pages)
        .map(|n| serde_json::json!({ "n": n + 1, "url": part_path(n), "current": n == part }))
        .collect();
    let start = (part * TEAMS_PER_PAGE).min(rows.len());
    let shown = &rows[start..(start + TEAMS_PER_PAGE).min(rows.len())];
    serde_json::json!({
        "levels": ranking.legend,
        "teams": shown,
        "part": part,
        "rank_offset": part * TEAMS_PER_PAGE,
        "last_rank": part * TEAMS_PER_PAGE + shown.len(),
        "ranked": rows.len(),
        "pager": if pages > 1 { pager } else { Vec::new() },
        "checks": ranking.rates,
        "scored": ranking.scored,
        "average": ranking.organisation,
        "rank_prior": RANK_PRIOR,
    })
}

/// The card on an entity page, with its checks' `results`.
pub(super) fn card(
    cards: &Scorecards,
    key: &EntityRef,
    results: Vec<CheckResult>,
    window: sparkline::Window<'_>,
) -> Option<serde_json::Value> {
    let card = cards.cards.get(key)?;
    let scores = &window.trends.scores;
    let trend = sparkline::of(window, scores, &key.to_string(), sparkline::SCORE);
    Some(serde_json::json!({
        "score": card.score,
        "passed": card.passed,
        "failed": card.failed,
        "level": level(card.score),
        "reached": card.level,
        "trend": trend,
        "results": results,
    }))
}

/// How many of `members` reached each level, highest level first, levels nobody reached left
/// out.
fn level_counts(
    levels: &[crate::scorecard::levels::Level],
    members: &[(&EntityRef, &Scorecard)],
) -> Vec<LevelCount> {
    let reached = |name: &str| {
        let at = members
            .iter()
            .filter(|(_, c)| c.level.as_deref() == Some(name));
        at.count()
    };
    let counts = levels.iter().rev().map(|l| LevelCount {
        name: l.name.clone(),
        count: reached(&l.name),
    });
    counts.filter(|c| c.count > 0).collect()
}

/// The colour a score is shown in: the first level whose lowest score it reaches. The catalog's
/// data file carries this table, so that its script colours scores the same way.
pub const LEVELS: [(u32, &str); 3] = [(80, "good"), (50, "fair"), (0, "poor")];

/// `good`, `fair`, `poor` ([`LEVELS`]) or `none` when there is no score.
pub fn level(score: Option<u32>) -> &'static str {
    let Some(score) = score else { return "none" };
    LEVELS
        .iter()
        .find(|(lowest, _)| score >= *lowest)
        .map_or("poor", |(_, name)| name)
}

fn title(team: &Team) -> String {
    team.owner
        .as_ref()
        .map_or_else(String::new, |o| o.title.to_lowercase())
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

/// The team's average blended with `RANK_PRIOR` entities at the organisation's average, in
/// tenths of a percent.
fn rank_score(scores: &[u32], organisation: Option<u32>) -> Option<u32> {
    let n = scores.len() as u32;
    let prior = organisation?;
    (n > 0).then(|| (scores.iter().sum::<u32>() + RANK_PRIOR * prior) * 10 / (n + RANK_PRIOR))
}

fn team(
    catalog: &Catalog,
    cards: &Scorecards,
    owner: Option<EntityRef>,
    members: &[(&EntityRef, &Scorecard)],
    organisation: Option<u32>,
) -> Team {
    let scores: Vec<u32> = members.iter().filter_map(|(_, c)| c.score).collect();
    let failing: Vec<Failing> = cards
        .checks
        .iter()
        .filter_map(|check| {
            let mut entities: Vec<Scored> = members
                .iter()
                .filter(|(_, c)| cards.status(c, *check) == Some(Status::Fail))
                .map(|(k, c)| scored(catalog, k, c))
                .collect();
            let more = entities.len().saturating_sub(FAILING_SHOWN);
            entities.truncate(FAILING_SHOWN);
            (!entities.is_empty()).then_some(Failing {
                id: check.id(),
                title: check.title(),
                total: entities.len() + more,
                entities,
                more,
            })
        })
        .collect();
    let average = mean(&scores);
    let people = owner.as_ref().filter(|o| o.kind == "group").map(|o| {
        let relations = catalog.relations_of(o);
        relations.filter(|r| r.kind == "hasMember").count()
    });
    Team {
        owner: owner.map(|o| crate::catalog::summary::link(catalog, &o)),
        entities: members.len(),
        members: people,
        average,
        rank_score: rank_score(&scores, organisation),
        level: level(average),
        failed_checks: failing.iter().map(|f| f.total).sum(),
        failing,
        levels: Vec::new(),
        trend: None,
    }
}

/// Every enabled check's result on `e`, judged again from the inputs the scorecards were
/// judged from; empty without scorecards or when no check applies to it.
pub(super) fn results(shared: &Shared<'_>, e: &Entity) -> Vec<CheckResult> {
    let Some(inputs) = &shared.score_inputs else {
        return Vec::new();
    };
    crate::scorecard::results(e, inputs, &shared.config.scorecards).unwrap_or_default()
}

fn rate(cards: &Scorecards, check: Check) -> Rate {
    let count = |status: Status| {
        let all = cards.cards.values();
        all.filter(|c| cards.status(c, check) == Some(status))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_perfect_team_does_not_outrank_a_large_nearly_perfect_one() {
        let small = rank_score(&[100, 100], Some(60));
        let large = rank_score(&[95; 20], Some(60));
        assert!(large > small, "{large:?} vs {small:?}");
        // With many entities a team's own average decides.
        assert_eq!(rank_score(&[90; 1000], Some(10)).map(|s| s / 10), Some(89));
        assert_eq!(rank_score(&[], Some(60)), None);
    }
}
