//! The github source against a GitHub REST API server on loopback, reached through `api_url`
//! with a GitHub Enterprise style `/api/v3` prefix: plain HTTP on 127.0.0.1, and HTTPS with a
//! private CA in one test. The server (a thread per connection) speaks the parts Playbill uses:
//! the organisation's repository listing with Link pagination and ETags, commits, contents,
//! recursive trees, blobs, teams and members, App installation tokens, rate-limit headers,
//! workflow runs, open pull requests and security alerts (403 where the token may not read
//! them); faults (500s, secondary and primary rate limits) are injected per path.

use crate::common;

use common::fake_github::*;
use common::{codes, find};
use std::time::Instant;

#[test]
fn an_organisation_is_gathered_and_an_unchanged_one_costs_a_handful_of_requests() {
    // Long on purpose: two gathers in sequence, with request counts compared.
    let token = "ghp_test_token_first_run_0123456789";
    std::env::set_var("PLAYBILL_TEST_TOKEN_A", token);
    // A server without GraphQL: today's REST path, after one request that finds none.
    let mut world = organisation(100);
    world.no_graphql = true;
    let server = FakeGithub::start(world, token);
    // A secondary rate limit on the second listing page, a 500 on one commit lookup, and a
    // used-up primary limit on one contents request: each retried, none fatal.
    server.fault("repos?per_page=100&type=all&page=2", 403, 1, Some(1));
    server.fault("/repos/kloudvin/svc-004/commits/", 500, 1, None);
    server.world.lock().unwrap().faults.push(Fault {
        path: "/repos/kloudvin/svc-005/contents/".into(),
        status: 403,
        times: 1,
        retry_after: None,
        exhausted: true,
    });
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), &server.api_url(), "PLAYBILL_TEST_TOKEN_A");

    let started = Instant::now();
    let (workspace, catalog, diagnostics) = gather(&config);
    let first_time = started.elapsed();
    let first = server.requests();
    let summary = workspace.github[0].clone();
    eprintln!("first run: {summary} in {:.2}s", first_time.as_secs_f64());
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    assert_no_github_problems(&diagnostics);
    // 101 listed (the archived one is skipped), 33 without a catalog file.
    assert_eq!(summary.scanned, 101);
    assert_eq!(summary.with_catalog, 68);
    assert_eq!(summary.fetched, 101);
    assert_eq!(summary.failed, 0);
    assert_eq!(summary.requests, first, "every request is counted");
    // The GraphQL probe; listing 2 pages + 1 retry; commits 101 + 1 retry; catalog files 101 +
    // 1 retry; trees for the 7 docs repositories and the Location one; 7 × 3 docs blobs + 4
    // Location/placeholder blobs; teams, 2 team member lists, members.
    assert_eq!(first, 1 + 3 + 102 + 102 + 8 + 25 + 4);
    assert!(summary.rate_limit_remaining.is_some());
    // A repository without a catalog file costs its commit and one 404.
    let log: Vec<String> = server
        .world
        .lock()
        .unwrap()
        .log
        .iter()
        .map(|l| l.0.clone())
        .collect();
    assert_eq!(
        log.iter().filter(|u| u.contains("/svc-002/")).count(),
        2,
        "{log:?}"
    );
    assert!(
        !log.iter().any(|u| u.contains("/svc-001/git/")),
        "no tree without docs"
    );
    assert!(!log.iter().any(|u| u.contains("old-thing")));

    let refs: Vec<String> = catalog.entities.iter().map(|e| e.key.to_string()).collect();
    for r in [
        "component:default/svc-000",
        "component:default/platform-worker",
        "component:default/platform-extra",
        "api:default/platform-db",
        "group:default/platform",
        "group:default/payments",
        "user:default/alice",
    ] {
        assert!(refs.contains(&r.to_string()), "{r} missing from {refs:?}");
    }
    assert!(!refs.contains(&"component:default/old-thing".to_string()));
    let api = catalog
        .entities
        .iter()
        .find(|e| e.name == "platform-db")
        .unwrap();
    assert_eq!(api.definition_text().as_deref(), Some("openapi: 3.0.0\n"));
    let payments = catalog
        .entities
        .iter()
        .find(|e| e.name == "payments")
        .unwrap();
    assert_eq!(payments.spec_str("parent"), Some("platform"));

    // Annotations as Backstage sets them for a discovered repository.
    let svc = catalog
        .entities
        .iter()
        .find(|e| e.name == "svc-000")
        .unwrap();
    let web = format!("https://github.example.com/{ORG}/svc-000");
    assert_eq!(
        svc.annotation("backstage.io/managed-by-location"),
        Some(format!("url:{web}/blob/main/catalog-info.yaml").as_str())
    );
    assert_eq!(
        svc.annotation("backstage.io/view-url"),
        Some(format!("{web}/blob/main/catalog-info.yaml").as_str())
    );
    assert_eq!(
        svc.annotation("backstage.io/edit-url"),
        Some(format!("{web}/edit/main/catalog-info.yaml").as_str())
    );
    assert_eq!(
        svc.annotation("backstage.io/source-location"),
        Some(format!("url:{web}/tree/main/").as_str())
    );
    assert_eq!(
        svc.annotation("github.com/project-slug"),
        Some("kloudvin/svc-000")
    );
    let worker = catalog
        .entities
        .iter()
        .find(|e| e.name == "platform-worker")
        .unwrap();
    assert_eq!(
        worker.annotation("backstage.io/managed-by-origin-location"),
        Some(
            format!("url:https://github.example.com/{ORG}/platform/blob/main/catalog-info.yaml")
                .as_str()
        )
    );

    // The docs of svc-000 render from the materialised copy; only what they need was fetched.
    let repo = workspace
        .repos
        .iter()
        .find(|r| r.name == "svc-000")
        .unwrap();
    assert!(repo.root.join("pages/guide.md").is_file());
    assert!(!repo.root.join("src/main.rs").exists());
    assert_eq!(repo.commit.as_deref().map(str::len), Some(40));
    assert_eq!(repo.commit_time, Some(1_767_261_600));
    let (docs, docs_diags) = playbill::docs::build_docs(&workspace, &catalog, &config, None);
    assert!(
        docs.sites.iter().any(|s| s.pages.len() == 2),
        "{docs_diags:?}"
    );

    // The nightly run on an unchanged organisation: the listing pages and the org data
    // answer 304, nothing is downloaded.
    server.clear_log();
    let started = Instant::now();
    let (workspace2, catalog2, diagnostics2) = gather(&config);
    let second = server.requests();
    let summary2 = workspace2.github[0].clone();
    eprintln!(
        "second run: {summary2} in {:.2}s",
        started.elapsed().as_secs_f64()
    );
    assert!(diagnostics2.is_empty() || !diagnostics2.has_errors());
    // 2 listing pages + teams + 2 team member lists + org members; the missing GraphQL is
    // remembered, not asked again.
    assert_eq!(second, 6, "{:?}", server.world.lock().unwrap().log);
    assert_eq!(summary2.cached, 101);
    assert_eq!(summary2.fetched, 0);
    assert_eq!(catalog2.entities.len(), catalog.entities.len());
    eprintln!("requests: first run {first}, unchanged run {second}");
}

