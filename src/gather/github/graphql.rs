//! GitHub's GraphQL API, which answers for many repositories in one request. `Ctx::graphql`
//! sends one query (within the concurrency bound and the timeout, retrying server errors and
//! waiting out rate limits) and sorts what can go wrong by what the caller should do next:
//! GraphQL is not served here (older GitHub Enterprise: use REST), the answer was too large or
//! too slow (ask for fewer repositories at once), or the schema refused a field (ask without
//! it, and read that part over REST). `in_batches` runs a query over many repositories with
//! those rules. Every answer's `rateLimit.cost` is added to the points spent.

use super::client::{
    header, lock, now_secs, pause, short_error, status_message, wait_for, Ctx, ATTEMPTS,
    MAX_RATE_WAIT, REQUEST_TIMEOUT,
};
use super::gql_endpoint::{Gql, GqlAuth};
use http::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http_body_util::BodyExt;
use octocrab::secrecy::ExposeSecret;
use octocrab::Octocrab;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Points kept in reserve: below this many, a query waits for the GraphQL limit to reset.
const POINT_MARGIN: u64 = 50;
/// An answer larger than this is treated like a timeout: the batch is split.
const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// An error GraphQL gave for one field of an answer that has data.
#[derive(Clone, Debug)]
pub(super) struct PathError {
    /// Aliases and field names from the root, e.g. `["r3", "vulnerabilityAlerts"]`.
    pub(super) path: Vec<String>,
    /// `FORBIDDEN`, `NOT_FOUND`, …
    pub(super) kind: String,
}

pub(super) struct GqlData {
    pub(super) data: Value,
    pub(super) errors: Vec<PathError>,
}

#[derive(Debug)]
pub(super) enum GqlError {
    /// No GraphQL here, or not for this token: use REST for the rest of the run.
    Unavailable(String),
    /// Too large or too slow: ask for fewer repositories at once.
    TooLarge(String),
    /// The schema does not know these names (fields, arguments): ask without them.
    Refused(BTreeSet<String>),
    Failed(String),
}

enum GqlAttempt {
    Done(Result<GqlData, GqlError>),
    Retry(String, Duration),
}

impl Ctx {
    /// Whether GraphQL is on and was not found missing this run.
    pub(super) fn graphql_on(&self) -> bool {
        self.gql.is_some() && !self.gql_off.load(Ordering::Relaxed)
    }

