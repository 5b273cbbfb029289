//! Benchmark of `playbill snapshot`: 4 clusters × 5,000 pods (250 services of 20 pods each,
//! with their Deployments, ReplicaSets, Services, ConfigMaps, HPAs and Ingresses), served by the
//! test API server over HTTPS on loopback. Prints wall time, API requests and the peak memory
//! of the `playbill snapshot` process. Ignored in normal test runs:
//!
//! ```sh
//! cargo test --release --test it kube_bench -- --ignored --nocapture
//! ```

use crate::common::{self, kube_server, kube_world};

use kube_server::{Faults, KubeServer};
use kube_world::{world, Svc};
use std::time::Instant;

const CLUSTERS: usize = 4;
const SERVICES: usize = 250;
const PODS_PER_SERVICE: u32 = 20;

#[test]
#[ignore = "benchmark: run with --ignored --nocapture"]
fn snapshot_of_4_clusters_with_5000_pods_each() {
    let services: Vec<Svc> = (0..SERVICES)
        .map(|i| {
            let mut s = Svc::new(
                &format!("team-{}", i % 10),
                &format!("svc-{i:03}"),
                PODS_PER_SERVICE,
                &format!("registry.test/svc-{i:03}:1.{}.0", i % 7),
            );
            s.oom = i % 25 == 0;
            s
        })
        .collect();
    let catalog: String = services
        .iter()
        .map(|s| {
            format!(
                "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {id}\n  annotations:\n    backstage.io/kubernetes-id: {id}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
                id = s.id
            )
        })
        .collect();
    let servers: Vec<KubeServer> = (0..CLUSTERS)
        .map(|_| KubeServer::start("bench-token", world(&services), Faults::default()))
        .collect();
    let mut f = common::Fixture::new().file("org/catalog-info.yaml", catalog);
    let mut tables = String::from("[kubernetes]\npage_size = 500\ntimeout_secs = 120\n");
    for (i, s) in servers.iter().enumerate() {
        let ca = f.dir.path().join(format!("ca-{i}.pem"));
        std::fs::write(&ca, &s.ca_pem).unwrap();
        tables.push_str(&format!(
            "[[kubernetes.clusters]]\nname = \"cluster-{i}\"\nurl = \"{}\"\nauth_provider = \"serviceAccount\"\ntoken_env = \"BENCH_TOKEN\"\nca_file = \"{}\"\n",
            s.url,
            ca.display()
        ));
    }
    f = f.config(&tables);
    f.load_config();
    let out = f.dir.path().join("snapshot.json");
    let time = std::path::Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut c = std::process::Command::new(time);
        c.args(["-f", "peak-rss-kib=%M cpu-user-s=%U cpu-sys-s=%S"])
            .arg(env!("CARGO_BIN_EXE_playbill"));
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_playbill"))
    };
    command
        .args(["snapshot", "--config"])
        .arg(f.dir.path().join("site.toml"))
        .arg("--out")
        .arg(&out)
        .env("BENCH_TOKEN", "bench-token");
    let started = Instant::now();
    let run = command.output().unwrap();
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let requests: usize = servers.iter().map(|s| s.requests().len()).sum();
    let pods: usize = CLUSTERS * SERVICES * PODS_PER_SERVICE as usize;
    let measured = stderr.lines().find(|l| l.starts_with("peak-rss-kib="));
    let field = |name: &str| {
        measured
            .and_then(|l| l.split_whitespace().find_map(|w| w.strip_prefix(name)))
            .and_then(|v| v.parse::<f64>().ok())
    };
    let peak = field("peak-rss-kib=")
        .map(|k| format!("{:.1} MiB", k / 1024.0))
        .unwrap_or_else(|| "n/a (no /usr/bin/time)".into());
    if let (Some(user), Some(sys)) = (field("cpu-user-s="), field("cpu-sys-s=")) {
        println!("CPU of `playbill snapshot`: {user:.2} s user, {sys:.2} s system");
    }
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "clusters: {CLUSTERS}, services: {SERVICES}, pods: {pods} ({} per cluster)",
        pods / CLUSTERS
    );
    println!("wall time: {:.2} s", elapsed.as_secs_f64());
    println!(
        "API requests: {requests} ({} per cluster)",
        requests / CLUSTERS
    );
    println!("peak memory of `playbill snapshot`: {peak}");
    println!("snapshot file: {:.1} MiB", size as f64 / 1_048_576.0);
    assert_eq!(
        requests,
        CLUSTERS * (10 + 12),
        "one paginated list per type per cluster"
    );
}
