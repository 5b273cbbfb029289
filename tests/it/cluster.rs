//! The cluster stage against real HTTPS API servers on loopback: the real kube client, one
//! paginated list per type, GET only, tokens checked and never leaked, faults isolated to the
//! cluster (or the object type) they hit.

use crate::common::{self, kube_server, kube_world};

use common::{component, Fixture};
use kube_server::{Faults, KubeServer};
use kube_world::{world, Svc};
use playbill::cluster::model::{Health, Snapshot};
use playbill::cluster::take_snapshot;
use playbill::diagnostics::Diagnostics;

const NOW: i64 = 1_795_430_000;

fn annotated(name: &str, annotations: &str) -> String {
    component(name, "team-a").replace(
        "metadata:\n",
        &format!("metadata:\n  annotations:\n{annotations}"),
    )
}

/// A catalog of three services, one matched by a set-based selector.
fn fixture() -> Fixture {
    Fixture::new()
        .file(
            "ledger/catalog-info.yaml",
            annotated(
                "payments-ledger",
                "    backstage.io/kubernetes-id: payments-ledger\n    backstage.io/kubernetes-namespace: ledger\n",
            ),
        )
        .file(
            "gateway/catalog-info.yaml",
            annotated(
                "payments-gateway",
                "    backstage.io/kubernetes-label-selector: 'app.kubernetes.io/name in (payments-gateway),!legacy'\n",
            ),
        )
        .file(
            "ghost/catalog-info.yaml",
            annotated("ghost", "    backstage.io/kubernetes-id: ghost\n"),
        )
}

fn services() -> Vec<Svc> {
    let mut ledger = Svc::new("ledger", "payments-ledger", 3, "registry.test/ledger:2.4.1");
    ledger.oom = true;
    let mut gateway = Svc::new("edge", "payments-gateway", 2, "registry.test/gateway:1.9.0");
    gateway.ready = 0;
    vec![
        ledger,
        gateway,
        Svc::new("tools", "orphan-cron", 1, "busybox:1.36"),
    ]
}

/// One `[[kubernetes.clusters]]` table trusting `server`'s CA through a file.
fn cluster_toml(f: &Fixture, name: &str, server: &KubeServer, token_env: &str) -> String {
    let ca = f.dir.path().join(format!("{name}-ca.pem"));
    std::fs::write(&ca, &server.ca_pem).unwrap();
    format!(
        "[[kubernetes.clusters]]\nname = \"{name}\"\nurl = \"{}\"\nauth_provider = \"serviceAccount\"\ntoken_env = \"{token_env}\"\nca_file = \"{}\"\ndashboard_url = \"https://dash.test/{name}\"\n",
        server.url,
        ca.display()
    )
}

fn snapshot_of(f: Fixture, previous: Option<&Snapshot>) -> (Snapshot, Diagnostics) {
    let config = f.load_config();
    let (catalog, _) = f.catalog();
    take_snapshot(config.kubernetes.as_ref().unwrap(), &catalog, previous, NOW)
}

fn texts(d: &Diagnostics) -> Vec<String> {
    d.iter().map(|d| d.to_text()).collect()
}

