//! Secret scanning over a whole build: credentials committed to catalog files, placeholder
//! targets, mkdocs.yml, docs pages and files copied with the docs never reach the output, and
//! each one is reported by file and line.

use crate::common;

use common::{files_below, find, Fixture};

// Built at run time so that no file of this repository holds a value a scanner would flag.
fn github_token() -> String {
    format!("ghp_{}", "Zq8wX2cV4bN6mL8kJ0hG2fD4sA6pO8iU0yT2")
}
fn aws_key_id() -> String {
    format!("ASIA{}", "R7TY2WQ9ZX3KLM5N")
}
fn db_password() -> String {
    "hX9!vQ2zLm7p".to_string()
}
fn private_key_body() -> String {
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC".to_string()
}

fn fixture() -> Fixture {
    let catalog = format!(
        "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  description: Posts entries. Deploy key {token}
  annotations:
    backstage.io/techdocs-ref: dir:.
    example.com/aws-key: {aws}
  links:
    - url: https://grafana.example.com/d/ledger
      title: Dashboards
spec:
  type: service
  lifecycle: production
  owner: team-ledger
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: ledger-api
spec:
  type: openapi
  lifecycle: production
  owner: team-ledger
  definition:
    $text: ./openapi.yaml
",
        token = github_token(),
        aws = aws_key_id(),
    );
    let openapi = format!(
        "openapi: 3.0.0\ninfo:\n  title: Ledger\n  version: '1'\n  description: >\n    Test with postgres://ledger:{}@db.internal:5432/ledger\npaths: {{}}\n",
        db_password()
    );
    let page = format!(
        "# Runbook\n\nRotate the key:\n\n```text\n-----BEGIN {k}-----\n{body}\nAAAA\n-----END {k}-----\n```\n\n## After\n\nThen run `deploy --token {token}`.\n",
        k = "PRIVATE KEY",
        body = private_key_body(),
        token = github_token(),
    );
    Fixture::new()
        .file("ledger/catalog-info.yaml", catalog)
        .file("ledger/openapi.yaml", openapi)
        .file(
            "ledger/mkdocs.yml",
            format!(
                "site_name: Ledger\nrepo_url: https://bot:{}@github.example.com/o/ledger\n",
                db_password()
            ),
        )
        .file("ledger/docs/index.md", page)
        .file(
            "ledger/docs/env.txt",
            format!("DB_PASSWORD={}\n", db_password()),
        )
}

#[test]
fn secrets_are_redacted_from_every_output_file_and_reported_by_line() {
    let fx = fixture();
    let config = fx.load_config();
    let report = playbill::build::build(&config, &fx.out(), &|_| {}).expect("builds");

    let secrets = [
        github_token(),
        aws_key_id(),
        db_password(),
        private_key_body(),
    ];
    let out = fx.out();
    let files = files_below(&out);
    assert!(files
        .iter()
        .any(|f| f.ends_with("runbook/index.html") || f.contains("docs/default/component/ledger")));
    for file in &files {
        let bytes = std::fs::read(out.join(file)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{file} holds a secret");
        }
    }

    // The entity and its docs are still there, with the secret replaced.
    let entity =
        std::fs::read_to_string(out.join("catalog/default/component/ledger/index.html")).unwrap();
    assert!(entity.contains("Deploy key REDACTED"), "{entity}");
    let docs =
        std::fs::read_to_string(out.join("docs/default/component/ledger/index.html")).unwrap();
    assert!(docs.contains("REDACTED"));
    assert!(
        docs.contains("After"),
        "the page after the key still renders"
    );
    let copied =
        std::fs::read_to_string(out.join("docs/default/component/ledger/env.txt")).unwrap();
    assert_eq!(copied, "DB_PASSWORD=REDACTED\n");

    let mut found: Vec<(String, u32)> = find(&report.diagnostics, "security/secret")
        .iter()
        .map(|d| (d.file.clone().unwrap_or_default(), d.line.unwrap_or(0)))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("catalog-info.yaml".to_string(), 5),
            ("catalog-info.yaml".to_string(), 8),
            ("docs/env.txt".to_string(), 1),
            ("docs/index.md".to_string(), 6),
            ("docs/index.md".to_string(), 14),
            ("mkdocs.yml".to_string(), 2),
            ("openapi.yaml".to_string(), 6),
        ]
    );
    for d in find(&report.diagnostics, "security/secret") {
        for secret in &secrets {
            assert!(!d.message.contains(secret.as_str()));
        }
    }
}

#[test]
fn allowed_values_and_disabled_rules_are_left_alone() {
    let fx = fixture().config(&format!(
        "[secrets]\nallow = [\"^{}$\"]\ndisable = [\"private-key\", \"url-password\", \"generic-secret\"]\n",
        aws_key_id()
    ));
    let config = fx.load_config();
    let report = playbill::build::build(&config, &fx.out(), &|_| {}).expect("builds");
    let rules: Vec<String> = find(&report.diagnostics, "security/secret")
        .iter()
        .map(|d| {
            d.message
                .split('(')
                .nth(1)
                .unwrap_or("")
                .split(')')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert_eq!(rules, vec!["github-token", "github-token"]);
    let entity =
        std::fs::read_to_string(fx.out().join("catalog/default/component/ledger/index.html"))
            .unwrap();
    assert!(entity.contains(&aws_key_id()));
}

#[test]
fn a_bad_allow_pattern_is_a_config_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("site.toml");
    std::fs::write(&file, "[secrets]\nallow = [\"(\"]\n").unwrap();
    let err = playbill::config::Config::load(&file).unwrap_err();
    assert!(err.to_string().contains("secrets.allow"), "{err}");
}
