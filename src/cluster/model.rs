//! The snapshot: what the pages need from the clusters, per entity and cluster, and no more
//! (never whole objects, never secrets). Written as JSON by `playbill snapshot` and read back
//! by `build --snapshot`; maps are ordered so the same snapshot always renders the same files.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SNAPSHOT_VERSION: u32 = 1;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    /// Unix seconds when the snapshot was taken.
    pub taken_at: i64,
    pub clusters: Vec<ClusterInfo>,
    /// By entity ref (`component:default/payments-ledger`).
    pub entities: BTreeMap<String, EntityStatus>,
    /// Workloads that no entity's selector matched, by cluster.
    #[serde(default)]
    pub unowned: BTreeMap<String, Vec<ObjectRef>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClusterInfo {
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub dashboard_url: Option<String>,
    /// Namespaces searched; empty means all.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// When this cluster's data was read (older than the snapshot when stale).
    pub taken_at: i64,
    /// The cluster could not be read this time; its data is from an earlier snapshot.
    #[serde(default)]
    pub stale: bool,
    /// The cluster as a whole could not be read this time (unreachable, timed out, 401).
    #[serde(default)]
    pub unreachable: bool,
    /// Why the cluster (or some object types) could not be read.
    #[serde(default)]
    pub errors: Vec<String>,
    /// API requests made for this cluster, retries included.
    #[serde(default)]
    pub requests: u32,
    /// Object types that could not be read this time, while the rest of the cluster was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_types: Vec<FailedType>,
}

/// One object type a cluster could not list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FailedType {
    /// `autoscaling/v2/horizontalpodautoscalers`.
    pub resource: String,
    /// `HPAs`.
    pub label: String,
    /// `timed out (no answer within 10s, 2 attempts)`.
    pub reason: String,
    /// The diagnostic's message (also in `errors`).
    pub message: String,
    /// When the data shown for this type was read, from an earlier snapshot; `None` when
    /// none is shown.
    #[serde(default)]
    pub stale_since: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EntityStatus {
    /// The label selector the entity's annotations give, as searched.
    pub selector: String,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub cluster: Option<String>,
    /// Only clusters where something matched.
    pub clusters: BTreeMap<String, Resources>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    #[serde(default)]
    pub workloads: Vec<Workload>,
    #[serde(default)]
    pub pods: Vec<Pod>,
    #[serde(default)]
    pub hpas: Vec<Hpa>,
    #[serde(default)]
    pub ingresses: Vec<Ingress>,
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default)]
    pub jobs: Vec<Job>,
    #[serde(default)]
    pub custom: Vec<Custom>,
    /// Matched objects of the other default types, counted by plural (`configmaps: 2`).
    #[serde(default)]
    pub other: BTreeMap<String, u32>,
    /// Most severe first.
    #[serde(default)]
    pub problems: Vec<Problem>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub desired: u32,
    pub ready: u32,
    pub available: u32,
    pub updated: u32,
    /// Every image of the pod template (what is wanted, not what runs).
    pub images: Vec<String>,
    /// The service's own container in the template; empty in snapshots written before
    /// running versions were recorded.
    #[serde(default)]
    pub container: String,
    /// The image the template wants for that container.
    #[serde(default)]
    pub desired_image: String,
    /// The template's other containers' images: sidecars, shown apart.
    #[serde(default)]
    pub sidecars: Vec<String>,
    /// Named for the service (its name, `app.kubernetes.io/name` or own container); the
    /// entity's other workloads are dependencies, such as a Redis from the same chart.
    #[serde(default)]
    pub named_for_service: bool,
    /// `progressing` or `stuck` while a new template is not on every replica.
    #[serde(default)]
    pub rollout: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Pod {
    pub namespace: String,
    pub name: String,
    pub phase: String,
    pub ready: u32,
    pub total: u32,
    pub restarts: u32,
    pub containers: Vec<Container>,
    /// The workload it belongs to, `Deployment/payments-ledger`.
    #[serde(default)]
    pub owner: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub ready: bool,
    pub restarts: u32,
    /// `running`, `waiting` or `terminated`.
    pub state: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub last_termination: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Hpa {
    pub namespace: String,
    pub name: String,
    pub min: u32,
    pub max: u32,
    pub current: u32,
    pub desired: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ingress {
    pub namespace: String,
    pub name: String,
    pub hosts: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub namespace: String,
    pub name: String,
    #[serde(rename = "type")]
    pub service_type: String,
    pub ports: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// `Job` or `CronJob`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub active: u32,
    pub succeeded: u32,
    pub failed: u32,
    #[serde(default)]
    pub schedule: Option<String>,
    #[serde(default)]
    pub last_schedule: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Custom {
    /// `group/version/plural`.
    pub resource: String,
    pub namespace: String,
    pub name: String,
    pub conditions: Vec<Condition>,
    /// Argo CD Applications: `status.sync.status` (Synced, OutOfSync, Unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<String>,
    /// Argo CD Applications: `status.health.status` (Healthy, Progressing, Degraded, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    #[serde(rename = "type")]
    pub condition_type: String,
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Problem {
    /// 0–10 as Backstage's error detection; sorted most severe first.
    pub severity: u8,
    /// The rule that fired (`containers-restarting`, `oom-killed`, ...).
    pub rule: String,
    /// `Pod ledger/payments-ledger-7d9c-x2x`.
    pub object: String,
    pub message: String,
    /// What to look at, as Backstage's hints.
    #[serde(default)]
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(severity: u8, rule: &str, object: String, message: String) -> Problem {
        Problem {
            severity,
            rule: rule.to_string(),
            object,
            message,
            hint: None,
        }
    }
}

/// How much a problem matters, from its 0–10 severity: 6 and up is an error (the service is
/// failing), 3 to 5 a warning (degraded), below 3 information (a rollout in progress).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn of(severity: u8) -> Level {
        match severity {
            6.. => Level::Error,
            3..=5 => Level::Warning,
            _ => Level::Info,
        }
    }
}

impl Problem {
    pub fn level(&self) -> Level {
        Level::of(self.severity)
    }
}

/// The health of one entity in one cluster, as the pages show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Healthy,
    Degraded,
    Failing,
}

/// One version a workload runs: the tag and how many ready pods run it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Running {
    pub tag: String,
    pub pods: u32,
}

