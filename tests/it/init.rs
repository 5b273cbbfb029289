//! `playbill init` for each situation it serves — local checkouts, a GitHub organisation, a
//! cluster from the kubeconfig, a publish target — read back by the config parser and built
//! straight away against loopback servers; and the completions and manual page generated from
//! the command definitions.

use crate::cli::{expect_code, playbill};
use crate::common;
use crate::common::fake_github::{organisation, FakeGithub, ORG};

use common::kube_server::{Faults, KubeServer};
use common::kube_world::{world, Svc};
use common::{component, Fixture};
use playbill::config::{Config, Source};
use std::path::Path;
use std::process::{Command, Output};

/// Diagnostic codes from `--log-format json` output on stderr.
fn diagnostic_codes(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["kind"] == "diagnostic")
        .map(|v| v["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Builds with the generated site.toml; asserts success and that nothing the configuration
/// controls (sources, clusters, the config itself) was reported. Returns the diagnostic codes.
fn build_clean(dir: &Path, env: &[(&str, &str)]) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_playbill"))
        .args(["--log-format", "json", "build", "--no-webhooks"])
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("runs");
    expect_code(&out, 0);
    let codes = diagnostic_codes(&out);
    let about_setup: Vec<&String> = codes
        .iter()
        .filter(|c| {
            ["config/", "gather/", "github/", "cluster/"]
                .iter()
                .any(|p| c.starts_with(p))
        })
        .collect();
    assert!(about_setup.is_empty(), "{about_setup:?}");
    assert!(dir.join("public/index.html").is_file());
    codes
}

fn load(dir: &Path) -> Config {
    Config::load(&dir.join("site.toml")).expect("the generated site.toml parses")
}

#[test]
fn local_checkouts_give_a_site_toml_that_builds_at_once() {
    let fx = Fixture::new().file("ledger/catalog-info.yaml", component("ledger", "team-a"));
    let dir = fx.dir.path();
    let out = playbill(&["init", "--local", "repos"], dir);
    expect_code(&out, 0);
    let text = std::fs::read_to_string(dir.join("site.toml")).unwrap();
    assert!(text.contains("path = \"repos\""), "{text}");
    assert!(
        text.lines().filter(|l| l.starts_with('#')).count() >= 3,
        "commented"
    );
    let config = load(dir);
    assert!(
        matches!(&config.sources[..], [Source::Local { path, .. }] if path == &dir.join("repos"))
    );
    assert!(config.kubernetes.is_none() && config.publish.to.is_none());
    build_clean(dir, &[]);
    assert!(dir
        .join("public/catalog/default/component/ledger/index.html")
        .is_file());
}

#[test]
fn the_bundled_demo_builds_from_a_generated_site_toml_elsewhere() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-org");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("portal/site.toml");
    let out = playbill(
        &[
            "init",
            "--local",
            demo.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
        ],
        dir.path(),
    );
    expect_code(&out, 0);
    build_clean(&dir.path().join("portal"), &[]);
}

