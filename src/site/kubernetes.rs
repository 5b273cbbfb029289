//! Cluster status in the portal. Pages (an entity's Kubernetes tab, the clusters page) are
//! static skeletons that never change with the clusters; the volatile part lives in small
//! status files (`.../kubernetes/status.js`, `clusters/status.js`, a team's or system's
//! `heatmap-status.js`) that hold pre-rendered,
//! escaped HTML fragments and set a global through a classic `<script src>`. `static/kubernetes.js`
//! puts each fragment in its slot. A status refresh (`snapshot --update-site`) rewrites only
//! these files, and pages keep working from `file://` under a CSP with no inline script.

use crate::catalog::{Catalog, Entity};
use crate::cluster::matching::{self, Target};
use crate::cluster::model::{ClusterInfo, Health, Resources, Snapshot};
use crate::cluster::{age, model};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Pods listed per cluster card; the rest are counted.
const MAX_PODS: usize = 60;

/// The directory of an entity's Kubernetes page, relative to the site root.
pub fn page_dir(e: &Entity) -> String {
    format!("{}/kubernetes", e.key.page_dir())
}

/// What the static skeleton of an entity's Kubernetes page shows: what is searched.
pub fn page_context(e: &Entity) -> Value {
    let selector = e
        .annotation(matching::SELECTOR_ANNOTATION)
        .map(str::to_string)
        .or_else(|| {
            e.annotation(matching::ID_ANNOTATION)
                .map(|id| format!("{}={}", matching::ID_ANNOTATION, id.trim()))
        })
        .unwrap_or_default();
    json!({
        "key": e.key.to_string(),
        "selector": selector,
        "namespace": e.annotation(matching::NAMESPACE_ANNOTATION),
        "cluster": e.annotation(matching::CLUSTER_ANNOTATION),
    })
}

#[derive(Serialize)]
struct ClusterCard<'a> {
    name: &'a str,
    title: &'a str,
    dashboard_url: Option<&'a str>,
    stale: bool,
    /// `running`, `absent` (searched, nothing matched), `unknown` (cluster not read).
    state: &'static str,
    health: Option<Health>,
    versions: Vec<String>,
    taken_at: String,
    /// RFC 3339, for the reader's clock to age.
    taken_at_iso: String,
    age: String,
    /// Errors other than the failed types' (which `failed` shows).
    errors: Vec<&'a String>,
    failed: Vec<Value>,
    namespaces: Vec<String>,
    resources: Option<&'a Resources>,
    /// Each workload's running and desired versions, beside `resources.workloads`.
    workload_versions: Vec<model::WorkloadVersion>,
    /// Problems with their level (error, warning, info), most severe first.
    problems: Vec<ProblemView<'a>>,
    pods_shown: Vec<&'a model::Pod>,
    pods_more: usize,
    /// Namespaces its workloads run in.
    running_in: BTreeSet<&'a str>,
}

#[derive(Serialize)]
struct ProblemView<'a> {
    level: model::Level,
    #[serde(flatten)]
    problem: &'a model::Problem,
}

