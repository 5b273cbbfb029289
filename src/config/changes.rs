//! The `[changes]` table of site.toml: where the previous build's state is read from, and the
//! onboarding webhook. Parsed strictly and resolved here; the webhook's credential is only ever
//! named (`auth_env`), never written in the file.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

#[derive(Clone, Debug, Default)]
pub struct ChangesConfig {
    /// A path (resolved against site.toml's directory) or an `s3://`, `gs://`, `az://` or
    /// `file://` URL of a state file.
    pub previous_state: Option<String>,
    pub webhook: Option<WebhookConfig>,
}

#[derive(Clone, Debug)]
pub struct WebhookConfig {
    pub url: url::Url,
    pub method: reqwest::Method,
    /// Extra headers, sent as written.
    pub headers: BTreeMap<String, String>,
    /// A header whose value is read from the environment variable `auth_env` at build time.
    pub auth: Option<(String, String)>,
    /// A tera template rendered once per record; None: the record as JSON.
    pub body: Option<String>,
    pub content_type: String,
    pub timeout: Duration,
    /// Attempts after the first one.
    pub retries: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChanges {
    previous_state: Option<String>,
    webhook: Option<RawWebhook>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    url: String,
    method: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    auth_header: Option<String>,
    auth_env: Option<String>,
    body: Option<String>,
    content_type: Option<String>,
    timeout_secs: Option<u64>,
    retries: Option<u32>,
}

impl RawChanges {
    pub fn resolve(self, base_dir: &Path) -> Result<ChangesConfig, String> {
        let previous_state = self.previous_state.map(|p| {
            if p.contains("://") {
                p
            } else {
                crate::paths::normalize(&base_dir.join(p))
                    .display()
                    .to_string()
            }
        });
        let webhook = self
            .webhook
            .map(resolve_webhook)
            .transpose()
            .map_err(|e| format!("changes.webhook: {e}"))?;
        Ok(ChangesConfig {
            previous_state,
            webhook,
        })
    }
}

fn resolve_webhook(raw: RawWebhook) -> Result<WebhookConfig, String> {
    let url = url::Url::parse(&raw.url).map_err(|e| format!("url `{}`: {e}", raw.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("url `{}`: use an http:// or https:// URL", raw.url));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("credentials do not belong in the URL: name the variable holding them with `auth_header` and `auth_env`".into());
    }
    let method = raw.method.as_deref().unwrap_or("POST").to_ascii_uppercase();
    let method = match method.as_str() {
        "POST" | "PUT" | "PATCH" => reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| format!("method `{method}`: {e}"))?,
        other => return Err(format!("method `{other}`: use POST, PUT or PATCH")),
    };
    for (name, value) in &raw.headers {
        reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("headers: `{name}` is not a header name"))?;
        reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| format!("headers: the value of `{name}` is not a header value"))?;
        if name.eq_ignore_ascii_case("authorization") {
            return Err("headers: `Authorization` would put a credential in site.toml; use `auth_header` and `auth_env`".into());
        }
    }
    let auth = match (raw.auth_header, raw.auth_env) {
        (Some(header), Some(env)) => {
            reqwest::header::HeaderName::from_bytes(header.as_bytes())
                .map_err(|_| format!("auth_header: `{header}` is not a header name"))?;
            Some((header, env))
        }
        (None, None) => None,
        _ => return Err("`auth_header` and `auth_env` go together".into()),
    };
    if let Some(body) = &raw.body {
        tera::Tera::default()
            .add_raw_template("body", body)
            .map_err(|e| {
                format!(
                    "body: {}",
                    crate::output::describe_tera_error(&e).replace('\n', " ")
                )
            })?;
    }
    Ok(WebhookConfig {
        url,
        method,
        headers: raw.headers,
        auth,
        body: raw.body,
        content_type: raw
            .content_type
            .unwrap_or_else(|| "application/json".to_string()),
        timeout: Duration::from_secs(raw.timeout_secs.unwrap_or(10).clamp(1, 300)),
        retries: raw.retries.unwrap_or(3).min(10),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str) -> Result<ChangesConfig, String> {
        let raw: RawChanges = toml::from_str(text).map_err(|e| e.to_string())?;
        raw.resolve(Path::new("/srv/site"))
    }

    #[test]
    fn webhook_settings_are_checked() {
        let c = resolve("previous_state = \"state.json\"\n[webhook]\nurl = \"https://x.example/api/now/table/change_request\"\nauth_header = \"Authorization\"\nauth_env = \"SNOW_AUTH\"\nbody = \"{{ name | json_encode() }}\"\n").unwrap();
        assert_eq!(c.previous_state.as_deref(), Some("/srv/site/state.json"));
        let w = c.webhook.unwrap();
        assert_eq!(w.method, reqwest::Method::POST);
        assert_eq!(w.auth, Some(("Authorization".into(), "SNOW_AUTH".into())));
        assert_eq!(w.retries, 3);
        for bad in [
            "[webhook]\nurl = \"ftp://x\"\n",
            "[webhook]\nurl = \"https://u:p@x\"\n",
            "[webhook]\nurl = \"https://x\"\nmethod = \"GET\"\n",
            "[webhook]\nurl = \"https://x\"\nauth_env = \"A\"\n",
            "[webhook]\nurl = \"https://x\"\nheaders = { Authorization = \"Basic abc\" }\n",
            "[webhook]\nurl = \"https://x\"\nbody = \"{{ name \"\n",
            "[webhook]\nurl = \"https://x\"\ntoken = \"t\"\n",
        ] {
            assert!(resolve(bad).is_err(), "{bad}");
        }
        let url = resolve("previous_state = \"s3://b/site/changes/state.json\"\n").unwrap();
        assert_eq!(
            url.previous_state.as_deref(),
            Some("s3://b/site/changes/state.json")
        );
    }
}