#[test]
fn snapshot_holds_what_pages_need_with_one_paginated_list_per_type() {
    std::env::set_var("PB_T1_TOKEN", "s3cret-token-t1");
    let server = KubeServer::start("s3cret-token-t1", world(&services()), Faults::default());
    let f = fixture();
    let table = cluster_toml(&f, "prod-eu", &server, "PB_T1_TOKEN");
    let f = f.config(&format!(
        "[kubernetes]\npage_size = 2\ntimeout_secs = 20\n{table}"
    ));
    let (snapshot, diagnostics) = snapshot_of(f, None);
    assert!(diagnostics.is_empty(), "{:?}", texts(&diagnostics));

    // 13 types: pods (6 objects) take 3 pages, the six 3-object lists 2 pages, the six empty ones 1.
    let requests = server.requests();
    assert!(requests.iter().all(|r| r.method == "GET"), "{requests:?}");
    assert!(requests.iter().all(|r| !r.query.contains("labelSelector")));
    let pages = |path: &str| requests.iter().filter(|r| r.path == path).count();
    assert_eq!(pages("/api/v1/pods"), 3);
    assert_eq!(pages("/apis/apps/v1/deployments"), 2);
    assert_eq!(pages("/apis/batch/v1/jobs"), 1);
    assert_eq!(requests.len(), 3 + 2 * 6 + 6);
    assert_eq!(snapshot.clusters[0].requests as usize, requests.len());

    let ledger = &snapshot.entities["component:default/payments-ledger"];
    assert_eq!(
        ledger.selector,
        "backstage.io/kubernetes-id=payments-ledger"
    );
    let r = &ledger.clusters["prod-eu"];
    assert_eq!(r.workloads.len(), 1);
    let w = &r.workloads[0];
    assert_eq!((w.desired, w.ready, w.available), (3, 3, 3));
    assert_eq!(w.images, vec!["registry.test/ledger:2.4.1"]);
    assert_eq!(r.versions(), vec!["2.4.1"]);
    assert_eq!(r.pods.len(), 3);
    assert_eq!(r.pods[0].restarts, 3);
    assert_eq!(
        r.pods[0].containers[0].last_termination.as_deref(),
        Some("OOMKilled")
    );
    assert_eq!(r.ingresses[0].hosts, vec!["payments-ledger.example.test"]);
    assert_eq!(r.services[0].ports, vec!["80/TCP"]);
    assert_eq!(r.hpas[0].max, 6);
    assert_eq!(r.other["configmaps"], 1);
    assert_eq!(r.problems[0].rule, "oom-killed");
    assert_eq!(r.health(), Health::Failing);

    let gateway = &snapshot.entities["component:default/payments-gateway"];
    let g = &gateway.clusters["prod-eu"];
    assert_eq!(g.pods.len(), 2);
    assert!(g.problems.iter().any(|p| p.rule == "no-ready-replicas"));
    assert!(snapshot.entities["component:default/ghost"]
        .clusters
        .is_empty());
    let unowned: Vec<&str> = snapshot.unowned["prod-eu"]
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(unowned, vec!["orphan-cron"]);

    let json = String::from_utf8(playbill::cluster::to_json(&snapshot)).unwrap();
    assert!(!json.contains("s3cret"));
    assert!(!json.contains("imageID"), "whole objects must not be kept");
}

#[test]
fn a_failing_cluster_keeps_its_previous_data_and_leaves_the_others_intact() {
    std::env::set_var("PB_T2_TOKEN", "s3cret-token-t2");
    let good = KubeServer::start("s3cret-token-t2", world(&services()), Faults::default());
    let hanging = KubeServer::start(
        "s3cret-token-t2",
        world(&services()),
        Faults {
            hang: true,
            ..Faults::default()
        },
    );
    let broken = KubeServer::start(
        "s3cret-token-t2",
        world(&services()),
        Faults {
            status: Some(503),
            ..Faults::default()
        },
    );
    let other_token = KubeServer::start("another-token", world(&services()), Faults::default());
    let f = fixture();
    let mut tables = String::from("[kubernetes]\ntimeout_secs = 2\n");
    for (name, s) in [
        ("prod-eu", &good),
        ("prod-us", &hanging),
        ("staging", &broken),
        ("dev", &other_token),
    ] {
        tables.push_str(&cluster_toml(&f, name, s, "PB_T2_TOKEN"));
    }
    let f = f.config(&tables);
    let config = f.load_config();
    let (catalog, _) = f.catalog();
    let k = config.kubernetes.as_ref().unwrap();

    // A previous snapshot in which every cluster answered.
    let mut previous = take_snapshot(k, &catalog, None, NOW - 7200).0;
    for c in &mut previous.clusters {
        c.errors.clear();
    }
    previous
        .entities
        .get_mut("component:default/payments-ledger")
        .unwrap()
        .clusters
        .insert("prod-us".into(), Default::default());

    let started = std::time::Instant::now();
    let (snapshot, diagnostics) = take_snapshot(k, &catalog, Some(&previous), NOW);
    assert!(
        started.elapsed().as_secs() < 10,
        "clusters are read concurrently"
    );
    let text = texts(&diagnostics).join("\n");
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"cluster/timeout"), "{text}");
    assert!(codes.contains(&"cluster/unreachable"), "{text}");
    assert!(codes.contains(&"cluster/unauthorized"), "{text}");
    assert!(text.contains("`prod-us`") && text.contains("`staging`") && text.contains("`dev`"));
    assert!(!text.contains("`prod-eu`"), "{text}");
    assert!(!text.contains("s3cret"), "{text}");

    let by_name = |n: &str| snapshot.clusters.iter().find(|c| c.name == n).unwrap();
    assert!(!by_name("prod-eu").stale);
    assert!(by_name("prod-us").stale);
    assert_eq!(by_name("prod-us").taken_at, NOW - 7200);
    assert!(text.contains("2 h old"), "{text}");
    let ledger = &snapshot.entities["component:default/payments-ledger"];
    assert!(ledger.clusters.contains_key("prod-eu"));
    assert!(
        ledger.clusters.contains_key("prod-us"),
        "kept from the previous snapshot"
    );
    assert_eq!(ledger.clusters["prod-eu"].pods.len(), 3);
    // Nothing non-GET reached any server.
    for s in [&good, &hanging, &broken, &other_token] {
        assert!(s.requests().iter().all(|r| r.method == "GET"));
    }
}

