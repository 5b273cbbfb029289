//! The `playbill` binary as CI and people run it: exit codes, `check` in text and JSON, and
//! `--help` for every command.

mod common;

use common::{component, Fixture};
use std::process::{Command, Output};

fn playbill(args: &[&str], cwd: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbill"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("runs")
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn check_paths_without_a_site_toml_prints_json_lines() {
    let fx = Fixture::new()
        .file("svc/.git/HEAD", "ref: refs/heads/main\n")
        .file(
            "svc/catalog-info.yaml",
            format!("{}---\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Bad!\nspec:\n  type: service\n  lifecycle: production\n  owner: t\n---\n- x\n", component("payments-ledger", "team-a")),
        );
    let repo = fx.repos().join("svc");
    let out = playbill(&["check", "--format", "json", "catalog-info.yaml"], &repo);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    let diagnostics: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l.get("severity").is_some())
        .collect();
    let documents: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l.get("kind").is_some()).collect();
    // Diagnostics first, then one line per document.
    let first_doc = lines.iter().position(|l| l.get("kind").is_some()).unwrap();
    assert!(lines[..first_doc]
        .iter()
        .all(|l| l.get("severity").is_some()));
    for d in &diagnostics {
        for key in [
            "severity", "code", "message", "repo", "file", "line", "column", "entity",
        ] {
            assert!(d.get(key).is_some(), "diagnostic lacks {key}: {d}");
        }
    }
    let invalid_name = diagnostics
        .iter()
        .find(|d| d["code"] == "catalog/invalid-field")
        .expect("invalid name reported");
    assert_eq!(invalid_name["file"], "catalog-info.yaml");
    assert_eq!(invalid_name["line"], 14);
    assert_eq!(invalid_name["severity"], "error");
    assert_eq!(documents.len(), 3);
    assert_eq!(documents[0]["kind"], "entity");
    assert_eq!(documents[0]["index"], 0);
    assert_eq!(documents[0]["ref"], "component:default/payments-ledger");
    assert_eq!(documents[0]["valid"], true);
    assert_eq!(documents[1]["index"], 2);
    assert_eq!(documents[1]["valid"], false);
    assert_eq!(documents[2]["index"], 3);
    assert!(documents[2]["ref"].is_null());
}

#[test]
fn check_a_clean_directory_exits_zero_and_follows_locations_inside_the_work_tree() {
    let fx = Fixture::new()
        .file("svc/.git/HEAD", "ref: refs/heads/main\n")
        .file("svc/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: l\nspec:\n  targets: [./a.yaml, ../../outside.yaml]\n")
        .file("svc/a.yaml", component("a", "t"));
    let repo = fx.repos().join("svc");
    let out = playbill(&["check", "."], &repo);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("catalog/location-outside-repo"), "{text}");
    std::fs::write(repo.join("catalog-info.yaml"), "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: l\nspec:\n  targets: [./a.yaml]\n").unwrap();
    let out = playbill(&["check", "."], &repo);
    let text = String::from_utf8_lossy(&out.stdout);
    // The owner `t` is not in this repository: a warning, not an error.
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("2 entities"), "{text}");
    assert_eq!(
        playbill(&["check", "--strict", "."], &repo).status.code(),
        Some(1)
    );
}

#[test]
fn build_exits_one_on_errors_only_when_strict_and_two_on_a_bad_config() {
    let fx = Fixture::new().file("a/catalog-info.yaml", "kind: [broken\n");
    fx.load_config();
    let dir = fx.dir.path();
    let out = playbill(&["build"], dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("catalog/yaml-syntax"), "{stderr}");
    assert!(stderr.contains("Built 0 entities"), "{stderr}");
    assert!(dir.join("public/index.html").is_file());
    assert_eq!(playbill(&["build", "--strict"], dir).status.code(), Some(1));
    std::fs::write(
        dir.join("bad.toml"),
        "title = \"x\"\n[[sources]]\ntype = \"local\"\npath = \"repos\"\nbranch = \"main\"\n",
    )
    .unwrap();
    let out = playbill(&["build", "--config", "bad.toml"], dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 5") && stderr.contains("branch"),
        "{stderr}"
    );
    let out = playbill(&["build", "--out", "."], dir);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an output directory holding the inputs is refused"
    );
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["build", "check", "serve"] {
        let out = playbill(&[command, "--help"], dir.path());
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("--config"),
            "{command}"
        );
    }
}
