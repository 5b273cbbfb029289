//! The relation pictures of an entity page: its neighbourhood, and on a System or Domain page
//! the map of the system's (or the domain's systems') parts. Boxes are coloured from what the
//! page already knows: errors in an entity's definition, warnings, failing scorecard checks
//! other than the one that reads the cluster snapshot (cluster health is in the heatmaps).

use super::Shared;
use crate::catalog::summary::entity_url;
use crate::catalog::{Entity, EntityRef};
use crate::graphs::{Facts, Health, Picture};
use crate::scorecard::config::Check;
use std::collections::HashMap;

/// The pictures `e`'s page shows, first the neighbourhood; empty when there is nothing to draw.
pub(super) fn pictures(shared: &Shared<'_>, e: &Entity) -> Vec<Picture> {
    let root = super::root_prefix(&entity_url(&e.key));
    let health = |key: &EntityRef| health(shared, key);
    let facts = Facts {
        catalog: shared.catalog,
        config: &shared.config.graphs,
        health: &health,
        root: &root,
    };
    let mut out = Vec::new();
    out.extend(crate::graphs::neighbourhood(
        &facts,
        &e.key,
        "#relations-title",
    ));
    let systems: Vec<EntityRef> = match e.key.kind.as_str() {
        "system" => vec![e.key.clone()],
        "domain" => shared
            .catalog
            .relations_of(&e.key)
            .filter(|r| r.kind == "hasPart" && r.target.kind == "system")
            .map(|r| r.target.clone())
            .collect(),
        _ => Vec::new(),
    };
    if !systems.is_empty() {
        out.extend(crate::graphs::system_map(&facts, &systems, "#parts-title"));
    }
    out
}

/// What every relation picture of the portal is drawn from, hashed once a build: the
/// pictures' settings, each entity's definition and health, and every relation (the settings
/// alone when pictures are off).
pub(super) fn fingerprint(shared: &Shared<'_>) -> Vec<u8> {
    use rayon::prelude::*;
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(format!("{:?}\n", shared.config.graphs));
    if !shared.config.graphs.enabled {
        // No picture is drawn: the settings alone decide them all.
        return hasher.finalize().to_vec();
    }
    let entities: Vec<[u8; 32]> = shared
        .catalog
        .entities
        .par_iter()
        .map(|e| {
            let mut hasher = Sha256::new();
            hasher.update(format!("{}\n", e.key));
            hasher.update(crate::output::json_digest(&e.value));
            hasher.update([health(shared, &e.key) as u8]);
            hasher.finalize().into()
        })
        .collect();
    for digest in entities {
        hasher.update(digest);
    }
    for (source, r) in shared.catalog.all_relations() {
        hasher.update(format!("{source} {} {}\n", r.kind, r.target));
    }
    hasher.finalize().to_vec()
}

/// What an entity page's context holds in place of its pictures until the page is rendered:
/// a hash of everything they are drawn from. An unchanged page then costs no drawing.
pub(super) fn stand_in(shared: &Shared<'_>, e: &Entity) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(&shared.pictures_fingerprint);
    hasher.update(e.key.to_string());
    crate::output::hex(&hasher.finalize())
}

/// Every entity's health, judged once a build: an entity is a box in the pictures of all its
/// neighbours, and at 10,000 repositories judging it for each box cost a sixtieth of a build's
/// CPU. Empty when pictures are off.
pub(super) fn healths(shared: &Shared<'_>) -> HashMap<EntityRef, Health> {
    use rayon::prelude::*;
    if !shared.config.graphs.enabled {
        return HashMap::new();
    }
    shared
        .catalog
        .entities
        .par_iter()
        .map(|e| (e.key.clone(), judge(shared, &e.key)))
        .collect()
}

/// `key`'s health from the table [`healths`] made, judged here should it be missing.
fn health(shared: &Shared<'_>, key: &EntityRef) -> Health {
    match shared.health.get(key) {
        Some(health) => *health,
        None => judge(shared, key),
    }
}

fn judge(shared: &Shared<'_>, key: &EntityRef) -> Health {
    let counts = shared
        .by_entity
        .get(&key.to_string())
        .map(|d| crate::diagnostics::Counts::of(d))
        .unwrap_or_default();
    if counts.errors > 0 {
        return Health::Broken;
    }
    // Cluster status is volatile and lives in status files; a check that reads it would make
    // every neighbour's page change with each snapshot.
    let volatile = [Check::RunningInCluster, Check::HealthyInClusters];
    let failing = shared
        .scorecards
        .as_ref()
        .is_some_and(|cards| cards.failed(key).any(|check| !volatile.contains(&check)));
    if failing || counts.warnings > 0 {
        Health::Failing
    } else {
        Health::Good
    }
}
