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
    /// API requests made for this cluster.
    #[serde(default)]
    pub requests: u32,
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
    pub images: Vec<String>,
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

/// The health of one entity in one cluster, as the pages show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Healthy,
    Degraded,
    Failing,
}

impl Resources {
    /// Failing: a severe problem (6+) or a workload with none of its replicas ready;
    /// degraded: any other problem or a workload short of replicas.
    pub fn health(&self) -> Health {
        let down = self.workloads.iter().any(|w| w.desired > 0 && w.ready == 0);
        if down || self.problems.iter().any(|p| p.severity >= 6) {
            Health::Failing
        } else if !self.problems.is_empty() || self.workloads.iter().any(|w| w.ready < w.desired) {
            Health::Degraded
        } else {
            Health::Healthy
        }
    }

    /// The image tags the workloads run (the version people compare across clusters).
    pub fn versions(&self) -> Vec<String> {
        let mut tags: Vec<String> = self
            .workloads
            .iter()
            .flat_map(|w| w.images.iter())
            .map(|i| image_tag(i).to_string())
            .collect();
        tags.sort();
        tags.dedup();
        tags
    }
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
