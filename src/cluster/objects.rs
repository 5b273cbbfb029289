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

/// Deployments, StatefulSets, DaemonSets and ReplicaSets, by `kind`.
pub fn workload(kind: &str, v: &Value) -> Workload {
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
    Workload {
        kind: kind.to_string(),
        namespace: namespace(v).to_string(),
        name: name(v).to_string(),
        desired,
        ready,
        available,
        updated,
        images: images(v, "/spec/template/spec"),
    }
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
        image: spec
            .map(|s| str_at(s, "/image"))
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| str_at(status, "/image"))
            .to_string(),
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

pub fn custom(resource: &str, v: &Value) -> Custom {
    Custom {
        resource: resource.to_string(),
        namespace: namespace(v).to_string(),
        name: name(v).to_string(),
        conditions: conditions(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reduces_a_deployment_and_a_pod() {
        let d = json!({"metadata":{"name":"api","namespace":"ledger"},"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"api","image":"ledger/api:1.2"},{"name":"proxy","image":"envoy:1.30"}]}}},"status":{"readyReplicas":2,"availableReplicas":2,"updatedReplicas":3}});
        let w = workload("Deployment", &d);
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
