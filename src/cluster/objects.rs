//! Kubernetes objects (as the API returns them, JSON) reduced to the few fields the pages show.
//! Pure: every function reads one object and returns a model value.

use super::model::{Condition, Container, Custom, Hpa, Ingress, Job, Pod, Service, Workload};
use serde_json::Value;
use std::collections::BTreeMap;

pub fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

pub fn u32_at(v: &Value, pointer: &str) -> u32 {
    v.pointer(pointer)
        .and_then(Value::as_u64)
        .map(|n| n.min(u32::MAX as u64) as u32)
        .unwrap_or(0)
}

pub fn array_at<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

pub fn namespace(v: &Value) -> &str {
    str_at(v, "/metadata/namespace")
}

pub fn name(v: &Value) -> &str {
    str_at(v, "/metadata/name")
}

pub fn labels(v: &Value) -> BTreeMap<String, String> {
    v.pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn images(v: &Value, spec: &str) -> Vec<String> {
    let mut out: Vec<String> = array_at(v, &format!("{spec}/containers"))
        .iter()
        .map(|c| str_at(c, "/image").to_string())
        .filter(|i| !i.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The repository's last path segment: `registry:5000/ledger/api:1.4.2` → `api`.
pub fn image_name(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last)
}

/// The index of the service's own container in a pod spec's `containers`: the one the
/// `kubectl.kubernetes.io/default-container` annotation names, else the one named (or whose
/// image is named) like the service or workload, else the first. The others are sidecars.
pub fn own_container(containers: &[Value], annotations: Option<&Value>, names: &[&str]) -> usize {
    let named = |pick: &dyn Fn(&Value) -> &str, wanted: &[&str]| {
        containers
            .iter()
            .position(|c| wanted.contains(&pick(c)) && !pick(c).is_empty())
    };
    let default = annotations
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
        .and_then(Value::as_str)
        .unwrap_or("");
    named(&|c| str_at(c, "/name"), &[default])
        .or_else(|| named(&|c| str_at(c, "/name"), names))
        .or_else(|| named(&|c| image_name(str_at(c, "/image")), names))
        .unwrap_or(0)
}

/// Names that say an object belongs to the service itself rather than to a dependency:
/// the service's names plus the object's own name and `app.kubernetes.io/name` label.
fn names_with<'a>(v: &'a Value, service: &[&'a str]) -> Vec<&'a str> {
    let mut names = service.to_vec();
    names.push(name(v));
    names.push(str_at(v, "/metadata/labels/app.kubernetes.io~1name"));
    names.retain(|n| !n.is_empty());
    names
}

/// Whether a workload is named for the service: its name, its `app.kubernetes.io/name`
/// label or its own container is one of `service`'s names.
fn named_for(v: &Value, own: Option<&Value>, service: &[&str]) -> bool {
    let label = str_at(v, "/metadata/labels/app.kubernetes.io~1name");
    let container = own.map(|c| str_at(c, "/name")).unwrap_or("");
    let image = own.map(|c| image_name(str_at(c, "/image"))).unwrap_or("");
    [name(v), label, container, image]
        .iter()
        .any(|n| !n.is_empty() && service.contains(n))
}

/// `progressing` while a new template is not yet on every replica, `stuck` when the
/// Deployment's progress deadline passed; none when settled.
fn rollout(kind: &str, v: &Value, desired: u32, updated: u32) -> Option<String> {
    let stuck = array_at(v, "/status/conditions").iter().any(|c| {
        str_at(c, "/type") == "Progressing" && str_at(c, "/reason") == "ProgressDeadlineExceeded"
    });
    let generation = v.pointer("/metadata/generation").and_then(Value::as_u64);
    let observed = v
        .pointer("/status/observedGeneration")
        .and_then(Value::as_u64);
    let unobserved = matches!((generation, observed), (Some(g), Some(o)) if o < g);
    let moving = match kind {
        "DaemonSet" => updated < desired,
        "StatefulSet" => {
            let (cur, upd) = (
                str_at(v, "/status/currentRevision"),
                str_at(v, "/status/updateRevision"),
            );
            updated < desired || (!upd.is_empty() && cur != upd)
        }
        _ => updated < desired || u32_at(v, "/status/replicas") > updated,
    };
    if stuck {
        Some("stuck".into())
    } else if moving || unobserved {
        Some("progressing".into())
    } else {
        None
    }
}

/// Deployments, StatefulSets, DaemonSets and ReplicaSets, by `kind`. `service` holds the names
/// of the service they were matched to (entity name, kubernetes-id), to tell its own
/// container and workloads from sidecars and dependencies.
pub fn workload(kind: &str, v: &Value, service: &[&str]) -> Workload {
    let (desired, ready, available, updated) = if kind == "DaemonSet" {
        (
            u32_at(v, "/status/desiredNumberScheduled"),
            u32_at(v, "/status/numberReady"),
            u32_at(v, "/status/numberAvailable"),
            u32_at(v, "/status/updatedNumberScheduled"),
        )
    } else {
        // `spec.replicas` defaults to 1 when unset.
        let desired = v
            .pointer("/spec/replicas")
            .and_then(Value::as_u64)
            .map(|n| n as u32)
            .unwrap_or(1);
        (
            desired,
            u32_at(v, "/status/readyReplicas"),
            u32_at(v, "/status/availableReplicas"),
            u32_at(v, "/status/updatedReplicas"),
        )
    };
    let containers = array_at(v, "/spec/template/spec/containers");
    let names = names_with(v, service);
    let own = own_container(
        containers,
        v.pointer("/spec/template/metadata/annotations"),
        &names,
    );
    let own_spec = containers.get(own);
    let mut sidecars: Vec<String> = containers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != own)
        .map(|(_, c)| str_at(c, "/image").to_string())
        .filter(|i| !i.is_empty())
        .collect();
    sidecars.sort();
    sidecars.dedup();
    Workload {
        kind: kind.to_string(),
        namespace: namespace(v).to_string(),
        name: name(v).to_string(),
        desired,
        ready,
        available,
        updated,
        images: images(v, "/spec/template/spec"),
        container: own_spec
            .map(|c| str_at(c, "/name"))
            .unwrap_or("")
            .to_string(),
        desired_image: own_spec
            .map(|c| str_at(c, "/image"))
            .unwrap_or("")
            .to_string(),
        sidecars,
        named_for_service: named_for(v, own_spec, service),
        rollout: rollout(kind, v, desired, updated),
    }
}

/// The image a container runs: the status's (what the node pulled), unless it is only an
/// image ID, then the spec's.
fn running_image<'a>(spec: Option<&'a Value>, status: &'a Value) -> &'a str {
    let from_status = str_at(status, "/image");
    let spec_image = spec.map(|s| str_at(s, "/image")).unwrap_or("");
    if from_status.is_empty() || (from_status.starts_with("sha256:") && !spec_image.is_empty()) {
        spec_image
    } else {
        from_status
    }
}

/// The workload a pod belongs to, `Kind/name`: a Deployment through its ReplicaSet (named
/// `<deployment>-<pod-template-hash>`), or the StatefulSet, DaemonSet or Job itself.
pub fn pod_owner(v: &Value) -> Option<String> {
    let owner = array_at(v, "/metadata/ownerReferences")
        .iter()
        .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
        .or_else(|| array_at(v, "/metadata/ownerReferences").first())?;
    let (kind, owner_name) = (str_at(owner, "/kind"), str_at(owner, "/name"));
    if kind == "ReplicaSet" {
        let hash = str_at(v, "/metadata/labels/pod-template-hash");
        if let Some(deployment) = owner_name
            .strip_suffix(hash)
            .and_then(|n| n.strip_suffix('-'))
            .filter(|_| !hash.is_empty())
        {
            return Some(format!("Deployment/{deployment}"));
        }
    }
    (!kind.is_empty() && !owner_name.is_empty()).then(|| format!("{kind}/{owner_name}"))
}

fn container(spec: Option<&Value>, status: &Value) -> Container {
    let state = status
        .get("state")
        .and_then(Value::as_object)
        .and_then(|m| m.keys().next().cloned())
        .unwrap_or_else(|| "waiting".to_string());
    let reason = status
        .pointer(&format!("/state/{state}/reason"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Container {
        name: str_at(status, "/name").to_string(),
        image: running_image(spec, status).to_string(),
        ready: status
            .get("ready")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        restarts: u32_at(status, "/restartCount"),
        state,
        reason,
        last_termination: status
            .pointer("/lastState/terminated/reason")
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

pub fn pod(v: &Value) -> Pod {
    let specs = array_at(v, "/spec/containers");
    let containers: Vec<Container> = array_at(v, "/status/containerStatuses")
        .iter()
        .map(|s| {
            let spec = specs
                .iter()
                .find(|c| str_at(c, "/name") == str_at(s, "/name"));
            container(spec, s)
        })
        .collect();
    Pod {
        namespace: namespace(v).to_string(),
        name: name(v).to_string(),
        phase: str_at(v, "/status/phase").to_string(),
        ready: containers.iter().filter(|c| c.ready).count() as u32,
        total: specs.len().max(containers.len()) as u32,
        restarts: containers.iter().map(|c| c.restarts).sum(),
        containers,
        owner: pod_owner(v),
    }
}

pub fn hpa(v: &Value) -> Hpa {
    Hpa {
        namespace: namespace(v).to_string(),
        name: name(v).to_string(),
        min: v
            .pointer("/spec/minReplicas")
            .and_then(Value::as_u64)
            .unwrap_or(1) as u32,
        max: u32_at(v, "/spec/maxReplicas"),
        current: u32_at(v, "/status/currentReplicas"),
        desired: u32_at(v, "/status/desiredReplicas"),
    }
}

pub fn ingress(v: &Value) -> Ingress {
    let mut hosts: Vec<String> = array_at(v, "/spec/rules")
        .iter()
        .map(|r| str_at(r, "/host").to_string())
        .filter(|h| !h.is_empty())
        .collect();
    hosts.sort();
    hosts.dedup();
    Ingress {
        namespace: namespace(v).to_string(),
        name: name(v).to_string(),
        hosts,
    }
}

pub fn service(v: &Value) -> Service {
    Service {
        namespace: namespace(v).to_string(),
        name: name(v).to_string(),
        service_type: match str_at(v, "/spec/type") {
            "" => "ClusterIP".to_string(),
            t => t.to_string(),
        },
        ports: array_at(v, "/spec/ports")
            .iter()
            .map(|p| {
                let protocol = match str_at(p, "/protocol") {
                    "" => "TCP",
                    other => other,
                };
                format!("{}/{}", u32_at(p, "/port"), protocol)
            })
            .collect(),
    }
}

pub fn job(kind: &str, v: &Value) -> Job {
    Job {
        kind: kind.to_string(),
        namespace: namespace(v).to_string(),
        name: name(v).to_string(),
        active: if kind == "CronJob" {
            array_at(v, "/status/active").len() as u32
        } else {
            u32_at(v, "/status/active")
        },
        succeeded: u32_at(v, "/status/succeeded"),
        failed: u32_at(v, "/status/failed"),
        schedule: v
            .pointer("/spec/schedule")
            .and_then(Value::as_str)
            .map(str::to_string),
        last_schedule: v
            .pointer("/status/lastScheduleTime")
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

pub fn conditions(v: &Value) -> Vec<Condition> {
    array_at(v, "/status/conditions")
        .iter()
        .map(|c| Condition {
            condition_type: str_at(c, "/type").to_string(),
            status: str_at(c, "/status").to_string(),
            reason: c.get("reason").and_then(Value::as_str).map(str::to_string),
            message: c.get("message").and_then(Value::as_str).map(str::to_string),
        })
        .collect()
}

fn optional(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

pub fn custom(resource: &str, v: &Value) -> Custom {
    Custom {
        resource: resource.to_string(),
        namespace: namespace(v).to_string(),
        name: name(v).to_string(),
        conditions: conditions(v),
        sync: optional(v, "/status/sync/status"),
        health: optional(v, "/status/health/status"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reduces_a_deployment_and_a_pod() {
        let d = json!({"metadata":{"name":"api","namespace":"ledger"},"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"api","image":"ledger/api:1.2"},{"name":"proxy","image":"envoy:1.30"}]}}},"status":{"readyReplicas":2,"availableReplicas":2,"updatedReplicas":3}});
        let w = workload("Deployment", &d, &["ledger"]);
        assert_eq!((w.desired, w.ready, w.available, w.updated), (3, 2, 2, 3));
        assert_eq!(w.images, vec!["envoy:1.30", "ledger/api:1.2"]);
        let p = json!({"metadata":{"name":"api-1","namespace":"ledger"},"spec":{"containers":[{"name":"api","image":"ledger/api:1.2"}]},"status":{"phase":"Running","containerStatuses":[{"name":"api","ready":false,"restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}},"lastState":{"terminated":{"reason":"OOMKilled"}}}]}});
        let p = pod(&p);
        assert_eq!((p.ready, p.total, p.restarts), (0, 1, 4));
        assert_eq!(p.containers[0].state, "waiting");
        assert_eq!(p.containers[0].reason.as_deref(), Some("CrashLoopBackOff"));
        assert_eq!(
            p.containers[0].last_termination.as_deref(),
            Some("OOMKilled")
        );
    }
}
