//! The github source: every repository of an organisation, fetched through the REST API and
//! materialised in the cache so the rest of the pipeline reads it like a local checkout.
//!
//! Requests are kept few: one conditional listing of the organisation (a 304 when nothing was
//! pushed), then per changed repository its head commit, the catalog file, and — only when
//! the catalog points at more files (docs, Location targets, placeholders) — one recursive
//! tree listing and the blobs needed. Then a cross-repository round fetches what catalogs name
//! by URL in other repositories of the organisation (`cross`), and, with `repo_health`, each
//! repository's CI runs, pull requests and alerts are read (`health`). This is the only async
//! code of the build: a tokio runtime lives for the duration of `gather_github`.

mod cross;
mod health;

use super::cache::{CachedResponse, CrossWant, OrgCache, RepoState, State};
use super::{compile_patterns, is_literal_pattern, Repo};
use crate::config::{GithubAuth, GithubSource};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::paths::RepoPath;
use http::header::{HeaderMap, HeaderValue, ACCEPT, IF_NONE_MATCH};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const JSON: &str = "application/vnd.github+json";
const RAW: &str = "application/vnd.github.raw+json";
const ATTEMPTS: u32 = 4;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for a rate limit to reset before the request counts as failed.
const MAX_RATE_WAIT: Duration = Duration::from_secs(15 * 60);
/// Docs assets larger than this are not fetched (catalog files have their own, lower limit).
const MAX_BLOB_BYTES: u64 = 20 * 1024 * 1024;
/// Rounds of "read what was fetched, fetch what it points at" (Locations, mkdocs, docs).
const MAX_ROUNDS: usize = 16;

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
        if let Some(left) = self.rate_limit_remaining {
            write!(f, ", rate limit {left} left")?;
        }
        if let Some(h) = self.health {
            write!(
                f,
                "; health of {} repositories read ({} stale): {} with failing CI, {} with critical alerts",
                h.read, h.stale, h.ci_failing, h.critical_alerts
            )?;
        }
        Ok(())
    }
}

/// Gathers one `type = "github"` source.
pub fn gather_github(
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
    let octo = match client(source).await {
        Ok(o) => o,
        Err(message) => {
            diagnostics.push(Diagnostic::error("github/auth", message));
            let repos = cached_repos(index, &cache, &state, &mut summary, &mut diagnostics);
            return (repos, diagnostics, summary);
        }
    };
    let ctx = Arc::new(Ctx {
        octo,
        source: source.clone(),
        base_path: url::Url::parse(&source.api_url)
            .map(|u| u.path().trim_end_matches('/').to_string())
            .unwrap_or_default(),
        // An App already looked up its installation; token minting goes through octocrab and
        // is not counted.
        requests: AtomicUsize::new(usize::from(matches!(source.auth, GithubAuth::App { .. }))),
        rate: Mutex::new(Rate::default()),
        permits: Semaphore::new(source.concurrency),
        previous: std::mem::take(&mut state.responses),
        fresh: Mutex::new(BTreeMap::new()),
        cache: cache.clone(),
    });
    progress(&format!("GitHub {org}: listing repositories"));
    let listed = match list_repos(&ctx).await {
        Ok(l) => l,
        Err(message) => {
            diagnostics.push(Diagnostic::error(
                "github/unreachable",
                format!(
                    "cannot list the repositories of {org}: {message}; the cached copies are used"
                ),
            ));
            state.responses = std::mem::take(&mut *lock(&ctx.fresh));
            let repos = cached_repos(index, &cache, &state, &mut summary, &mut diagnostics);
            summary.requests = ctx.requests.load(Ordering::Relaxed);
            return (repos, diagnostics, summary);
        }
    };
    let selected: Vec<RepoInfo> = listed.into_iter().filter(|r| selected(source, r)).collect();
    summary.scanned = selected.len();
    let total = selected.len();
    let mut tasks = JoinSet::new();
    for info in selected {
        let previous = state.repos.get(&info.name).cloned();
        tasks.spawn(gather_repo(ctx.clone(), info, previous));
    }
    let mut outcomes = Vec::with_capacity(total);
    while let Some(joined) = tasks.join_next().await {
        let Ok(outcome) = joined else { continue };
        progress(&format!(
            "GitHub {org}: {}/{total} repositories ({} {})",
            outcomes.len() + 1,
            outcome.name,
            outcome.kind.word()
        ));
        outcomes.push(outcome);
    }
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
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
        match org_data(&ctx).await {
            Ok(yaml) => {
                if let Some(repo) = org_repo(index, &cache, &org, &web_root(&source.api_url), &yaml)
                {
                    repos.push(repo);
                }
            }
            Err(message) => diagnostics.push(Diagnostic::warning(
                "github/org-data",
                format!("cannot read the teams and members of {org}: {message}; no Group or User entities were made from them"),
            )),
        }
    }
    state.responses = std::mem::take(&mut *lock(&ctx.fresh));
    // A repository skipped this run keeps its commit's ETag for the run that needs it.
    let org_path = format!("/repos/{}/", encode_path(&org));
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
    cache.prune(repo_states.keys().map(String::as_str));
    state.repos = repo_states;
    if let Err(e) = cache.save(&state) {
        diagnostics.push(Diagnostic::warning(
            "gather/unreadable",
            format!("cannot write the cache {}: {e}", cache.dir.display()),
        ));
    }
    summary.requests = ctx.requests.load(Ordering::Relaxed);
    summary.rate_limit_remaining = lock(&ctx.rate).remaining;
    (repos, diagnostics, summary)
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

