//! The github source over GraphQL against the fake GitHub on loopback: requests counted by
//! kind at 31, 100 and 1,000 repositories, first and unchanged runs, whatever the health
//! endpoints answer; the REST fallback when the server has no GraphQL, when the schema
//! refuses a field, and batches split when a query asks for too much at once.

use crate::common;

use common::fake_github::*;
use common::find;

/// Repository health and org data on, and `extra` settings.
fn health_site(
    dir: &std::path::Path,
    server: &FakeGithub,
    env: &str,
    extra: &str,
) -> playbill::config::Config {
    github_site(
        dir,
        &server.api_url(),
        &format!("token_env = \"{env}\"\norg_data = true\nrepo_health = true\n{extra}"),
    )
}

/// An organisation of exactly `n` repositories (see `organisation`); with `features_on`, every
/// repository has runs, pull requests and both kinds of alerts, otherwise their endpoints
/// answer 404 (Actions, Dependabot and code scanning not enabled).
fn world(n: usize, features_on: bool) -> World {
    let mut world = organisation(n - 2);
    if features_on {
        for name in world.repos.keys().cloned().collect::<Vec<_>>() {
            world.health.insert(
                name,
                FakeHealth {
                    runs: vec![(
                        1,
                        "CI",
                        "completed",
                        Some("success"),
                        "2026-01-02T09:30:00Z",
                    )],
                    open_pulls: 3,
                    dependabot: Some(vec!["high"]),
                    code_scanning: Some(vec!["low"]),
                },
            );
        }
    }
    world
}

/// Runs gather twice on an organisation of `n`; returns the requests of both runs.
fn two_runs(
    n: usize,
    features_on: bool,
    extra: &str,
) -> (Counts, Counts, playbill::gather::GithubSummary) {
    let token = format!("ghp_graphql_{n}_{features_on}");
    let env = format!("PLAYBILL_TEST_GQL_{n}_{features_on}_{}", extra.len());
    std::env::set_var(&env, &token);
    let server = FakeGithub::start(world(n, features_on), &token);
    let dir = tempfile::tempdir().unwrap();
    let config = health_site(dir.path(), &server, &env, extra);
    let (workspace, catalog, diagnostics) = gather(&config);
    assert_no_github_problems(&diagnostics);
    let first = server.counts();
    let summary = workspace.github[0].clone();
    eprintln!("{n} repositories, first run: {summary}");
    assert_eq!(summary.scanned, n - 1, "the archived one is skipped");
    assert_eq!(
        summary.requests,
        first.graphql + first.rest,
        "every request is counted"
    );
    assert_eq!(summary.figures.graphql, first.graphql);
    assert_eq!(summary.figures.not_modified, first.not_modified);
    assert!(catalog.entities.iter().any(|e| e.name == "platform-extra"));
    assert!(catalog.entities.iter().any(|e| e.name == "payments"));
    let health = &catalog.repo_health["svc-000"];
    if features_on {
        assert_eq!(health.open_pull_requests, Some(3));
        assert_eq!(health.dependabot_alerts.map(|a| a.high), Some(1));
        assert_eq!(health.code_scanning_alerts.map(|a| a.low), Some(1));
        assert_eq!(health.ci_passing(), Some(true));
    } else {
        assert_eq!(
            (health.dependabot_alerts, health.code_scanning_alerts),
            (None, None)
        );
    }
    server.clear_log();
    let (workspace, again, diagnostics) = gather(&config);
    assert_no_github_problems(&diagnostics);
    let second = server.counts();
    eprintln!("{n} repositories, unchanged run: {}", workspace.github[0]);
    // The same figures (over REST they are read again, at a later time).
    let figures = |c: &playbill::catalog::Catalog| {
        let mut h = c.repo_health.clone();
        h.values_mut().for_each(|h| h.read_at = 0);
        h
    };
    assert_eq!(figures(&again), figures(&catalog));
    assert_eq!(workspace.github[0].cached, n - 1);
    (first, second, summary)
}

/// Listing pages of 100 for `n` repositories.
fn pages(n: usize) -> usize {
    n.div_ceil(100)
}

#[test]
fn an_organisation_costs_a_few_graphql_requests_and_an_unchanged_one_almost_none() {
    for n in [31, 100, 1000] {
        let (first, second, summary) = two_runs(n, false, "");
        // With a catalog: every svc-i but every third, and platform.
        let catalogs = (0..n - 2).filter(|i| i % 3 != 2).count() + 1;
        let docs = (0..n - 2).filter(|i| i % 3 != 2 && i % 10 == 0).count();
        // Discovery: the listing and one GraphQL request per 100 changed repositories; docs
        // repositories: tree + 3 blobs, platform: tree + 4 blobs; health: one GraphQL request
        // per 50, code scanning over REST (a 404, then remembered); teams and members: one.
        let discovery = pages(n) + (n - 1).div_ceil(100);
        assert!(discovery <= 2 * pages(n));
        assert_eq!(
            first.graphql,
            (n - 1).div_ceil(100) + catalogs.div_ceil(50) + 1,
            "{n}"
        );
        assert_eq!(first.rest, pages(n) + docs * 4 + 5 + catalogs, "{n}");
        assert_eq!(
            summary.figures.points, first.graphql as u64,
            "{n}: one point each"
        );
        // Unchanged: the listing answers 304, the health read is kept, the teams are asked.
        assert_eq!(
            second,
            Counts {
                graphql: 1,
                rest: pages(n),
                not_modified: pages(n)
            },
            "{n}"
        );
        assert!(second.rate_limited() * 1000 <= 5 * n.max(1000));
    }
}

