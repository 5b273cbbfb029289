//! The onboarding webhook: one request per Component that is new since the previous state,
//! its body rendered from `[changes.webhook] body` (a tera template over the entity's fields)
//! so it fits the receiver (ServiceNow's table API, a chat hook, a ticket queue). Connection
//! errors, timeouts, 429 and 5xx are retried with exponential backoff (honouring
//! `Retry-After`); other answers are final. A failure is a warning naming the entity and the
//! HTTP status, never the credential, and the build goes on.

use super::config::WebhookConfig;
use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::frozen::Frozen;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use serde_json::{json, Value};
use std::time::Duration;

/// The longest `Retry-After` honoured; a receiver asking for more gets this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the template sees of an entity: its fields, the page's URL (absolute with a
/// `base_url`), the repository it was read from, annotations, labels, tags and links.
pub fn record(catalog: &Catalog, key: &str, base_url: Option<&str>) -> Option<Value> {
    let e = catalog.entities.iter().find(|e| e.key.to_string() == key)?;
    let summary = crate::catalog::summary::summary(catalog, e);
    let page = crate::catalog::summary::entity_url(&e.key);
    let url = match base_url {
        Some(base) => format!("{base}{page}"),
        None => page,
    };
    let metadata = |field: &str| e.value.get("metadata")?.get(field).map(Frozen::to_value);
    Some(json!({
        "ref": key,
        "name": e.name,
        "namespace": e.namespace,
        "kind": e.kind,
        "type": summary.spec_type,
        "title": summary.title,
        "description": summary.description,
        "owner": summary.owner.map(|o| o.entity_ref).unwrap_or_default(),
        "system": summary.system.map(|s| s.entity_ref).unwrap_or_default(),
        "lifecycle": summary.lifecycle,
        "tags": summary.tags,
        "url": url,
        "repo": e.source.repo,
        "file": e.source.file.to_string(),
        "annotations": metadata("annotations").unwrap_or_else(|| json!({})),
        "labels": metadata("labels").unwrap_or_else(|| json!({})),
        "links": metadata("links").unwrap_or_else(|| json!([])),
    }))
}

/// Sends one request per record (entity ref, template fields); returns how many were accepted
/// and a warning per record that was not.
pub fn send(config: &WebhookConfig, records: &[(String, Value)]) -> (usize, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    if records.is_empty() {
        return (0, diagnostics);
    }
    let failed = |entity: &str, why: String| {
        Diagnostic::warning(
            "changes/webhook-failed",
            format!(
                "the onboarding webhook for {entity} was not delivered to {}: {why}",
                endpoint(config)
            ),
        )
        .entity(entity)
    };
    let headers = match headers(config) {
        Ok(h) => h,
        Err(why) => {
            for (entity, _) in records {
                diagnostics.push(failed(entity, why.clone()));
            }
            return (0, diagnostics);
        }
    };
    crate::install_tls_provider();
    let client = reqwest::Client::builder().timeout(config.timeout).build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let (client, runtime) = match (client, runtime) {
        (Ok(c), Ok(r)) => (c, r),
        (Err(e), _) => {
            diagnostics.push(failed("every new component", e.without_url().to_string()));
            return (0, diagnostics);
        }
        (_, Err(e)) => {
            diagnostics.push(failed("every new component", e.to_string()));
            return (0, diagnostics);
        }
    };
    let mut posted = 0;
    for (entity, fields) in records {
        let body = match body(config, fields) {
            Ok(b) => b,
            Err(why) => {
                diagnostics.push(failed(entity, why));
                continue;
            }
        };
        match runtime.block_on(deliver(&client, config, &headers, body)) {
            Ok(()) => posted += 1,
            Err(why) => diagnostics.push(failed(entity, why)),
        }
    }
    (posted, diagnostics)
}

/// Scheme, host and path of the receiver: never its query, which may carry a key.
fn endpoint(config: &WebhookConfig) -> String {
    let u = &config.url;
    format!(
        "{}://{}{}",
        u.scheme(),
        u.host_str().unwrap_or(""),
        u.port().map(|p| format!(":{p}")).unwrap_or_default()
    ) + u.path()
}

fn headers(config: &WebhookConfig) -> Result<HeaderMap, String> {
    let mut headers = HeaderMap::new();
    for (name, value) in &config.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
        let value = HeaderValue::from_str(value).map_err(|e| e.to_string())?;
        headers.insert(name, value);
    }
    let content_type = HeaderValue::from_str(&config.content_type)
        .map_err(|_| "content_type is not a header value".to_string())?;
    headers.insert(CONTENT_TYPE, content_type);
    if let Some((header, env)) = &config.auth {
        let secret = std::env::var(env)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("the environment variable {env} (auth_env) is not set"))?;
        let mut value = HeaderValue::from_str(&secret)
            .map_err(|_| format!("the value of {env} is not a valid header value"))?;
        value.set_sensitive(true);
        let name = HeaderName::from_bytes(header.as_bytes()).map_err(|e| e.to_string())?;
        headers.insert(name, value);
    }
    Ok(headers)
}

fn body(config: &WebhookConfig, fields: &Value) -> Result<String, String> {
    let Some(template) = &config.body else {
        return serde_json::to_string(fields).map_err(|e| e.to_string());
    };
    let context = tera::Context::from_value(fields.clone()).map_err(|e| e.to_string())?;
    tera::Tera::one_off(template, &context, false).map_err(|e| {
        format!(
            "the body template does not render: {}",
            crate::output::describe_tera_error(&e).replace('\n', " ")
        )
    })
}

/// One record, retried while the failure may pass.
async fn deliver(
    client: &reqwest::Client,
    config: &WebhookConfig,
    headers: &HeaderMap,
    body: String,
) -> Result<(), String> {
    let attempts = config.retries + 1;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let sent = client
            .request(config.method.clone(), config.url.clone())
            .headers(headers.clone())
            .body(body.clone())
            .send()
            .await;
        let backoff = (FIRST_BACKOFF * 2u32.saturating_pow(attempt - 1)).min(MAX_BACKOFF);
        let (why, wait) = match sent {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => {
                let status = response.status();
                let why = format!("HTTP {status}");
                if status.as_u16() != 429 && !status.is_server_error() {
                    return Err(why);
                }
                (why, retry_after(response.headers()).unwrap_or(backoff))
            }
            Err(e) if e.is_timeout() => (format!("no answer within {:?}", config.timeout), backoff),
            Err(e) if e.is_connect() => ("cannot connect".to_string(), backoff),
            Err(e) => return Err(e.without_url().to_string()),
        };
        if attempt >= attempts {
            return Err(format!("{why} after {attempts} attempts"));
        }
        tokio::time::sleep(wait).await;
    }
}

/// `Retry-After` in seconds (the HTTP-date form falls back to the backoff).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let secs: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}