fn card<'a>(
    info: &'a ClusterInfo,
    snapshot: &Snapshot,
    target: Option<&Target>,
    resources: Option<&'a Resources>,
) -> ClusterCard<'a> {
    let state = match resources {
        Some(_) => "running",
        None if !info.stale && info.unreachable => "unknown",
        None => "absent",
    };
    let namespaces = match target.and_then(|t| t.namespace.clone()) {
        Some(ns) => vec![ns],
        None => info.namespaces.clone(),
    };
    let pods: Vec<&model::Pod> = resources
        .map(|r| r.pods.iter().collect())
        .unwrap_or_default();
    ClusterCard {
        name: &info.name,
        title: &info.title,
        dashboard_url: info.dashboard_url.as_deref(),
        stale: info.stale,
        state,
        health: resources.map(Resources::health),
        versions: resources.map(Resources::version_labels).unwrap_or_default(),
        taken_at: crate::time::datetime(info.taken_at),
        taken_at_iso: crate::time::iso_datetime(info.taken_at),
        age: age(snapshot.taken_at - info.taken_at),
        errors: other_errors(info),
        failed: failed_types(info, snapshot.taken_at),
        namespaces,
        resources,
        workload_versions: resources
            .map(Resources::workload_versions)
            .unwrap_or_default(),
        problems: resources
            .map(|r| {
                r.problems
                    .iter()
                    .map(|p| ProblemView {
                        level: p.level(),
                        problem: p,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        running_in: resources
            .map(|r| r.workloads.iter().map(|w| w.namespace.as_str()).collect())
            .unwrap_or_default(),
        pods_more: pods.len().saturating_sub(MAX_PODS),
        pods_shown: pods.into_iter().take(MAX_PODS).collect(),
    }
}

/// A cluster's errors, less those its failed types say.
fn other_errors(info: &ClusterInfo) -> Vec<&String> {
    info.errors
        .iter()
        .filter(|e| !info.failed_types.iter().any(|f| &f.message == *e))
        .collect()
}

/// `{label, reason, stale}` per failed type: `HPAs could not be read in dev: timed out`, and
/// the age of the earlier data shown in its place.
fn failed_types(info: &ClusterInfo, taken_at: i64) -> Vec<Value> {
    info.failed_types
        .iter()
        .map(|f| {
            json!({ "label": f.label, "reason": f.reason,
                    "stale": f.stale_since.map(|t| age(taken_at - t)) })
        })
        .collect()
}

/// Renders every status file: one per entity with a Kubernetes view, and the clusters file.
pub fn status_files(
    tera: &tera::Tera,
    catalog: &Catalog,
    snapshot: Option<&Snapshot>,
) -> (BTreeMap<String, Vec<u8>>, Diagnostics) {
    let mut files = BTreeMap::new();
    let mut diagnostics = Diagnostics::new();
    let (targets, _) = matching::targets(catalog);
    let targets: BTreeMap<&str, &Target> = targets_by_key(&targets);
    let mut render = |template: &str, ctx: &tera::Context| -> String {
        tera.render(template, ctx).unwrap_or_else(|e| {
            diagnostics.push(Diagnostic::error(
                "site/template",
                format!("{template}: {}", crate::output::describe_tera_error(&e)),
            ));
            String::new()
        })
    };
    let empty = Snapshot::default();
    let snap = snapshot.unwrap_or(&empty);
    let mut base = tera::Context::new();
    base.insert("has_snapshot", &snapshot.is_some());
    base.insert("taken_at", &crate::time::datetime(snap.taken_at));
    base.insert("taken_at_iso", &crate::time::iso_datetime(snap.taken_at));
    for e in catalog
        .entities
        .iter()
        .filter(|e| matching::names_workloads(e))
    {
        let key = e.key.to_string();
        let target = targets.get(key.as_str()).copied();
        let data = entity_status(catalog, snap, e, target, base.clone(), &mut render);
        files.insert(format!("{}/status.js", page_dir(e)), script(&key, &data));
    }
    let mut ctx = base;
    let matrix = clusters_matrix(catalog, snap);
    ctx.insert("clusters", &matrix.0);
    ctx.insert("rows", &matrix.1);
    ctx.insert("counts", &matrix.2);
    ctx.insert("unowned", &snap.unowned);
    ctx.insert("root", "../");
    let page = render("clusters_status.html", &ctx);
    ctx.insert("root", "");
    let home = render("clusters_home.html", &ctx);
    let services = service_health(&matrix.1);
    files.extend([crate::freshness::snapshot_file(snapshot)]);
    files.extend(super::heatmap::files(tera, catalog, snapshot));
    files.insert(
        "clusters/status.js".to_string(),
        script(
            "clusters",
            &json!({ "page": page, "home": home, "services": services }),
        ),
    );
    (files, diagnostics)
}

/// One entity's status script: the Kubernetes tab, the overview card and the incident card.
fn entity_status(
    catalog: &Catalog,
    snap: &Snapshot,
    e: &Entity,
    target: Option<&Target>,
    mut ctx: tera::Context,
    render: &mut dyn FnMut(&str, &tera::Context) -> String,
) -> Value {
    let status = snap.entities.get(&e.key.to_string());
    let cards: Vec<ClusterCard> = snap
        .clusters
        .iter()
        .filter(|c| {
            target
                .and_then(|t| t.cluster.as_deref())
                .is_none_or(|only| only == c.name)
        })
        .map(|c| {
            card(
                c,
                snap,
                target,
                status.and_then(|s| s.clusters.get(&c.name)),
            )
        })
        .collect();
    ctx.insert("cards", &cards);
    ctx.insert("page", &page_context(e));
    ctx.insert("selector", &status.map(|s| s.selector.clone()));
    let detail = render("kubernetes_status.html", &ctx);
    let overview = render("kubernetes_overview.html", &ctx);
    ctx.insert("troubled", &troubled_dependencies(catalog, snap, e));
    ctx.insert(
        "root",
        &crate::site::root_prefix(&crate::catalog::summary::entity_url(&e.key)),
    );
    let incident = render("incident_status.html", &ctx);
    json!({ "detail": detail, "overview": overview, "incident": incident })
}

/// What the entity depends on (`dependsOn`, and the providers of the APIs it consumes) that is
/// degraded or failing somewhere: `{title, url, clusters: [{cluster, health}]}`, by ref.
fn troubled_dependencies(catalog: &Catalog, snap: &Snapshot, e: &Entity) -> Vec<Value> {
    use crate::catalog::summary::{link, targets};
    let mut deps: BTreeSet<&crate::catalog::EntityRef> =
        targets(catalog, &e.key, "dependsOn").into_iter().collect();
    for api in targets(catalog, &e.key, "consumesApi") {
        deps.extend(targets(catalog, api, "apiProvidedBy"));
    }
    deps.remove(&e.key);
    deps.into_iter()
        .filter_map(|d| {
            let status = snap.entities.get(&d.to_string())?;
            let clusters: Vec<Value> = snap
                .clusters
                .iter()
                .filter_map(|c| Some((c, status.clusters.get(&c.name)?.health())))
                .filter(|(_, h)| *h != Health::Healthy)
                .map(|(c, h)| json!({ "cluster": c.title, "health": h }))
                .collect();
            let l = link(catalog, d);
            (!clusters.is_empty())
                .then(|| json!({ "title": l.title, "url": l.url, "clusters": clusters }))
        })
        .collect()
}

/// Each running service's health as data, by entity ref: `[health, problems, [unhealthy
/// clusters]]`. The home page's "My services" reads it beside its owner index, so the index
/// never changes with the clusters.
fn service_health(rows: &[Row]) -> BTreeMap<&str, Value> {
    rows.iter()
        .filter_map(|r| {
            let health = r.worst?;
            Some((
                r.entity_ref.as_str(),
                json!([health, r.problems, r.unhealthy]),
            ))
        })
        .collect()
}

fn targets_by_key(targets: &[Target]) -> BTreeMap<&str, &Target> {
    targets.iter().map(|t| (t.entity.as_str(), t)).collect()
}

/// `window.PlaybillStatus[key] = {...};` — data only, set through a classic script so it also
/// loads from `file://`.
fn script(key: &str, data: &Value) -> Vec<u8> {
    format!(
        "(window.PlaybillStatus = window.PlaybillStatus || {{}})[{}] = {};\n",
        serde_json::to_string(key).unwrap_or_default(),
        serde_json::to_string(data).unwrap_or_default()
    )
    .into_bytes()
}

#[derive(Serialize)]
struct Cell {
    state: &'static str,
    health: Option<Health>,
    versions: Vec<String>,
    drift: bool,
    stale: bool,
}

#[derive(Serialize)]
struct Row {
    title: String,
    entity_ref: String,
    url: String,
    cells: Vec<Cell>,
    drift: bool,
    worst: Option<Health>,
    /// Errors and warnings found in all clusters together (information left out).
    problems: usize,
    /// Clusters where the service is degraded or failing.
    unhealthy: Vec<String>,
}

#[derive(Serialize, Default)]
struct Counts {
    services: usize,
    running: usize,
    failing: usize,
    degraded: usize,
    drift: usize,
    unowned: usize,
    stale_clusters: usize,
}

/// One cluster's card on the clusters page: staleness, errors and failed object types.
fn cluster_json(c: &ClusterInfo, snap: &Snapshot) -> Value {
    json!({ "name": c.name, "title": c.title, "stale": c.stale, "errors": other_errors(c),
            "failed": failed_types(c, snap.taken_at),
            "age": age(snap.taken_at - c.taken_at), "dashboard_url": c.dashboard_url,
            "taken_at": crate::time::datetime(c.taken_at),
            "taken_at_iso": crate::time::iso_datetime(c.taken_at), "unread": !c.stale && c.unreachable })
}

/// Every service × every cluster: health and versions, drift flagged where the same service
/// runs different versions in different clusters.
fn clusters_matrix(catalog: &Catalog, snap: &Snapshot) -> (Vec<Value>, Vec<Row>, Counts) {
    let clusters: Vec<Value> = snap
        .clusters
        .iter()
        .map(|c| cluster_json(c, snap))
        .collect();
    let mut counts = Counts {
        unowned: snap.unowned.values().map(Vec::len).sum(),
        stale_clusters: snap.clusters.iter().filter(|c| c.stale).count(),
        ..Counts::default()
    };
    let mut rows: Vec<Row> = catalog
        .entities
        .iter()
        .filter(|e| matching::names_workloads(e))
        .map(|e| matrix_row(e, snap))
        .collect();
    for row in &rows {
        counts.services += 1;
        counts.running += usize::from(row.worst.is_some());
        match row.worst {
            Some(Health::Failing) => counts.failing += 1,
            Some(Health::Degraded) => counts.degraded += 1,
            _ => {}
        }
        counts.drift += usize::from(row.drift);
    }
    // Failing first, then degraded, then by name: what needs attention on top.
    rows.sort_by(|a, b| {
        b.worst
            .cmp(&a.worst)
            .then_with(|| a.title.to_lowercase().cmp(&b.title.to_lowercase()))
            .then_with(|| a.entity_ref.cmp(&b.entity_ref))
    });
    (clusters, rows, counts)
}

/// One service across every cluster: a cell per cluster, version drift, the worst health.
fn matrix_row(e: &Entity, snap: &Snapshot) -> Row {
    let status = snap.entities.get(&e.key.to_string());
    let found = |c: &ClusterInfo| status.and_then(|s| s.clusters.get(&c.name));
    let all_versions: BTreeSet<Vec<String>> = snap
        .clusters
        .iter()
        .filter_map(found)
        .map(Resources::versions)
        .filter(|v| !v.is_empty())
        .collect();
    let drift = all_versions.len() > 1;
    let cells: Vec<Cell> = snap
        .clusters
        .iter()
        .map(|c| match found(c) {
            Some(r) => Cell {
                state: "running",
                health: Some(r.health()),
                versions: r.version_labels(),
                drift,
                stale: c.stale,
            },
            None => Cell {
                state: if !c.stale && c.unreachable {
                    "unknown"
                } else {
                    "absent"
                },
                health: None,
                versions: vec![],
                drift: false,
                stale: c.stale,
            },
        })
        .collect();
    let running: Vec<(&ClusterInfo, &Resources)> = snap
        .clusters
        .iter()
        .filter_map(|c| Some((c, found(c)?)))
        .collect();
    Row {
        title: e.title().to_string(),
        entity_ref: e.key.to_string(),
        url: format!("{}/index.html", page_dir(e)),
        worst: cells.iter().filter_map(|c| c.health).max(),
        cells,
        drift,
        problems: running.iter().map(|(_, r)| r.alerts()).sum(),
        unhealthy: running
            .iter()
            .filter(|(_, r)| r.health() != Health::Healthy)
            .map(|(c, _)| c.name.clone())
            .collect(),
    }
}

/// Whether the site has cluster pages at all: a `[kubernetes]` table in site.toml.
pub fn enabled(config: &Config) -> bool {
    config.kubernetes.is_some()
}