async fn client(source: &GithubSource) -> Result<Octocrab, String> {
    let builder = Octocrab::builder()
        .base_uri(source.api_url.as_str())
        .map_err(|e| format!("api_url `{}`: {e}", source.api_url))?;
    let env = |name: &str, key: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| {
                format!(
                    "the environment variable {name} (named by `{key}` in site.toml) is not set"
                )
            })
    };
    match &source.auth {
        GithubAuth::None => builder.build().map_err(|e| e.to_string()),
        GithubAuth::Token { env: name } => {
            let token = env(name, "token_env")?;
            builder
                .personal_token(token)
                .build()
                .map_err(|e| e.to_string())
        }
        GithubAuth::App { id_env, key_env } => {
            let id: u64 = env(id_env, "app_id_env")?
                .trim()
                .parse()
                .map_err(|_| format!("{id_env} is not a GitHub App id (a number)"))?;
            let key = env(key_env, "app_key_env")?;
            let key = octocrab::EncodingKey::from_rsa_pem(key.as_bytes())
                .map_err(|_| format!("{key_env} is not an RSA private key in PEM form"))?;
            let app = builder
                .app(id.into(), key)
                .build()
                .map_err(|e| e.to_string())?;
            // The installation's token is minted on first use and refreshed before it expires.
            // Only its id is read, so the lookup does not depend on the full model.
            #[derive(Deserialize)]
            struct Installation {
                id: u64,
            }
            let path = format!("/orgs/{}/installation", encode_path(&source.organization));
            let installation: Installation = app.get(&path, None::<&()>).await.map_err(|e| {
                format!(
                    "the GitHub App is not installed on {}: {}",
                    source.organization,
                    short_error(&e)
                )
            })?;
            app.installation(installation.id.into())
                .map_err(|e| e.to_string())
        }
    }
}

/// octocrab's errors as one line, without request details.
fn short_error(e: &octocrab::Error) -> String {
    match e {
        octocrab::Error::GitHub { source, .. } => source.message.clone(),
        other => other.to_string().lines().next().unwrap_or("").to_string(),
    }
}

struct Ctx {
    octo: Octocrab,
    source: GithubSource,
    /// The path of `api_url` (`/api/v3` on GitHub Enterprise), stripped from Link URLs.
    base_path: String,
    requests: AtomicUsize,
    rate: Mutex<Rate>,
    permits: Semaphore,
    /// Responses of the last run, by request path (ETags for conditional requests).
    previous: BTreeMap<String, CachedResponse>,
    /// Responses of this run worth keeping.
    fresh: Mutex<BTreeMap<String, CachedResponse>>,
    cache: OrgCache,
}

#[derive(Default)]
struct Rate {
    remaining: Option<u64>,
    /// Seconds since the epoch.
    reset: Option<u64>,
}

