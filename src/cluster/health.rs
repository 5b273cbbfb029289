//! Problem detection on raw Kubernetes objects: Backstage's error-detection rules (same names
//! and severities) plus the ones an SRE would add (OOMKilled, unschedulable or failed pods,
//! stuck rollouts, workloads with nothing ready, failed jobs). `now` is the snapshot time, so
//! the same objects always give the same problems.

use super::model::Problem;
use super::objects::{array_at, name, namespace, str_at, u32_at};
use crate::time::parse_rfc3339;
use serde_json::Value;

fn object_name(kind: &str, v: &Value) -> String {
    format!("{kind} {}/{}", namespace(v), name(v))
}

/// Backstage's hints for waiting reasons and last terminations.
fn hint(reason: &str) -> Option<String> {
    Some(
        match reason {
            "CrashLoopBackOff" => {
                "The container keeps crashing: look at its logs (kubectl logs --previous)."
            }
            "ImagePullBackOff" | "ErrImagePull" => {
                "The image cannot be pulled: check the image name, tag and pull secret."
            }
            "InvalidImageName" => "The image reference is malformed.",
            "CreateContainerConfigError" => "A ConfigMap or Secret the container needs is missing.",
            "OOMKilled" => {
                "The container ran out of memory: raise its memory limit or find the leak."
            }
            "Error" => "The container exited with an error: look at its logs.",
            "Unknown" => "The container ended for an unknown reason, often a node problem.",
            _ => return None,
        }
        .to_string(),
    )
}

/// Problems of one pod, at time `now` (Unix seconds).
pub fn pod_problems(pod: &Value, now: i64) -> Vec<Problem> {
    let mut out = Vec::new();
    let pod_name = object_name("Pod", pod);
    if str_at(pod, "/status/phase") == "Failed" {
        let reason = str_at(pod, "/status/reason");
        out.push(Problem::new(
            8,
            "pod-failed",
            pod_name.clone(),
            format!("The pod failed{}", suffix(reason)),
        ));
    }
    for c in array_at(pod, "/status/conditions") {
        if str_at(c, "/type") == "PodScheduled"
            && str_at(c, "/status") == "False"
            && str_at(c, "/reason") == "Unschedulable"
        {
            out.push(Problem::new(
                8,
                "pod-unschedulable",
                pod_name.clone(),
                format!("The pod cannot be scheduled: {}", str_at(c, "/message")),
            ));
        }
    }
    let specs: Vec<&Value> = array_at(pod, "/spec/containers")
        .iter()
        .chain(array_at(pod, "/spec/initContainers"))
        .collect();
    let statuses = array_at(pod, "/status/containerStatuses")
        .iter()
        .chain(array_at(pod, "/status/initContainerStatuses"));
    for status in statuses {
        let cname = str_at(status, "/name");
        let spec = specs.iter().find(|s| str_at(s, "/name") == cname);
        out.extend(container_problems(&pod_name, status, spec.copied(), now));
    }
    out
}

fn suffix(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(": {reason}")
    }
}

fn container_problems(
    pod_name: &str,
    status: &Value,
    spec: Option<&Value>,
    now: i64,
) -> Vec<Problem> {
    let cname = str_at(status, "/name");
    let problem = |severity, rule, message, reason: &str| {
        let mut p = Problem::new(severity, rule, pod_name.to_string(), message);
        p.hint = hint(reason);
        p
    };
    let mut out = Vec::new();
    if let Some(waiting) = status.pointer("/state/waiting") {
        let message = str_at(waiting, "/message");
        let reason = str_at(waiting, "/reason");
        if !message.is_empty() {
            let text = format!("Container {cname} is waiting ({reason}): {message}");
            out.push(problem(4, "container-waiting", text, reason));
        } else if matches!(
            reason,
            "CrashLoopBackOff" | "ErrImagePull" | "ImagePullBackOff"
        ) {
            // Backstage needs a message here; these reasons matter without one.
            let text = format!("Container {cname} is waiting: {reason}");
            out.push(problem(6, "container-waiting", text, reason));
        }
    }
    let restarts = u32_at(status, "/restartCount");
    if restarts > 0 {
        let last = str_at(status, "/lastState/terminated/reason");
        let text = format!(
            "Container {cname} has restarted {restarts} time{}{}",
            if restarts == 1 { "" } else { "s" },
            if last.is_empty() {
                String::new()
            } else {
                format!(" (last exit: {last})")
            }
        );
        out.push(problem(4, "containers-restarting", text, last));
    }
    let oom = ["/state/terminated/reason", "/lastState/terminated/reason"]
        .iter()
        .any(|ptr| str_at(status, ptr) == "OOMKilled");
    if oom {
        let text = format!("Container {cname} was killed for using too much memory");
        out.push(problem(8, "oom-killed", text, "OOMKilled"));
    }
    out.extend(slow_readiness(pod_name, cname, status, spec, now));
    out
}

