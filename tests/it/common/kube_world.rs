//! Realistic Kubernetes objects for the test API server: per service a Deployment, its
//! ReplicaSet and pods (owner references, probes, container statuses), a Service, a ConfigMap,
//! an HPA and an Ingress, labelled the way Backstage expects (`backstage.io/kubernetes-id`).
#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub(crate) struct Svc {
    pub namespace: String,
    pub id: String,
    pub replicas: u32,
    pub ready: u32,
    pub image: String,
    /// The first pod's container was OOMKilled and restarted.
    pub oom: bool,
}

impl Svc {
    pub(crate) fn new(namespace: &str, id: &str, replicas: u32, image: &str) -> Svc {
        Svc {
            namespace: namespace.into(),
            id: id.into(),
            replicas,
            ready: replicas,
            image: image.into(),
            oom: false,
        }
    }
}

const STARTED: &str = "2026-11-20T08:00:00Z";

fn deployment(s: &Svc) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": s.id, "namespace": s.namespace, "uid": format!("uid-{}", s.id),
            "labels": {"backstage.io/kubernetes-id": s.id, "app.kubernetes.io/name": s.id},
            "annotations": {"deployment.kubernetes.io/revision": "7"}},
        "spec": {"replicas": s.replicas,
            "selector": {"matchLabels": {"app.kubernetes.io/name": s.id}},
            "template": {"metadata": {"labels": {"backstage.io/kubernetes-id": s.id, "app.kubernetes.io/name": s.id}},
                "spec": {"containers": [{"name": "app", "image": s.image,
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                    "resources": {"limits": {"memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 10, "failureThreshold": 3}}]}}},
        "status": {"observedGeneration": 7, "replicas": s.replicas, "updatedReplicas": s.replicas,
            "readyReplicas": s.ready, "availableReplicas": s.ready,
            "conditions": [
                {"type": "Available", "status": if s.ready > 0 { "True" } else { "False" },
                 "reason": if s.ready > 0 { "MinimumReplicasAvailable" } else { "MinimumReplicasUnavailable" },
                 "message": if s.ready > 0 { "Deployment has minimum availability." } else { "Deployment does not have minimum availability." }},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                 "message": format!("ReplicaSet \"{}-5f7d9c\" has successfully progressed.", s.id)}]}
    })
}

fn replica_set(s: &Svc) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": format!("{}-5f7d9c", s.id), "namespace": s.namespace,
            "labels": {"backstage.io/kubernetes-id": s.id, "pod-template-hash": "5f7d9c"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": s.id, "uid": format!("uid-{}", s.id), "controller": true}]},
        "spec": {"replicas": s.replicas},
        "status": {"replicas": s.replicas, "readyReplicas": s.ready, "availableReplicas": s.ready}
    })
}

fn pod(s: &Svc, i: u32) -> Value {
    let ready = i < s.ready;
    let oom = s.oom && i == 0;
    let mut status = json!({"name": "app", "image": s.image, "imageID": format!("docker-pullable://{}@sha256:{:064x}", s.image, i),
        "ready": ready, "started": true, "restartCount": if oom { 3 } else { 0 },
        "state": {"running": {"startedAt": STARTED}}});
    if oom {
        status["lastState"] = json!({"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": "2026-11-20T07:00:00Z", "finishedAt": "2026-11-20T07:59:00Z"}});
    }
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": format!("{}-5f7d9c-{i:05}", s.id), "namespace": s.namespace,
            "labels": {"backstage.io/kubernetes-id": s.id, "app.kubernetes.io/name": s.id, "pod-template-hash": "5f7d9c"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{}-5f7d9c", s.id), "controller": true}]},
        "spec": {"nodeName": format!("node-{}", i % 12), "containers": [{"name": "app", "image": s.image,
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 10, "failureThreshold": 3}}]},
        "status": {"phase": "Running", "podIP": format!("10.1.{}.{}", i / 250, i % 250), "startTime": STARTED,
            "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }},
                           {"type": "PodScheduled", "status": "True"}],
            "containerStatuses": [status]}
    })
}

fn service(s: &Svc) -> Value {
    json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": s.id, "namespace": s.namespace, "labels": {"backstage.io/kubernetes-id": s.id}},
        "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.10", "selector": {"app.kubernetes.io/name": s.id},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]}})
}

fn config_map(s: &Svc) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": format!("{}-config", s.id), "namespace": s.namespace, "labels": {"backstage.io/kubernetes-id": s.id}},
        "data": {"LOG_LEVEL": "info"}})
}

fn hpa(s: &Svc) -> Value {
    json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": s.id, "namespace": s.namespace, "labels": {"backstage.io/kubernetes-id": s.id}},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": s.id},
            "minReplicas": 1, "maxReplicas": s.replicas.max(1) * 2,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]},
        "status": {"currentReplicas": s.replicas, "desiredReplicas": s.replicas}})
}

fn ingress(s: &Svc) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": s.id, "namespace": s.namespace, "labels": {"backstage.io/kubernetes-id": s.id}},
        "spec": {"ingressClassName": "nginx", "rules": [{"host": format!("{}.example.test", s.id),
            "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": s.id, "port": {"number": 80}}}}]}}]}})
}

/// Every default resource path, filled with the objects of `services`.
pub(crate) fn world(services: &[Svc]) -> BTreeMap<String, Vec<Value>> {
    let mut w: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for path in [
        "/api/v1/pods",
        "/api/v1/services",
        "/api/v1/configmaps",
        "/api/v1/limitranges",
        "/api/v1/resourcequotas",
        "/apis/apps/v1/deployments",
        "/apis/apps/v1/replicasets",
        "/apis/apps/v1/statefulsets",
        "/apis/apps/v1/daemonsets",
        "/apis/autoscaling/v2/horizontalpodautoscalers",
        "/apis/batch/v1/jobs",
        "/apis/batch/v1/cronjobs",
        "/apis/networking.k8s.io/v1/ingresses",
    ] {
        w.insert(path.to_string(), Vec::new());
    }
    let mut push = |path: &str, v: Value| w.get_mut(path).unwrap().push(v);
    for s in services {
        push("/apis/apps/v1/deployments", deployment(s));
        push("/apis/apps/v1/replicasets", replica_set(s));
        for i in 0..s.replicas {
            push("/api/v1/pods", pod(s, i));
        }
        push("/api/v1/services", service(s));
        push("/api/v1/configmaps", config_map(s));
        push("/apis/autoscaling/v2/horizontalpodautoscalers", hpa(s));
        push("/apis/networking.k8s.io/v1/ingresses", ingress(s));
    }
    w
}