#[test]
fn init_never_overwrites_and_names_what_is_wrong() {
    let fx = Fixture::new().file("a/catalog-info.yaml", component("a", "t"));
    let dir = fx.dir.path();
    std::fs::write(dir.join("site.toml"), "title = \"mine\"\n").unwrap();
    let out = playbill(&["init", "--local", "repos"], dir);
    expect_code(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("site.toml already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.join("site.toml")).unwrap(),
        "title = \"mine\"\n"
    );
    for (args, message) in [
        (
            &["init", "--local", "nowhere", "--config", "b.toml"][..],
            "--local nowhere: no such directory",
        ),
        (
            &["init", "--github", "not an org", "--config", "b.toml"],
            "--github \"not an org\"",
        ),
        (
            &[
                "init",
                "--local",
                "repos",
                "--publish",
                "http://x/y",
                "--config",
                "b.toml",
            ],
            "unsupported scheme `http`",
        ),
    ] {
        let out = playbill(args, dir);
        expect_code(&out, 2);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{stderr}");
        assert!(!dir.join("b.toml").exists());
    }
    expect_code(&playbill(&["init", "--config", "b.toml"], dir), 2);
}

#[test]
fn a_github_organisation_is_gathered_with_the_generated_site_toml() {
    let server = FakeGithub::start(organisation(6), "init-token-1");
    let dir = tempfile::tempdir().unwrap();
    let api = server.api_url();
    let out = playbill(&["init", "--github", ORG, "--api-url", &api], dir.path());
    expect_code(&out, 0);
    let config = load(dir.path());
    let [Source::Github(github)] = &config.sources[..] else {
        panic!("one github source: {:?}", config.sources);
    };
    assert_eq!(
        (github.organization.as_str(), github.api_url.as_str()),
        (ORG, api.as_str())
    );
    build_clean(dir.path(), &[("GITHUB_TOKEN", "init-token-1")]);
    assert!(server.requests() > 6, "the organisation was read");
    assert!(dir
        .path()
        .join("public/catalog/default/component/svc-000/index.html")
        .is_file());
}

#[test]
fn kubernetes_reads_the_current_kubeconfig_context() {
    let server = KubeServer::start(
        "init-kube-token",
        world(&[Svc::new(
            "ledger",
            "ledger",
            2,
            "registry.example/ledger:1.4.0",
        )]),
        Faults::default(),
    );
    let fx = Fixture::new().file(
        "ledger/catalog-info.yaml",
        component("ledger", "team-a").replace(
            "metadata:\n",
            "metadata:\n  annotations:\n    backstage.io/kubernetes-id: ledger\n",
        ),
    );
    let dir = fx.dir.path();
    let kubeconfig = dir.join("kubeconfig.yaml");
    std::fs::write(&kubeconfig, kubeconfig_text(&server)).unwrap();
    expect_code(
        &playbill(&["init", "--local", "repos", "--kubernetes"], dir),
        0,
    );
    let clusters = &load(dir).kubernetes.expect("[kubernetes]").clusters;
    assert_eq!(clusters.len(), 1);
    build_clean(dir, &[("KUBECONFIG", kubeconfig.to_str().unwrap())]);
    assert!(server.requests().len() >= 13, "every type was listed");
    let status = std::fs::read_to_string(
        dir.join("public/catalog/default/component/ledger/kubernetes/status.js"),
    )
    .unwrap();
    assert!(status.contains("1.4.0"), "{status}");
}

fn kubeconfig_text(server: &KubeServer) -> String {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(&server.ca_pem);
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {}\n    certificate-authority-data: {ca}\nusers:\n- name: u\n  user:\n    token: init-kube-token\ncontexts:\n- name: reader\n  context:\n    cluster: c\n    user: u\ncurrent-context: reader\n",
        server.url
    )
}

#[test]
fn a_publish_target_is_kept_and_publishing_works_right_after() {
    let fx = Fixture::new().file("a/catalog-info.yaml", component("a", "t"));
    let dir = fx.dir.path();
    let bucket = dir.join("bucket");
    let target = format!("file://{}", bucket.display());
    expect_code(
        &playbill(&["init", "--local", "repos", "--publish", &target], dir),
        0,
    );
    assert_eq!(load(dir).publish.to.as_deref(), Some(target.as_str()));
    build_clean(dir, &[]);
    expect_code(&playbill(&["publish"], dir), 0);
    assert!(bucket.join("index.html").is_file());
}

#[test]
fn completions_and_the_manual_page_come_from_the_command_definitions() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let out = playbill(&["completions", shell], dir.path());
        expect_code(&out, 0);
        let script = String::from_utf8_lossy(&out.stdout);
        for word in ["init", "snapshot", "strict", "kubernetes"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let bash = dir.path().join("playbill.bash");
    std::fs::write(&bash, playbill(&["completions", "bash"], dir.path()).stdout).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&bash).output().unwrap();
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );

    let out = playbill(&["man"], dir.path());
    expect_code(&out, 0);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.starts_with(".ie") && page.contains(".TH playbill 1"),
        "{page}"
    );
    expect_code(&playbill(&["man", "--dir", "man"], dir.path()), 0);
    let init = std::fs::read_to_string(dir.path().join("man/playbill-init.1")).unwrap();
    assert!(init.contains("never overwrites"), "{init}");
}
