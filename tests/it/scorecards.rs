//! Scorecards over the demo organisation (outcomes that follow from its data, the ranking page)
//! and over a small site whose `[scorecards]` settings change what is scored.

use playbill::build::{render, Rendered};
use playbill::catalog::EntityRef;
use playbill::config::Config;
use playbill::scorecard::{
    evaluate, results, CheckResult, ClusterData, Inputs, Outcome, Scorecards, Status,
};
use std::collections::BTreeMap;
use std::path::Path;

fn demo() -> (Config, Rendered) {
    let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml"))
        .expect("demo site.toml");
    let rendered = render(&config, &|_| {}).expect("the demo renders");
    (config, rendered)
}

/// The scorecards of a rendered site, evaluated again from its parts as the site stage does,
/// and each scored entity's results as its page shows them (judged again, as the page does).
struct Judged {
    cards: Scorecards,
    results: BTreeMap<EntityRef, Vec<CheckResult>>,
}

fn judge(config: &Config, r: &Rendered) -> Judged {
    let (snapshot, _) = playbill::cluster::obtain(config, &r.catalog);
    let snapshot = snapshot.expect("the demo has a cluster snapshot");
    let inputs = Inputs::new(
        &r.catalog,
        &r.docs,
        ClusterData::Snapshot(&snapshot),
        r.diagnostics.iter(),
    );
    let cards = evaluate(&inputs, &config.scorecards);
    let results = cards
        .cards
        .keys()
        .map(|k| {
            let entity = r.catalog.get(k).expect("a scored entity is in the catalog");
            let judged = results(entity, &inputs, &config.scorecards).expect("scored");
            let statuses: Vec<Status> = judged.iter().map(|r| r.outcome.status).collect();
            assert_eq!(*cards.cards[k].statuses, statuses, "{k}: judged again");
            (k.clone(), judged)
        })
        .collect();
    Judged { cards, results }
}

fn key(text: &str) -> EntityRef {
    EntityRef::parse(text, None, "default").unwrap()
}

fn outcome<'a>(judged: &'a Judged, entity: &str, check: &str) -> &'a Outcome {
    let results = judged.results.get(&key(entity)).expect(entity);
    &results.iter().find(|r| r.id == check).expect(check).outcome
}

fn page(r: &Rendered, path: &str) -> String {
    String::from_utf8(r.site.files.get(path).expect(path).clone()).unwrap()
}

#[test]
fn demo_outcomes_follow_from_the_entities_data() {
    let (config, r) = demo();
    let judged = judge(&config, &r);
    // The settlement runbook holds a planted password: redacted, and its card says where.
    let settlement = outcome(&judged, "component:default/settlement", "no-secrets");
    assert_eq!(settlement.status, Status::Fail, "{settlement:?}");
    assert!(
        settlement.reason.contains("runbook.md"),
        "{}",
        settlement.reason
    );
    assert!(settlement.fix.as_deref().unwrap().contains("rotate"));
    // has-docs and kubernetes-annotations agree with what each entity declares and got.
    let mut without_docs = 0;
    for (entity_key, results) in &judged.results {
        let entity = r.catalog.get(entity_key).unwrap();
        let result = |id: &str| &results.iter().find(|c| c.id == id).unwrap().outcome;
        let docs = result("has-docs");
        if docs.status != Status::NotApplicable {
            // An API's reference (from its spec.definition) counts as its docs by default.
            let reference = entity.kind == "API" && entity.has_definition();
            let built = r.docs.site_of(entity_key).is_some() || reference;
            assert_eq!(docs.status == Status::Pass, built, "{entity_key}: {docs:?}");
            without_docs += usize::from(!built);
        }
        let k8s = result("kubernetes-annotations");
        let production_service = entity.kind == "Component"
            && entity.spec_str("type") == Some("service")
            && entity.spec_str("lifecycle") == Some("production");
        assert_eq!(
            k8s.status != Status::NotApplicable,
            production_service,
            "{entity_key}"
        );
        if production_service {
            let annotated = entity.annotation("backstage.io/kubernetes-id").is_some()
                || entity
                    .annotation("backstage.io/kubernetes-label-selector")
                    .is_some();
            assert_eq!(
                k8s.status == Status::Pass,
                annotated,
                "{entity_key}: {k8s:?}"
            );
        }
    }
    assert!(
        without_docs > 0,
        "every entity has docs; has-docs is not exercised"
    );
    // fraud-scorer declares no techdocs-ref; it is experimental, so cluster checks do not apply.
    let fraud = "component:default/fraud-scorer";
    assert_eq!(outcome(&judged, fraud, "has-docs").status, Status::Fail);
    assert_eq!(
        outcome(&judged, fraud, "running-in-cluster").status,
        Status::NotApplicable
    );
    // payments-ledger runs in every demo cluster.
    let ledger = outcome(
        &judged,
        "component:default/payments-ledger",
        "running-in-cluster",
    );
    assert_eq!(ledger.status, Status::Pass, "{ledger:?}");
    assert!(ledger.reason.contains("prod-eu"), "{}", ledger.reason);
    // Users and Groups carry no checks by default.
    assert!(judged
        .cards
        .cards
        .keys()
        .all(|k| k.kind != "user" && k.kind != "group"));
}