#[test]
fn a_failing_repository_keeps_its_cached_copy_and_the_rest_go_on() {
    let token = "ghp_test_token_stale_0123456789";
    std::env::set_var("PLAYBILL_TEST_TOKEN_B", token);
    // Over REST, where a fault can hit one repository's requests.
    let mut world = organisation(6);
    world.no_graphql = true;
    let server = FakeGithub::start(world, token);
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), &server.api_url(), "PLAYBILL_TEST_TOKEN_B");
    let (_, catalog, diagnostics) = gather(&config);
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    assert!(catalog.entities.iter().any(|e| e.name == "svc-001"));

    // Both repositories change; one of them then fails on every attempt.
    {
        let mut world = server.world.lock().unwrap();
        for (name, new_name) in [
            ("svc-001", "svc-001-renamed"),
            ("svc-003", "svc-003-renamed"),
        ] {
            let repo = world.repos.get_mut(name).unwrap();
            repo.files.insert(
                "catalog-info.yaml".into(),
                component(new_name, "a.example.com/x: y").into_bytes(),
            );
            repo.pushed_at = "2026-02-01T00:00:00Z".into();
        }
    }
    server.fault("/repos/kloudvin/svc-001/", 500, 1000, None);
    let (workspace, catalog, diagnostics) = gather(&config);
    let stale = find(&diagnostics, "github/repo-stale");
    assert_eq!(stale.len(), 1, "{diagnostics:?}");
    assert_eq!(stale[0].repo.as_deref(), Some("svc-001"));
    assert!(
        stale[0].message.contains("server error 500"),
        "{}",
        stale[0].message
    );
    let names: Vec<&str> = catalog.entities.iter().map(|e| e.name.as_str()).collect();
    assert!(
        names.contains(&"svc-001"),
        "the cached copy is used: {names:?}"
    );
    assert!(
        names.contains(&"svc-003-renamed"),
        "the other repository is fetched: {names:?}"
    );
    assert_eq!(workspace.github[0].failed, 1);

    // Once the repository answers again it is fetched (its stale copy is not trusted).
    server.world.lock().unwrap().faults.clear();
    let (_, catalog, diagnostics) = gather(&config);
    assert!(find(&diagnostics, "github/repo-stale").is_empty());
    assert!(catalog.entities.iter().any(|e| e.name == "svc-001-renamed"));

    // A repository that has never been fetched and fails is skipped with an error.
    server.world.lock().unwrap().repos.insert(
        "brand-new".into(),
        FakeRepo::new(&[("catalog-info.yaml", &component("brand-new", "a/b: c"))]),
    );
    server.fault("/repos/kloudvin/brand-new/", 500, 1000, None);
    let (_, _, diagnostics) = gather(&config);
    assert_eq!(
        find(&diagnostics, "github/repo-failed").len(),
        1,
        "{diagnostics:?}"
    );
}