/// A running container that is still not ready after its readiness probe's initial delay and
/// allowed failures.
fn slow_readiness(
    pod_name: &str,
    cname: &str,
    status: &Value,
    spec: Option<&Value>,
    now: i64,
) -> Option<Problem> {
    let ready = status
        .get("ready")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let probe = spec.and_then(|s| s.get("readinessProbe"))?;
    let started = status
        .pointer("/state/running/startedAt")
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)?;
    let field = |k: &str| probe.get(k).and_then(Value::as_i64).unwrap_or(0);
    let deadline =
        started + field("initialDelaySeconds") + field("periodSeconds") * field("failureThreshold");
    (!ready && now > deadline).then(|| {
        Problem::new(
            4,
            "readiness-probe-taking-too-long",
            pod_name.to_string(),
            format!(
                "Container {cname} has been running for {}s and is still not ready",
                now - started
            ),
        )
    })
}

/// Problems of a Deployment, StatefulSet or DaemonSet.
pub fn workload_problems(kind: &str, v: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    let object = object_name(kind, v);
    let w = super::objects::workload(kind, v, &[]);
    if w.desired > 0 && w.ready == 0 {
        out.push(Problem::new(
            8,
            "no-ready-replicas",
            object.clone(),
            format!("None of the {} desired replicas is ready", w.desired),
        ));
    }
    for c in array_at(v, "/status/conditions") {
        let message = str_at(c, "/message");
        if str_at(c, "/type") == "Progressing" && str_at(c, "/reason") == "ProgressDeadlineExceeded"
        {
            out.push(Problem::new(
                8,
                "rollout-stuck",
                object.clone(),
                format!("The rollout is stuck: {message}"),
            ));
        } else if kind == "Deployment" && str_at(c, "/status") == "False" && !message.is_empty() {
            out.push(Problem::new(
                6,
                "condition-message-present",
                object.clone(),
                format!("{}: {message}", str_at(c, "/type")),
            ));
        }
    }
    out.extend(rollout_problems(kind, v, &w, &object));
    out
}

/// A rollout under way (information, with how far it got), and replicas missing while the
/// Deployment still reports Available and nothing is rolling out (a warning).
fn rollout_problems(
    kind: &str,
    v: &Value,
    w: &super::model::Workload,
    object: &str,
) -> Vec<Problem> {
    let condition = |t: &str| {
        array_at(v, "/status/conditions")
            .iter()
            .find(|c| str_at(c, "/type") == t)
    };
    match w.rollout.as_deref() {
        Some("progressing") => {
            let detail = condition("Progressing")
                .filter(|c| str_at(c, "/reason") == "ReplicaSetUpdated")
                .map(|c| format!(" ({})", str_at(c, "/message")))
                .unwrap_or_default();
            vec![Problem::new(
                2,
                "rollout-in-progress",
                object.to_string(),
                format!(
                    "Rolling out: {} of {} replicas updated, {} available{detail}",
                    w.updated, w.desired, w.available
                ),
            )]
        }
        Some(_) => vec![],
        None => {
            let unavailable = u32_at(v, "/status/unavailableReplicas");
            let available = condition("Available").is_some_and(|c| str_at(c, "/status") == "True");
            if kind == "Deployment" && unavailable > 0 && available {
                vec![Problem::new(
                    4,
                    "replicas-unavailable",
                    object.to_string(),
                    format!(
                        "{unavailable} of {} replicas are unavailable while the Deployment reports Available (within its maxUnavailable); look at the pods that are not ready",
                        w.desired
                    ),
                )]
            } else {
                vec![]
            }
        }
    }
}