    /// Sends one query; see `GqlError` for what a failure asks of the caller.
    pub(super) async fn graphql(&self, query: &str) -> Result<GqlData, GqlError> {
        let Some(gql) = self.gql.as_ref().filter(|_| self.graphql_on()) else {
            return Err(GqlError::Unavailable("GraphQL is off".into()));
        };
        let mut backoff = Duration::from_millis(500);
        let mut last_error = String::new();
        for attempt in 1..=ATTEMPTS {
            wait_for(&self.gql_rate, POINT_MARGIN)
                .await
                .map_err(GqlError::Failed)?;
            match self.gql_attempt(gql, query).await {
                GqlAttempt::Done(result) => {
                    if let Err(e) = &result {
                        self.note_fallback(e);
                    }
                    return result;
                }
                GqlAttempt::Retry(error, wait) => {
                    last_error = error;
                    if wait.is_zero() {
                        backoff = pause(backoff, attempt).await;
                    } else {
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
        Err(GqlError::Failed(format!(
            "{last_error} (after {ATTEMPTS} attempts)"
        )))
    }

    async fn gql_attempt(&self, gql: &Gql, query: &str) -> GqlAttempt {
        let sent = {
            let Ok(_permit) = self.permits.acquire().await else {
                return GqlAttempt::Done(Err(GqlError::Failed("shutting down".into())));
            };
            self.count_request();
            self.graphql_requests.fetch_add(1, Ordering::Relaxed);
            tokio::time::timeout(REQUEST_TIMEOUT, post(gql, &self.octo, query)).await
        };
        let (parts, body) = match sent {
            Err(_) => {
                let why = format!("no answer within {}s", REQUEST_TIMEOUT.as_secs());
                return GqlAttempt::Done(Err(GqlError::TooLarge(why)));
            }
            Ok(Err(e)) => return GqlAttempt::Retry(e, Duration::ZERO),
            Ok(Ok(answer)) => answer,
        };
        let status = parts.status.as_u16();
        let retry_after = header(&parts.headers, "retry-after").and_then(|v| v.parse().ok());
        let done = |r| GqlAttempt::Done(r);
        match status {
            200 if body.len() > MAX_ANSWER_BYTES => {
                done(Err(GqlError::TooLarge(format!("{} bytes", body.len()))))
            }
            200 => done(self.read_answer(&body)),
            502 | 504 => done(Err(GqlError::TooLarge(format!("server error {status}")))),
            500..=599 => GqlAttempt::Retry(format!("server error {status}"), Duration::ZERO),
            403 | 429 if retry_after.is_some() => {
                let wait = Duration::from_secs(retry_after.unwrap_or(1));
                if wait > MAX_RATE_WAIT {
                    return done(Err(GqlError::Failed(format!("rate limited ({status})"))));
                }
                GqlAttempt::Retry(format!("rate limited ({status})"), wait)
            }
            401 => done(Err(GqlError::Failed(status_message(status, &body)))),
            _ => done(Err(GqlError::Unavailable(status_message(status, &body)))),
        }
    }

    /// An answer with status 200: data and field errors, or why there is no data.
    fn read_answer(&self, body: &[u8]) -> Result<GqlData, GqlError> {
        let answer: Value = serde_json::from_slice(body)
            .map_err(|_| GqlError::Unavailable("the answer is not GraphQL".into()))?;
        if answer.get("data").is_none() && answer.get("errors").is_none() {
            return Err(GqlError::Unavailable("the answer is not GraphQL".into()));
        }
        self.note_rate_limit(&answer["data"]["rateLimit"]);
        let errors = answer["errors"].as_array().cloned().unwrap_or_default();
        let messages: Vec<&str> = errors
            .iter()
            .filter_map(|e| e["message"].as_str())
            .collect();
        let too_large = errors.iter().any(|e| {
            let kind = e["type"].as_str().unwrap_or_default();
            let message = e["message"].as_str().unwrap_or_default();
            kind.contains("LIMIT") || message.contains("timeout") || message.contains("timedout")
        });
        if too_large {
            return Err(GqlError::TooLarge(messages.join("; ")));
        }
        match answer.get("data").filter(|d| !d.is_null()) {
            Some(data) => Ok(GqlData {
                data: data.clone(),
                errors: errors.iter().filter_map(path_error).collect(),
            }),
            None if errors.iter().any(is_schema_error) => Err(GqlError::Refused(
                messages.iter().flat_map(|m| quoted(m)).collect(),
            )),
            None => Err(GqlError::Failed(messages.join("; "))),
        }
    }

    /// Remembers why GraphQL did not answer, for the summary; a missing GraphQL turns it off.
    fn note_fallback(&self, error: &GqlError) {
        let why = match error {
            GqlError::Unavailable(m) => {
                self.gql_off.store(true, Ordering::Relaxed);
                format!("no GraphQL ({m})")
            }
            GqlError::TooLarge(m) => format!("a batch too large ({m})"),
            GqlError::Refused(names) => format!(
                "refused by the schema: {}",
                names.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
            GqlError::Failed(m) => m.clone(),
        };
        *lock(&self.gql_note) = Some(why);
    }

    fn note_rate_limit(&self, rate: &Value) {
        if let Some(cost) = rate["cost"].as_u64() {
            self.points.fetch_add(cost, Ordering::Relaxed);
        }
        if let Some(remaining) = rate["remaining"].as_u64() {
            let mut kept = lock(&self.gql_rate);
            kept.remaining = Some(remaining);
            kept.reset = rate["resetAt"]
                .as_str()
                .and_then(crate::time::parse_rfc3339)
                .and_then(|t| u64::try_from(t).ok())
                .or(Some(now_secs() + 3600));
        }
    }
}

/// POSTs a query, with the token the source authenticates with (`rest` holds an App's).
async fn post(
    gql: &Gql,
    rest: &Octocrab,
    query: &str,
) -> Result<(http::response::Parts, Vec<u8>), String> {
    let token = match &gql.auth {
        GqlAuth::None => None,
        GqlAuth::Token(t) => Some(t.clone()),
        GqlAuth::Installation => Some(
            rest.installation_token()
                .await
                .map_err(|e| short_error(&e))?
                .expose_secret()
                .to_string(),
        ),
    };
    let mut builder = http::Request::builder()
        .method(http::Method::POST)
        .uri(gql.path.as_str())
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(value) = token.and_then(|t| HeaderValue::from_str(&format!("Bearer {t}")).ok()) {
        builder = builder.header(AUTHORIZATION, value);
    }
    let request = gql
        .octo
        .build_request(builder, Some(&json!({ "query": query })))
        .map_err(|e| short_error(&e))?;
    let response = gql
        .octo
        .execute(request)
        .await
        .map_err(|e| short_error(&e))?;
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|e| short_error(&e))?
        .to_bytes()
        .to_vec();
    Ok((parts, body))
}

/// A validation error: the query names something the schema does not have.
fn is_schema_error(error: &Value) -> bool {
    let code = error["extensions"]["code"].as_str().unwrap_or_default();
    let message = error["message"].as_str().unwrap_or_default();
    matches!(
        code,
        "undefinedField" | "argumentNotAccepted" | "undefinedType"
    ) || message.contains("doesn't exist on type")
        || message.contains("doesn't accept argument")
}

fn path_error(error: &Value) -> Option<PathError> {
    let path = error["path"]
        .as_array()?
        .iter()
        .map(|p| match p {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    Some(PathError {
        path,
        kind: error["type"].as_str().unwrap_or("ERROR").to_string(),
    })
}

/// The names a message quotes: `Field 'x' doesn't exist on type 'Y'` → x, Y.
fn quoted(message: &str) -> Vec<String> {
    message
        .split_whitespace()
        .map(|w| w.trim_end_matches(['.', ',', ';', ':']))
        .filter_map(|w| w.strip_prefix('\'')?.strip_suffix('\''))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A GraphQL string literal (JSON's escaping is GraphQL's).
pub(super) fn literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// What `in_batches` got: answered batches, items to read over REST, names the schema refused.
pub(super) struct Batches<T> {
    pub(super) answers: Vec<(Vec<T>, GqlData)>,
    pub(super) left: Vec<T>,
    pub(super) refused: BTreeSet<String>,
}

/// Runs `query(batch, refused)` over `items`, `size` at a time, one query after another (as
/// GitHub asks of GraphQL clients). A batch too large or too slow is halved; a name the schema
/// refuses is left out (when it is one of `refusable`) and the batch asked again; what still
/// fails, or everything once GraphQL turns out missing, is left for REST.
pub(super) async fn in_batches<T: Clone>(
    ctx: &Ctx,
    items: Vec<T>,
    size: usize,
    refusable: &[&str],
    query: impl Fn(&[T], &BTreeSet<String>) -> String,
) -> Batches<T> {
    let mut out = Batches {
        answers: Vec::new(),
        left: Vec::new(),
        refused: BTreeSet::new(),
    };
    let mut pending: Vec<Vec<T>> = items.chunks(size.max(1)).rev().map(<[T]>::to_vec).collect();
    while let Some(batch) = pending.pop() {
        if !ctx.graphql_on() {
            out.left.extend(batch);
            continue;
        }
        match ctx.graphql(&query(&batch, &out.refused)).await {
            Ok(data) => out.answers.push((batch, data)),
            Err(GqlError::TooLarge(_)) if batch.len() > 1 => {
                let second = batch[batch.len() / 2..].to_vec();
                pending.push(second);
                pending.push(batch[..batch.len() / 2].to_vec());
            }
            Err(GqlError::Refused(names)) => {
                let new: Vec<String> = names
                    .into_iter()
                    .filter(|n| refusable.contains(&n.as_str()) && !out.refused.contains(n))
                    .collect();
                if new.is_empty() {
                    out.left.extend(batch);
                } else {
                    out.refused.extend(new);
                    pending.push(batch);
                }
            }
            Err(_) => out.left.extend(batch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::gql_endpoint::endpoint;
    use super::*;

    #[test]
    fn endpoints_and_refused_names() {
        assert_eq!(
            endpoint("https://api.github.com"),
            "https://api.github.com/graphql"
        );
        assert_eq!(
            endpoint("https://github.example.com/api/v3/"),
            "https://github.example.com/api/graphql"
        );
        assert_eq!(
            quoted("Field 'statusCheckRollup' doesn't exist on type 'Commit'"),
            vec!["statusCheckRollup", "Commit"]
        );
        assert_eq!(literal("a\"b"), "\"a\\\"b\"");
    }
}