struct Reply {
    status: u16,
    body: Vec<u8>,
    link: Option<String>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl Ctx {
    /// GET `path` (relative to api_url). Retries transport errors, timeouts and 5xx with
    /// backoff, waits out rate limits; other statuses are returned for the caller to judge.
    /// With `conditional`, a 304 answers from the last run's body.
    async fn get(&self, path: &str, accept: &str, conditional: bool) -> Result<Reply, String> {
        let known = conditional.then(|| self.previous.get(path)).flatten();
        let mut backoff = Duration::from_millis(500);
        let mut last_error = String::new();
        for attempt in 1..=ATTEMPTS {
            self.wait_for_rate_limit().await?;
            let mut headers = HeaderMap::new();
            headers.insert(
                ACCEPT,
                HeaderValue::from_static(if accept == RAW { RAW } else { JSON }),
            );
            if let Some(etag) = known.and_then(|k| HeaderValue::from_str(&k.etag).ok()) {
                headers.insert(IF_NONE_MATCH, etag);
            }
            let sent = {
                let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
                self.requests.fetch_add(1, Ordering::Relaxed);
                tokio::time::timeout(REQUEST_TIMEOUT, async {
                    let response = self.octo._get_with_headers(path, Some(headers)).await?;
                    let (parts, body) = response.into_parts();
                    let body = body.collect().await?.to_bytes();
                    Ok::<_, octocrab::Error>((parts, body))
                })
                .await
            };
            let (parts, body) = match sent {
                Err(_) => {
                    last_error = format!("no answer within {}s", REQUEST_TIMEOUT.as_secs());
                    backoff = pause(backoff, attempt).await;
                    continue;
                }
                Ok(Err(e)) => {
                    last_error = short_error(&e);
                    backoff = pause(backoff, attempt).await;
                    continue;
                }
                Ok(Ok(answer)) => answer,
            };
            let status = parts.status.as_u16();
            let remaining =
                header(&parts.headers, "x-ratelimit-remaining").and_then(|v| v.parse().ok());
            let reset = header(&parts.headers, "x-ratelimit-reset").and_then(|v| v.parse().ok());
            if remaining.is_some() {
                let mut rate = lock(&self.rate);
                rate.remaining = remaining;
                rate.reset = reset;
            }
            let link = header(&parts.headers, "link").map(str::to_string);
            match status {
                304 => {
                    if let Some(k) = known {
                        lock(&self.fresh).insert(path.to_string(), k.clone());
                        return Ok(Reply {
                            status: 200,
                            body: k.body.clone().into_bytes(),
                            link: k.link.clone(),
                        });
                    }
                    return Err("304 Not Modified to an unconditional request".into());
                }
                403 | 429 => {
                    // Secondary limits say how long to wait; the primary limit says when it resets.
                    let retry_after = header(&parts.headers, "retry-after")
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    let wait = match (retry_after, remaining) {
                        (Some(secs), _) => Some(Duration::from_secs(secs)),
                        (None, Some(0)) => Some(Duration::from_secs(
                            reset.unwrap_or(0).saturating_sub(now_secs()) + 1,
                        )),
                        _ => None,
                    };
                    match wait {
                        Some(wait) if wait <= MAX_RATE_WAIT && attempt < ATTEMPTS => {
                            last_error = format!("rate limited ({status})");
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        Some(_) => {
                            return Err(format!(
                                "rate limited ({status}) for longer than {} minutes",
                                MAX_RATE_WAIT.as_secs() / 60
                            ))
                        }
                        None => {
                            return Ok(Reply {
                                status,
                                body: body.to_vec(),
                                link,
                            })
                        }
                    }
                }
                500..=599 => {
                    last_error = format!("server error {status}");
                    backoff = pause(backoff, attempt).await;
                    continue;
                }
                _ => {}
            }
            if conditional && (200..300).contains(&status) {
                if let (Some(etag), Ok(text)) =
                    (header(&parts.headers, "etag"), std::str::from_utf8(&body))
                {
                    lock(&self.fresh).insert(
                        path.to_string(),
                        CachedResponse {
                            etag: etag.to_string(),
                            link: link.clone(),
                            body: text.to_string(),
                        },
                    );
                }
            }
            return Ok(Reply {
                status,
                body: body.to_vec(),
                link,
            });
        }
        Err(format!("{last_error} (after {ATTEMPTS} attempts)"))
    }

    /// Sleeps until the primary rate limit resets when it is used up.
    async fn wait_for_rate_limit(&self) -> Result<(), String> {
        let wait = {
            let rate = lock(&self.rate);
            match (rate.remaining, rate.reset) {
                (Some(0), Some(reset)) if reset > now_secs() => {
                    Duration::from_secs(reset - now_secs() + 1)
                }
                _ => return Ok(()),
            }
        };
        if wait > MAX_RATE_WAIT {
            return Err(format!(
                "the rate limit is used up for {} more minutes",
                wait.as_secs() / 60
            ));
        }
        tokio::time::sleep(wait).await;
        lock(&self.rate).remaining = None;
        Ok(())
    }

    /// GET a JSON document: 2xx parsed, anything else an error naming the status.
    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        conditional: bool,
    ) -> Result<(T, Option<String>), String> {
        let reply = self.get(path, JSON, conditional).await?;
        if !(200..300).contains(&reply.status) {
            return Err(status_message(reply.status, &reply.body));
        }
        let value = serde_json::from_slice(&reply.body)
            .map_err(|e| format!("unexpected answer from {path}: {e}"))?;
        Ok((value, reply.link))
    }

    /// Every item of a paginated listing, following `Link: <...>; rel="next"`.
    async fn paginate<T: serde::de::DeserializeOwned>(
        &self,
        first: &str,
    ) -> Result<Vec<T>, String> {
        let mut items = Vec::new();
        let mut next = Some(first.to_string());
        let mut pages = 0;
        while let Some(path) = next.take() {
            pages += 1;
            if pages > 1000 {
                return Err("more than 1000 pages".into());
            }
            let (page, link): (Vec<T>, _) = self.get_json(&path, true).await?;
            items.extend(page);
            next = link
                .as_deref()
                .and_then(next_link)
                .and_then(|u| self.relative(&u));
        }
        Ok(items)
    }

    /// Replaces the kept body of a conditional response by a smaller one that reads the same.
    fn keep_compact(&self, path: &str, body: String) {
        if let Some(kept) = lock(&self.fresh).get_mut(path) {
            kept.body = body;
        }
    }

    /// A URL the API handed out, as a path relative to api_url (octocrab adds the base back).
    fn relative(&self, link: &str) -> Option<String> {
        let url = url::Url::parse(link).ok()?;
        let path = url
            .path()
            .strip_prefix(&self.base_path)
            .unwrap_or(url.path());
        Some(match url.query() {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        })
    }
}

/// Waits before the next attempt (none after the last) and doubles the wait.
async fn pause(backoff: Duration, attempt: u32) -> Duration {
    if attempt < ATTEMPTS {
        tokio::time::sleep(backoff).await;
    }
    backoff * 2
}

fn status_message(status: u16, body: &[u8]) -> String {
    let message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string));
    match (status, message) {
        (401, _) => "401 Unauthorized: the token is missing, expired or wrong".to_string(),
        (403, m) => format!(
            "403 Forbidden: {}",
            m.unwrap_or_else(|| "the token lacks a permission".into())
        ),
        (s, Some(m)) => format!("{s}: {m}"),
        (s, None) => format!("HTTP {s}"),
    }
}

