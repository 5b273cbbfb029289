//! Scorecards: Catalog + DocSets + cluster Snapshot + diagnostics + `[scorecards]` in, one
//! scorecard per entity out. Pure: every check reads only `Inputs`. An entity gets a card when
//! at least one enabled check applies to its kind, type and lifecycle; every enabled check
//! then has a result (pass, fail or not applicable) with a reason, and a fix when it fails.
//! The score is the weighted share of the applicable checks that pass.
//!
//! Checks from other data (a repository's CI status, say) are added as a `Check` variant and
//! a field of `Inputs` carrying that data; nothing else changes.

pub mod checks;
/// The stage's settings, read with the rest of site.toml.
pub use crate::config::scorecard as config;
pub mod levels;

use crate::catalog::{Catalog, Entity, EntityRef};
use crate::cluster::model::Snapshot;
use crate::diagnostics::Diagnostic;
use crate::docs::DocSets;
use config::Check;
use config::ScorecardConfig;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// Cluster status as far as the build has it.
#[derive(Clone, Copy, Debug)]
pub enum ClusterData<'a> {
    /// No `[kubernetes]` in site.toml: cluster checks do not apply.
    NotConfigured,
    /// Configured, but no snapshot could be read or taken.
    Missing,
    Snapshot(&'a Snapshot),
}

impl<'a> ClusterData<'a> {
    /// What the build has of the clusters: `snapshot` when `[kubernetes]` is configured.
    pub fn of(config: &crate::config::Config, snapshot: Option<&'a Snapshot>) -> ClusterData<'a> {
        match (config.kubernetes.is_some(), snapshot) {
            (false, _) => ClusterData::NotConfigured,
            (true, None) => ClusterData::Missing,
            (true, Some(s)) => ClusterData::Snapshot(s),
        }
    }
}

/// Everything the checks read.
pub struct Inputs<'a> {
    pub catalog: &'a Catalog,
    pub docs: &'a DocSets,
    pub clusters: ClusterData<'a>,
    /// Diagnostics by the entity they are about.
    by_entity: HashMap<&'a str, Vec<&'a Diagnostic>>,
}

impl<'a> Inputs<'a> {
    pub fn new(
        catalog: &'a Catalog,
        docs: &'a DocSets,
        clusters: ClusterData<'a>,
        diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
    ) -> Inputs<'a> {
        let mut by_entity: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
        for d in diagnostics {
            if let Some(e) = &d.entity {
                by_entity.entry(e.as_str()).or_default().push(d);
            }
        }
        Inputs {
            catalog,
            docs,
            clusters,
            by_entity,
        }
    }

    fn diagnostics_of(&self, key: &EntityRef) -> &[&'a Diagnostic] {
        let list = self.by_entity.get(key.to_string().as_str());
        list.map_or(&[], Vec::as_slice)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    NotApplicable,
}

/// What a check found about one entity. Most reasons and fixes are fixed texts, borrowed
/// rather than copied for each of a large catalog's entities.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub status: Status,
    pub reason: Cow<'static, str>,
    /// What to do, when it fails.
    pub fix: Option<Cow<'static, str>>,
}

impl Outcome {
    pub fn pass(reason: impl Into<Cow<'static, str>>) -> Outcome {
        Outcome {
            status: Status::Pass,
            reason: reason.into(),
            fix: None,
        }
    }

    pub fn fail(
        reason: impl Into<Cow<'static, str>>,
        fix: impl Into<Cow<'static, str>>,
    ) -> Outcome {
        Outcome {
            status: Status::Fail,
            reason: reason.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn not_applicable(reason: impl Into<Cow<'static, str>>) -> Outcome {
        Outcome {
            status: Status::NotApplicable,
            reason: reason.into(),
            fix: None,
        }
    }
}

/// One check's result on one entity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub id: &'static str,
    pub title: &'static str,
    pub weight: u32,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// An entity's scorecard: its score and each check's status. The checks' reasons and fixes
/// are not kept (at 10,000 repositories they were most of the scorecards' 30 MB): the pages
/// that show them judge the entity again with [`results`], which gives the same results from
/// the same inputs, as every check reads only those.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scorecard {
    /// 0–100; None when no applicable check carries weight.
    pub score: Option<u32>,
    pub passed: usize,
    pub failed: usize,
    /// Each enabled check's status, in the order of [`Scorecards::checks`].
    pub statuses: Box<[Status]>,
    /// The highest `[scorecards]` level reached, if any.
    pub level: Option<String>,
}

/// Every entity's scorecard, by entity.
#[derive(Clone, Debug, Default)]
pub struct Scorecards {
    pub cards: BTreeMap<EntityRef, Scorecard>,
    /// The enabled checks, in page order.
    pub checks: Vec<Check>,
}

impl Scorecards {
    /// `check`'s status on `card`; None when the check is not enabled.
    pub fn status(&self, card: &Scorecard, check: Check) -> Option<Status> {
        let at = self.checks.iter().position(|&c| c == check)?;
        card.statuses.get(at).copied()
    }

