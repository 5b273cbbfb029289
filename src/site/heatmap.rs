//! Heatmaps of cluster status on team (Group) and System pages: the team's or the system's
//! services × the clusters, each cell coloured by health with ready/desired replicas and the
//! running version, each row with the date its repository last changed. Like every cluster
//! status, the heatmap is volatile: it lives in `heatmap-status.js` beside the page (an escaped HTML
//! fragment that `static/kubernetes.js` puts in its slot), so a snapshot refresh rewrites that
//! file and never the page. A team's services include its sub-teams'.

use crate::catalog::{Catalog, Entity, EntityRef};
use crate::cluster::model::{Health, Snapshot};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// The file beside a Group or System page that holds its heatmap.
pub(super) const FILE: &str = "heatmap-status.js";

#[derive(Serialize)]
struct Cell {
    health: Option<Health>,
    ready: u32,
    desired: u32,
    versions: Vec<String>,
    /// The versions alone, without pod counts: what drift compares.
    #[serde(skip)]
    tags: Vec<String>,
}

#[derive(Serialize)]
struct Row {
    title: String,
    url: String,
    cells: Vec<Cell>,
    drift: bool,
    changed: Option<(String, String)>,
}

/// Whether `e`'s page has a heatmap slot.
pub(super) fn has_heatmap(e: &Entity) -> bool {
    matches!(e.key.kind.as_str(), "group" | "system")
}

/// A `heatmap-status.js` for every Group and System page: its rows, or no entry when none of its
/// services has a Kubernetes view (the page hides the slot).
pub(super) fn files(
    tera: &tera::Tera,
    catalog: &Catalog,
    snapshot: Option<&Snapshot>,
) -> BTreeMap<String, Vec<u8>> {
    let empty = Snapshot::default();
    let snap = snapshot.unwrap_or(&empty);
    let mut files = BTreeMap::new();
    for e in catalog.entities.iter().filter(|e| has_heatmap(e)) {
        let services = services_of(catalog, &e.key);
        let key = e.key.to_string();
        let mut data = json!({});
        if !services.is_empty() && snapshot.is_some() {
            let rows: Vec<Row> = services.iter().map(|s| row(catalog, snap, s)).collect();
            let mut ctx = tera::Context::new();
            ctx.insert("clusters", &snap.clusters);
            ctx.insert("rows", &rows);
            ctx.insert(
                "root",
                &super::root_prefix(&crate::catalog::summary::entity_url(&e.key)),
            );
            // A template error leaves the slot hidden; the clusters page reports its own.
            if let Ok(html) = tera.render("heatmap_status.html", &ctx) {
                data = json!({ key.clone(): { "heatmap": html } });
            }
        }
        let script = format!(
            "window.PlaybillStatus = Object.assign(window.PlaybillStatus || {{}}, {});\n",
            serde_json::to_string(&data).unwrap_or_else(|_| "{}".into())
        );
        files.insert(format!("{}/{FILE}", e.key.page_dir()), script.into_bytes());
    }
    files
}

/// The entities with a Kubernetes view that `owner` (a group, with its sub-teams) owns or
/// that are part of it (a system), sorted by ref.
fn services_of<'a>(catalog: &'a Catalog, owner: &EntityRef) -> Vec<&'a Entity> {
    let holders = super::ownership::team_and_sub_teams(catalog, owner);
    let mut services: BTreeSet<&EntityRef> = BTreeSet::new();
    for h in &holders {
        let owned = catalog.relations_of(h);
        let owned = owned.filter(|r| matches!(r.kind, "ownerOf" | "hasPart"));
        services.extend(owned.map(|r| r.target));
    }
    services
        .into_iter()
        .filter_map(|s| catalog.get(s))
        .filter(|e| crate::cluster::matching::names_workloads(e))
        .collect()
}

fn row(catalog: &Catalog, snap: &Snapshot, e: &Entity) -> Row {
    let status = snap.entities.get(&e.key.to_string());
    let cells: Vec<Cell> = snap
        .clusters
        .iter()
        .map(|c| match status.and_then(|s| s.clusters.get(&c.name)) {
            Some(r) => {
                let own = r.workloads.iter().filter(|w| w.named_for_service);
                let (ready, desired) = own.fold((0, 0), |(a, b), w| (a + w.ready, b + w.desired));
                Cell {
                    health: Some(r.health()),
                    ready,
                    desired,
                    versions: r.version_labels(),
                    tags: r.versions(),
                }
            }
            None => Cell {
                health: None,
                ready: 0,
                desired: 0,
                versions: Vec::new(),
                tags: Vec::new(),
            },
        })
        .collect();
    let versions: BTreeSet<&Vec<String>> = cells
        .iter()
        .map(|c| &c.tags)
        .filter(|v| !v.is_empty())
        .collect();
    let changed = catalog
        .commit_times
        .get(&e.source.repo)
        .map(|&t| (crate::time::iso_datetime(t), crate::time::iso_date(t)));
    Row {
        title: e.title().to_string(),
        url: crate::catalog::summary::entity_url(&e.key),
        drift: versions.len() > 1,
        cells,
        changed,
    }
}
