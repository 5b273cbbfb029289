//! The github source: every repository of an organisation, fetched through the REST API and
//! materialised in the cache so the rest of the pipeline reads it like a local checkout.
//!
//! Requests are kept few: one conditional listing of the organisation (a 304 when nothing was
//! pushed, free of the rate limit), then for the changed repositories their head commits and
//! catalog files in GraphQL batches (`discover`, `graphql`; REST where GraphQL is missing),
//! and — only when a catalog points at more files (docs, Location targets, placeholders) — one
//! recursive tree listing and the blobs needed (`fetch`). Then a cross-repository round fetches what
//! catalogs name by URL in other repositories of the organisation (`cross`), with
//! `repo_health` each repository's CI runs, pull requests and alerts are read (`health`), and
//! with `org_data` its teams and members become entities (`org`). Every request goes through
//! `client`. This is the only async code of the build: a tokio runtime lives for the duration
//! of `gather_github`.

mod client;
mod cross;
mod discover;
mod fetch;
mod gql_endpoint;
mod graphql;
mod health;
mod health_gql;
mod health_parts;
mod org;
mod wants;

use super::cache::{OrgCache, RepoState, State};
use super::Repo;
use crate::config::GithubSource;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::paths::RepoPath;
pub(super) use client::RequestFigures;
use client::{encode_path, Ctx};
use fetch::{Kind, Outcome, RepoInfo};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// What one github source did, for the build summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GithubSummary {
    pub organization: String,
    /// Repositories listed and kept by the filters.
    pub scanned: usize,
    pub with_catalog: usize,
    pub fetched: usize,
    pub cached: usize,
    pub failed: usize,
    /// HTTP requests sent, retries and 304s included.
    pub requests: usize,
    /// The same requests by kind, and the GraphQL points they spent.
    pub figures: RequestFigures,
    /// Why GraphQL last did not answer (REST answered instead), when it did not.
    pub graphql_fallback: Option<String>,
    pub rate_limit_remaining: Option<u64>,
    /// Repository health read (`repo_health`), `None` when not asked for.
    pub health: Option<health::HealthFigures>,
}

impl fmt::Display for GithubSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GitHub {}: {} repositories scanned, {} with a catalog, {} fetched, {} cached, {} failed; {} API calls",
            self.organization, self.scanned, self.with_catalog, self.fetched, self.cached, self.failed, self.requests
        )?;
        let r = &self.figures;
        write!(
            f,
            " ({} GraphQL, {} REST of which {} answered 304: {} rate-limited), {} GraphQL points",
            r.graphql,
            r.rest(),
            r.not_modified,
            r.rate_limited(),
            r.points
        )?;
        if let Some(why) = &self.graphql_fallback {
            write!(f, "; REST instead of GraphQL after {why}")?;
        }
        if let Some(left) = self.rate_limit_remaining {
            write!(f, ", rate limit {left} left")?;
        }
        if let Some(h) = self.health {
            write!(
                f,
                "; health of {} repositories read ({} unchanged and kept, {} stale): {} with failing CI, {} with critical alerts",
                h.read, h.kept, h.stale, h.ci_failing, h.critical_alerts
            )?;
        }
        Ok(())
    }
}

/// Gathers one `type = "github"` source.
pub(super) fn gather_github(
    index: usize,
    source: &GithubSource,
    cache_dir: &Path,
    progress: &dyn Fn(&str),
) -> (Vec<Repo>, Diagnostics, GithubSummary) {
    crate::install_tls_provider();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            let mut diagnostics = Diagnostics::new();
            diagnostics.push(Diagnostic::error(
                "github/unreachable",
                format!("cannot start the HTTP client: {e}"),
            ));
            return (Vec::new(), diagnostics, GithubSummary::default());
        }
    };
    runtime.block_on(gather_async(index, source, cache_dir, progress))
}