#[test]
fn a_forbidden_type_loses_only_that_type() {
    std::env::set_var("PB_T3_TOKEN", "s3cret-token-t3");
    let server = KubeServer::start(
        "s3cret-token-t3",
        world(&services()),
        Faults {
            forbidden: vec!["configmaps".into()],
            ..Faults::default()
        },
    );
    let f = fixture();
    let table = cluster_toml(&f, "prod-eu", &server, "PB_T3_TOKEN");
    let (snapshot, diagnostics) = snapshot_of(f.config(&format!("[kubernetes]\n{table}")), None);
    let forbidden: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.code == "cluster/forbidden")
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(forbidden.len(), 1, "{:?}", texts(&diagnostics));
    assert!(forbidden[0].contains("configmaps") && forbidden[0].contains("`list`"));
    assert!(forbidden[0].contains("prod-eu"));
    let r = &snapshot.entities["component:default/payments-ledger"].clusters["prod-eu"];
    assert_eq!(r.pods.len(), 3);
    assert!(!r.other.contains_key("configmaps"));
    assert!(!snapshot.clusters[0].stale);
    assert_eq!(snapshot.clusters[0].errors.len(), 1);
}

#[test]
fn an_expired_continue_token_restarts_the_list_once() {
    std::env::set_var("PB_T4_TOKEN", "s3cret-token-t4");
    let server = KubeServer::start(
        "s3cret-token-t4",
        world(&services()),
        Faults {
            expire_first_continue: true,
            ..Faults::default()
        },
    );
    let f = fixture();
    let table = cluster_toml(&f, "prod-eu", &server, "PB_T4_TOKEN");
    let f = f.config(&format!("[kubernetes]\npage_size = 2\n{table}"));
    let (snapshot, diagnostics) = snapshot_of(f, None);
    assert!(diagnostics.is_empty(), "{:?}", texts(&diagnostics));
    let r = &snapshot.entities["component:default/payments-ledger"].clusters["prod-eu"];
    assert_eq!(r.pods.len(), 3, "no pod lost or repeated");
    assert!(server
        .requests()
        .iter()
        .any(|r| r.query.contains("continue=")));
}

#[test]
fn namespace_allow_list_and_ca_data_from_the_environment() {
    std::env::set_var("PB_T5_TOKEN", "s3cret-token-t5");
    let server = KubeServer::start("s3cret-token-t5", world(&services()), Faults::default());
    // base64 of the PEM, as Backstage's caData.
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&server.ca_pem);
    std::env::set_var("PB_T5_CA", b64);
    let f = fixture().config(&format!(
        "[kubernetes]\n[[kubernetes.clusters]]\nname = \"prod-eu\"\nurl = \"{}\"\nauth_provider = \"oidc\"\ntoken_env = \"PB_T5_TOKEN\"\nca_data_env = \"PB_T5_CA\"\nnamespaces = [\"ledger\"]\n",
        server.url
    ));
    let (snapshot, diagnostics) = snapshot_of(f, None);
    assert!(diagnostics.is_empty(), "{:?}", texts(&diagnostics));
    let requests = server.requests();
    assert_eq!(requests.len(), 13);
    assert!(requests
        .iter()
        .all(|r| r.path.contains("/namespaces/ledger/")));
    assert!(snapshot.entities["component:default/payments-ledger"]
        .clusters
        .contains_key("prod-eu"));
    assert!(snapshot.entities["component:default/payments-gateway"]
        .clusters
        .is_empty());
}

