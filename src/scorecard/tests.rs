//! Each check on small entities, read from real files through the catalog and docs stages.

use super::*;
use crate::cluster::model::{EntityStatus, Resources, Workload};
use crate::config::{Config, Layout, Source};
use crate::gather::health::{AlertCounts, RepoHealth, WorkflowRun};

/// A repository on disk: its files, read through gather, catalog and docs as a build does.
struct World {
    _dir: tempfile::TempDir,
    catalog: Catalog,
    docs: DocSets,
    diagnostics: Vec<Diagnostic>,
}

fn world(files: &[(&str, &str)]) -> World {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("org");
    for (path, text) in files {
        let full = root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    let mut config = Config::defaults(dir.path());
    config.sources = vec![Source::Local {
        path: std::fs::canonicalize(&root).unwrap(),
        layout: Layout::Repos,
        health_file: None,
    }];
    let (workspace, catalog, mut diagnostics) = crate::build::load_catalog(&config, &|_| {});
    let (docs, more) = crate::docs::build_docs(&workspace, &catalog, &config, None);
    diagnostics.extend(more);
    World {
        _dir: dir,
        catalog,
        docs,
        diagnostics: diagnostics.iter().cloned().collect(),
    }
}

/// A scorecard with its checks' results, as an entity page shows them.
struct Judged {
    score: Option<u32>,
    results: Vec<CheckResult>,
}

impl World {
    fn card(&self, key: &str, clusters: ClusterData<'_>) -> Option<Judged> {
        self.card_with(key, clusters, &ScorecardConfig::default())
    }

    fn card_with(
        &self,
        key: &str,
        clusters: ClusterData<'_>,
        config: &ScorecardConfig,
    ) -> Option<Judged> {
        let inputs = Inputs::new(&self.catalog, &self.docs, clusters, &self.diagnostics);
        let entity = self
            .catalog
            .entities
            .iter()
            .find(|e| e.key.to_string() == key)
            .expect(key);
        let card = scorecard(entity, &inputs, config)?;
        let results = results(entity, &inputs, config).expect("a scored entity has results");
        let statuses: Vec<Status> = results.iter().map(|r| r.outcome.status).collect();
        assert_eq!(
            *card.statuses, statuses,
            "{key}: judged again, the same statuses"
        );
        Some(Judged {
            score: card.score,
            results,
        })
    }
}

fn result<'a>(card: &'a Judged, id: &str) -> &'a CheckResult {
    card.results.iter().find(|r| r.id == id).expect(id)
}

fn status(card: &Judged, id: &str) -> Status {
    result(card, id).outcome.status
}

const TEAM: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n";

/// A production service with everything a scorecard asks for.
const GOOD: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: good\n  description: Moves money.\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n    backstage.io/kubernetes-id: good\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  system: money\n---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: money\n  description: Money.\nspec:\n  owner: team-a\n";

/// A production service with nothing: no description, no docs, an owner nobody defined.
const BARE: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bare\nspec:\n  type: service\n  lifecycle: production\n  owner: team-ghost\n";

fn good_world() -> World {
    world(&[
        ("org/catalog-info.yaml", TEAM),
        ("good/catalog-info.yaml", GOOD),
        ("good/mkdocs.yml", "site_name: Good\n"),
        (
            "good/docs/index.md",
            "# Good\n\nSee [the runbook](runbook.md).\n",
        ),
        ("good/docs/runbook.md", "# When it breaks\n\nRestart it.\n"),
        ("bare/catalog-info.yaml", BARE),
    ])
}

fn running(key: &str, ready: u32) -> Snapshot {
    let mut snapshot = Snapshot::default();
    let resources = Resources {
        workloads: vec![Workload {
            kind: "Deployment".into(),
            name: "good".into(),
            desired: 2,
            ready,
            ..Workload::default()
        }],
        ..Resources::default()
    };
    snapshot.entities.insert(
        key.to_string(),
        EntityStatus {
            selector: "backstage.io/kubernetes-id=good".into(),
            clusters: [("prod-eu".to_string(), resources)].into(),
            ..EntityStatus::default()
        },
    );
    snapshot
}