async fn gather_async(
    index: usize,
    source: &GithubSource,
    cache_dir: &Path,
    progress: &dyn Fn(&str),
) -> (Vec<Repo>, Diagnostics, GithubSummary) {
    let org = source.organization.clone();
    let mut diagnostics = Diagnostics::new();
    let mut summary = GithubSummary {
        organization: org.clone(),
        ..GithubSummary::default()
    };
    let host = url::Url::parse(&source.api_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let cache = OrgCache::new(cache_dir, &host, &org);
    let mut state = cache.load(&settings_fingerprint(source));
    let octo = match client::client(source).await {
        Ok(o) => o,
        Err(message) => {
            diagnostics.push(Diagnostic::error("github/auth", message));
            let repos = cached_repos(index, &cache, &state, &mut summary, &mut diagnostics);
            return (repos, diagnostics, summary);
        }
    };
    let now = i64::try_from(client::now_secs()).unwrap_or(i64::MAX);
    let ctx = context(source, octo, &mut state, &cache, now);
    progress(&format!("GitHub {org}: listing repositories"));
    let listed = match fetch::list_repos(&ctx).await {
        Ok(l) => l,
        Err(message) => {
            diagnostics.push(Diagnostic::error(
                "github/unreachable",
                format!(
                    "cannot list the repositories of {org}: {message}; the cached copies are used"
                ),
            ));
            state.responses = ctx.take_fresh();
            let repos = cached_repos(index, &cache, &state, &mut summary, &mut diagnostics);
            count_requests(&ctx, &mut summary);
            return (repos, diagnostics, summary);
        }
    };
    let selected: Vec<RepoInfo> = listed
        .into_iter()
        .filter(|r| fetch::selected(source, r))
        .collect();
    summary.scanned = selected.len();
    let outcomes = fetch::gather_repos(&ctx, selected, &state.repos, progress).await;
    let (mut repo_states, failed) = tally(outcomes, &mut summary, &mut diagnostics);
    cross::fetch_cross(&ctx, &mut repo_states, &mut diagnostics).await;
    if source.repo_health {
        progress(&format!(
            "GitHub {org}: reading CI runs, pull requests and alerts"
        ));
        summary.health = Some(health::read_health(&ctx, &mut repo_states, &failed).await);
    }
    let mut repos = Vec::new();
    for (name, repo_state) in &repo_states {
        if let Some(repo) = materialised_repo(index, &cache, name, repo_state) {
            summary.with_catalog += usize::from(!repo_state.catalog_files.is_empty());
            repos.push(repo);
        }
    }
    if source.org_data {
        progress(&format!("GitHub {org}: reading teams and members"));
        repos.extend(org::org_entities(&ctx, index, &mut diagnostics).await);
    }
    if ctx.gql.is_some() {
        state.graphql_missing_at = (!ctx.graphql_on()).then_some(now);
    }
    save_state(&ctx, state, repo_states, &mut diagnostics);
    count_requests(&ctx, &mut summary);
    summary.graphql_fallback = client::lock(&ctx.gql_note).clone();
    summary.rate_limit_remaining = ctx.rate_limit_remaining();
    (repos, diagnostics, summary)
}

/// The client context for one build; GraphQL is left out while a recent build found the
/// server without it.
fn context(
    source: &GithubSource,
    octo: octocrab::Octocrab,
    state: &mut State,
    cache: &OrgCache,
    now: i64,
) -> Arc<Ctx> {
    let previous = std::mem::take(&mut state.responses);
    let missing_lately = state.graphql_missing_at.is_some_and(|at| {
        now.saturating_sub(at) < i64::try_from(source.recheck_secs).unwrap_or(i64::MAX)
    });
    let gql = gql_endpoint::gql_client(source).filter(|_| !missing_lately);
    Arc::new(Ctx::new(octo, source, previous, cache.clone(), gql))
}

fn count_requests(ctx: &Ctx, summary: &mut GithubSummary) {
    summary.requests = ctx.requests();
    summary.figures = ctx.figures();
}

/// Counts what became of each repository into the summary; returns the states to keep and
/// the names of the repositories that failed.
fn tally(
    outcomes: Vec<Outcome>,
    summary: &mut GithubSummary,
    diagnostics: &mut Diagnostics,
) -> (BTreeMap<String, RepoState>, BTreeSet<String>) {
    let mut repo_states = BTreeMap::new();
    let mut failed = BTreeSet::new();
    for outcome in outcomes {
        match outcome.kind {
            Kind::Fetched => summary.fetched += 1,
            Kind::Cached => summary.cached += 1,
            Kind::Failed => {
                summary.failed += 1;
                failed.insert(outcome.name.clone());
            }
        }
        diagnostics.extend(outcome.diagnostics);
        if let Some(repo_state) = outcome.state {
            repo_states.insert(outcome.name, repo_state);
        }
    }
    (repo_states, failed)
}

/// Saves the cache state: the repositories as they are now, and the responses worth keeping
/// for conditional requests. Copies of repositories no longer listed are pruned.
fn save_state(
    ctx: &Ctx,
    mut state: State,
    repo_states: BTreeMap<String, RepoState>,
    diagnostics: &mut Diagnostics,
) {
    state.responses = ctx.take_fresh();
    // A repository skipped this run keeps its commit's ETag for the run that needs it.
    let org_path = format!("/repos/{}/", encode_path(&ctx.source.organization));
    for (path, response) in &ctx.previous {
        let repo = path
            .strip_prefix(&org_path)
            .and_then(|rest| rest.split('/').next());
        if repo.is_some_and(|r| repo_states.contains_key(r)) {
            state
                .responses
                .entry(path.clone())
                .or_insert_with(|| response.clone());
        }
    }
    ctx.cache.prune(repo_states.keys().map(String::as_str));
    state.repos = repo_states;
    if let Err(e) = ctx.cache.save(&state) {
        diagnostics.push(Diagnostic::warning(
            "gather/unreadable",
            format!("cannot write the cache {}: {e}", ctx.cache.dir.display()),
        ));
    }
}

/// Settings that change what is fetched; a change empties the cache state.
fn settings_fingerprint(source: &GithubSource) -> String {
    format!(
        "{}|{}|{}",
        source.api_url,
        source.catalog_path,
        source.branch.as_deref().unwrap_or("")
    )
}

/// The repository the pipeline reads: the materialised directory of its commit.
fn materialised_repo(
    index: usize,
    cache: &OrgCache,
    name: &str,
    state: &RepoState,
) -> Option<Repo> {
    if !state.has_files() {
        return None;
    }
    let root = std::fs::canonicalize(cache.repo_dir(name, &state.commit)).ok()?;
    let mut repo = Repo::new(name.to_string(), index, root);
    repo.commit = Some(state.commit.clone());
    repo.commit_time = state.commit_time;
    repo.origin = Some(state.origin.clone());
    repo.branch = Some(state.branch.clone());
    repo.catalog_files = state
        .catalog_files
        .iter()
        .map(|p| RepoPath::from_walked(p))
        .collect();
    repo.health = state.health.clone();
    Some(repo)
}

/// When the organisation cannot be listed: every repository as cached, marked stale.
fn cached_repos(
    index: usize,
    cache: &OrgCache,
    state: &State,
    summary: &mut GithubSummary,
    diagnostics: &mut Diagnostics,
) -> Vec<Repo> {
    let mut repos: Vec<Repo> = state
        .repos
        .iter()
        .filter_map(|(name, s)| materialised_repo(index, cache, name, s))
        .collect();
    for health in repos.iter_mut().filter_map(|r| r.health.as_mut()) {
        health.stale = true;
    }
    if !repos.is_empty() {
        diagnostics.push(Diagnostic::warning(
            "github/repo-stale",
            format!(
                "{} repositories of {} come from the cache and may be out of date",
                repos.len(),
                summary.organization
            ),
        ));
    }
    summary.cached = repos.len();
    summary.with_catalog = repos.len();
    repos
}
