//! The change feed. Every build reduces its catalog and cluster snapshot to a compact `State`
//! (per entity: kind, type, title, owner, lifecycle, system; per cluster: workload images and
//! current problems), compares it with the previous build's state, and appends what differs as
//! a change set stamped with the build time. The state, with a bounded history of change sets,
//! is written into the output (`changes/state.json`) so the next build can read it back from
//! the published site. Nothing in it depends on the clock unless something changed, so an
//! unchanged rebuild writes the same bytes.

/// The stage's settings, read with the rest of site.toml.
pub use crate::config::changes as config;
pub mod docs;
pub mod previous;
pub mod trends;
pub mod webhook;

use crate::catalog::{Catalog, Entity};
use crate::cluster::model::{image_tag, Snapshot};
use crate::docs::DocSets;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub const STATE_VERSION: u32 = 1;
/// Where the state lives in the output, and so in the published site.
pub const STATE_PATH: &str = "changes/state.json";
/// Changes kept in the history, newest change sets first.
const MAX_CHANGES_KEPT: usize = 500;
/// Change sets older than this (counted from the newest one) are dropped.
const MAX_HISTORY_SECS: i64 = 90 * 86_400;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub version: u32,
    /// By entity ref.
    pub entities: BTreeMap<String, EntityState>,
    /// Newest first.
    #[serde(default)]
    pub history: Vec<ChangeSet>,
    /// Scores and problem counts build by build (see `trends`).
    #[serde(default, skip_serializing_if = "trends::Trends::is_empty")]
    pub trends: trends::Trends,
    /// Whether the entities' docs are recorded: a state written before they were is not
    /// compared for docs updates (every site would read as updated).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub docs_recorded: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EntityState {
    pub kind: String,
    #[serde(rename = "type", default, skip_serializing_if = "String::is_empty")]
    pub spec_type: String,
    pub title: String,
    /// Entity refs (`group:default/team-a`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub owner: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub lifecycle: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub system: String,
    /// Only clusters where something matched.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub clusters: BTreeMap<String, ClusterState>,
    /// Its own docs site's pages (see `docs`); empty without one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub docs: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterState {
    /// `Deployment ns/name` → its images, sorted.
    #[serde(default)]
    pub workloads: BTreeMap<String, Vec<String>>,
    /// `rule Pod ns/name`: the rule and the object, not the message (restart counts move).
    #[serde(default)]
    pub problems: BTreeSet<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeSet {
    /// Stable across builds: the time and a hash of the changes.
    pub id: String,
    /// Unix seconds of the build that found the changes.
    pub at: i64,
    pub changes: Vec<Change>,
    /// Changes left out because the set was larger than the history keeps.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What changed, in the order a change set lists them for one entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Owner,
    Type,
    Lifecycle,
    System,
    Version,
    Problem,
    Docs,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 9] = [
        ChangeKind::Added,
        ChangeKind::Removed,
        ChangeKind::Owner,
        ChangeKind::Type,
        ChangeKind::Lifecycle,
        ChangeKind::System,
        ChangeKind::Version,
        ChangeKind::Problem,
        ChangeKind::Docs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Owner => "owner",
            ChangeKind::Type => "type",
            ChangeKind::Lifecycle => "lifecycle",
            ChangeKind::System => "system",
            ChangeKind::Version => "version",
            ChangeKind::Problem => "problem",
            ChangeKind::Docs => "docs",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "New",
            ChangeKind::Removed => "Removed",
            ChangeKind::Owner => "Owner changed",
            ChangeKind::Type => "Type changed",
            ChangeKind::Lifecycle => "Lifecycle changed",
            ChangeKind::System => "System changed",
            ChangeKind::Version => "Version changed",
            ChangeKind::Problem => "New problem",
            ChangeKind::Docs => "Docs updated",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Change {
    /// The entity ref.
    pub entity: String,
    pub change: ChangeKind,
    /// The entity's title and kind when the change was found (a removed entity has no page).
    pub title: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// `Deployment ns/name` for versions; the object for problems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

/// The build's clock: `SOURCE_DATE_EPOCH` when set (reproducible builds, tests), else now.
pub fn build_time() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(crate::time::now)
}

/// The state of this build's catalog, docs and snapshot. Clusters the snapshot could not read
/// at all keep what `previous` knew of them, so an outage does not read as changes afterwards.
pub fn current_state(
    (catalog, docs): (&Catalog, Option<&DocSets>),
    snapshot: Option<&Snapshot>,
    previous: Option<&State>,
) -> State {
    let mut sites = docs.map(docs::states).unwrap_or_default();
    let unread: BTreeSet<&str> = snapshot
        .map(|s| {
            s.clusters
                .iter()
                .filter(|c| c.unreachable && !c.stale)
                .map(|c| c.name.as_str())
                .collect()
        })
        .unwrap_or_default();
    let entities = catalog
        .entities
        .iter()
        .map(|e| {
            let key = e.key.to_string();
            let mut state = entity_state(catalog, e);
            state.docs = sites.remove(&key).unwrap_or_default();
            if let Some(status) = snapshot.and_then(|s| s.entities.get(&key)) {
                for (cluster, resources) in &status.clusters {
                    state
                        .clusters
                        .insert(cluster.clone(), cluster_state(resources));
                }
            }
            let before = previous.and_then(|p| p.entities.get(&key));
            for cluster in &unread {
                if let Some(kept) = before.and_then(|b| b.clusters.get(*cluster)) {
                    state.clusters.insert(cluster.to_string(), kept.clone());
                }
            }
            (key, state)
        })
        .collect();
    State {
        version: STATE_VERSION,
        entities,
        history: Vec::new(),
        trends: trends::Trends::default(),
        docs_recorded: docs.is_some(),
    }
}

fn entity_state(catalog: &Catalog, e: &Entity) -> EntityState {
    let summary = crate::catalog::summary::summary(catalog, e);
    EntityState {
        kind: e.kind.clone(),
        spec_type: summary.spec_type,
        title: summary.title,
        owner: summary.owner.map(|o| o.entity_ref).unwrap_or_default(),
        lifecycle: summary.lifecycle,
        system: summary.system.map(|s| s.entity_ref).unwrap_or_default(),
        clusters: BTreeMap::new(),
        docs: String::new(),
    }
}

fn cluster_state(resources: &crate::cluster::model::Resources) -> ClusterState {
    let workloads = resources
        .workloads
        .iter()
        .map(|w| {
            let mut images = w.images.clone();
            images.sort();
            images.dedup();
            (format!("{} {}/{}", w.kind, w.namespace, w.name), images)
        })
        .collect();
    let problems = resources
        .problems
        .iter()
        .map(|p| format!("{} {}", p.rule, p.object))
        .collect();
    ClusterState {
        workloads,
        problems,
    }
}

/// What differs between two states, sorted by entity and kind of change; the snapshot gives
/// each new problem's message.
pub fn diff(before: &State, after: &State, snapshot: Option<&Snapshot>) -> Vec<Change> {
    let mut changes = Vec::new();
    for (key, new) in &after.entities {
        let change = |change: ChangeKind, old: &str, new_value: &str| Change {
            entity: key.clone(),
            change,
            title: new.title.clone(),
            kind: new.kind.clone(),
            cluster: None,
            object: None,
            old: (!old.is_empty()).then(|| old.to_string()),
            new: (!new_value.is_empty()).then(|| new_value.to_string()),
        };
        let Some(old) = before.entities.get(key) else {
            changes.push(change(ChangeKind::Added, "", ""));
            continue;
        };
        let fields = [
            (ChangeKind::Owner, &old.owner, &new.owner),
            (ChangeKind::Type, &old.spec_type, &new.spec_type),
            (ChangeKind::Lifecycle, &old.lifecycle, &new.lifecycle),
            (ChangeKind::System, &old.system, &new.system),
        ];
        for (kind, was, is) in fields {
            if was != is {
                changes.push(change(kind, was, is));
            }
        }
        let docs_compared = before.docs_recorded && after.docs_recorded;
        if let Some(pages) = docs::summary(&old.docs, &new.docs).filter(|_| docs_compared) {
            changes.push(change(ChangeKind::Docs, "", &pages));
        }
        for (cluster, now) in &new.clusters {
            let then = old.clusters.get(cluster);
            for (workload, images) in &now.workloads {
                let Some(was) = then.and_then(|t| t.workloads.get(workload)) else {
                    continue;
                };
                if was != images {
                    let (old_v, new_v) = versions(was, images);
                    changes.push(Change {
                        cluster: Some(cluster.clone()),
                        object: Some(workload.clone()),
                        ..change(ChangeKind::Version, &old_v, &new_v)
                    });
                }
            }
            for problem in &now.problems {
                if then.is_some_and(|t| t.problems.contains(problem)) {
                    continue;
                }
                let (_, object) = problem.split_once(' ').unwrap_or(("", problem));
                changes.push(Change {
                    cluster: Some(cluster.clone()),
                    object: Some(object.to_string()),
                    ..change(
                        ChangeKind::Problem,
                        "",
                        &problem_message(snapshot, key, cluster, problem),
                    )
                });
            }
        }
    }
    for (key, old) in &before.entities {
        if !after.entities.contains_key(key) {
            changes.push(Change {
                entity: key.clone(),
                change: ChangeKind::Removed,
                title: old.title.clone(),
                kind: old.kind.clone(),
                cluster: None,
                object: None,
                old: None,
                new: None,
            });
        }
    }
    changes.sort();
    changes
}

/// Image tags as people compare them, leaving out images on both sides (an unchanged
/// sidecar); whole images when the tags alone look the same.
fn versions(old: &[String], new: &[String]) -> (String, String) {
    let changed = |these: &[String], those: &[String]| -> Vec<String> {
        let only: Vec<String> = these
            .iter()
            .filter(|i| !those.contains(i))
            .cloned()
            .collect();
        if only.is_empty() {
            these.to_vec()
        } else {
            only
        }
    };
    let (old, new) = (changed(old, new), changed(new, old));
    let tags = |images: &[String]| {
        images
            .iter()
            .map(|i| image_tag(i))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (a, b) = (tags(&old), tags(&new));
    if a == b {
        (old.join(", "), new.join(", "))
    } else {
        (a, b)
    }
}

fn problem_message(snapshot: Option<&Snapshot>, entity: &str, cluster: &str, key: &str) -> String {
    snapshot
        .and_then(|s| s.entities.get(entity))
        .and_then(|e| e.clusters.get(cluster))
        .and_then(|r| {
            r.problems
                .iter()
                .find(|p| format!("{} {}", p.rule, p.object) == key)
        })
        .map(|p| format!("{}: {}", p.rule, p.message))
        .unwrap_or_else(|| key.to_string())
}

/// What comparing with the previous state gave this build.
pub struct Outcome {
    /// The state to write, history included.
    pub state: State,
    /// Changes found by this build (0 on a first build).
    pub found: usize,
    /// Whether a previous state was read.
    pub compared: bool,
    /// Components new since the previous state: who the onboarding webhook is told about.
    pub onboarded: Vec<String>,
}

/// Compares this build with `previous` (None: a first build, nothing is reported) and carries
/// the history forward with this build's change set on top, stamped `now`.
pub fn compare(
    (catalog, docs): (&Catalog, Option<&DocSets>),
    snapshot: Option<&Snapshot>,
    previous: Option<&State>,
    now: i64,
) -> Outcome {
    let mut state = current_state((catalog, docs), snapshot, previous);
    let Some(previous) = previous else {
        return Outcome {
            state,
            found: 0,
            compared: false,
            onboarded: Vec::new(),
        };
    };
    let changes = diff(previous, &state, snapshot);
    let onboarded = changes
        .iter()
        .filter(|c| c.change == ChangeKind::Added && c.kind == "Component")
        .map(|c| c.entity.clone())
        .collect();
    let found = changes.len();
    state.history = previous.history.clone();
    state.trends = previous.trends.clone();
    if !changes.is_empty() {
        state.history.insert(0, change_set(changes, now));
    }
    bound_history(&mut state.history);
    Outcome {
        state,
        found,
        compared: true,
        onboarded,
    }
}

fn change_set(mut changes: Vec<Change>, now: i64) -> ChangeSet {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(serde_json::to_vec(&changes).unwrap_or_default());
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let omitted = changes.len().saturating_sub(MAX_CHANGES_KEPT);
    changes.truncate(MAX_CHANGES_KEPT);
    ChangeSet {
        id: format!("urn:playbill:changes:{now}:{hash}"),
        at: now,
        changes,
        omitted,
    }
}

/// Keeps the newest change sets: at most [`MAX_CHANGES_KEPT`] changes, none older than
/// [`MAX_HISTORY_SECS`] before the newest set (never the clock: an unchanged build keeps all).
fn bound_history(history: &mut Vec<ChangeSet>) {
    let Some(newest) = history.first().map(|s| s.at) else {
        return;
    };
    let mut kept = 0;
    let mut total = 0;
    for set in history.iter() {
        total += set.changes.len();
        if kept > 0 && (total > MAX_CHANGES_KEPT || newest - set.at > MAX_HISTORY_SECS) {
            break;
        }
        kept += 1;
    }
    history.truncate(kept);
}

/// The state file the next build compares with, as written into the site.
pub fn state_file(state: &State) -> (String, Vec<u8>) {
    (STATE_PATH.to_string(), crate::output::pretty_json(state))
}

/// A change set of `n` additions of one entity, for tests.
#[cfg(test)]
pub(crate) fn added_set(id: String, at: i64, n: usize) -> ChangeSet {
    let change = Change {
        entity: "component:default/x".into(),
        change: ChangeKind::Added,
        title: "x".into(),
        kind: "Component".into(),
        cluster: None,
        object: None,
        old: None,
        new: None,
    };
    ChangeSet {
        id,
        at,
        changes: vec![change; n],
        omitted: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(owner: &str, images: &[&str], problems: &[&str]) -> EntityState {
        let mut clusters = BTreeMap::new();
        clusters.insert(
            "prod".to_string(),
            ClusterState {
                workloads: [(
                    "Deployment ns/api".to_string(),
                    images.iter().map(|s| s.to_string()).collect(),
                )]
                .into(),
                problems: problems.iter().map(|s| s.to_string()).collect(),
            },
        );
        EntityState {
            kind: "Component".into(),
            title: "API".into(),
            owner: owner.into(),
            clusters,
            ..Default::default()
        }
    }

    fn state(entities: &[(&str, EntityState)]) -> State {
        State {
            version: STATE_VERSION,
            entities: entities
                .iter()
                .map(|(k, e)| (k.to_string(), e.clone()))
                .collect(),
            history: Vec::new(),
            trends: trends::Trends::default(),
            docs_recorded: true,
        }
    }

    #[test]
    fn version_changes_leave_out_unchanged_sidecars() {
        let images = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let old = images(&["cr.l5d.io/linkerd/proxy:stable-2.14.10", "reg/card:4.1.8"]);
        let new = images(&["cr.l5d.io/linkerd/proxy:stable-2.14.10", "reg/card:4.2.1"]);
        assert_eq!(versions(&old, &new), ("4.1.8".into(), "4.2.1".into()));
        let moved = images(&["other/card:4.1.8"]);
        assert_eq!(
            versions(&images(&["reg/card:4.1.8"]), &moved),
            ("reg/card:4.1.8".into(), "other/card:4.1.8".into())
        );
    }

    #[test]
    fn diff_names_each_kind_of_change() {
        let before = state(&[
            (
                "component:default/api",
                entity("group:default/a", &["r/api:1.0"], &[]),
            ),
            ("component:default/old", entity("group:default/a", &[], &[])),
        ]);
        let after = state(&[
            (
                "component:default/api",
                entity(
                    "group:default/b",
                    &["r/api:1.1"],
                    &["oom-killed Pod ns/api-1"],
                ),
            ),
            ("component:default/new", entity("group:default/a", &[], &[])),
        ]);
        let changes = diff(&before, &after, None);
        let summary: Vec<(String, ChangeKind, Option<String>, Option<String>)> = changes
            .iter()
            .map(|c| (c.entity.clone(), c.change, c.old.clone(), c.new.clone()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "component:default/api".into(),
                    ChangeKind::Owner,
                    Some("group:default/a".into()),
                    Some("group:default/b".into())
                ),
                (
                    "component:default/api".into(),
                    ChangeKind::Version,
                    Some("1.0".into()),
                    Some("1.1".into())
                ),
                (
                    "component:default/api".into(),
                    ChangeKind::Problem,
                    None,
                    Some("oom-killed Pod ns/api-1".into())
                ),
                (
                    "component:default/new".into(),
                    ChangeKind::Added,
                    None,
                    None
                ),
                (
                    "component:default/old".into(),
                    ChangeKind::Removed,
                    None,
                    None
                ),
            ]
        );
        assert!(diff(&after, &after, None).is_empty());
    }

    #[test]
    fn history_is_bounded_by_count_and_age() {
        let set = |at: i64, n: usize| added_set(format!("urn:{at}"), at, n);
        let mut history = vec![
            set(100 * 86_400, 300),
            set(99 * 86_400, 150),
            set(98 * 86_400, 100),
        ];
        bound_history(&mut history);
        assert_eq!(history.len(), 2, "the third set would pass 500 changes");
        let mut history = vec![set(100 * 86_400, 1), set(5 * 86_400, 1)];
        bound_history(&mut history);
        assert_eq!(history.len(), 1, "older than 90 days before the newest");
        let big = change_set(set(0, 600).changes, 7);
        assert_eq!((big.changes.len(), big.omitted), (500, 100));
    }
}