#[test]
fn the_token_never_appears_in_output_logs_or_files() {
    let token = "ghp_secret_token_never_printed_42";
    let server = FakeGithub::start(organisation(12), token);
    let dir = tempfile::tempdir().unwrap();
    site(dir.path(), &server.api_url(), "PLAYBILL_TEST_TOKEN_C");
    let run = |token: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_playbill"))
            .args(["build", "--config"])
            .arg(dir.path().join("site.toml"))
            .env("PLAYBILL_TEST_TOKEN_C", token)
            .env("RUST_LOG", "trace")
            .output()
            .unwrap()
    };
    let output = run(token);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("GitHub kloudvin: 13 repositories scanned, 9 with a catalog, 13 fetched, 0 cached, 0 failed;"), "{stderr}");
    assert!(stderr.contains("rate limit"), "{stderr}");
    // Every request carried the token, and nothing else did.
    let log = server.world.lock().unwrap().log.clone();
    assert!(log
        .iter()
        .all(|(_, auth)| auth.as_deref() == Some(&format!("Bearer {token}"))));

    // A wrong token: the listing fails with a diagnostic that names the variable's problem,
    // not the token, and the cached copies are used.
    let output = run("ghp_wrong_token_also_secret");
    let stderr_wrong = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(
        stderr_wrong.contains("github/unreachable"),
        "{stderr_wrong}"
    );
    assert!(stderr_wrong.contains("401"), "{stderr_wrong}");

    for text in [&stderr, &stdout, &stderr_wrong] {
        assert!(
            !text.contains(token) && !text.contains("ghp_wrong"),
            "token printed"
        );
    }
    for file in common::files_below(dir.path()) {
        let bytes = std::fs::read(dir.path().join(&file)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(token) && !text.contains("ghp_wrong"),
            "token written to {file}"
        );
    }
}

#[test]
fn a_missing_token_variable_is_a_diagnostic() {
    let server = FakeGithub::start(organisation(3), "x");
    let dir = tempfile::tempdir().unwrap();
    let config = site(dir.path(), &server.api_url(), "PLAYBILL_TEST_TOKEN_UNSET");
    let (workspace, _, diagnostics) = gather(&config);
    let auth = find(&diagnostics, "github/auth");
    assert_eq!(auth.len(), 1);
    assert!(auth[0].message.contains("PLAYBILL_TEST_TOKEN_UNSET"));
    assert!(workspace.repos.is_empty());
    assert_eq!(server.requests(), 0);
}