/// The `rel="next"` target of a Link header.
fn next_link(link: &str) -> Option<String> {
    link_target(link, "next")
}

/// The target of a Link header's `rel` relation.
fn link_target(link: &str, rel: &str) -> Option<String> {
    let wanted = format!("rel=\"{rel}\"");
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params.split(';').any(|p| p.trim() == wanted).then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

/// Percent-encodes a path for a URL, keeping `/`.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Clone, Debug, Deserialize)]
struct RepoInfo {
    name: String,
    html_url: String,
    default_branch: Option<String>,
    pushed_at: Option<String>,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    fork: bool,
    #[serde(default)]
    topics: Vec<String>,
}

async fn list_repos(ctx: &Ctx) -> Result<Vec<RepoInfo>, String> {
    let org = encode_path(&ctx.source.organization);
    ctx.paginate(&format!("/orgs/{org}/repos?per_page=100&type=all"))
        .await
}

fn selected(source: &GithubSource, repo: &RepoInfo) -> bool {
    let matches = |patterns: &[String]| compile_patterns(patterns).is_match(&repo.name);
    (source.archived || !repo.archived)
        && (source.forks || !repo.fork)
        && (source.include.is_empty() || matches(&source.include))
        && !matches(&source.exclude)
        && (source.topics.is_empty() || repo.topics.iter().any(|t| source.topics.contains(t)))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Fetched,
    Cached,
    Failed,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Fetched => "fetched",
            Kind::Cached => "unchanged",
            Kind::Failed => "failed",
        }
    }
}

struct Outcome {
    name: String,
    kind: Kind,
    /// What the cache holds for the repository now (None: nothing usable).
    state: Option<RepoState>,
    diagnostics: Diagnostics,
}

/// A cached state is usable when its files are still on disk.
fn usable(cache: &OrgCache, name: &str, state: &RepoState) -> bool {
    !state.has_files() || cache.repo_dir(name, &state.commit).is_dir()
}

async fn gather_repo(ctx: Arc<Ctx>, info: RepoInfo, previous: Option<RepoState>) -> Outcome {
    let branch = ctx
        .source
        .branch
        .clone()
        .or_else(|| info.default_branch.clone())
        .unwrap_or_else(|| "main".to_string());
    let previous = previous.filter(|p| usable(&ctx.cache, &info.name, p));
    if let Some(p) = &previous {
        if p.pushed_at.is_some() && p.pushed_at == info.pushed_at && p.branch == branch {
            return Outcome {
                name: info.name,
                kind: Kind::Cached,
                state: previous,
                diagnostics: Diagnostics::new(),
            };
        }
    }
    match fetch_repo(&ctx, &info, &branch, previous.as_ref()).await {
        Ok((state, kind)) => Outcome {
            name: info.name,
            kind,
            state: Some(state),
            diagnostics: Diagnostics::new(),
        },
        Err(message) => {
            let mut diagnostics = Diagnostics::new();
            let state = match previous {
                Some(mut p) => {
                    diagnostics.push(
                        Diagnostic::warning(
                            "github/repo-stale",
                            format!(
                                "cannot fetch {}: {message}; the cached copy at commit {} is used",
                                info.html_url,
                                short_sha(&p.commit)
                            ),
                        )
                        .repo(info.name.clone()),
                    );
                    // Forget the push time so the next run tries again.
                    p.pushed_at = None;
                    Some(p)
                }
                None => {
                    diagnostics.push(
                        Diagnostic::error(
                            "github/repo-failed",
                            format!(
                                "cannot fetch {}: {message}; the repository was skipped",
                                info.html_url
                            ),
                        )
                        .repo(info.name.clone()),
                    );
                    None
                }
            };
            Outcome {
                name: info.name,
                kind: Kind::Failed,
                state,
                diagnostics,
            }
        }
    }
}

fn short_sha(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

#[derive(Deserialize)]
struct CommitInfo {
    sha: String,
    commit: CommitDetails,
}

#[derive(Deserialize)]
struct CommitDetails {
    committer: Option<Signature>,
}

#[derive(Deserialize)]
struct Signature {
    date: Option<String>,
}

#[derive(Deserialize)]
struct Tree {
    tree: Vec<TreeEntry>,
}

#[derive(Deserialize)]
struct TreeEntry {
    path: String,
    #[serde(rename = "type")]
    kind: String,
    sha: String,
    size: Option<u64>,
}

/// What a fetched file is read for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Catalog YAML: its Locations, placeholders and techdocs-refs point at more files.
    Catalog,
    /// mkdocs.yml: its docs_dir is fetched.
    Mkdocs,
    Plain,
}

/// Files a repository's catalog needs, found while reading what was already fetched.
enum Want {
    File(String, Role),
    Glob(String, Role),
    Dir(String),
    /// A file or docs directory in another repository of the organisation.
    Cross(CrossWant),
}

impl Want {
    /// What the want asks for, as remembered with the paths it resolved to.
    fn key(&self) -> String {
        match self {
            Want::File(p, role) => format!("file:{role:?}:{p}"),
            Want::Glob(p, role) => format!("glob:{role:?}:{p}"),
            Want::Dir(d) => format!("dir:{d}"),
            Want::Cross(c) => format!("cross:{}/{}", c.repo, c.ref_path),
        }
    }
}