/// What a workload runs against what its template wants, as the pages show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorkloadVersion {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// Tags of the ready pods' own container, most pods first; `None` when the snapshot
    /// holds none of its pods (then only the desired tag is known).
    pub running: Option<Vec<Running>>,
    /// The template's tag for the own container.
    pub desired: String,
    pub rollout: Option<String>,
    pub sidecars: Vec<String>,
    /// Another workload of the entity (a database, a cache), not the service itself.
    pub dependency: bool,
    /// `3.3.8 ×3 → 3.5.0, rollout stuck`.
    pub label: String,
}

impl Resources {
    /// Failing: an error (severity 6+) or a workload with none of its replicas ready;
    /// degraded: a warning or a settled workload short of replicas. Information (a rollout
    /// in progress) changes nothing.
    pub fn health(&self) -> Health {
        let down = self.workloads.iter().any(|w| w.desired > 0 && w.ready == 0);
        let worst = self.problems.iter().map(Problem::level).max();
        let short = self
            .workloads
            .iter()
            .any(|w| w.ready < w.desired && w.rollout.is_none());
        if down || worst == Some(Level::Error) {
            Health::Failing
        } else if worst == Some(Level::Warning) || short {
            Health::Degraded
        } else {
            Health::Healthy
        }
    }

    /// Problems that are errors or warnings (information left out).
    pub fn alerts(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.level() > Level::Info)
            .count()
    }

    /// Tags of the ready pods of `w`, with counts, most pods first; `None` when no pod of
    /// the snapshot can tell (an older snapshot, or pods that could not be listed).
    pub fn running(&self, w: &Workload) -> Option<Vec<Running>> {
        if w.container.is_empty() || self.pods.is_empty() {
            return None;
        }
        let owner = format!("{}/{}", w.kind, w.name);
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        let ready = self.pods.iter().filter(|p| {
            p.namespace == w.namespace
                && p.owner.as_deref() == Some(owner.as_str())
                && p.phase == "Running"
                && p.total > 0
                && p.ready == p.total
        });
        for p in ready {
            if let Some(c) = p.containers.iter().find(|c| c.name == w.container) {
                *counts.entry(image_tag(&c.image).to_string()).or_default() += 1;
            }
        }
        let mut running: Vec<Running> = counts
            .into_iter()
            .map(|(tag, pods)| Running { tag, pods })
            .collect();
        running.sort_by(|a, b| b.pods.cmp(&a.pods).then_with(|| a.tag.cmp(&b.tag)));
        Some(running)
    }

    /// Whether `w` is a dependency: some workload of the entity is named for the service and
    /// this one is not. When none is, all count as the service's own.
    fn is_dependency(&self, w: &Workload) -> bool {
        !w.named_for_service && self.workloads.iter().any(|o| o.named_for_service)
    }

    /// Every workload's running and desired versions, in workload order.
    pub fn workload_versions(&self) -> Vec<WorkloadVersion> {
        self.workloads
            .iter()
            .map(|w| {
                let desired = match (w.desired_image.is_empty(), w.images.as_slice()) {
                    (false, _) => image_tag(&w.desired_image).to_string(),
                    (true, [only]) => image_tag(only).to_string(),
                    (true, _) => String::new(),
                };
                let running = self.running(w);
                WorkloadVersion {
                    kind: w.kind.clone(),
                    namespace: w.namespace.clone(),
                    name: w.name.clone(),
                    label: version_label(running.as_deref(), &desired, w),
                    running,
                    desired,
                    rollout: w.rollout.clone(),
                    sidecars: w.sidecars.clone(),
                    dependency: self.is_dependency(w),
                }
            })
            .collect()
    }

    /// The service's own versions, one label per own workload (named when there are
    /// several): what the clusters page and "Where it runs" show.
    pub fn version_labels(&self) -> Vec<String> {
        let own: Vec<WorkloadVersion> = self
            .workload_versions()
            .into_iter()
            .filter(|v| !v.dependency && !v.label.is_empty())
            .collect();
        let named = own.len() > 1;
        own.into_iter()
            .map(|v| match named {
                true => format!("{} {}", v.name, v.label),
                false => v.label,
            })
            .collect()
    }

    /// The tags the service's own workloads run (the desired tag where the running one is
    /// not known): the version people compare across clusters.
    pub fn versions(&self) -> Vec<String> {
        let mut tags: Vec<String> = self
            .workload_versions()
            .into_iter()
            .filter(|v| !v.dependency)
            .flat_map(|v| match v.running {
                Some(r) => r.into_iter().map(|r| r.tag).collect::<Vec<_>>(),
                None => vec![v.desired]
                    .into_iter()
                    .filter(|d| !d.is_empty())
                    .collect(),
            })
            .collect();
        tags.sort();
        tags.dedup();
        tags
    }
}