#[test]
fn a_github_app_mints_an_installation_token() {
    // A GitHub App's private key as GitHub hands it out: PKCS#1 PEM.
    let key = rsa::pkcs1::EncodeRsaPrivateKey::to_pkcs1_pem(
        &rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap(),
        rsa::pkcs1::LineEnding::LF,
    )
    .unwrap()
    .to_string();
    std::env::set_var("PLAYBILL_TEST_APP_ID", "12345");
    std::env::set_var("PLAYBILL_TEST_APP_KEY", &key);
    let server = FakeGithub::start(organisation(4), APP_TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let config = github_site(
        dir.path(),
        &server.api_url(),
        "app_id_env = \"PLAYBILL_TEST_APP_ID\"\napp_key_env = \"PLAYBILL_TEST_APP_KEY\"",
    );
    let (workspace, catalog, diagnostics) = gather(&config);
    assert_no_github_problems(&diagnostics);
    assert!(catalog.entities.iter().any(|e| e.name == "svc-000"));
    let log = server.world.lock().unwrap().log.clone();
    let mints = log
        .iter()
        .filter(|(u, _)| u.contains("/access_tokens"))
        .count();
    assert_eq!(mints, 1, "one token for the whole run: {log:?}");
    assert_eq!(workspace.github[0].requests + mints, log.len());
    for file in common::files_below(dir.path()) {
        let text = std::fs::read_to_string(dir.path().join(&file)).unwrap_or_default();
        assert!(
            !text.contains(APP_TOKEN) && !text.contains("PRIVATE KEY"),
            "{file}"
        );
    }
}

#[test]
fn a_catalog_glob_reads_every_catalog_file_of_a_monorepo() {
    let token = "ghp_test_token_monorepo";
    std::env::set_var("PLAYBILL_TEST_TOKEN_D", token);
    let mut world = World::default();
    world.repos.insert(
        "mono".into(),
        FakeRepo::new(&[
            ("catalog-info.yaml", &component("mono-root", "a/b: c")),
            (
                "services/a/catalog-info.yaml",
                &component("mono-a", "a/b: c"),
            ),
            (
                "services/b/catalog-info.yaml",
                &component("mono-b", "a/b: c"),
            ),
            (
                "node_modules/x/catalog-info.yaml",
                &component("vendored", "a/b: c"),
            ),
            ("services/a/main.go", "package main"),
        ]),
    );
    let server = FakeGithub::start(world, token);
    let dir = tempfile::tempdir().unwrap();
    let config = github_site(
        dir.path(),
        &server.api_url(),
        "catalog_path = \"/**/catalog-info.yaml\"\ntoken_env = \"PLAYBILL_TEST_TOKEN_D\"\nrepo_health = false",
    );
    let (workspace, catalog, _) = gather(&config);
    let mut names: Vec<&str> = catalog.entities.iter().map(|e| e.name.as_str()).collect();
    names.sort();
    assert_eq!(names, vec!["mono-a", "mono-b", "mono-root"]);
    let b = catalog
        .entities
        .iter()
        .find(|e| e.name == "mono-b")
        .unwrap();
    assert_eq!(
        b.annotation("backstage.io/source-location"),
        Some(format!("url:https://github.example.com/{ORG}/mono/tree/main/services/b/").as_str())
    );
    assert!(!workspace.repos[0].root.join("services/a/main.go").exists());
    // The listing, the commit, one tree and three blobs.
    assert_eq!(
        server.requests(),
        6,
        "{:?}",
        server.world.lock().unwrap().log
    );
}

#[test]
fn https_with_a_private_certificate_authority() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let token = "ghp_test_token_https";
    std::env::set_var("PLAYBILL_TEST_TOKEN_E", token);
    // rustls-native-certs reads the trusted roots from here: how a GitHub Enterprise with a
    // private CA is trusted.
    let server = FakeGithub::start_tls(organisation(3), token);
    std::fs::write(d.join("ca.pem"), server.server.ca_pem().unwrap()).unwrap();
    std::env::set_var("SSL_CERT_FILE", d.join("ca.pem"));
    assert!(server.api_url().starts_with("https://"));
    let config = github_site(
        d,
        &server.api_url(),
        "token_env = \"PLAYBILL_TEST_TOKEN_E\"",
    );
    let (workspace, catalog, diagnostics) = gather(&config);
    assert_no_github_problems(&diagnostics);
    assert_eq!(workspace.github[0].fetched, 4);
    assert!(catalog.entities.iter().any(|e| e.name == "svc-000"));
}