/// Health of a GitHub repository: one workflow of each outcome given, alerts as given.
fn health(outcomes: &[(&str, &str)], critical: Option<u64>) -> RepoHealth {
    let runs = outcomes.iter().map(|(workflow, conclusion)| WorkflowRun {
        workflow: workflow.to_string(),
        status: "completed".into(),
        conclusion: Some(conclusion.to_string()),
        ..WorkflowRun::default()
    });
    let alerts = critical.map(|critical| AlertCounts {
        critical,
        high: 2,
        ..AlertCounts::default()
    });
    RepoHealth {
        repo_url: "https://github.com/o/good".into(),
        branch: "main".into(),
        workflows: Some(runs.collect()),
        dependabot_alerts: alerts,
        ..RepoHealth::default()
    }
}

#[test]
fn a_complete_service_passes_every_check() {
    let mut w = good_world();
    let green = health(&[("ci", "success"), ("deploy", "success")], Some(0));
    w.catalog.repo_health.insert("good".into(), green);
    let snapshot = running("component:default/good", 2);
    let card = w
        .card("component:default/good", ClusterData::Snapshot(&snapshot))
        .unwrap();
    let failing: Vec<_> = card
        .results
        .iter()
        .filter(|r| r.outcome.status != Status::Pass)
        .collect();
    assert!(failing.is_empty(), "{failing:#?}");
    assert_eq!(card.score, Some(100));
    assert!(result(&card, "has-runbook")
        .outcome
        .reason
        .contains("runbook.md"));
    assert!(result(&card, "running-in-cluster")
        .outcome
        .reason
        .contains("prod-eu"));
}

#[test]
fn a_bare_service_fails_with_reasons_and_fixes() {
    let w = good_world();
    let card = w
        .card("component:default/bare", ClusterData::NotConfigured)
        .unwrap();
    for id in [
        "owner-resolves",
        "has-description",
        "has-system",
        "has-docs",
        "has-runbook",
        "kubernetes-annotations",
    ] {
        assert_eq!(status(&card, id), Status::Fail, "{id}");
        assert!(result(&card, id).outcome.fix.is_some(), "{id} has no fix");
    }
    assert!(result(&card, "owner-resolves")
        .outcome
        .reason
        .contains("group:default/team-ghost"));
    assert_eq!(status(&card, "docs-build-clean"), Status::NotApplicable);
    assert_eq!(status(&card, "running-in-cluster"), Status::NotApplicable);
    assert_eq!(status(&card, "no-secrets"), Status::Pass);
    // Passed: no-secrets only, of seven applicable checks of weight 1.
    assert_eq!(card.score, Some(14));
}

#[test]
fn checks_outside_their_scope_do_not_apply() {
    let w = good_world();
    let system = w
        .card("system:default/money", ClusterData::NotConfigured)
        .unwrap();
    assert_eq!(status(&system, "has-system"), Status::NotApplicable);
    assert_eq!(status(&system, "has-runbook"), Status::NotApplicable);
    assert!(result(&system, "has-runbook")
        .outcome
        .reason
        .contains("component of type service"));
    assert_eq!(status(&system, "has-docs"), Status::Fail);
    // Groups carry no checks by default, so they get no card.
    assert!(w
        .card("group:default/team-a", ClusterData::NotConfigured)
        .is_none());
}

#[test]
fn running_needs_a_ready_workload_in_the_snapshot() {
    let w = good_world();
    let down = running("component:default/good", 0);
    let card = w
        .card("component:default/good", ClusterData::Snapshot(&down))
        .unwrap();
    assert_eq!(status(&card, "running-in-cluster"), Status::Fail);
    assert!(result(&card, "running-in-cluster")
        .outcome
        .reason
        .contains("kubernetes-id=good"));
    let card = w
        .card("component:default/good", ClusterData::Missing)
        .unwrap();
    assert_eq!(status(&card, "running-in-cluster"), Status::NotApplicable);
    let empty = Snapshot::default();
    let bare = w
        .card("component:default/bare", ClusterData::Snapshot(&empty))
        .unwrap();
    assert!(result(&bare, "running-in-cluster")
        .outcome
        .reason
        .contains("no Kubernetes annotations"));
}

