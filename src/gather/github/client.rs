//! The HTTP side of the github source: the octocrab client and its authentication (none, a
//! token, or a GitHub App's installation), and `Ctx`, which every request goes through. A GET is
//! bounded by the concurrency setting and a timeout, retried with backoff on transport errors
//! and 5xx, waits out rate limits, and, when conditional, answers a 304 from the last run's
//! body (ETags kept in the cache state). Paginated listings follow `Link: rel="next"`.

use crate::config::{GithubAuth, GithubSource};
use crate::gather::cache::{CachedResponse, OrgCache};
use http::header::{HeaderMap, HeaderValue, ACCEPT, IF_NONE_MATCH};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Semaphore;

pub(super) const JSON: &str = "application/vnd.github+json";
pub(super) const RAW: &str = "application/vnd.github.raw+json";
pub(super) const ATTEMPTS: u32 = 4;
pub(super) const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for a rate limit to reset before the request counts as failed.
pub(super) const MAX_RATE_WAIT: Duration = Duration::from_secs(15 * 60);

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The client for `source`, authenticated as it says (for an App: as its installation on the
/// organisation).
pub(super) async fn client(source: &GithubSource) -> Result<Octocrab, String> {
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
pub(super) fn short_error(e: &octocrab::Error) -> String {
    match e {
        octocrab::Error::GitHub { source, .. } => source.message.clone(),
        other => other.to_string().lines().next().unwrap_or("").to_string(),
    }
}

/// What every request of one github source shares: the client, the request count, the rate
/// limit as last seen, the concurrency bound, and the responses kept for conditional requests.
pub(super) struct Ctx {
    pub(super) octo: Octocrab,
    pub(super) source: GithubSource,
    /// The path of `api_url` (`/api/v3` on GitHub Enterprise), stripped from Link URLs.
    base_path: String,
    requests: AtomicUsize,
    /// Of `requests`: GraphQL ones, and REST ones answered 304 (free of the rate limit).
    pub(super) graphql_requests: AtomicUsize,
    not_modified: AtomicUsize,
    /// GraphQL rate-limit points spent, as the answers' `rateLimit.cost` said.
    pub(super) points: AtomicU64,
    rate: Mutex<Rate>,
    /// The GraphQL endpoint; None when switched off or found missing this run.
    pub(super) gql: Option<super::gql_endpoint::Gql>,
    pub(super) gql_off: AtomicBool,
    pub(super) gql_rate: Mutex<Rate>,
    /// Why GraphQL last did not answer, for the summary.
    pub(super) gql_note: Mutex<Option<String>>,
    pub(super) permits: Semaphore,
    /// Responses of the last run, by request path (ETags for conditional requests).
    pub(super) previous: BTreeMap<String, CachedResponse>,
    /// Responses of this run worth keeping.
    fresh: Mutex<BTreeMap<String, CachedResponse>>,
    pub(super) cache: OrgCache,
}

#[derive(Default)]
pub(super) struct Rate {
    pub(super) remaining: Option<u64>,
    /// Seconds since the epoch.
    pub(super) reset: Option<u64>,
}

/// Requests by kind, for the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestFigures {
    /// Every HTTP request, retries and 304s included.
    pub total: usize,
    pub graphql: usize,
    /// REST requests answered 304 Not Modified, which cost no rate limit.
    pub not_modified: usize,
    /// GraphQL rate-limit points spent.
    pub points: u64,
}

impl RequestFigures {
    pub fn rest(&self) -> usize {
        self.total - self.graphql
    }

    /// Requests that count against a rate limit: all but the 304s.
    pub fn rate_limited(&self) -> usize {
        self.total - self.not_modified
    }
}

pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) body: Vec<u8>,
    pub(super) link: Option<String>,
}

/// How one attempt at a request ended.
enum Attempt {
    Done(Result<Reply, String>),
    /// A transport error, timeout or server error: try again after the backoff.
    Backoff(String),
    /// Rate limited: try again after the wait.
    RateLimited(String, Duration),
}

pub(super) fn now_secs() -> u64 {
    u64::try_from(crate::time::now()).unwrap_or(0)
}

pub(super) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