pub fn hpa_problems(v: &Value) -> Vec<Problem> {
    let max = u32_at(v, "/spec/maxReplicas");
    let current = u32_at(v, "/status/currentReplicas");
    if max == 0 || current != max {
        return vec![];
    }
    let object = object_name("HorizontalPodAutoscaler", v);
    let mut out = vec![Problem::new(
        8,
        "hpa-max-current-replicas",
        object.clone(),
        format!("Running at its maximum of {max} replicas: it cannot scale further"),
    )];
    let above = super::hpa::above_target(v);
    if !above.is_empty() {
        out.push(Problem::new(
            9,
            "hpa-saturated",
            object,
            format!(
                "Saturated: at its maximum of {max} replicas and still above target ({}); raise maxReplicas or add capacity",
                above.join(", ")
            ),
        ));
    }
    out
}

pub fn job_problems(v: &Value) -> Vec<Problem> {
    let failed = array_at(v, "/status/conditions")
        .iter()
        .find(|c| str_at(c, "/type") == "Failed" && str_at(c, "/status") == "True");
    match failed {
        Some(c) => vec![Problem::new(
            6,
            "job-failed",
            object_name("Job", v),
            format!(
                "The job failed{}{}",
                suffix(str_at(c, "/reason")),
                if str_at(c, "/message").is_empty() {
                    String::new()
                } else {
                    format!(" — {}", str_at(c, "/message"))
                }
            ),
        )],
        None => vec![],
    }
}