    /// The checks `key`'s card fails; none when it has no card.
    pub fn failed(&self, key: &EntityRef) -> impl Iterator<Item = Check> + '_ {
        let statuses = self.cards.get(key).map(|card| &card.statuses[..]);
        let checks = self.checks.iter().zip(statuses.unwrap_or_default());
        checks.filter_map(|(&check, &status)| (status == Status::Fail).then_some(check))
    }

    /// Each scored entity's score, by entity ref.
    pub fn scores(&self) -> BTreeMap<String, u32> {
        let cards = self.cards.iter();
        cards
            .filter_map(|(key, card)| Some((key.to_string(), card.score?)))
            .collect()
    }

    /// Each owner's mean score over its scored entities, by the owner's ref (what the
    /// scorecards page shows as the team's average).
    pub fn team_scores(&self, catalog: &Catalog) -> BTreeMap<String, u32> {
        let mut by_owner: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (key, card) in &self.cards {
            if let (Some(owner), Some(score)) = (owner_of(catalog, key), card.score) {
                by_owner.entry(owner.to_string()).or_default().push(score);
            }
        }
        by_owner
            .into_iter()
            .filter_map(|(owner, scores)| Some((owner, mean(&scores)?)))
            .collect()
    }
}

/// The entity's owner (its `ownedBy` relation).
pub fn owner_of(catalog: &Catalog, key: &EntityRef) -> Option<EntityRef> {
    crate::catalog::summary::first_target(catalog, key, "ownedBy", None).cloned()
}

/// The mean of `scores`, rounded to the nearest whole percent; None for none.
pub fn mean(scores: &[u32]) -> Option<u32> {
    let n = scores.len() as u32;
    (n > 0).then(|| (scores.iter().sum::<u32>() + n / 2) / n)
}

/// Scores every entity of the catalog.
/// The portal's scorecards, or None when `[scorecards] enabled = false`. `diagnostics` are
/// every diagnostic so far (checks read docs errors and secrets from them).
pub fn for_portal(
    config: &crate::config::Config,
    catalog: &crate::catalog::Catalog,
    docs: &crate::docs::DocSets,
    snapshot: Option<&crate::cluster::model::Snapshot>,
    diagnostics: &[crate::diagnostics::Diagnostic],
) -> Option<Scorecards> {
    let clusters = ClusterData::of(config, snapshot);
    let inputs = Inputs::new(catalog, docs, clusters, diagnostics);
    config
        .scorecards
        .enabled
        .then(|| evaluate(&inputs, &config.scorecards))
}

pub fn evaluate(inputs: &Inputs<'_>, config: &ScorecardConfig) -> Scorecards {
    let cards = inputs
        .catalog
        .entities
        .iter()
        .filter_map(|e| Some((e.key.clone(), scorecard(e, inputs, config)?)))
        .collect();
    Scorecards {
        cards,
        checks: config.checks.iter().map(|s| s.check).collect(),
    }
}

/// One entity's scorecard; None when no enabled check applies to it.
pub fn scorecard(e: &Entity, inputs: &Inputs<'_>, config: &ScorecardConfig) -> Option<Scorecard> {
    let results = results(e, inputs, config)?;
    let weight_of = |status: Status| -> u32 {
        let matching = results.iter().filter(|r| r.outcome.status == status);
        matching.map(|r| r.weight).sum()
    };
    let (passed, failed) = (weight_of(Status::Pass), weight_of(Status::Fail));
    let total = passed + failed;
    let count = |status: Status| {
        results
            .iter()
            .filter(|r| r.outcome.status == status)
            .count()
    };
    Some(Scorecard {
        // Rounded to the nearest whole percent, in integers so it is the same everywhere.
        score: (total > 0).then(|| (passed * 100 + total / 2) / total),
        passed: count(Status::Pass),
        failed: count(Status::Fail),
        level: levels::reached(&config.levels, &results).map(str::to_string),
        statuses: results.iter().map(|r| r.outcome.status).collect(),
    })
}

/// Every enabled check's result on `e`, in the order of the settings, reasons and fixes
/// included; None when no enabled check applies to it.
pub fn results(
    e: &Entity,
    inputs: &Inputs<'_>,
    config: &ScorecardConfig,
) -> Option<Vec<CheckResult>> {
    let (spec_type, lifecycle) = (e.spec_str("type"), e.spec_str("lifecycle"));
    let in_scope = |s: &config::CheckSettings| s.scope.covers(&e.kind, spec_type, lifecycle);
    if !config.checks.iter().any(in_scope) {
        return None;
    }
    let results = config.checks.iter().map(|s| CheckResult {
        id: s.check.id(),
        title: s.check.title(),
        weight: s.weight,
        outcome: if in_scope(s) {
            s.check.judge(e, inputs, config)
        } else {
            Outcome::not_applicable(format!("applies to {}", s.scope.describe()))
        },
    });
    Some(results.collect())
}

#[cfg(test)]
mod tests;