#[test]
fn docs_errors_secrets_and_missing_runbooks_fail_their_checks() {
    let w = world(&[
        ("org/catalog-info.yaml", TEAM),
        (
            "svc/catalog-info.yaml",
            &GOOD.replace("name: good", "name: svc"),
        ),
        ("svc/mkdocs.yml", "site_name: Svc\n"),
        (
            "svc/docs/index.md",
            "# Svc\n\nConnect with `postgres://app:Zq8vR2mT9xLw4@db.internal:5432/svc`.\n",
        ),
        (
            "svc/docs/broken.md",
            "# Broken\n\nSee [nowhere](missing.md).\n",
        ),
    ]);
    let card = w
        .card("component:default/svc", ClusterData::NotConfigured)
        .unwrap();
    assert_eq!(status(&card, "has-docs"), Status::Pass);
    let secrets = &result(&card, "no-secrets").outcome;
    assert_eq!(secrets.status, Status::Fail, "{secrets:?}");
    assert!(
        secrets.reason.contains("docs/index.md"),
        "{}",
        secrets.reason
    );
    let runbook = &result(&card, "has-runbook").outcome;
    assert_eq!(runbook.status, Status::Fail);
    assert!(
        runbook.reason.contains("2 docs pages"),
        "{}",
        runbook.reason
    );
    let docs = &result(&card, "docs-build-clean").outcome;
    let has_error = w
        .diagnostics
        .iter()
        .any(|d| d.severity == crate::diagnostics::Severity::Error && d.code.starts_with("docs/"));
    let expected = if has_error {
        Status::Fail
    } else {
        Status::Pass
    };
    assert_eq!(docs.status, expected, "{docs:?}");
}

#[test]
fn a_docs_error_fails_docs_build_clean() {
    let w = world(&[
        ("org/catalog-info.yaml", TEAM),
        (
            "svc/catalog-info.yaml",
            &GOOD.replace("name: good", "name: svc"),
        ),
        (
            "svc/mkdocs.yml",
            "site_name: Svc\ndocs_dir: ../../elsewhere\n",
        ),
    ]);
    let card = w
        .card("component:default/svc", ClusterData::NotConfigured)
        .unwrap();
    let docs = &result(&card, "docs-build-clean").outcome;
    assert_eq!(docs.status, Status::Fail, "{docs:?}");
    assert!(docs.reason.contains("docs/outside-repo"), "{}", docs.reason);
    assert_eq!(status(&card, "has-docs"), Status::Fail);
}

#[test]
fn weights_and_disabled_checks_change_the_score() {
    let w = good_world();
    let parse = |text: &str| {
        let value: toml::Table = toml::from_str(text).unwrap();
        let raw: config::RawScorecards = value["scorecards"].clone().try_into().unwrap();
        raw.resolve(text).unwrap()
    };
    let heavy = parse("[scorecards.checks.no-secrets]\nweight = 6\n");
    let card = w
        .card_with("component:default/bare", ClusterData::NotConfigured, &heavy)
        .unwrap();
    // no-secrets passes with 6 of 12 applicable weight.
    assert_eq!(card.score, Some(50));
    let fewer = parse("[scorecards.checks.has-docs]\nenabled = false\n[scorecards.checks.has-runbook]\nenabled = false\n");
    let card = w
        .card_with("component:default/bare", ClusterData::NotConfigured, &fewer)
        .unwrap();
    assert!(card.results.iter().all(|r| r.id != "has-docs"));
    assert_eq!(card.score, Some(20));
}