/// Problems of a custom resource: Argo CD Applications by sync and health status, Flux
/// Kustomizations and HelmReleases by their Ready condition, any other by a `Ready` (or
/// `Available`, `Healthy`, `Synced`) condition that is False.
pub fn custom_problems(c: &super::model::Custom, v: &Value) -> Vec<Problem> {
    let object = format!("{} {}/{}", c.resource, c.namespace, c.name);
    if super::gitops::is_argo_application(&c.resource) {
        return super::gitops::argo_problems(c, v, &object);
    }
    if super::gitops::is_flux(&c.resource) {
        return super::gitops::flux_problems(c, v, &object);
    }
    c.conditions
        .iter()
        .filter(|k| {
            k.status == "False"
                && matches!(
                    k.condition_type.as_str(),
                    "Ready" | "Available" | "Healthy" | "Synced"
                )
        })
        .map(|k| {
            Problem::new(
                6,
                "custom-resource-not-ready",
                object.clone(),
                format!(
                    "{} is False{}",
                    k.condition_type,
                    k.message
                        .as_deref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_763_892_000; // 2025-11-23T10:00:00Z

    fn pod(container_status: Value, probe: Option<Value>) -> Value {
        let mut spec = json!({"name": "api", "image": "ledger/api:1.2"});
        if let Some(p) = probe {
            spec["readinessProbe"] = p;
        }
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "api-7d9c-x2x", "namespace": "ledger", "labels": {"app": "api"}},
            "spec": {"containers": [spec]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}],
                        "containerStatuses": [container_status]}
        })
    }

    fn rules(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.rule.as_str()).collect()
    }

    #[test]
    fn readiness_probe_taking_too_long() {
        let status = json!({"name": "api", "ready": false, "restartCount": 0,
            "state": {"running": {"startedAt": "2025-11-23T09:58:00Z"}}});
        let probe = json!({"httpGet": {"path": "/ready", "port": 8080}, "initialDelaySeconds": 10, "periodSeconds": 10, "failureThreshold": 3});
        // 120 s running > 10 + 10 × 3.
        let p = pod_problems(&pod(status.clone(), Some(probe.clone())), NOW);
        assert_eq!(rules(&p), vec!["readiness-probe-taking-too-long"]);
        assert_eq!(p[0].severity, 4);
        // Still inside the probe's budget.
        assert!(pod_problems(&pod(status.clone(), Some(probe)), NOW - 100).is_empty());
        // No probe: the rule does not apply.
        assert!(pod_problems(&pod(status, None), NOW).is_empty());
    }

    #[test]
    fn container_waiting_with_a_message_and_hint() {
        let status = json!({"name": "api", "ready": false, "restartCount": 0,
            "state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"ledger/api:1.3\""}}});
        let p = pod_problems(&pod(status, None), NOW);
        assert_eq!(rules(&p), vec!["container-waiting"]);
        assert_eq!(p[0].severity, 4);
        assert!(p[0].hint.as_deref().unwrap().contains("pulled"));
    }

    #[test]
    fn containers_restarting_and_oom_killed() {
        let status = json!({"name": "api", "ready": true, "restartCount": 7,
            "state": {"running": {"startedAt": "2025-11-23T09:00:00Z"}},
            "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137}}});
        let p = pod_problems(&pod(status, None), NOW);
        assert_eq!(rules(&p), vec!["containers-restarting", "oom-killed"]);
        assert_eq!((p[0].severity, p[1].severity), (4, 8));
        assert!(p[0].message.contains("7 times"), "{}", p[0].message);
    }

    #[test]
    fn crash_loop_without_message_still_counts() {
        let status = json!({"name": "api", "ready": false, "restartCount": 3,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"reason": "Error", "exitCode": 1}}});
        let p = pod_problems(&pod(status, None), NOW);
        assert_eq!(
            rules(&p),
            vec!["container-waiting", "containers-restarting"]
        );
    }

    #[test]
    fn unschedulable_and_failed_pods() {
        let pending = json!({
            "metadata": {"name": "api-1", "namespace": "ledger"},
            "spec": {"containers": [{"name": "api", "image": "x:1"}]},
            "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                "message": "0/6 nodes are available: 6 Insufficient memory."}]}
        });
        let p = pod_problems(&pending, NOW);
        assert_eq!(rules(&p), vec!["pod-unschedulable"]);
        assert!(p[0].message.contains("Insufficient memory"));
        let failed = json!({"metadata": {"name": "b", "namespace": "n"}, "status": {"phase": "Failed", "reason": "Evicted"}});
        assert_eq!(rules(&pod_problems(&failed, NOW)), vec!["pod-failed"]);
    }

    #[test]
    fn healthy_pod_has_no_problems() {
        let status = json!({"name": "api", "ready": true, "restartCount": 0,
            "state": {"running": {"startedAt": "2025-11-23T09:00:00Z"}}});
        let probe = json!({"periodSeconds": 5});
        assert!(pod_problems(&pod(status, Some(probe)), NOW).is_empty());
    }

    fn deployment(ready: u32, conditions: Value) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "api", "namespace": "ledger"},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "api", "image": "ledger/api:1.2"}]}}},
            "status": {"replicas": 3, "readyReplicas": ready, "availableReplicas": ready, "updatedReplicas": 3, "conditions": conditions}
        })
    }

    #[test]
    fn deployment_condition_message_present() {
        let d = deployment(
            2,
            json!([{"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable",
                "message": "Deployment does not have minimum availability."},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ok"}]),
        );
        let p = workload_problems("Deployment", &d);
        assert_eq!(rules(&p), vec!["condition-message-present"]);
        assert_eq!(p[0].severity, 6);
    }

    #[test]
    fn rollout_stuck_and_nothing_ready() {
        let d = deployment(
            0,
            json!([{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                "message": "ReplicaSet \"api-5f6\" has timed out progressing."}]),
        );
        let p = workload_problems("Deployment", &d);
        assert_eq!(rules(&p), vec!["no-ready-replicas", "rollout-stuck"]);
        assert!(workload_problems("Deployment", &deployment(3, json!([]))).is_empty());
    }

    #[test]
    fn hpa_at_max() {
        let h = json!({"metadata": {"name": "api", "namespace": "ledger"}, "spec": {"minReplicas": 2, "maxReplicas": 10},
            "status": {"currentReplicas": 10, "desiredReplicas": 10}});
        let p = hpa_problems(&h);
        assert_eq!(rules(&p), vec!["hpa-max-current-replicas"]);
        assert_eq!(p[0].severity, 8);
        let below = json!({"spec": {"maxReplicas": 10}, "status": {"currentReplicas": 4}});
        assert!(hpa_problems(&below).is_empty());
    }

    /// A Deployment mid-rollout from 3.3.8 to 3.5.0: 4 replicas, 1 surge pod, 2 updated.
    fn mid_rollout(conditions: Value, unavailable: u32) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "checkout", "namespace": "shop", "generation": 12},
            "spec": {"replicas": 4, "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                "template": {"spec": {"containers": [{"name": "checkout", "image": "registry.test/shop/checkout:3.5.0"}]}}},
            "status": {"observedGeneration": 12, "replicas": 5, "updatedReplicas": 2, "readyReplicas": 4,
                "availableReplicas": 4, "unavailableReplicas": unavailable, "conditions": conditions}
        })
    }

    #[test]
    fn rollout_in_progress_is_information_with_its_progress() {
        let d = mid_rollout(
            json!([{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."},
                {"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated", "message": "ReplicaSet \"checkout-7b9f4\" is progressing."}]),
            1,
        );
        let p = workload_problems("Deployment", &d);
        assert_eq!(rules(&p), vec!["rollout-in-progress"]);
        assert_eq!(p[0].level(), crate::cluster::model::Level::Info);
        assert!(
            p[0].message
                .contains("2 of 4 replicas updated, 4 available")
                && p[0].message.contains("checkout-7b9f4"),
            "{}",
            p[0].message
        );
        // The surge pod's unavailability is part of the rollout, not a warning of its own.
        assert!(!rules(&p).contains(&"replicas-unavailable"));
    }

    #[test]
    fn replicas_unavailable_while_the_deployment_says_available() {
        let mut d = deployment(
            3,
            json!([{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ReplicaSet \"api-5f6\" has successfully progressed."}]),
        );
        d["spec"]["replicas"] = json!(4);
        d["status"]["replicas"] = json!(4);
        d["status"]["updatedReplicas"] = json!(4);
        d["status"]["unavailableReplicas"] = json!(1);
        let p = workload_problems("Deployment", &d);
        assert_eq!(rules(&p), vec!["replicas-unavailable"]);
        assert_eq!(p[0].level(), crate::cluster::model::Level::Warning);
        assert!(
            p[0].message.starts_with("1 of 4 replicas"),
            "{}",
            p[0].message
        );
    }

    #[test]
    fn a_stuck_rollout_is_not_reported_as_in_progress() {
        let d = mid_rollout(
            json!([{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                "message": "ReplicaSet \"checkout-7b9f4\" has timed out progressing."}]),
            1,
        );
        assert_eq!(
            rules(&workload_problems("Deployment", &d)),
            vec!["rollout-stuck"]
        );
    }

    #[test]
    fn hpa_saturated_only_when_above_target_at_max() {
        let h = |cpu: u32| {
            json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "checkout", "namespace": "shop"},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "checkout"},
                    "minReplicas": 3, "maxReplicas": 12,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]},
                "status": {"currentReplicas": 12, "desiredReplicas": 12,
                    "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": cpu, "averageValue": "820m"}}}],
                    "conditions": [{"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas", "message": "the desired replica count is more than the maximum replica count"}]}})
        };
        let p = hpa_problems(&h(93));
        assert_eq!(rules(&p), vec!["hpa-max-current-replicas", "hpa-saturated"]);
        assert!(p[1].message.contains("cpu 93% > 70%"), "{}", p[1].message);
        assert_eq!(p[1].level(), crate::cluster::model::Level::Error);
        assert_eq!(
            rules(&hpa_problems(&h(64))),
            vec!["hpa-max-current-replicas"]
        );
    }

    #[test]
    fn failed_job() {
        let j = json!({"metadata": {"name": "close-day", "namespace": "ledger"}, "status": {"failed": 6,
            "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]}});
        let p = job_problems(&j);
        assert_eq!(rules(&p), vec!["job-failed"]);
        assert!(p[0].message.contains("BackoffLimitExceeded"));
        assert!(job_problems(&json!({"status": {"succeeded": 1}})).is_empty());
    }
}