#[test]
fn the_snapshot_command_never_prints_the_token() {
    let server = KubeServer::start("s3cret-token-t6", world(&services()), Faults::default());
    let f = fixture();
    let table = cluster_toml(&f, "prod-eu", &server, "PB_T6_TOKEN");
    let f = f.config(&format!("[kubernetes]\n{table}"));
    f.load_config();
    let out = f.dir.path().join("snapshot.json");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_playbill"))
        .args(["snapshot", "--config"])
        .arg(f.dir.path().join("site.toml"))
        .arg("--out")
        .arg(&out)
        .env("PB_T6_TOKEN", "s3cret-token-t6")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stderr}");
    let saved = std::fs::read_to_string(&out).unwrap();
    for text in [&*stderr, &*stdout, &saved] {
        assert!(!text.contains("s3cret"), "{text}");
    }
    assert!(saved.contains("payments-ledger"));

    // With a wrong token: a diagnostic naming the cluster, still no secret.
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_playbill"))
        .args(["snapshot", "--config"])
        .arg(f.dir.path().join("site.toml"))
        .arg("--out")
        .arg(&out)
        .env("PB_T6_TOKEN", "s3cret-but-wrong")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("cluster/unauthorized") && stderr.contains("prod-eu"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

#[test]
fn update_site_rewrites_only_status_files() {
    std::env::set_var("PB_T7_TOKEN", "s3cret-token-t7");
    let server = KubeServer::start("s3cret-token-t7", world(&services()), Faults::default());
    let f = fixture();
    let table = cluster_toml(&f, "prod-eu", &server, "PB_T7_TOKEN");
    let f = f.config(&format!("[kubernetes]\n{table}"));
    let config = f.load_config();
    let out = f.out();
    playbill::build::build(&config, &out, &|_| {}).unwrap();
    let page = "catalog/default/component/payments-ledger/kubernetes/index.html";
    let status = "catalog/default/component/payments-ledger/kubernetes/status.js";
    for file in [page, status, "clusters/index.html", "clusters/status.js"] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let before: Vec<(String, Vec<u8>)> = common::files_below(&out)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(out.join(&p)).unwrap();
            (p, bytes)
        })
        .collect();
    // The cluster changes: the gateway's replicas come up.
    drop(server);
    let mut svcs = services();
    svcs[1].ready = 2;
    let server = KubeServer::start("s3cret-token-t7", world(&svcs), Faults::default());
    let table = cluster_toml(&f, "prod-eu", &server, "PB_T7_TOKEN");
    std::fs::write(
        f.dir.path().join("site.toml"),
        std::fs::read_to_string(f.dir.path().join("site.toml"))
            .unwrap()
            .split("[kubernetes]")
            .next()
            .unwrap()
            .to_string()
            + "[kubernetes]\n"
            + &table,
    )
    .unwrap();
    let config = playbill::config::Config::load(&f.dir.path().join("site.toml")).unwrap();
    let report = playbill::build::snapshot(&config, None, Some(&out), &|_| {}).unwrap();
    assert!(report.updated >= 1);
    let mut changed = Vec::new();
    for (p, bytes) in &before {
        if std::fs::read(out.join(p)).unwrap() != *bytes {
            changed.push(p.clone());
        }
    }
    assert!(!changed.is_empty());
    assert!(
        // status/snapshot.js carries the snapshot's time for the age display.
        changed
            .iter()
            .all(|p| p.ends_with("status.js") || p == "status/snapshot.js"),
        "only status files may change: {changed:?}"
    );
    let js = std::fs::read_to_string(out.join(status)).unwrap();
    assert!(js.starts_with("(window.PlaybillStatus"));
    assert!(!js.contains("s3cret"));
    assert!(!js.contains("<script"));
}