/// A portal repository whose catalog names files in two other repositories of the
/// organisation, neither of which has a catalog file of its own, and a ledger repository.
fn cross_repo_world() -> World {
    let web = format!("https://github.example.com/{ORG}");
    let portal = format!(
        "{}---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: org\nspec:\n  targets:\n    - {web}/teams/blob/main/org/groups.yaml\n    - {web}/teams/blob/dev/org/next.yaml\n",
        component(
            "portal",
            &format!("backstage.io/techdocs-ref: url:{web}/handbook/tree/main/guides")
        )
    );
    let groups = format!(
        "{}---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: more-teams\nspec:\n  target: ./more.yaml\n",
        common::group("sre")
    );
    let mut world = World::default();
    world.repos.insert(
        "portal".into(),
        FakeRepo::new(&[("catalog-info.yaml", &portal), ("src/app.ts", "export {}")]),
    );
    world.repos.insert(
        "teams".into(),
        FakeRepo::new(&[
            ("org/groups.yaml", &groups),
            ("org/more.yaml", &common::group("dba")),
            ("README.md", "# Teams"),
        ]),
    );
    world.repos.insert(
        "handbook".into(),
        FakeRepo::new(&[
            ("guides/mkdocs.yml", "site_name: Handbook\n"),
            (
                "guides/docs/index.md",
                "# Handbook\n\nSee [setup](setup.md).\n",
            ),
            ("guides/docs/setup.md", "# Setup\n"),
            ("README.md", "# Handbook"),
        ]),
    );
    world.repos.insert(
        "ledger".into(),
        FakeRepo::new(&[("catalog-info.yaml", &component("ledger", "a/b: c"))]),
    );
    world.health.insert(
        "portal".into(),
        FakeHealth {
            runs: vec![
                (
                    1,
                    "CI",
                    "completed",
                    Some("failure"),
                    "2026-01-02T09:30:00Z",
                ),
                (
                    2,
                    "Deploy",
                    "completed",
                    Some("success"),
                    "2026-01-02T08:00:00Z",
                ),
                (
                    1,
                    "CI",
                    "completed",
                    Some("success"),
                    "2026-01-01T09:30:00Z",
                ),
            ],
            open_pulls: 7,
            dependabot: Some(vec!["critical", "high", "high", "low"]),
            code_scanning: Some(vec!["medium"]),
        },
    );
    // A token without the security permissions, and a repository without workflows or PRs.
    world.health.insert("ledger".into(), FakeHealth::default());
    world
}

fn entity_page(site: &playbill::site::Site, name: &str) -> String {
    let path = format!("catalog/default/component/{name}/index.html");
    String::from_utf8(site.files[&path].clone()).unwrap()
}

fn log_of(server: &FakeGithub) -> Vec<String> {
    server
        .world
        .lock()
        .unwrap()
        .log
        .iter()
        .map(|l| l.0.clone())
        .collect()
}