#[test]
fn repository_health_from_github_scores_ci_and_critical_alerts() {
    let mut w = good_world();
    let key = "component:default/good";
    let card = w.card(key, ClusterData::NotConfigured).unwrap();
    assert_eq!(
        status(&card, "ci-passing"),
        Status::NotApplicable,
        "local repository"
    );
    assert_eq!(status(&card, "no-critical-alerts"), Status::NotApplicable);

    let red = health(&[("ci", "failure"), ("deploy", "success")], Some(3));
    w.catalog.repo_health.insert("good".into(), red);
    let card = w.card(key, ClusterData::NotConfigured).unwrap();
    let ci = result(&card, "ci-passing");
    assert_eq!(ci.outcome.status, Status::Fail);
    assert!(ci.outcome.reason.contains("failing on main: ci"), "{ci:?}");
    assert!(!ci.outcome.reason.contains("deploy"), "{ci:?}");
    assert!(ci
        .outcome
        .fix
        .as_deref()
        .unwrap()
        .contains("https://github.com/o/good/actions"));
    let alerts = result(&card, "no-critical-alerts");
    assert_eq!(alerts.outcome.status, Status::Fail);
    assert!(
        alerts.outcome.reason.starts_with("3 open critical alerts"),
        "{alerts:?}"
    );

    // Unreadable alerts and no runs say nothing either way; stale figures say their date.
    let mut unknown = health(&[], None);
    unknown.stale = true;
    unknown.read_at = 1_767_225_600; // 2026-01-01
    w.catalog.repo_health.insert("good".into(), unknown);
    let card = w.card(key, ClusterData::NotConfigured).unwrap();
    assert_eq!(status(&card, "ci-passing"), Status::NotApplicable);
    assert_eq!(status(&card, "no-critical-alerts"), Status::NotApplicable);
    let mut stale_green = health(&[("ci", "success")], Some(0));
    stale_green.stale = true;
    stale_green.read_at = 1_767_225_600;
    w.catalog.repo_health.insert("good".into(), stale_green);
    let card = w.card(key, ClusterData::NotConfigured).unwrap();
    let ci = result(&card, "ci-passing");
    assert_eq!(ci.outcome.status, Status::Pass);
    assert!(
        ci.outcome.reason.ends_with("(figures of 2026-01-01)"),
        "{ci:?}"
    );
}

#[test]
fn cluster_problems_count_against_a_service() {
    use crate::cluster::model::Problem;
    let w = good_world();
    let healthy = running("component:default/good", 2);
    let card = w.card("component:default/good", ClusterData::Snapshot(&healthy));
    let card = card.unwrap();
    assert_eq!(status(&card, "healthy-in-clusters"), Status::Pass);
    let healthy_score = card.score.unwrap();

    let mut failing = running("component:default/good", 2);
    let status_of = failing.entities.get_mut("component:default/good").unwrap();
    let prod = status_of.clusters.get_mut("prod-eu").unwrap();
    prod.problems.push(Problem::new(
        8,
        "oom-killed",
        "Pod money/good-1".into(),
        "OOMKilled".into(),
    ));
    let card = w.card("component:default/good", ClusterData::Snapshot(&failing));
    let card = card.unwrap();
    let check = result(&card, "healthy-in-clusters");
    assert_eq!(check.outcome.status, Status::Fail);
    assert!(check
        .outcome
        .reason
        .contains("failing in prod-eu (1 problem)"));
    assert!(card.score.unwrap() < 80, "{:?}", card.score);
    assert!(card.score.unwrap() < healthy_score);

    // Without a snapshot it does not apply, and says why.
    let card = w
        .card("component:default/good", ClusterData::Missing)
        .unwrap();
    assert_eq!(status(&card, "healthy-in-clusters"), Status::NotApplicable);
}

const API: &str = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: money-api\n  description: Pay.\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: |\n    openapi: 3.0.0\n    info: {title: Money, version: '1'}\n    paths: {}\n";

#[test]
fn an_api_reference_counts_as_docs_unless_configured_otherwise() {
    let w = world(&[
        ("org/catalog-info.yaml", TEAM),
        ("api/catalog-info.yaml", API),
    ]);
    let card = w.card("api:default/money-api", ClusterData::NotConfigured);
    let check = result(card.as_ref().unwrap(), "has-docs");
    assert_eq!(check.outcome.status, Status::Pass);
    assert!(check.outcome.reason.contains("API reference"), "{check:?}");

    let config = ScorecardConfig {
        api_reference_is_docs: false,
        ..ScorecardConfig::default()
    };
    let card = w.card_with("api:default/money-api", ClusterData::NotConfigured, &config);
    assert_eq!(status(&card.unwrap(), "has-docs"), Status::Fail);
}
