#!/usr/bin/env python3
"""Writes demo-snapshot.json: four clusters (prod-eu, prod-us, staging, dev) for the demo
organisation, in the format `playbill snapshot` writes, with healthy, degraded and failing
services, version drift, a stuck rollout (ready pods on the old version, the new one
crash-looping), a rollout in progress, an Argo CD Application out of sync, sidecars, a stale
cluster, a partly failed cluster (HPAs timed out, shown from the previous snapshot), a
forbidden object type and unowned workloads.

Every entity of examples/demo-org with a kubernetes-id annotation gets data; rerun after
changing the demo catalog:  python3 examples/kubernetes/demo_snapshot.py
Needs PyYAML.
"""
import hashlib
import json
import pathlib

import yaml

HERE = pathlib.Path(__file__).resolve().parent
ORG = HERE.parent / "demo-org"
TAKEN_AT = 1795430000  # 2026-11-23 10:33 UTC
DEV_TAKEN_AT = TAKEN_AT - 3 * 3600 - 600
PREVIOUS_TAKEN_AT = TAKEN_AT - 40 * 60  # the previous snapshot, which prod-us's HPAs come from
ARGO_APPS = "argoproj.io/v1alpha1/applications"

CLUSTERS = [
    {"name": "prod-eu", "title": "prod-eu", "dashboard_url": "https://grafana.kloudvin.example/d/k8s?var-cluster=prod-eu"},
    {"name": "prod-us", "title": "prod-us", "dashboard_url": "https://grafana.kloudvin.example/d/k8s?var-cluster=prod-us"},
    {"name": "staging", "title": "staging", "dashboard_url": "https://grafana.kloudvin.example/d/k8s?var-cluster=staging"},
    {"name": "dev", "title": "dev", "dashboard_url": None},
]

# Deliberate trouble, by (kubernetes-id, cluster).
TROUBLE = {
    ("payments-ledger", "prod-us"): "oom",
    ("payments-ledger", "staging"): "rollout",
    ("fraud-scorer", "prod-us"): "crashloop",
    ("card-tokenizer", "staging"): "imagepull",
    ("merchant-webhooks", "prod-eu"): "hpa-max",
    ("settlement", "prod-eu"): "job-failed",
    ("kyc-checker", "prod-eu"): "unschedulable",
    ("fx-rates", "prod-us"): "readiness",
    ("legacy-sso-bridge", "prod-eu"): "down",
    ("payments-gateway", "prod-eu"): "argo-out-of-sync",
    ("fx-rates", "prod-eu"): "rolling",
}
# Services deployed with a sidecar next to their own container.
SIDECARS = {"payments-gateway": "envoyproxy/envoy:v1.31.2", "card-tokenizer": "cr.l5d.io/linkerd/proxy:stable-2.14.10"}
# Versions that differ from the cluster default (drift).
DRIFT = {
    ("payments-ledger", "staging"): "2.5.0-rc.1",
    ("payments-ledger", "dev"): "2.5.0",
    ("payments-gateway", "prod-us"): "3.11.2",
    ("fx-rates", "staging"): "1.9.0",
    ("identity-provider", "prod-us"): "5.2.0",
}


def entities():
    out = []
    for path in sorted(ORG.rglob("*.yaml")):
        try:
            docs = list(yaml.safe_load_all(path.read_text()))
        except yaml.YAMLError:
            continue
        for d in docs:
            if not isinstance(d, dict) or not isinstance(d.get("metadata"), dict):
                continue
            ann = d["metadata"].get("annotations") or {}
            kid = ann.get("backstage.io/kubernetes-id")
            if not isinstance(kid, str) or "$" in kid or d.get("kind") == "Template":
                continue
            ns = d["metadata"].get("namespace", "default")
            ref = f"{d['kind'].lower()}:{ns}/{d['metadata']['name']}".lower()
            spec = d.get("spec") or {}
            out.append({
                "ref": ref,
                "id": kid,
                "namespace": ann.get("backstage.io/kubernetes-namespace"),
                "lifecycle": spec.get("lifecycle", ""),
                "type": spec.get("type", ""),
            })
    return sorted(out, key=lambda e: e["ref"])


def h(*parts):
    return int(hashlib.sha256("/".join(parts).encode()).hexdigest(), 16)


# Deployed with a label that does not match its kubernetes-id: found nowhere, as the empty
# Kubernetes tab Backstage users know; its page says what was searched where.
NOWHERE = {"report-builder"}


def clusters_for(e):
    if e["id"] in NOWHERE:
        return []
    if e["lifecycle"] == "experimental":
        return ["staging", "dev"]
    if e["lifecycle"] == "deprecated":
        return ["prod-eu"]
    n = h(e["id"]) % 5
    if n == 0:
        return ["prod-eu", "staging", "dev"]  # EU-only service
    return ["prod-eu", "prod-us", "staging", "dev"]