impl Ctx {
    pub(super) fn new(
        octo: Octocrab,
        source: &GithubSource,
        previous: BTreeMap<String, CachedResponse>,
        cache: OrgCache,
        gql: Option<super::gql_endpoint::Gql>,
    ) -> Ctx {
        Ctx {
            octo,
            source: source.clone(),
            base_path: url::Url::parse(&source.api_url)
                .map(|u| u.path().trim_end_matches('/').to_string())
                .unwrap_or_default(),
            // An App already looked up its installation; token minting goes through octocrab
            // and is not counted.
            requests: AtomicUsize::new(usize::from(matches!(source.auth, GithubAuth::App { .. }))),
            graphql_requests: AtomicUsize::new(0),
            not_modified: AtomicUsize::new(0),
            points: AtomicU64::new(0),
            rate: Mutex::new(Rate::default()),
            gql,
            gql_off: AtomicBool::new(false),
            gql_rate: Mutex::new(Rate::default()),
            gql_note: Mutex::new(None),
            permits: Semaphore::new(source.concurrency),
            previous,
            fresh: Mutex::new(BTreeMap::new()),
            cache,
        }
    }

    /// HTTP requests sent so far, retries and 304s included.
    pub(super) fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    /// Counts one request sent.
    pub(super) fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    /// The requests so far, by kind.
    pub(super) fn figures(&self) -> RequestFigures {
        RequestFigures {
            total: self.requests(),
            graphql: self.graphql_requests.load(Ordering::Relaxed),
            not_modified: self.not_modified.load(Ordering::Relaxed),
            points: self.points.load(Ordering::Relaxed),
        }
    }

    /// Requests the primary rate limit has left, as the last answer said.
    pub(super) fn rate_limit_remaining(&self) -> Option<u64> {
        lock(&self.rate).remaining
    }

    /// The responses of this run worth keeping for the next one; empties the store.
    pub(super) fn take_fresh(&self) -> BTreeMap<String, CachedResponse> {
        std::mem::take(&mut *lock(&self.fresh))
    }

    /// GET `path` (relative to api_url). Retries transport errors, timeouts and 5xx with
    /// backoff, waits out rate limits; other statuses are returned for the caller to judge.
    /// With `conditional`, a 304 answers from the last run's body.
    pub(super) async fn get(
        &self,
        path: &str,
        accept: &str,
        conditional: bool,
    ) -> Result<Reply, String> {
        let known = conditional.then(|| self.previous.get(path)).flatten();
        let mut backoff = Duration::from_millis(500);
        let mut last_error = String::new();
        for attempt in 1..=ATTEMPTS {
            self.wait_for_rate_limit().await?;
            match self
                .attempt(path, accept, known, conditional, attempt)
                .await
            {
                Attempt::Done(result) => return result,
                Attempt::Backoff(error) => {
                    last_error = error;
                    backoff = pause(backoff, attempt).await;
                }
                Attempt::RateLimited(error, wait) => {
                    last_error = error;
                    tokio::time::sleep(wait).await;
                }
            }
        }
        Err(format!("{last_error} (after {ATTEMPTS} attempts)"))
    }