#[test]
fn demo_ranking_page_orders_teams_and_links_failing_entities() {
    let (config, r) = demo();
    let judged = judge(&config, &r);
    // Compared without quotes, so attribute values read as plain words.
    let html = page(&r, "scorecards/index.html").replace('"', "");
    // Teams in the order of the page, with the average shown for each.
    let teams: Vec<&str> = html
        .split("data-team=")
        .skip(1)
        .map(|s| s.split(['>', ' ']).next().unwrap())
        .collect();
    assert!(teams.len() >= 5, "{teams:?}");
    let all: Vec<u32> = judged
        .cards
        .cards
        .values()
        .filter_map(|c| c.score)
        .collect();
    let organisation = (all.iter().sum::<u32>() + all.len() as u32 / 2) / all.len() as u32;
    let scores_of = |team: &str| -> Vec<u32> {
        judged
            .cards
            .cards
            .iter()
            .filter(|(k, _)| {
                r.catalog
                    .relations_of(k)
                    .any(|rel| rel.kind == "ownedBy" && rel.target.to_string() == team)
            })
            .filter_map(|(_, c)| c.score)
            .collect()
    };
    let average = |team: &str| -> Option<u32> {
        let scores = scores_of(team);
        let n = scores.len() as u32;
        (n > 0).then(|| (scores.iter().sum::<u32>() + n / 2) / n)
    };
    // The documented order: each team's scores blended with 5 entities at the organisation's
    // average, so that size counts (docs/scorecards.md).
    let rank = |team: &str| -> Option<u32> {
        let scores = scores_of(team);
        let n = scores.len() as u32;
        (n > 0).then(|| (scores.iter().sum::<u32>() + 5 * organisation) * 10 / (n + 5))
    };
    let ranks: Vec<Option<u32>> = teams.iter().map(|t| rank(t)).collect();
    let mut sorted = ranks.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(ranks, sorted, "{teams:?}");
    let averages: Vec<Option<u32>> = teams.iter().map(|t| average(t)).collect();
    // Size matters: somewhere a team with a higher average but fewer entities ranks lower.
    let sizes: Vec<usize> = teams.iter().map(|t| scores_of(t).len()).collect();
    assert!(
        (1..teams.len()).any(|i| averages[i] > averages[i - 1] && sizes[i] < sizes[i - 1]),
        "{teams:?} {averages:?} {sizes:?}"
    );
    assert!(
        html.contains("data-label=Members"),
        "team size is not shown"
    );
    let (best, worst) = (
        averages[0].unwrap(),
        averages.iter().flatten().min().unwrap(),
    );
    assert!(best - worst >= 25, "no spread between teams: {averages:?}");
    // team-payments' row lists settlement under the failing no-secrets check.
    let payments = html
        .split("data-team=group:default/team-payments")
        .nth(1)
        .expect("team-payments is ranked");
    let payments = payments.split("</tr>").next().unwrap();
    let secrets = payments
        .split("data-check=no-secrets")
        .nth(1)
        .expect("no-secrets fails for team-payments");
    let secrets = secrets.split("</details>").next().unwrap();
    assert!(
        secrets.contains("catalog/default/component/settlement/index.html"),
        "{secrets}"
    );
    // The navigation and the home page lead to it; an entity page shows its card.
    assert!(page(&r, "index.html").contains("scorecards/index.html"));
    let entity = page(&r, "catalog/default/component/settlement/index.html").replace('"', "");
    assert!(entity.contains("../../../../scorecards/index.html"));
    assert!(entity.contains("id=scorecard-title"), "no scorecard card");
}

/// A two-service site with the given `[scorecards]` settings, rendered in memory.
fn small_site(settings: &str) -> Result<Rendered, String> {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org");
    let write = |path: &str, text: &str| {
        let full = org.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    };
    write(
        "teams/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n",
    );
    write(
        "svc/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  description: Does things.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
    );
    let text =
        format!("[[sources]]\ntype = \"local\"\npath = \"org\"\nlayout = \"repos\"\n{settings}");
    std::fs::write(dir.path().join("site.toml"), &text).unwrap();
    let config = Config::load(&dir.path().join("site.toml")).map_err(|e| e.message.to_string())?;
    render(&config, &|_| {})
}