#[test]
fn kubeconfig_context_custom_resources_and_skip_tls_verify() {
    use base64::Engine;
    let mut w = world(&services());
    w.insert(
        "/apis/argoproj.io/v1alpha1/rollouts".into(),
        vec![serde_json::json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "payments-ledger", "namespace": "ledger", "labels": {"backstage.io/kubernetes-id": "payments-ledger"}},
            "status": {"conditions": [{"type": "Ready", "status": "False", "reason": "Degraded", "message": "canary step 2 failed"}]}
        })],
    );
    let with_kubeconfig = KubeServer::start("s3cret-token-t8", w, Faults::default());
    let insecure = KubeServer::start("s3cret-token-t8", world(&services()), Faults::default());
    let f = fixture();
    let ca = base64::engine::general_purpose::STANDARD.encode(&with_kubeconfig.ca_pem);
    let kubeconfig = f.dir.path().join("kubeconfig.yaml");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: eu\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\nusers:\n- name: reader\n  user:\n    token: s3cret-token-t8\ncontexts:\n- name: eu-reader\n  context:\n    cluster: eu\n    user: reader\n- name: other\n  context:\n    cluster: eu\n    user: nobody\ncurrent-context: other\n",
            with_kubeconfig.url
        ),
    )
    .unwrap();
    std::env::set_var("PB_T8_TOKEN", "s3cret-token-t8");
    let f = f.config(&format!(
        "[kubernetes]\n[[kubernetes.clusters]]\nname = \"prod-eu\"\nauth_provider = \"kubeconfig\"\nkubeconfig = \"{}\"\ncontext = \"eu-reader\"\ncustom_resources = [{{ group = \"argoproj.io\", api_version = \"v1alpha1\", plural = \"rollouts\" }}]\n[[kubernetes.clusters]]\nname = \"lab\"\nurl = \"{}\"\nauth_provider = \"serviceAccount\"\ntoken_env = \"PB_T8_TOKEN\"\nskip_tls_verify = true\n",
        kubeconfig.display(),
        insecure.url
    ));
    let (snapshot, diagnostics) = snapshot_of(f, None);
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        vec!["cluster/insecure-tls"],
        "{:?}",
        texts(&diagnostics)
    );
    assert!(diagnostics.iter().next().unwrap().message.contains("`lab`"));
    let ledger = &snapshot.entities["component:default/payments-ledger"];
    let eu = &ledger.clusters["prod-eu"];
    assert_eq!(eu.custom.len(), 1);
    assert_eq!(eu.custom[0].resource, "argoproj.io/v1alpha1/rollouts");
    assert!(eu
        .problems
        .iter()
        .any(|p| p.rule == "custom-resource-not-ready"));
    assert_eq!(
        with_kubeconfig.requests().len(),
        14,
        "13 default types + 1 custom"
    );
    assert!(ledger.clusters.contains_key("lab"));
}

const HPAS: &str = "/apis/autoscaling/v2/horizontalpodautoscalers";

/// The status data of one page's status file: `(window.PlaybillStatus ...)[key] = {...};`.
fn status_data(out: &std::path::Path, file: &str) -> serde_json::Value {
    let js = std::fs::read_to_string(out.join(file)).unwrap();
    let json = js
        .split_once("] = ")
        .unwrap()
        .1
        .trim_end()
        .trim_end_matches(';');
    serde_json::from_str(json).unwrap()
}