/// `3.3.8 ×3`, `3.3.8 ×3, 3.5.0 ×1 → 3.5.0, rolling out 1/4`, `no ready pods → 3.5.0, rollout
/// stuck`; only the desired tag when nothing is known of the pods.
fn version_label(running: Option<&[Running]>, desired: &str, w: &Workload) -> String {
    let Some(running) = running else {
        return desired.to_string();
    };
    let mut label = if running.is_empty() {
        "no ready pods".to_string()
    } else {
        running
            .iter()
            .map(|r| format!("{} ×{}", r.tag, r.pods))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let settled = matches!(running, [only] if only.tag == desired);
    if !settled && !desired.is_empty() {
        label.push_str(&format!(" → {desired}"));
    }
    match w.rollout.as_deref() {
        Some("stuck") => label.push_str(", rollout stuck"),
        Some(_) => label.push_str(&format!(", rolling out {}/{}", w.updated, w.desired)),
        None => {}
    }
    label
}

/// The tag (or digest) of an image reference; `latest` when none is written.
pub fn image_tag(image: &str) -> &str {
    if let Some((_, digest)) = image.split_once('@') {
        return digest;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').map(|(_, t)| t).unwrap_or("latest")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags() {
        assert_eq!(image_tag("registry:5000/ledger/api:1.4.2"), "1.4.2");
        assert_eq!(image_tag("nginx"), "latest");
        assert_eq!(image_tag("nginx@sha256:abc"), "sha256:abc");
    }
}