/// One repository at its head commit: reuses the cached copy when the commit is unchanged.
async fn fetch_repo(
    ctx: &Arc<Ctx>,
    info: &RepoInfo,
    branch: &str,
    previous: Option<&RepoState>,
) -> Result<(RepoState, Kind), String> {
    let org = encode_path(&ctx.source.organization);
    let name = encode_path(&info.name);
    let base = format!("/repos/{org}/{name}");
    let reply = ctx
        .get(
            &format!("{base}/commits/{}", encode_path(branch)),
            JSON,
            true,
        )
        .await?;
    let mut state = RepoState {
        pushed_at: info.pushed_at.clone(),
        branch: branch.to_string(),
        origin: info.html_url.clone(),
        ..RepoState::default()
    };
    // An empty repository (409) or a missing branch (404, 422) has no catalog.
    if matches!(reply.status, 404 | 409 | 422) {
        return Ok((state, Kind::Fetched));
    }
    if !(200..300).contains(&reply.status) {
        return Err(status_message(reply.status, &reply.body));
    }
    let commit: CommitInfo = serde_json::from_slice(&reply.body)
        .map_err(|e| format!("unexpected commit answer: {e}"))?;
    state.commit = commit.sha.clone();
    state.commit_time = commit
        .commit
        .committer
        .and_then(|c| c.date)
        .and_then(|d| crate::time::parse_rfc3339(&d));
    if let Some(p) = previous {
        if p.commit == state.commit && p.branch == branch {
            let kept = RepoState {
                pushed_at: state.pushed_at,
                origin: state.origin,
                commit_time: state.commit_time,
                ..p.clone()
            };
            return Ok((kept, Kind::Cached));
        }
    }
    let sha = state.commit.clone();
    let mut files: BTreeMap<String, (Vec<u8>, Role)> = BTreeMap::new();
    let mut tree: Option<Vec<TreeEntry>> = None;
    let catalog_path = ctx.source.catalog_path.clone();
    let mut wants = Vec::new();
    if is_literal_pattern(&catalog_path) {
        let path = RepoPath::root()
            .join(&catalog_path)
            .map_err(|e| format!("catalog_path: {e}"))?;
        let reply = ctx
            .get(
                &format!("{base}/contents/{}?ref={sha}", encode_path(path.as_str())),
                RAW,
                false,
            )
            .await?;
        match reply.status {
            404 => return Ok((state, Kind::Fetched)),
            200..=299 => {
                files.insert(path.to_string(), (reply.body, Role::Catalog));
            }
            s => return Err(status_message(s, &reply.body)),
        }
    } else {
        wants.push(Want::Glob(catalog_path.clone(), Role::Catalog));
    }
    let mut scanned: BTreeSet<String> = BTreeSet::new();
    for _round in 0..MAX_ROUNDS {
        for (path, (bytes, role)) in &files {
            if *role != Role::Plain && scanned.insert(path.clone()) {
                for want in wanted_by(path, bytes, *role, &info.html_url) {
                    match want {
                        Want::Cross(c) => state.cross_wants.push(c),
                        local => wants.push(local),
                    }
                }
            }
        }
        if wants.is_empty() {
            break;
        }
        if tree.is_none() {
            let (t, _): (Tree, _) = ctx
                .get_json(&format!("{base}/git/trees/{sha}?recursive=1"), false)
                .await?;
            tree = Some(t.tree);
        }
        let entries = tree.as_deref().unwrap_or_default();
        let mut needed: Vec<(&TreeEntry, Role)> = Vec::new();
        for want in wants.drain(..) {
            needed.extend(resolve_want(&want, entries));
        }
        needed
            .retain(|(e, _)| !files.contains_key(&e.path) && e.size.unwrap_or(0) <= MAX_BLOB_BYTES);
        needed.sort_by(|a, b| a.0.path.cmp(&b.0.path));
        needed.dedup_by(|a, b| a.0.path == b.0.path);
        if needed.is_empty() {
            break;
        }
        let fetched = fetch_blobs(ctx, &base, &info.name, &needed, previous).await?;
        for ((entry, role), bytes) in needed.iter().zip(fetched) {
            files.insert(entry.path.clone(), (bytes, *role));
        }
    }
    if let Some(entries) = &tree {
        let shas: BTreeMap<&str, &str> = entries
            .iter()
            .map(|e| (e.path.as_str(), e.sha.as_str()))
            .collect();
        state.blobs = files
            .keys()
            .filter_map(|p| shas.get(p.as_str()).map(|s| (p.clone(), s.to_string())))
            .collect();
    }
    state.cross_wants.sort();
    state.cross_wants.dedup();
    state.catalog_files = files
        .iter()
        .filter(|(_, (_, role))| *role == Role::Catalog)
        .map(|(p, _)| p.clone())
        .collect();
    // Location targets are read through the catalog stage; only the configured path is a root.
    let roots = compile_patterns(std::slice::from_ref(&catalog_path));
    state.catalog_files.retain(|p| roots.is_match(p));
    if state.catalog_files.is_empty() {
        return Ok((state, Kind::Fetched));
    }
    // Paths come from the server: only those that stay inside the repository are written.
    let list: Vec<(RepoPath, Vec<u8>)> = files
        .into_iter()
        .filter_map(|(p, (bytes, _))| Some((RepoPath::root().join(&p).ok()?, bytes)))
        .collect();
    let cache = ctx.cache.clone();
    let repo = info.name.clone();
    tokio::task::spawn_blocking(move || cache.materialise(&repo, &sha, &list))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot write the cache: {e}"))?;
    Ok((state, Kind::Fetched))
}