#[test]
fn a_flaky_cluster_keeps_what_answered_and_marks_only_the_failed_types() {
    // Long on purpose: one snapshot against a server that fails some types, then each page checked.
    std::env::set_var("PB_T9_TOKEN", "s3cret-token-t9");
    let healthy = KubeServer::start("s3cret-token-t9", world(&services()), Faults::default());
    let mut faults = Faults {
        hang_paths: vec![HPAS.into()],
        ..Faults::default()
    };
    // 503s: the first pods page once, deployments twice, cronjobs on every attempt.
    for (path, failing) in [
        ("/api/v1/pods", 1),
        ("/apis/apps/v1/deployments", 2),
        ("/apis/batch/v1/cronjobs", 99),
    ] {
        faults.flaky.insert(path.into(), failing);
    }
    let flaky = KubeServer::start("s3cret-token-t9", world(&services()), faults);
    let f = fixture();
    let table = cluster_toml(&f, "prod-eu", &healthy, "PB_T9_TOKEN");
    let f = f.config(&format!(
        "[kubernetes]\npage_size = 2\ntimeout_secs = 20\nrequest_timeout_secs = 1\nretries = 2\n{table}"
    ));
    let mut config = f.load_config();
    let (catalog, _) = f.catalog();
    let previous = take_snapshot(
        config.kubernetes.as_ref().unwrap(),
        &catalog,
        None,
        NOW - 7200,
    )
    .0;
    assert!(previous.clusters[0].failed_types.is_empty());

    // The same cluster, now flaky.
    let ca = f.dir.path().join("prod-eu-flaky-ca.pem");
    std::fs::write(&ca, &flaky.ca_pem).unwrap();
    let k = config.kubernetes.as_mut().unwrap();
    k.clusters[0].url = Some(flaky.url.clone());
    k.clusters[0].ca = playbill::cluster::config::Ca::File(ca);
    let started = std::time::Instant::now();
    let (snapshot, diagnostics) = take_snapshot(k, &catalog, Some(&previous), NOW);
    let elapsed = started.elapsed();
    let text = texts(&diagnostics).join("\n");

    // Requests: 21 pages when all is well, HPAs' 2 pages never reached (their first request
    // hangs), cronjobs' page never answered; 1 + 2 retries after 503s, 3 attempts each for
    // the hanging HPAs and the failing cronjobs.
    let requests = flaky.requests();
    let count = |path: &str| requests.iter().filter(|r| r.path == path).count();
    assert_eq!(count("/api/v1/pods"), 3 + 1);
    assert_eq!(count("/apis/apps/v1/deployments"), 2 + 2);
    assert_eq!(count("/apis/batch/v1/cronjobs"), 3);
    assert_eq!(count(HPAS), 3, "a request that times out is retried too");
    assert_eq!(count("/api/v1/services"), 2);
    assert_eq!(requests.len(), 27);
    assert_eq!(snapshot.clusters[0].requests, 27);
    let failed_503 = 1 + 2 + 3;
    assert!(
        failed_503 * 100 / requests.len() >= 15,
        "a real share of 503s"
    );
    assert!(
        elapsed.as_secs() < 10,
        "retries stay within the deadline: {elapsed:?}"
    );

    // The cluster stands: only HPAs and CronJobs are marked.
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert!(
        !codes.contains(&"cluster/unreachable") && !codes.contains(&"cluster/timeout"),
        "{text}"
    );
    assert!(
        text.contains("HPAs could not be read in prod-eu: timed out"),
        "{text}"
    );
    assert!(
        text.contains(
            "CronJobs could not be read in prod-eu: 503 ServiceUnavailable after 3 attempts"
        ),
        "{text}"
    );
    let info = &snapshot.clusters[0];
    assert!(!info.stale && !info.unreachable);
    let failed: Vec<(&str, Option<i64>)> = info
        .failed_types
        .iter()
        .map(|f| (f.label.as_str(), f.stale_since))
        .collect();
    assert_eq!(
        failed,
        vec![("HPAs", Some(NOW - 7200)), ("CronJobs", Some(NOW - 7200))]
    );
    assert!(codes.contains(&"cluster/partly-stale"), "{text}");
    assert!(text.contains("HPAs (2 h old)"), "{text}");

    // Everything that answered is this snapshot's; HPAs come from the previous one.
    let r = &snapshot.entities["component:default/payments-ledger"].clusters["prod-eu"];
    assert_eq!(r.pods.len(), 3);
    assert_eq!(r.workloads.len(), 1);
    assert_eq!((r.services.len(), r.ingresses.len()), (1, 1));
    assert_eq!(r.other["configmaps"], 1);
    assert_eq!(r.hpas.len(), 1, "filled from the previous snapshot");
    assert_eq!(r.hpas[0].max, 6);
    assert!(r.problems.iter().any(|p| p.rule == "oom-killed"));

    // The pages say which types failed, and how old the data shown in their place is.
    let file = f.dir.path().join("snapshot.json");
    std::fs::write(&file, playbill::cluster::to_json(&snapshot)).unwrap();
    config.kubernetes.as_mut().unwrap().snapshot = Some(file);
    let out = f.out();
    playbill::build::build(&config, &out, &|_| {}).unwrap();
    let page = status_data(&out, "clusters/status.js")["page"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        page.contains("HPAs could not be read in prod-eu: timed out"),
        "{page}"
    );
    assert!(page.contains("HPAs stale: 2 h old"), "{page}");
    let detail = status_data(
        &out,
        "catalog/default/component/payments-ledger/kubernetes/status.js",
    )["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.contains("CronJobs could not be read in prod-eu: 503"),
        "{detail}"
    );
    assert!(
        detail.contains("shown from an earlier snapshot"),
        "{detail}"
    );
}

