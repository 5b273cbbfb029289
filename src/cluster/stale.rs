//! Earlier data for what could not be read now. A cluster that failed as a whole keeps the
//! previous snapshot's data for it; a cluster that answered except for some object types
//! keeps only those types from the previous snapshot (its pods, its HPAs, ...), each marked
//! with the time it was read. Pure.

use super::config::ObjectType;
use super::model::{ClusterInfo, FailedType, Resources, Snapshot};
use super::{age, matching};
use crate::diagnostics::{Diagnostic, Diagnostics};

/// A cluster that failed keeps what the previous snapshot had for it, marked stale.
pub fn keep_cluster(
    snapshot: &mut Snapshot,
    info: &mut ClusterInfo,
    previous: Option<&Snapshot>,
    diagnostics: &mut Diagnostics,
) {
    let Some(prev) = previous else { return };
    let Some(old) = prev.clusters.iter().find(|c| c.name == info.name) else {
        return;
    };
    info.stale = true;
    info.taken_at = old.taken_at;
    info.failed_types = old.failed_types.clone();
    diagnostics.push(Diagnostic::warning(
        "cluster/stale",
        format!(
            "cluster `{}`: showing its data from the previous snapshot, {} old",
            info.name,
            age(snapshot.taken_at - old.taken_at)
        ),
    ));
    for (entity, status) in snapshot.entities.iter_mut() {
        if let Some(r) = prev
            .entities
            .get(entity)
            .and_then(|s| s.clusters.get(&info.name))
        {
            status.clusters.insert(info.name.clone(), r.clone());
        }
    }
    if let Some(u) = prev.unowned.get(&info.name) {
        snapshot.unowned.insert(info.name.clone(), u.clone());
    }
}

/// Fills the object types `lost` of cluster `info` from the previous snapshot, where it had
/// them, and marks each with when its data was read.
pub fn keep_types(
    snapshot: &mut Snapshot,
    info: &mut ClusterInfo,
    lost: &[ObjectType],
    previous: Option<&Snapshot>,
    diagnostics: &mut Diagnostics,
) {
    let Some((prev, old)) = previous.and_then(|p| {
        let old = p.clusters.iter().find(|c| c.name == info.name)?;
        Some((p, old))
    }) else {
        return;
    };
    let mut kept = Vec::new();
    for t in lost {
        // Data the previous snapshot itself could not read is not there to keep.
        let since = match old.failed_types.iter().find(|f| f.resource == t.id()) {
            Some(f) => f.stale_since,
            None => Some(old.taken_at),
        };
        let (Some(since), Some(failed)) = (
            since,
            info.failed_types.iter_mut().find(|f| f.resource == t.id()),
        ) else {
            continue;
        };
        failed.stale_since = Some(since);
        kept.push(format!(
            "{} ({} old)",
            t.label(),
            age(snapshot.taken_at - since)
        ));
        copy_type(snapshot, prev, &info.name, t);
    }
    if !kept.is_empty() {
        diagnostics.push(Diagnostic::warning(
            "cluster/partly-stale",
            format!(
                "cluster `{}`: showing {} from the previous snapshot, marked stale",
                info.name,
                kept.join(", ")
            ),
        ));
    }
}

/// Copies what type `t` gave each entity (objects and their problems) and the unowned
/// workloads of its kind, from `prev` into `snapshot`, for one cluster.
fn copy_type(snapshot: &mut Snapshot, prev: &Snapshot, cluster: &str, t: &ObjectType) {
    for (entity, status) in snapshot.entities.iter_mut() {
        let Some(old) = prev
            .entities
            .get(entity)
            .and_then(|s| s.clusters.get(cluster))
        else {
            continue;
        };
        let mut r = status.clusters.remove(cluster).unwrap_or_default();
        copy_resources(&mut r, old, t);
        if r != Resources::default() {
            status
                .clusters
                .insert(cluster.to_string(), matching::sorted(r));
        }
    }
    if let Some(old) = prev.unowned.get(cluster) {
        let mut unowned = snapshot.unowned.remove(cluster).unwrap_or_default();
        unowned.extend(old.iter().filter(|o| o.kind == t.kind).cloned());
        unowned.sort();
        if !unowned.is_empty() {
            snapshot.unowned.insert(cluster.to_string(), unowned);
        }
    }
}

/// Appends to `to` what type `t` gave `from`: its objects and the problems found on them.
fn copy_resources(to: &mut Resources, from: &Resources, t: &ObjectType) {
    let kind = t.kind.as_str();
    let problem_prefix = match kind {
        "" => t.id(),
        kind => kind.to_string(),
    };
    match kind {
        "Pod" => to.pods.extend(from.pods.iter().cloned()),
        "Deployment" | "StatefulSet" | "DaemonSet" => to
            .workloads
            .extend(from.workloads.iter().filter(|w| w.kind == kind).cloned()),
        "HorizontalPodAutoscaler" => to.hpas.extend(from.hpas.iter().cloned()),
        "Ingress" => to.ingresses.extend(from.ingresses.iter().cloned()),
        "Service" => to.services.extend(from.services.iter().cloned()),
        "Job" | "CronJob" => to
            .jobs
            .extend(from.jobs.iter().filter(|j| j.kind == kind).cloned()),
        "" => to.custom.extend(
            from.custom
                .iter()
                .filter(|c| c.resource == problem_prefix)
                .cloned(),
        ),
        _ => {
            if let Some(n) = from.other.get(&t.plural) {
                to.other.insert(t.plural.clone(), *n);
            }
        }
    }
    let on_type = |object: &str| {
        object
            .strip_prefix(&problem_prefix)
            .is_some_and(|rest| rest.starts_with(' '))
    };
    to.problems
        .extend(from.problems.iter().filter(|p| on_type(&p.object)).cloned());
}

/// The record of a lost type, before any earlier data is kept for it.
pub fn failed_type(lost: &super::fetch::LostType) -> FailedType {
    FailedType {
        resource: lost.object_type.id(),
        label: lost.object_type.label(),
        reason: lost.reason.clone(),
        message: lost.message.clone(),
        stale_since: None,
    }
}