#[test]
fn urls_into_other_repositories_are_fetched_and_health_is_shown() {
    // Long on purpose: one organisation gathered, then its pages checked.
    let token = "ghp_test_token_cross_repo";
    std::env::set_var("PLAYBILL_TEST_TOKEN_F", token);
    let server = FakeGithub::start(cross_repo_world(), token);
    let dir = tempfile::tempdir().unwrap();
    let config = github_site(
        dir.path(),
        &server.api_url(),
        "token_env = \"PLAYBILL_TEST_TOKEN_F\"",
    );
    let rendered = playbill::build::render(&config, &|_| {}).unwrap();
    let log = log_of(&server);
    // Listing; one GraphQL request for the heads and catalog files of 4 repositories; teams:
    // tree + groups.yaml + more.yaml; handbook: tree + mkdocs.yml + 2 pages; health: one
    // GraphQL request for 2 repositories, and code scanning (not in GraphQL) over REST.
    assert_eq!(log.len(), 1 + 1 + 3 + 4 + 1 + 2, "{log:#?}");
    assert!(!log
        .iter()
        .any(|u| u.contains("next.yaml") || u.contains("README")));

    let refs = common::refs(&rendered.catalog);
    for r in [
        "group:default/sre",
        "group:default/dba",
        "component:default/portal",
    ] {
        assert!(refs.contains(&r.to_string()), "{r} missing from {refs:?}");
    }
    let codes = codes(&rendered.diagnostics);
    assert!(
        !codes.contains(&"catalog/location-target-missing"),
        "{:?}",
        rendered.diagnostics
    );
    assert!(
        !codes.iter().any(|c| c.starts_with("docs/")),
        "{:?}",
        rendered.diagnostics
    );
    // The Location naming another branch than the one gathered says so.
    let other_ref = find(&rendered.diagnostics, "github/ref-not-gathered");
    assert_eq!(other_ref.len(), 1, "{:?}", rendered.diagnostics);
    assert!(other_ref[0].message.contains("`dev`") && other_ref[0].message.contains("`main`"));
    assert_eq!(other_ref[0].repo.as_deref(), Some("portal"));
    assert_eq!(other_ref[0].file.as_deref(), Some("catalog-info.yaml"));
    let handbook = rendered
        .docs
        .sites
        .iter()
        .find(|s| s.site_name == "Handbook")
        .expect("the portal's docs come from the handbook repository");
    assert_eq!(handbook.pages.len(), 2);

    // The health model of each repository with a catalog.
    let health = &rendered.catalog.repo_health;
    assert_eq!(health.keys().collect::<Vec<_>>(), vec!["ledger", "portal"]);
    let portal = &health["portal"];
    let runs: Vec<(&str, Option<&str>)> = portal
        .workflows
        .as_ref()
        .unwrap()
        .iter()
        .map(|r| (r.workflow.as_str(), r.conclusion.as_deref()))
        .collect();
    assert_eq!(
        runs,
        vec![("CI", Some("failure")), ("Deploy", Some("success"))]
    );
    assert_eq!(portal.ci_passing(), Some(false));
    assert_eq!(portal.open_pull_requests, Some(7));
    let dependabot = portal.dependabot_alerts.unwrap();
    assert_eq!(
        (
            dependabot.critical,
            dependabot.high,
            dependabot.medium,
            dependabot.low
        ),
        (1, 2, 0, 1)
    );
    assert_eq!(portal.code_scanning_alerts.unwrap().medium, 1);
    let ledger = &health["ledger"];
    assert_eq!(ledger.workflows.as_deref(), Some(&[][..]));
    assert_eq!(ledger.open_pull_requests, Some(0));
    assert_eq!(
        (ledger.dependabot_alerts, ledger.code_scanning_alerts),
        (None, None)
    );
    assert!(!portal.stale && !ledger.stale);
    let summary = rendered.workspace.github[0].to_string();
    assert!(
        summary.ends_with(
            "health of 2 repositories read (0 unchanged and kept, 0 stale): 1 with failing CI, 1 with critical alerts"
        ),
        "{summary}"
    );

    // The page: CI per workflow with links, PRs, alerts by severity, and "not available".
    let page = entity_page(&rendered.site, "portal");
    let card = &page[page.find("repo-health-title").expect("Repository card")..];
    let card = &card[..card.find("</section>").unwrap()];
    assert!(card.contains("run-failed"), "{card}");
    assert!(card.contains("2026-01-02 09:30 UTC"));
    assert!(card.contains(&format!(
        "https://github.example.com/{ORG}/r/actions/runs/1000"
    )));
    assert!(card.contains(&format!("https://github.example.com/{ORG}/portal/pulls")));
    assert!(card.contains("1 critical") && card.contains("2 high"));
    assert!(!card.contains("stale"));
    let page = entity_page(&rendered.site, "ledger");
    assert!(page.contains("Not available with this token"));
    assert!(page.contains("No workflow ran on this branch"));

    // An unchanged run: the listing, answered 304; the health read minutes ago is kept.
    server.clear_log();
    let again = playbill::build::render(&config, &|_| {}).unwrap();
    let log = log_of(&server);
    assert_eq!(log.len(), 1, "{log:#?}");
    assert!(log
        .iter()
        .all(|u| !u.contains("/git/") && !u.contains("/contents/")));
    assert_eq!(common::refs(&again.catalog), refs);
    assert_eq!(
        entity_page(&again.site, "portal"),
        entity_page(&rendered.site, "portal")
    );

    // The portal cannot be fetched: its copy and its last health are kept, marked stale.
    server
        .world
        .lock()
        .unwrap()
        .repos
        .get_mut("portal")
        .unwrap()
        .pushed_at = "2026-02-01T00:00:00Z".into();
    server.fault(GRAPHQL, 401, 1, None);
    server.fault("/repos/kloudvin/portal/commits/", 401, 1, None);
    let stale = playbill::build::render(&config, &|_| {}).unwrap();
    assert_eq!(find(&stale.diagnostics, "github/repo-stale").len(), 1);
    assert!(stale.catalog.repo_health["portal"].stale);
    assert!(!stale.catalog.repo_health["ledger"].stale);
    let page = entity_page(&stale.site, "portal");
    let today = playbill::time::iso_date(i64::try_from(now()).unwrap());
    assert!(page.contains("badge-stale"), "{page}");
    // A date the reader's browser ages (static/age.js), the date itself without script.
    assert!(page.contains("figures as of <time"), "{page}");
    assert!(page.contains(&format!(">{today} ")), "{page}");
    assert!(refs
        .iter()
        .all(|r| common::refs(&stale.catalog).contains(r)));
}