    /// One attempt at a GET; `known` is the last run's response when the request is
    /// conditional.
    async fn attempt(
        &self,
        path: &str,
        accept: &str,
        known: Option<&CachedResponse>,
        conditional: bool,
        attempt: u32,
    ) -> Attempt {
        let (parts, body) = match self.send(path, request_headers(accept, known)).await {
            Ok(answer) => answer,
            Err(error) => return Attempt::Backoff(error),
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
                self.not_modified.fetch_add(1, Ordering::Relaxed);
                return Attempt::Done(self.not_modified(path, known));
            }
            403 | 429 => {
                if let Some(limited) =
                    rate_limited(status, &parts.headers, remaining, reset, attempt)
                {
                    return limited;
                }
            }
            500..=599 => return Attempt::Backoff(format!("server error {status}")),
            _ => {}
        }
        if conditional && (200..300).contains(&status) {
            self.remember(path, &parts.headers, &body, &link);
        }
        Attempt::Done(Ok(Reply { status, body, link }))
    }

    /// Sends one GET within the concurrency bound and the timeout.
    async fn send(
        &self,
        path: &str,
        headers: HeaderMap,
    ) -> Result<(http::response::Parts, Vec<u8>), String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        self.count_request();
        let sent = tokio::time::timeout(REQUEST_TIMEOUT, async {
            let response = self.octo._get_with_headers(path, Some(headers)).await?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await?.to_bytes().to_vec();
            Ok::<_, octocrab::Error>((parts, body))
        })
        .await;
        match sent {
            Err(_) => Err(format!("no answer within {}s", REQUEST_TIMEOUT.as_secs())),
            Ok(Err(e)) => Err(short_error(&e)),
            Ok(Ok(answer)) => Ok(answer),
        }
    }

    /// A 304: the last run's body, kept for the next run too.
    fn not_modified(&self, path: &str, known: Option<&CachedResponse>) -> Result<Reply, String> {
        let Some(k) = known else {
            return Err("304 Not Modified to an unconditional request".into());
        };
        lock(&self.fresh).insert(path.to_string(), k.clone());
        Ok(Reply {
            status: 200,
            body: k.body.clone().into_bytes(),
            link: k.link.clone(),
        })
    }

    /// Keeps a conditional request's answer (with its ETag) for the next run.
    fn remember(&self, path: &str, headers: &HeaderMap, body: &[u8], link: &Option<String>) {
        if let (Some(etag), Ok(text)) = (header(headers, "etag"), std::str::from_utf8(body)) {
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

    /// Sleeps until the primary rate limit resets when it is used up.
    async fn wait_for_rate_limit(&self) -> Result<(), String> {
        wait_for(&self.rate, 0).await
    }

    /// GET a JSON document: 2xx parsed, anything else an error naming the status.
    pub(super) async fn get_json<T: serde::de::DeserializeOwned>(
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
    pub(super) async fn paginate<T: serde::de::DeserializeOwned>(
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
    pub(super) fn keep_compact(&self, path: &str, body: String) {
        if let Some(kept) = lock(&self.fresh).get_mut(path) {
            kept.body = body;
        }
    }

    /// A URL the API handed out, as a path relative to api_url (octocrab adds the base back).
    pub(super) fn relative(&self, link: &str) -> Option<String> {
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

/// Sleeps until `rate` resets when no more than `margin` is left of it.
pub(super) async fn wait_for(rate: &Mutex<Rate>, margin: u64) -> Result<(), String> {
    let wait = {
        let rate = lock(rate);
        match (rate.remaining, rate.reset) {
            (Some(left), Some(reset)) if left <= margin && reset > now_secs() => {
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
    lock(rate).remaining = None;
    Ok(())
}

/// The headers of a GET: what it accepts, and the last run's ETag when there is one.
fn request_headers(accept: &str, known: Option<&CachedResponse>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        ACCEPT,
        HeaderValue::from_static(if accept == RAW { RAW } else { JSON }),
    );
    if let Some(etag) = known.and_then(|k| HeaderValue::from_str(&k.etag).ok()) {
        headers.insert(IF_NONE_MATCH, etag);
    }
    headers
}

/// A 403 or 429 that is a rate limit: secondary limits say how long to wait, the primary limit
/// says when it resets. None when it is no rate limit (a permission the token lacks).
fn rate_limited(
    status: u16,
    headers: &HeaderMap,
    remaining: Option<u64>,
    reset: Option<u64>,
    attempt: u32,
) -> Option<Attempt> {
    let retry_after = header(headers, "retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    let wait = match (retry_after, remaining) {
        (Some(secs), _) => Duration::from_secs(secs),
        (None, Some(0)) => Duration::from_secs(reset.unwrap_or(0).saturating_sub(now_secs()) + 1),
        _ => return None,
    };
    Some(if wait <= MAX_RATE_WAIT && attempt < ATTEMPTS {
        Attempt::RateLimited(format!("rate limited ({status})"), wait)
    } else {
        Attempt::Done(Err(format!(
            "rate limited ({status}) for longer than {} minutes",
            MAX_RATE_WAIT.as_secs() / 60
        )))
    })
}

/// Waits before the next attempt (none after the last) and doubles the wait.
pub(super) async fn pause(backoff: Duration, attempt: u32) -> Duration {
    if attempt < ATTEMPTS {
        tokio::time::sleep(backoff).await;
    }
    backoff * 2
}

pub(super) fn status_message(status: u16, body: &[u8]) -> String {
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
pub(super) fn next_link(link: &str) -> Option<String> {
    link_target(link, "next")
}

/// The target of a Link header's `rel` relation.
pub(super) fn link_target(link: &str, rel: &str) -> Option<String> {
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

/// What `encode_path` leaves as it is: RFC 3986's unreserved characters, and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a path for a URL, keeping `/`.
pub(super) fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
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
    fn paths_keep_slashes_and_unreserved_characters() {
        assert_eq!(encode_path("o/repo-1.x_y~z"), "o/repo-1.x_y~z");
        assert_eq!(
            encode_path("release/1.0 beta?#%+é"),
            "release/1.0%20beta%3F%23%25%2B%C3%A9"
        );
    }
}