/// A checkout service whose template asks for 3.5.0, with an Envoy sidecar and a Redis of
/// the same chart (tests/fixtures/kubernetes). Stuck: three ready pods of the old ReplicaSet
/// run 3.3.8 and one new pod crash-loops; settled: the three run 3.5.0.
fn checkout(w: &mut std::collections::BTreeMap<String, Vec<serde_json::Value>>, stuck: bool) {
    let mut text =
        std::fs::read_to_string("tests/fixtures/kubernetes/checkout-stuck-rollout.json").unwrap();
    if !stuck {
        text = text.replace("3.3.8", "3.5.0").replace("5d4b8", "6c8f7");
    }
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    for (path, items) in fixture.as_object().unwrap() {
        let Some(items) = items.as_array() else {
            continue;
        };
        let list = w.get_mut(path).unwrap();
        for item in items {
            let crashing = item.pointer("/status/containerStatuses/1/ready") == Some(&false.into());
            if stuck || !crashing {
                list.push(item.clone());
            }
        }
    }
    if !stuck {
        let d = w
            .get_mut("/apis/apps/v1/deployments")
            .unwrap()
            .last_mut()
            .unwrap();
        d["status"] = serde_json::json!({"observedGeneration": 9, "replicas": 3, "updatedReplicas": 3,
            "readyReplicas": 3, "availableReplicas": 3, "conditions": [
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]});
    }
}

#[test]
fn pages_show_the_versions_that_run_with_the_desired_one_beside_them() {
    std::env::set_var("PB_T10_TOKEN", "s3cret-token-t10");
    let mut eu = world(&services());
    checkout(&mut eu, true);
    let mut us = world(&services());
    checkout(&mut us, false);
    let eu = KubeServer::start("s3cret-token-t10", eu, Faults::default());
    let us = KubeServer::start("s3cret-token-t10", us, Faults::default());
    let f = fixture().file(
        "checkout/catalog-info.yaml",
        annotated("checkout", "    backstage.io/kubernetes-id: checkout\n"),
    );
    let mut tables = String::from("[kubernetes]\n");
    tables.push_str(&cluster_toml(&f, "prod-eu", &eu, "PB_T10_TOKEN"));
    tables.push_str(&cluster_toml(&f, "prod-us", &us, "PB_T10_TOKEN"));
    let f = f.config(&tables);
    let config = f.load_config();
    let out = f.out();
    playbill::build::build(&config, &out, &|_| {}).unwrap();

    let clusters = status_data(&out, "clusters/status.js");
    let page = clusters["page"].as_str().unwrap();
    let row = page
        .split("<tr")
        .find(|r| r.contains(">checkout</a>"))
        .unwrap_or_else(|| panic!("no checkout row: {page}"));
    // Both templates say 3.5.0; what runs differs, so that is drift.
    assert!(row.contains("3.3.8 ×3 → 3.5.0, rollout stuck"), "{row}");
    assert!(row.contains("3.5.0 ×3<"), "{row}");
    assert!(row.contains("version drift"), "{row}");
    assert!(
        !row.contains("7.4.1") && !row.contains("envoy"),
        "sidecars and dependencies apart: {row}"
    );
    // Payments Ledger runs 2.4.1 in both: no drift.
    let ledger = page
        .split("<tr")
        .find(|r| r.contains(">payments-ledger</a>"))
        .unwrap();
    assert!(
        !ledger.contains("version drift") && ledger.contains("2.4.1 ×3"),
        "{ledger}"
    );

    let status = status_data(
        &out,
        "catalog/default/component/checkout/kubernetes/status.js",
    );
    let overview = status["overview"].as_str().unwrap();
    assert!(
        overview.contains("3.3.8 ×3 → 3.5.0, rollout stuck"),
        "{overview}"
    );
    let detail = status["detail"].as_str().unwrap();
    let eu_card = detail.split("id=\"cluster-prod-us\"").next().unwrap();
    let redis = eu_card
        .split("<tr>")
        .find(|r| r.contains("checkout-redis-master"))
        .unwrap();
    assert!(
        redis.contains("dependency") && redis.contains("7.4.1-debian-12-r2 ×1"),
        "{redis}"
    );
    let own = eu_card
        .split("<tr>")
        .find(|r| r.contains("Deployment</span> shop/checkout<"))
        .unwrap_or_else(|| panic!("{eu_card}"));
    assert!(own.contains("3.3.8 ×3 → 3.5.0, rollout stuck"), "{own}");
    assert!(own.contains("envoy:v1.31.2"), "the sidecar, apart: {own}");
}