/// Tree entries a want names.
fn resolve_want<'a>(want: &Want, entries: &'a [TreeEntry]) -> Vec<(&'a TreeEntry, Role)> {
    let blobs = entries.iter().filter(|e| e.kind == "blob");
    match want {
        Want::File(path, role) => blobs
            .filter(|e| e.path == *path)
            .map(|e| (e, *role))
            .collect(),
        Want::Glob(pattern, role) => {
            let set = compile_patterns(std::slice::from_ref(pattern));
            blobs
                .filter(|e| set.is_match(&e.path) && !in_skipped_dir(&e.path))
                .map(|e| (e, *role))
                .collect()
        }
        Want::Cross(_) => Vec::new(),
        Want::Dir(dir) => {
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            blobs
                .filter(|e| e.path.starts_with(&prefix) && !in_skipped_dir(&e.path))
                .map(|e| (e, Role::Plain))
                .collect()
        }
    }
}

fn in_skipped_dir(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|segment| super::SKIPPED_DIRS.contains(&segment))
}

/// Blob contents, in the order asked: copied from the previous commit's cached copy when the
/// blob is the same, otherwise downloaded (concurrently, within the request bound).
async fn fetch_blobs(
    ctx: &Arc<Ctx>,
    base: &str,
    repo: &str,
    needed: &[(&TreeEntry, Role)],
    previous: Option<&RepoState>,
) -> Result<Vec<Vec<u8>>, String> {
    let old_dir = previous.map(|p| ctx.cache.repo_dir(repo, &p.commit));
    let mut tasks = JoinSet::new();
    for (i, (entry, _)) in needed.iter().enumerate() {
        let reuse = previous
            .filter(|p| p.blobs.get(&entry.path) == Some(&entry.sha))
            .and(old_dir.as_ref())
            .and_then(|dir| std::fs::read(dir.join(&entry.path)).ok());
        let ctx = ctx.clone();
        let path = format!("{base}/git/blobs/{}", entry.sha);
        tasks.spawn(async move {
            if let Some(bytes) = reuse {
                return (i, Ok(bytes));
            }
            let reply = ctx.get(&path, RAW, false).await;
            (
                i,
                reply.and_then(|r| {
                    if (200..300).contains(&r.status) {
                        Ok(r.body)
                    } else {
                        Err(status_message(r.status, &r.body))
                    }
                }),
            )
        });
    }
    let mut out = vec![Vec::new(); needed.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.map_err(|e| e.to_string())?;
        out[i] = result.map_err(|e| format!("{}: {e}", needed[i].0.path))?;
    }
    Ok(out)
}