def version(e, cluster):
    if (e["id"], cluster) in DRIFT:
        return DRIFT[(e["id"], cluster)]
    return base_version(e)


def base_version(e):
    n = h(e["id"], "v")
    return f"{1 + n % 4}.{n % 13}.{n % 7}"


def pod_name(sid, tag, cluster, i):
    return f"{sid}-{h(sid, tag) % 0xfffff:05x}-{h(sid, cluster, str(i)) % 0xfffff:05x}"


def sidecar(sid):
    image = SIDECARS.get(sid)
    if not image:
        return []
    return [{"name": image.split("/")[-1].split(":")[0], "image": image, "ready": True, "restarts": 0,
             "state": "running", "reason": None, "last_termination": None}]


def rollout_pods(sid, ns, cluster, trouble, old_tag, new_tag, replicas):
    """The pods of a rollout: the old ReplicaSet's ready pods, and the new ReplicaSet's pod,
    crash-looping (stuck) or ready (in progress); with their problems."""
    pods, problems = [], []
    old = replicas if trouble == "rollout" else replicas - 1
    for i in range(old):
        name = pod_name(sid, old_tag, cluster, i)
        pods.append({"namespace": ns, "name": name, "phase": "Running", "ready": 1, "total": 1, "restarts": 0,
                     "owner": f"Deployment/{sid}",
                     "containers": [{"name": sid, "image": f"registry.kloudvin.example/{ns}/{sid}:{old_tag}", "ready": True,
                                     "restarts": 0, "state": "running", "reason": None, "last_termination": None}]})
    name = pod_name(sid, new_tag, cluster, 0)
    stuck = trouble == "rollout"
    container = {"name": sid, "image": f"registry.kloudvin.example/{ns}/{sid}:{new_tag}", "ready": not stuck,
                 "restarts": 9 if stuck else 0, "state": "waiting" if stuck else "running",
                 "reason": "CrashLoopBackOff" if stuck else None, "last_termination": "Error" if stuck else None}
    pods.append({"namespace": ns, "name": name, "phase": "Running", "ready": 0 if stuck else 1, "total": 1,
                 "restarts": container["restarts"], "owner": f"Deployment/{sid}", "containers": [container]})
    if stuck:
        obj = f"Pod {ns}/{name}"
        problems.append({"severity": 6, "rule": "container-waiting", "object": obj,
                         "message": f"Container {sid} is waiting: CrashLoopBackOff",
                         "hint": "The container keeps crashing: look at its logs (kubectl logs --previous)."})
        problems.append({"severity": 4, "rule": "containers-restarting", "object": obj,
                         "message": f"Container {sid} has restarted 9 times (last exit: Error)",
                         "hint": "The container exited with an error: look at its logs."})
    else:
        problems.append({"severity": 2, "rule": "rollout-in-progress", "object": f"Deployment {ns}/{sid}",
                         "message": f"Rolling out: 1 of {replicas} replicas updated, {replicas} available "
                                    f"(ReplicaSet \"{sid}-{h(sid, new_tag) % 0xfffff:05x}\" is progressing.)", "hint": None})
    return pods, problems


def argo_application(sid, ns, trouble):
    """The Argo CD Application that deploys a service, and its problems."""
    app = {"resource": ARGO_APPS, "namespace": "argocd", "name": f"{sid}-prod-eu", "conditions": [],
           "sync": "OutOfSync" if trouble == "argo-out-of-sync" else "Synced", "health": "Healthy"}
    problems = []
    if trouble == "argo-out-of-sync":
        problems.append({"severity": 4, "rule": "argocd-out-of-sync", "object": f"{ARGO_APPS} argocd/{sid}-prod-eu",
                         "message": "Out of sync with Git (revision 4f1c2d9): the live objects differ from the desired state; "
                                    "sync the Application or look at its diff", "hint": None})
    return app, problems