/// The score and the checks shown on svc's page.
fn svc_card(r: &Rendered) -> (String, Vec<String>) {
    let html = page(r, "catalog/default/component/svc/index.html");
    let score = html
        .split("class=\"score ")
        .nth(1)
        .map(|s| {
            s.split("<span")
                .next()
                .unwrap()
                .rsplit('>')
                .next()
                .unwrap()
                .to_string()
        })
        .unwrap_or_default();
    let checks = html
        .split("data-check=")
        .skip(1)
        .map(|s| {
            s.split(['>', ' '])
                .next()
                .unwrap()
                .trim_matches('"')
                .to_string()
        })
        .collect();
    (score, checks)
}

#[test]
fn settings_disable_checks_change_weights_and_name_unknown_checks() {
    // svc passes owner-resolves, has-description and no-secrets, and fails has-system,
    // has-docs, has-runbook and kubernetes-annotations: 3 of 7.
    let r = small_site("").unwrap();
    let (score, checks) = svc_card(&r);
    assert_eq!(score, "43");
    assert!(checks.contains(&"has-runbook".to_string()), "{checks:?}");
    assert!(r.site.files.contains_key("scorecards/index.html"));

    let r = small_site(
        "[scorecards.checks.has-runbook]\nenabled = false\n[scorecards.checks.has-docs]\nenabled = false\n",
    )
    .unwrap();
    let (score, checks) = svc_card(&r);
    assert!(!checks.contains(&"has-runbook".to_string()), "{checks:?}");
    assert!(!checks.contains(&"has-docs".to_string()), "{checks:?}");
    assert_eq!(score, "60");

    let r = small_site("[scorecards.checks.has-description]\nweight = 5\n").unwrap();
    assert_eq!(svc_card(&r).0, "64"); // (1 + 5 + 1) of 11

    let r = small_site("[scorecards]\nenabled = false\n").unwrap();
    assert!(!r.site.files.contains_key("scorecards/index.html"));
    assert!(svc_card(&r).1.is_empty());

    let Err(err) = small_site("[scorecards.checks.runbook]\nweight = 2\n") else {
        panic!("an unknown check is accepted");
    };
    assert!(err.contains("unknown check `runbook`"), "{err}");
    assert!(err.contains("line 5"), "{err}");
}

#[test]
fn demo_repository_health_shows_on_entity_pages_and_scores() {
    let (config, r) = demo();
    let judged = judge(&config, &r);
    // The bundled health file: settlement's ci workflow failed, fraud-scorer has a critical
    // Dependabot alert, fx-rates is green; repositories the file does not name are n/a.
    let ci = outcome(&judged, "component:default/settlement", "ci-passing");
    assert_eq!(ci.status, Status::Fail, "{ci:?}");
    assert!(ci.reason.starts_with("failing on main: ci"), "{ci:?}");
    let alerts = outcome(
        &judged,
        "component:default/fraud-scorer",
        "no-critical-alerts",
    );
    assert_eq!(alerts.status, Status::Fail, "{alerts:?}");
    let green = outcome(&judged, "component:default/fx-rates", "ci-passing");
    assert_eq!(green.status, Status::Pass, "{green:?}");
    let unknown = outcome(&judged, "component:default/payouts", "ci-passing");
    assert_eq!(unknown.status, Status::NotApplicable, "{unknown:?}");

    let settlement = page(&r, "catalog/default/component/settlement/index.html");
    assert!(settlement.contains("Repository</h2>"), "a Repository card");
    assert!(settlement.contains("https://github.com/kloudvin/settlement/actions/runs/"));
    let payouts = page(&r, "catalog/default/component/payouts/index.html");
    assert!(!payouts.contains("Repository</h2>"), "no health, no card");
}

#[test]
fn an_unreadable_health_file_is_one_warning_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repos/svc");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(
        repo.join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("health.json"), "{\n  \"svc\": [1, 2]\n}\n").unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        "[[sources]]\ntype = \"local\"\npath = \"repos\"\nlayout = \"repos\"\nhealth_file = \"health.json\"\n",
    )
    .unwrap();
    let config = Config::load(&dir.path().join("site.toml")).unwrap();
    let r = render(&config, &|_| {}).expect("renders");
    let problems: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "gather/health-file-unreadable")
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains("line 2"),
        "{}",
        problems[0].message
    );
    assert!(r.catalog.get(&key("component:default/svc")).is_some());
    assert!(r.catalog.repo_health.is_empty());
}