/// What a fetched catalog file or mkdocs.yml points at inside the repository.
fn wanted_by(path: &str, bytes: &[u8], role: Role, origin: &str) -> Vec<Want> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    let file = RepoPath::from_walked(path);
    let dir = file.parent();
    let mut wants = Vec::new();
    if role == Role::Mkdocs {
        // A line scan: mkdocs files use tags (!ENV, !!python/name) a YAML parser may refuse.
        let docs_dir = text
            .lines()
            .find_map(|l| l.strip_prefix("docs_dir:"))
            .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "docs".to_string());
        if let Ok(d) = dir.join(&docs_dir) {
            wants.push(Want::Dir(d.to_string()));
        }
        return wants;
    }
    let in_repo = |target: &str| -> Option<String> {
        let rest = target.strip_prefix(origin)?;
        let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            [] => Some(String::new()),
            ["tree" | "blob", _ref, path @ ..] => Some(path.join("/")),
            _ => None,
        }
    };
    let relative = |target: &str| -> Option<RepoPath> {
        if target.contains("://") {
            in_repo(target).and_then(|p| {
                RepoPath::root()
                    .join(if p.is_empty() { "." } else { &p })
                    .ok()
            })
        } else {
            dir.join(target).ok()
        }
    };
    for doc in serde_yaml::Deserializer::from_str(text) {
        let Ok(value) = Value::deserialize(doc) else {
            continue;
        };
        let spec = value.get("spec");
        if value.get("kind").and_then(Value::as_str) == Some("Location") {
            let targets = spec.and_then(|s| s.get("target")).into_iter().chain(
                spec.and_then(|s| s.get("targets"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            );
            for target in targets.filter_map(Value::as_str) {
                if let Some(p) = relative(target) {
                    let p = p.to_string();
                    wants.push(if is_literal_pattern(&p) {
                        Want::File(p, Role::Catalog)
                    } else {
                        Want::Glob(p, Role::Catalog)
                    });
                } else if let Some(c) = cross::elsewhere(target, origin, path, false) {
                    wants.push(Want::Cross(c));
                }
            }
        }
        let annotations = value.pointer("/metadata/annotations");
        if let Some(reference) = annotations
            .and_then(|a| a.get("backstage.io/techdocs-ref"))
            .and_then(Value::as_str)
        {
            let docs = if let Some(d) = reference.strip_prefix("dir:") {
                dir.join(d.trim()).ok()
            } else if let Some(u) = reference.strip_prefix("url:") {
                let u = u.trim().trim_end_matches('/');
                let here = relative(u);
                if here.is_none() {
                    wants.extend(cross::elsewhere(u, origin, path, true).map(Want::Cross));
                }
                here
            } else {
                None
            };
            if let Some(d) = docs {
                for name in ["mkdocs.yml", "mkdocs.yaml"] {
                    if let Ok(p) = d.join(name) {
                        wants.push(Want::File(p.to_string(), Role::Mkdocs));
                    }
                }
            }
        }
        placeholders(&value, &dir, &mut wants);
    }
    wants
}

/// `$text`, `$json` and `$yaml` placeholders name files relative to the declaring file.
fn placeholders(value: &Value, dir: &RepoPath, wants: &mut Vec<Want>) {
    match value {
        Value::Object(map) => {
            if map.len() == 1 {
                if let Some((key, Value::String(target))) = map.iter().next() {
                    if matches!(key.as_str(), "$text" | "$json" | "$yaml")
                        && !target.contains("://")
                    {
                        if let Ok(p) = dir.join(target) {
                            wants.push(Want::File(p.to_string(), Role::Plain));
                        }
                        return;
                    }
                }
            }
            map.values().for_each(|v| placeholders(v, dir, wants));
        }
        Value::Array(list) => list.iter().for_each(|v| placeholders(v, dir, wants)),
        _ => {}
    }
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
    Some(Repo {
        name: name.to_string(),
        source: index,
        root,
        commit: Some(state.commit.clone()),
        commit_time: state.commit_time,
        origin: Some(state.origin.clone()),
        branch: Some(state.branch.clone()),
        catalog_files: state
            .catalog_files
            .iter()
            .map(|p| RepoPath::from_walked(p))
            .collect(),
        health: state.health.clone(),
    })
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

/// `https://github.com` for api.github.com; the host of a GitHub Enterprise API.
fn web_root(api_url: &str) -> String {
    match url::Url::parse(api_url) {
        Ok(u) => match u.host_str() {
            Some("api.github.com") | None => "https://github.com".to_string(),
            Some(host) => match u.port() {
                Some(port) => format!("{}://{host}:{port}", u.scheme()),
                None => format!("{}://{host}", u.scheme()),
            },
        },
        Err(_) => "https://github.com".to_string(),
    }
}

#[derive(Deserialize)]
struct Team {
    slug: String,
    name: String,
    description: Option<String>,
    parent: Option<Box<Team>>,
}

#[derive(Deserialize)]
struct Member {
    login: String,
    avatar_url: Option<String>,
}

/// Teams as Group entities (with parents and children) and members as User entities, as
/// Backstage's GitHub org provider makes them. YAML text, one document per entity.
async fn org_data(ctx: &Arc<Ctx>) -> Result<String, String> {
    let org = encode_path(&ctx.source.organization);
    let teams: Vec<Team> = ctx
        .paginate(&format!("/orgs/{org}/teams?per_page=100"))
        .await?;
    let mut tasks = JoinSet::new();
    for team in &teams {
        let ctx = ctx.clone();
        let path = format!(
            "/orgs/{org}/teams/{}/members?per_page=100",
            encode_path(&team.slug)
        );
        let slug = team.slug.clone();
        tasks.spawn(async move { (slug, ctx.paginate::<Member>(&path).await) });
    }
    let members: Vec<Member> = ctx
        .paginate(&format!("/orgs/{org}/members?per_page=100"))
        .await?;
    let mut team_members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (slug, list) = joined.map_err(|e| e.to_string())?;
        let mut logins: Vec<String> = list?.into_iter().map(|m| name_of(&m.login)).collect();
        logins.sort();
        team_members.insert(slug, logins);
    }
    let mut member_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (slug, logins) in &team_members {
        for login in logins {
            member_of
                .entry(login.clone())
                .or_default()
                .push(name_of(slug));
        }
    }
    let org_name = &ctx.source.organization;
    let mut docs = Vec::new();
    let mut sorted: Vec<&Team> = teams.iter().collect();
    sorted.sort_by(|a, b| a.slug.cmp(&b.slug));
    for team in sorted {
        let children: Vec<String> = teams
            .iter()
            .filter(|t| t.parent.as_ref().is_some_and(|p| p.slug == team.slug))
            .map(|t| name_of(&t.slug))
            .collect();
        let mut spec = json!({
            "type": "team",
            "profile": { "displayName": team.name },
            "children": children,
            "members": team_members.get(&team.slug).cloned().unwrap_or_default(),
        });
        if let Some(parent) = &team.parent {
            spec["parent"] = json!(name_of(&parent.slug));
        }
        let mut metadata = json!({
            "name": name_of(&team.slug),
            "annotations": { "github.com/team-slug": format!("{org_name}/{}", team.slug) },
        });
        if let Some(d) = team.description.as_deref().filter(|d| !d.is_empty()) {
            metadata["description"] = json!(d);
        }
        docs.push(json!({ "apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": metadata, "spec": spec }));
    }
    let mut users: Vec<&Member> = members.iter().collect();
    users.sort_by(|a, b| a.login.cmp(&b.login));
    for user in users {
        let name = name_of(&user.login);
        let mut spec = json!({ "memberOf": member_of.get(&name).cloned().unwrap_or_default() });
        if let Some(picture) = &user.avatar_url {
            spec["profile"] = json!({ "picture": picture });
        }
        docs.push(json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "User",
            "metadata": { "name": name, "annotations": { "github.com/user-login": user.login } },
            "spec": spec,
        }));
    }
    let mut out = String::new();
    for doc in docs {
        out.push_str("---\n");
        out.push_str(&serde_yaml::to_string(&doc).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// An entity name from a login or slug (Backstage's default transformers keep them as they are,
/// lower-cased where entity names would clash).
fn name_of(login: &str) -> String {
    login.to_ascii_lowercase()
}

/// The generated org.yaml as a repository of its own.
fn org_repo(index: usize, cache: &OrgCache, org: &str, web: &str, yaml: &str) -> Option<Repo> {
    let dir = cache.generated_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join("org.yaml");
    if std::fs::read_to_string(&file).ok().as_deref() != Some(yaml) {
        std::fs::write(&file, yaml).ok()?;
    }
    Some(Repo {
        name: format!("{org}-github-teams"),
        source: index,
        root: std::fs::canonicalize(&dir).ok()?,
        commit: None,
        commit_time: None,
        origin: Some(format!("{web}/{org}")),
        branch: None,
        catalog_files: vec![RepoPath::from_walked("org.yaml")],
        health: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_links_and_times() {
        let link = "<https://api.github.com/orgs/o/repos?page=2>; rel=\"next\", <https://api.github.com/orgs/o/repos?page=5>; rel=\"last\"";
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/orgs/o/repos?page=2")
        );
        assert_eq!(next_link("<x>; rel=\"prev\""), None);
    }

    #[test]
    fn catalog_files_point_at_docs_locations_and_placeholders() {
        let yaml = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  definition:\n    $text: ./api.yaml\n---\nkind: Location\nspec:\n  targets: [./svc/*.yaml, https://github.com/o/r/blob/main/x/catalog-info.yaml, https://github.com/o/teams/blob/main/org/groups.yaml, https://elsewhere/y.yaml]\n";
        let wants = wanted_by(
            "sub/catalog-info.yaml",
            yaml.as_bytes(),
            Role::Catalog,
            "https://github.com/o/r",
        );
        let names: Vec<String> = wants
            .iter()
            .map(|w| match w {
                Want::File(p, r) => format!("file {p} {r:?}"),
                Want::Glob(p, r) => format!("glob {p} {r:?}"),
                Want::Dir(d) => format!("dir {d}"),
                Want::Cross(c) => format!("cross {} {} from {}", c.repo, c.ref_path, c.from),
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "file sub/mkdocs.yml Mkdocs",
                "file sub/mkdocs.yaml Mkdocs",
                "file sub/api.yaml Plain",
                "glob sub/svc/*.yaml Catalog",
                "file x/catalog-info.yaml Catalog",
                "cross teams main/org/groups.yaml from sub/catalog-info.yaml",
            ]
        );
        let mk = wanted_by(
            "sub/mkdocs.yml",
            b"site_name: x\ndocs_dir: pages\n",
            Role::Mkdocs,
            "",
        );
        assert!(matches!(&mk[..], [Want::Dir(d)] if d == "sub/pages"));
    }

    #[test]
    fn filters_on_names_topics_archived_and_forks() {
        let source = |include: &[&str], exclude: &[&str], topics: &[&str]| GithubSource {
            organization: "o".into(),
            catalog_path: "catalog-info.yaml".into(),
            branch: None,
            include: include.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            topics: topics.iter().map(|s| s.to_string()).collect(),
            archived: false,
            forks: false,
            api_url: "https://api.github.com".into(),
            auth: GithubAuth::None,
            org_data: false,
            repo_health: true,
            concurrency: 4,
        };
        let repo = |name: &str, topics: &[&str], archived: bool, fork: bool| RepoInfo {
            name: name.into(),
            html_url: format!("https://github.com/o/{name}"),
            default_branch: None,
            pushed_at: None,
            archived,
            fork,
            topics: topics.iter().map(|s| s.to_string()).collect(),
        };
        let all = source(&[], &[], &[]);
        assert!(selected(&all, &repo("ledger", &[], false, false)));
        assert!(!selected(&all, &repo("ledger", &[], true, false)));
        assert!(!selected(&all, &repo("ledger", &[], false, true)));
        let some = source(&["pay-*"], &["*-sandbox"], &["backstage"]);
        assert!(selected(
            &some,
            &repo("pay-api", &["backstage"], false, false)
        ));
        assert!(!selected(&some, &repo("pay-api", &[], false, false)));
        assert!(!selected(
            &some,
            &repo("pay-sandbox", &["backstage"], false, false)
        ));
        assert!(!selected(
            &some,
            &repo("ledger", &["backstage"], false, false)
        ));
    }

    #[test]
    fn enterprise_web_root() {
        assert_eq!(web_root("https://api.github.com"), "https://github.com");
        assert_eq!(
            web_root("https://github.example.com/api/v3"),
            "https://github.example.com"
        );
    }
}