def resources(e, cluster):
    ns = e["namespace"] or "default"
    sid = e["id"]
    tag = version(e, cluster)
    image = f"registry.kloudvin.example/{ns}/{sid}:{tag}"
    replicas = 1 if cluster in ("staging", "dev") else 2 + h(sid) % 3
    trouble = TROUBLE.get((sid, cluster))
    if trouble == "rollout":
        replicas = 2
    ready = replicas
    problems = []
    pods = []
    kind = "Deployment"
    rollout = {"rollout": "stuck", "rolling": "progressing"}.get(trouble)
    if rollout:
        new_tag = tag if trouble == "rollout" else f"{tag.rsplit('.', 1)[0]}.{int(tag.rsplit('.', 1)[1]) + 1}"
        old_tag = base_version(e) if trouble == "rollout" else tag
        image = f"registry.kloudvin.example/{ns}/{sid}:{new_tag}"
        pods, problems = rollout_pods(sid, ns, cluster, trouble, old_tag, new_tag, replicas)
    for i in range(0 if rollout else replicas):
        name = pod_name(sid, tag, cluster, i)
        container = {"name": sid, "image": image, "ready": True, "restarts": 0, "state": "running",
                     "reason": None, "last_termination": None}
        phase = "Running"
        obj = f"Pod {ns}/{name}"
        if trouble == "oom" and i == 0:
            container.update(restarts=4, last_termination="OOMKilled")
            problems.append({"severity": 4, "rule": "containers-restarting", "object": obj,
                             "message": f"Container {sid} has restarted 4 times (last exit: OOMKilled)",
                             "hint": "The container ran out of memory: raise its memory limit or find the leak."})
            problems.append({"severity": 8, "rule": "oom-killed", "object": obj,
                             "message": f"Container {sid} was killed for using too much memory",
                             "hint": "The container ran out of memory: raise its memory limit or find the leak."})
        if trouble == "crashloop":
            container.update(ready=False, restarts=37 + i, state="waiting", reason="CrashLoopBackOff", last_termination="Error")
            problems.append({"severity": 6, "rule": "container-waiting", "object": obj,
                             "message": f"Container {sid} is waiting: CrashLoopBackOff",
                             "hint": "The container keeps crashing: look at its logs (kubectl logs --previous)."})
            problems.append({"severity": 4, "rule": "containers-restarting", "object": obj,
                             "message": f"Container {sid} has restarted {37 + i} times (last exit: Error)",
                             "hint": "The container exited with an error: look at its logs."})
        if trouble == "imagepull":
            container.update(ready=False, state="waiting", reason="ImagePullBackOff")
            phase = "Pending"
            problems.append({"severity": 4, "rule": "container-waiting", "object": obj,
                             "message": f"Container {sid} is waiting (ImagePullBackOff): Back-off pulling image \"{image}\"",
                             "hint": "The image cannot be pulled: check the image name, tag and pull secret."})
        if trouble == "unschedulable" and i == replicas - 1:
            container = None
            phase = "Pending"
            problems.append({"severity": 8, "rule": "pod-unschedulable", "object": obj,
                             "message": "The pod cannot be scheduled: 0/9 nodes are available: 3 Insufficient memory, 6 node(s) had untolerated taint {pool: batch}.",
                             "hint": None})
        if trouble == "readiness" and i == 0:
            container.update(ready=False)
            problems.append({"severity": 4, "rule": "readiness-probe-taking-too-long", "object": obj,
                             "message": f"Container {sid} has been running for 1260s and is still not ready", "hint": None})
        if trouble == "down":
            container.update(ready=False, restarts=12, state="waiting", reason="CrashLoopBackOff", last_termination="Error")
        containers = [container] + sidecar(sid) if container else []
        is_ready = bool(container and container["ready"])
        if not is_ready:
            ready -= 1
        pods.append({"namespace": ns, "name": name, "phase": phase, "ready": len(containers) if is_ready else 0,
                     "total": len(containers) or 1, "restarts": container["restarts"] if container else 0,
                     "containers": containers, "owner": f"Deployment/{sid}"})
    if trouble == "rollout":
        problems.append({"severity": 8, "rule": "rollout-stuck", "object": f"Deployment {ns}/{sid}",
                         "message": f"The rollout is stuck: ReplicaSet \"{sid}-{h(sid, tag) % 0xfffff:05x}\" has timed out progressing.", "hint": None})
    custom = []
    if cluster == "prod-eu" and trouble == "argo-out-of-sync":
        app, found = argo_application(sid, ns, trouble)
        custom.append(app)
        problems.extend(found)
    if ready == 0:
        problems.append({"severity": 8, "rule": "no-ready-replicas", "object": f"Deployment {ns}/{sid}",
                         "message": f"None of the {replicas} desired replicas is ready", "hint": None})
    if ready == 0:
        problems.append({"severity": 6, "rule": "condition-message-present", "object": f"Deployment {ns}/{sid}",
                         "message": "Available: Deployment does not have minimum availability.", "hint": None})
    hpas = []
    if cluster.startswith("prod"):
        mx = replicas * 3
        cur = mx if trouble == "hpa-max" else replicas
        hpas.append({"namespace": ns, "name": sid, "min": replicas, "max": mx, "current": cur, "desired": cur})
        if trouble == "hpa-max":
            problems.append({"severity": 8, "rule": "hpa-max-current-replicas", "object": f"HorizontalPodAutoscaler {ns}/{sid}",
                             "message": f"Running at its maximum of {mx} replicas: it cannot scale further", "hint": None})
    jobs = []
    if trouble == "job-failed":
        jobs.append({"kind": "CronJob", "namespace": ns, "name": f"{sid}-nightly", "active": 0, "succeeded": 0, "failed": 0,
                     "schedule": "30 1 * * *", "last_schedule": "2026-11-24T01:30:00Z"})
        jobs.append({"kind": "Job", "namespace": ns, "name": f"{sid}-nightly-29402970", "active": 0, "succeeded": 0, "failed": 6,
                     "schedule": None, "last_schedule": None})
        problems.append({"severity": 6, "rule": "job-failed", "object": f"Job {ns}/{sid}-nightly-29402970",
                         "message": "The job failed: BackoffLimitExceeded — Job has reached the specified backoff limit", "hint": None})
    region = {"prod-eu": "eu", "prod-us": "us"}.get(cluster, cluster)
    ingresses = []
    if e["type"] in ("service", "website"):
        ingresses.append({"namespace": ns, "name": sid, "hosts": [f"{sid}.{region}.kloudvin.example"]})
    services = [{"namespace": ns, "name": sid, "type": "ClusterIP", "ports": ["80/TCP", "9090/TCP"]}]
    problems.sort(key=lambda p: (-p["severity"], p["object"], p["rule"], p["message"]))
    pods.sort(key=lambda p: (p["namespace"], p["name"]))
    other = {"replicasets": 2}
    if cluster != "staging":  # configmaps were forbidden there
        other["configmaps"] = 1
    return {
        "workloads": [{"kind": kind, "namespace": ns, "name": sid, "desired": replicas, "ready": ready,
                       "available": ready, "updated": 1 if rollout else replicas,
                       "images": sorted([image] + [c["image"] for c in sidecar(sid)]),
                       "container": sid, "desired_image": image, "sidecars": [c["image"] for c in sidecar(sid)],
                       "named_for_service": True, "rollout": rollout}],
        "pods": pods, "hpas": hpas, "ingresses": ingresses, "services": services, "jobs": jobs,
        "custom": custom, "other": other, "problems": problems,
    }