#[test]
fn features_on_cost_the_same_and_an_unchanged_run_the_same() {
    let n = 100;
    let (first, second, _) = two_runs(n, true, "");
    let catalogs = (0..n - 2).filter(|i| i % 3 != 2).count() + 1;
    assert_eq!(first.graphql, 1 + catalogs.div_ceil(50) + 1);
    assert_eq!(
        second,
        Counts {
            graphql: 1,
            rest: 1,
            not_modified: 1
        }
    );
}

#[test]
fn without_graphql_rest_remembers_what_the_server_refused() {
    // `graphql = false`: today's REST requests, but a 404 for a feature is not asked again.
    let n = 100;
    let (first, second, _) = two_runs(n, false, "graphql = false");
    let catalogs = (0..n - 2).filter(|i| i % 3 != 2).count() + 1;
    assert_eq!(first.graphql, 0);
    assert!(first.rest >= 2 * (n - 1) + 4 * catalogs, "{first:?}");
    // The listing and the org data answer 304; the health features that answered 404 are
    // remembered with the repositories' state.
    assert_eq!(
        second,
        Counts {
            graphql: 0,
            rest: 1 + 4,
            not_modified: 1 + 4
        }
    );

    // With features on, the REST health answers carry ETags: 304s, free of the rate limit.
    let (_, second, _) = two_runs(n, true, "graphql = false");
    assert_eq!(second.rate_limited(), 0, "{second:?}");
    assert_eq!(second.rest, 1 + 4 + 4 * catalogs);
}

#[test]
fn a_server_without_graphql_is_read_over_rest_and_not_asked_again() {
    let token = "ghp_graphql_missing";
    std::env::set_var("PLAYBILL_TEST_GQL_MISSING", token);
    let mut world = world(31, false);
    world.no_graphql = true;
    let server = FakeGithub::start(world, token);
    let dir = tempfile::tempdir().unwrap();
    let config = health_site(dir.path(), &server, "PLAYBILL_TEST_GQL_MISSING", "");
    let (_, catalog, diagnostics) = gather(&config);
    assert_no_github_problems(&diagnostics);
    assert!(catalog.entities.iter().any(|e| e.name == "svc-000"));
    let first = server.counts();
    assert_eq!(first.graphql, 1, "one request finds no GraphQL");
    server.clear_log();
    let (_, again, _) = gather(&config);
    assert_eq!(
        server.counts().graphql,
        0,
        "remembered for the recheck interval"
    );
    assert_eq!(again.entities.len(), catalog.entities.len());
}

#[test]
fn a_refused_field_is_read_over_rest_and_a_large_batch_is_split() {
    let token = "ghp_graphql_refused";
    std::env::set_var("PLAYBILL_TEST_GQL_REFUSED", token);
    let mut world = world(100, true);
    world.gql_refuse = vec!["vulnerabilityAlerts"];
    world.gql_max_repos = Some(20);
    let server = FakeGithub::start(world, token);
    let dir = tempfile::tempdir().unwrap();
    let config = health_site(dir.path(), &server, "PLAYBILL_TEST_GQL_REFUSED", "");
    let (workspace, catalog, diagnostics) = gather(&config);
    assert_no_github_problems(&diagnostics);
    let catalogs = (0..98).filter(|i| i % 3 != 2).count() + 1;
    let answered = server.world.lock().unwrap().answered.clone();
    let log: Vec<&str> = answered.iter().map(|(u, _)| u.as_str()).collect();
    // Heads and catalog files all came from GraphQL, in batches of at most 20.
    assert!(!log
        .iter()
        .any(|u| u.contains("/commits/") || u.contains("/contents/")));
    let timeouts = answered
        .iter()
        .filter(|(u, s)| u == GRAPHQL && *s == 502)
        .count();
    assert!(
        timeouts >= 3,
        "99 → 50 + 49 → 25 + 25 + 25 + 24 → … {answered:?}"
    );
    // Dependabot alerts over REST for every repository with a catalog; the rest from GraphQL.
    let dependabot = log
        .iter()
        .filter(|u| u.contains("/dependabot/alerts"))
        .count();
    assert_eq!(dependabot, catalogs);
    assert!(!log
        .iter()
        .any(|u| u.contains("/actions/runs") || u.contains("/pulls")));
    let health = &catalog.repo_health["svc-000"];
    assert_eq!(health.dependabot_alerts.map(|a| a.high), Some(1));
    assert_eq!(health.open_pull_requests, Some(3));
    assert_eq!(workspace.github[0].fetched, 99);
    assert!(find(&diagnostics, "github/repo-failed").is_empty());
}
