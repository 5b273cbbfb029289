//! The cluster stage: Config + Catalog in, Snapshot out. Lists each configured cluster once
//! per object type (`fetch`, the only I/O), matches the objects to entities locally
//! (`matching`, `selector`), flags problems (`health`) and keeps only what pages show
//! (`model`). A cluster that fails keeps its previous data, marked stale; one that answers
//! except for some object types keeps the rest and only those types from the previous data
//! (`stale`); the others are unaffected. A snapshot can be saved and rendered later
//! (`build --snapshot`).

/// The stage's settings, read with the rest of site.toml.
pub use crate::config::cluster as config;
pub mod fetch;
pub mod gitops;
pub mod health;
pub mod hpa;
pub mod matching;
pub mod model;
pub mod objects;
pub mod selector;
pub mod stale;

use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, Diagnostics};
use config::KubernetesConfig;
use model::{ClusterInfo, EntityStatus, Snapshot, SNAPSHOT_VERSION};
use std::path::Path;

/// Asks every cluster and builds the snapshot at time `now`. `previous` supplies the data of
/// clusters that cannot be read this time.
pub fn take_snapshot(
    config: &KubernetesConfig,
    catalog: &Catalog,
    previous: Option<&Snapshot>,
    now: i64,
) -> (Snapshot, Diagnostics) {
    let (targets, mut diagnostics) = matching::targets(catalog);
    for c in config.clusters.iter().filter(|c| c.skip_tls_verify) {
        diagnostics.push(Diagnostic::warning(
            "cluster/insecure-tls",
            format!(
                "cluster `{}` has skip_tls_verify = true: its certificate is not checked, so anyone on the path can read the token and forge answers; give it ca_file or ca_data_env instead",
                c.name
            ),
        ));
    }
    let fetched = fetch::fetch_all(config, &targets, now);
    let mut snapshot = Snapshot {
        version: SNAPSHOT_VERSION,
        taken_at: now,
        ..Snapshot::default()
    };
    for t in &targets {
        snapshot.entities.insert(
            t.entity.clone(),
            EntityStatus {
                selector: t.selector.to_string(),
                namespace: t.namespace.clone(),
                cluster: t.cluster.clone(),
                clusters: Default::default(),
            },
        );
    }
    for (cluster, fetch) in config.clusters.iter().zip(fetched) {
        let mut info = ClusterInfo {
            name: cluster.name.clone(),
            title: cluster.title.clone(),
            dashboard_url: cluster.dashboard_url.clone(),
            namespaces: cluster.namespaces.clone(),
            taken_at: now,
            requests: fetch.requests,
            ..ClusterInfo::default()
        };
        if let Some((code, message)) = fetch.failure {
            diagnostics.push(Diagnostic::error(code, message.clone()));
            info.errors.push(message);
            info.unreachable = true;
            stale::keep_cluster(&mut snapshot, &mut info, previous, &mut diagnostics);
            snapshot.clusters.push(info);
            continue;
        }
        for lost in &fetch.lost {
            diagnostics.push(Diagnostic::error(lost.code, lost.message.clone()));
            info.errors.push(lost.message.clone());
            info.failed_types.push(stale::failed_type(lost));
        }
        let matching::Matched { by_entity, unowned } = fetch.matched;
        for (entity, resources) in by_entity {
            if let Some(status) = snapshot.entities.get_mut(&entity) {
                status.clusters.insert(cluster.name.clone(), resources);
            }
        }
        if !unowned.is_empty() {
            snapshot.unowned.insert(cluster.name.clone(), unowned);
        }
        let lost: Vec<config::ObjectType> =
            fetch.lost.iter().map(|l| l.object_type.clone()).collect();
        stale::keep_types(&mut snapshot, &mut info, &lost, previous, &mut diagnostics);
        snapshot.clusters.push(info);
    }
    (snapshot, diagnostics)
}

/// `3 min`, `2 h`, `4 days`: an age for people.
pub fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min", s / 60),
        7200..=172_799 => format!("{} h", s / 3600),
        _ => format!("{} days", s / 86_400),
    }
}

pub fn load(path: &Path) -> Result<Snapshot, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the snapshot {}: {e}", path.display()))?;
    let snapshot: Snapshot = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a Playbill snapshot: {e}", path.display()))?;
    if snapshot.version != SNAPSHOT_VERSION {
        return Err(format!(
            "{} is a version {} snapshot; this Playbill reads version {SNAPSHOT_VERSION}",
            path.display(),
            snapshot.version
        ));
    }
    Ok(snapshot)
}

pub fn to_json(snapshot: &Snapshot) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(snapshot).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The snapshot the build renders: the configured file, else a fresh one from the clusters,
/// else none (no `[kubernetes]` table).
pub fn obtain(
    config: &crate::config::Config,
    catalog: &Catalog,
) -> (Option<Snapshot>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let Some(k) = &config.kubernetes else {
        return (None, diagnostics);
    };
    if let Some(path) = &k.snapshot {
        return match load(path) {
            Ok(s) => {
                // Selectors that do not parse are still reported.
                diagnostics.extend(matching::targets(catalog).1);
                (Some(s), diagnostics)
            }
            Err(e) => {
                diagnostics.push(Diagnostic::error("cluster/snapshot-unreadable", e));
                (None, diagnostics)
            }
        };
    }
    let (s, d) = take_snapshot(k, catalog, None, crate::time::now());
    (Some(s), d)
}