def main():
    ents = entities()
    snapshot = {"version": 1, "taken_at": TAKEN_AT, "clusters": [], "entities": {}, "unowned": {}}
    for c in CLUSTERS:
        info = {**c, "namespaces": [], "taken_at": TAKEN_AT, "stale": False, "unreachable": False, "errors": [], "requests": 13}
        if c["name"] == "prod-eu":
            info["requests"] = 14  # and the Argo CD Applications
        if c["name"] == "staging":
            message = ("ConfigMaps could not be read in staging: forbidden (403); Playbill may not list v1/configmaps "
                       "in all namespaces: grant `list` on `configmaps` to its service account")
            info["errors"] = [message]
            info["failed_types"] = [{"resource": "v1/configmaps", "label": "ConfigMaps", "reason": "forbidden (403)",
                                     "message": message, "stale_since": None}]
        if c["name"] == "prod-us":
            reason = "timed out (no answer within 10s, 4 attempts)"
            message = f"HPAs could not be read in prod-us: {reason}; the other types were read, so the cluster is kept"
            info.update(requests=16, errors=[message])
            info["failed_types"] = [{"resource": "autoscaling/v2/horizontalpodautoscalers", "label": "HPAs",
                                     "reason": reason, "message": message, "stale_since": PREVIOUS_TAKEN_AT}]
        if c["name"] == "dev":
            info.update(stale=True, unreachable=True, taken_at=DEV_TAKEN_AT, requests=1,
                        errors=["cluster `dev` did not answer within 30s"])
        snapshot["clusters"].append(info)
    for e in ents:
        status = {"selector": f"backstage.io/kubernetes-id={e['id']}", "namespace": e["namespace"], "cluster": None, "clusters": {}}
        for cluster in clusters_for(e):
            status["clusters"][cluster] = resources(e, cluster)
        snapshot["entities"][e["ref"]] = status
    snapshot["unowned"] = {
        "prod-eu": [{"kind": "CronJob", "namespace": "ops", "name": "cert-expiry-report"},
                    {"kind": "Deployment", "namespace": "default", "name": "debug-shell"}],
        "staging": [{"kind": "Deployment", "namespace": "reporting", "name": "reportbuilder"},
                    {"kind": "Deployment", "namespace": "sandbox", "name": "load-generator"},
                    {"kind": "StatefulSet", "namespace": "sandbox", "name": "redis-test"}],
    }
    out = HERE / "demo-snapshot.json"
    out.write_text(json.dumps(snapshot, indent=2, sort_keys=False) + "\n")
    print(f"wrote {out.relative_to(HERE.parent.parent)}: {len(ents)} services in {len(CLUSTERS)} clusters")


if __name__ == "__main__":
    main()
