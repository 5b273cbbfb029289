//! The only code that talks to clusters: per cluster, one paginated list (`limit`/`continue`)
//! per object type, over all namespaces or each allow-listed one, with GET requests only.
//! Clusters are read concurrently, each under its own timeout. Each page is handed to the pure
//! matching and health code as it arrives, so raw objects never pile up.

use super::config::{Auth, Ca, ClusterConfig, KubernetesConfig, DEFAULT_TYPES};
use super::matching::{Matched, Target, TargetIndex};
use kube::api::ListParams;
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// One object type to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectType {
    pub group: String,
    pub version: String,
    pub plural: String,
    /// The kind for the built-in types; empty for custom resources.
    pub kind: String,
}

impl ObjectType {
    /// `apps/v1/deployments`, `v1/pods`: how diagnostics and the snapshot name a type.
    pub fn id(&self) -> String {
        if self.group.is_empty() {
            format!("{}/{}", self.version, self.plural)
        } else {
            format!("{}/{}/{}", self.group, self.version, self.plural)
        }
    }

    fn path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace {
            Some(ns) => format!("{base}/namespaces/{ns}/{}", self.plural),
            None => format!("{base}/{}", self.plural),
        }
    }
}

/// The default types, then the cluster's custom resources.
pub fn object_types(cluster: &ClusterConfig) -> Vec<ObjectType> {
    let mut types: Vec<ObjectType> = DEFAULT_TYPES
        .iter()
        .map(|(g, v, p, k)| ObjectType {
            group: g.to_string(),
            version: v.to_string(),
            plural: p.to_string(),
            kind: k.to_string(),
        })
        .collect();
    types.extend(cluster.custom_resources.iter().map(|c| ObjectType {
        group: c.group.clone(),
        version: c.api_version.clone(),
        plural: c.plural.clone(),
        kind: String::new(),
    }));
    types
}

/// What one cluster returned.
#[derive(Debug, Default)]
pub struct ClusterFetch {
    /// What the objects matched (empty when the cluster failed).
    pub matched: Matched,
    /// The whole cluster could not be read: (diagnostic code, message).
    pub failure: Option<(&'static str, String)>,
    /// Object types that could not be read: (diagnostic code, message).
    pub lost: Vec<(&'static str, String)>,
    pub requests: u32,
}

enum ListError {
    /// The cluster as a whole is not usable (unreachable, 401, 5xx).
    Cluster(&'static str, String),
    /// Only this type is lost (403, 404, an expired continue token twice).
    Type(&'static str, String),
}

/// Reads every cluster concurrently and matches its objects to `targets` at time `now`;
/// results in the order of `config.clusters`.
pub fn fetch_all(config: &KubernetesConfig, targets: &[Target], now: i64) -> Vec<ClusterFetch> {
    crate::install_tls_provider();
    let index = TargetIndex::new(targets);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return config
                .clusters
                .iter()
                .map(|_| ClusterFetch {
                    failure: Some((
                        "cluster/unreachable",
                        format!("cannot start the async runtime: {e}"),
                    )),
                    ..ClusterFetch::default()
                })
                .collect()
        }
    };
    runtime.block_on(futures::future::join_all(config.clusters.iter().map(|c| {
        fetch_cluster(c, config.timeout, config.page_size, &index, now)
    })))
}

async fn fetch_cluster(
    cluster: &ClusterConfig,
    timeout: Duration,
    page_size: u32,
    index: &TargetIndex<'_>,
    now: i64,
) -> ClusterFetch {
    let client = match client(cluster, timeout).await {
        Ok(c) => c,
        Err(message) => {
            return ClusterFetch {
                failure: Some(("cluster/auth", message)),
                ..ClusterFetch::default()
            }
        }
    };
    let lister = Lister {
        client,
        cluster,
        page_size,
        requests: AtomicU32::new(0),
        index,
        now,
    };
    let types = object_types(cluster);
    let lists = types.iter().map(|t| lister.list_type(t));
    let result = tokio::time::timeout(timeout, futures::future::join_all(lists)).await;
    let mut fetch = ClusterFetch {
        requests: lister.requests.load(Ordering::Relaxed),
        ..ClusterFetch::default()
    };
    let Ok(results) = result else {
        fetch.failure = Some((
            "cluster/timeout",
            format!(
                "cluster `{}` did not answer within {}s",
                cluster.name,
                timeout.as_secs()
            ),
        ));
        return fetch;
    };
    for r in results {
        match r {
            Ok(matched) => fetch.matched.merge(matched),
            Err(ListError::Cluster(code, message)) => {
                if fetch.failure.is_none() {
                    fetch.failure = Some((code, message));
                }
            }
            Err(ListError::Type(code, message)) => fetch.lost.push((code, message)),
        }
    }
    if fetch.failure.is_some() {
        fetch.matched = Matched::default();
        fetch.lost.clear();
    }
    fetch.matched = std::mem::take(&mut fetch.matched).finish();
    fetch
}

/// A client for one cluster, built from the site.toml settings. The token is read from the
/// environment here and goes straight into the client; it is never printed.
async fn client(cluster: &ClusterConfig, timeout: Duration) -> Result<kube::Client, String> {
    let name = &cluster.name;
    let (kubeconfig, context) = match &cluster.auth {
        Auth::Kubeconfig { file, context } => {
            let kc = match file {
                Some(f) => Kubeconfig::read_from(f),
                None => Kubeconfig::read(),
            }
            .map_err(|e| format!("cluster `{name}`: cannot read the kubeconfig: {e}"))?;
            (kc, context.clone())
        }
        Auth::Token { env, .. } => {
            let token = std::env::var(env)
                .ok()
                .filter(|t| !t.trim().is_empty())
                .ok_or_else(|| {
                    format!(
                        "cluster `{name}`: the environment variable `{env}` (token_env) is not set"
                    )
                })?;
            let mut c = json!({ "server": cluster.url });
            match &cluster.ca {
                Ca::System => {}
                Ca::File(path) => c["certificate-authority"] = json!(path),
                Ca::DataEnv(env) => {
                    let data = std::env::var(env).map_err(|_| {
                        format!("cluster `{name}`: the environment variable `{env}` (ca_data_env) is not set")
                    })?;
                    c["certificate-authority-data"] = json!(data.trim());
                }
            }
            let kc = json!({
                "clusters": [{ "name": name, "cluster": c }],
                "users": [{ "name": name, "user": { "token": token.trim() } }],
                "contexts": [{ "name": name, "context": { "cluster": name, "user": name } }],
                "current-context": name,
            });
            let kc: Kubeconfig = serde_json::from_value(kc)
                .map_err(|e| format!("cluster `{name}`: invalid settings: {e}"))?;
            (kc, Some(name.clone()))
        }
    };
    let options = KubeConfigOptions {
        context,
        ..KubeConfigOptions::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| format!("cluster `{name}`: {e}"))?;
    if let (Auth::Kubeconfig { .. }, Some(url)) = (&cluster.auth, &cluster.url) {
        config.cluster_url = url
            .parse()
            .map_err(|e| format!("cluster `{name}`: invalid url: {e}"))?;
    }
    if cluster.skip_tls_verify {
        config.accept_invalid_certs = true;
    }
    // kube retries 429/503/504 up to 15 times with growing backoff (tuned for controllers):
    // a snapshot would spend its whole timeout there. A failing cluster keeps its last data.
    config.default_retry = false;
    config.connect_timeout = Some(timeout);
    config.read_timeout = Some(timeout);
    kube::Client::try_from(config).map_err(|e| format!("cluster `{name}`: {e}"))
}

/// What every list of one cluster shares.
struct Lister<'a> {
    client: kube::Client,
    cluster: &'a ClusterConfig,
    page_size: u32,
    requests: AtomicU32,
    index: &'a TargetIndex<'a>,
    now: i64,
}

impl Lister<'_> {
    /// All pages of one type, over all namespaces or each allow-listed one.
    async fn list_type(&self, t: &ObjectType) -> Result<Matched, ListError> {
        let namespaces: Vec<Option<&str>> = if self.cluster.namespaces.is_empty() {
            vec![None]
        } else {
            self.cluster
                .namespaces
                .iter()
                .map(|n| Some(n.as_str()))
                .collect()
        };
        let mut matched = Matched::default();
        for ns in namespaces {
            matched.merge(self.list_pages(t, ns).await?);
        }
        Ok(matched)
    }

    async fn list_pages(
        &self,
        t: &ObjectType,
        namespace: Option<&str>,
    ) -> Result<Matched, ListError> {
        let (cluster, index) = (self.cluster, self.index);
        let request = kube::core::Request::new(t.path(namespace));
        let mut matched = Matched::default();
        let mut token: Option<String> = None;
        let mut restarted = false;
        loop {
            let mut params = ListParams::default().limit(self.page_size);
            if let Some(c) = &token {
                params = params.continue_token(c);
            }
            let http = request
                .list(&params)
                .map_err(|e| ListError::Type("cluster/list-failed", e.to_string()))?;
            // Only ever GET: listing is all Playbill does.
            debug_assert_eq!(http.method().as_str(), "GET");
            self.requests.fetch_add(1, Ordering::Relaxed);
            match self.client.request::<Value>(http).await {
                Ok(mut page) => {
                    if let Some(Value::Array(items)) = page.get_mut("items").map(Value::take) {
                        matched.add_page(index, &cluster.name, t, &items, self.now);
                    }
                    token = page
                        .pointer("/metadata/continue")
                        .and_then(Value::as_str)
                        .filter(|c| !c.is_empty())
                        .map(str::to_string);
                    if token.is_none() {
                        return Ok(matched);
                    }
                }
                // The continue token expired: the list must start again, once.
                Err(kube::Error::Api(status)) if status.code == 410 && !restarted => {
                    restarted = true;
                    token = None;
                    matched = Matched::default();
                }
                Err(e) => return Err(classify(cluster, t, namespace, e)),
            }
        }
    }
}

fn classify(
    cluster: &ClusterConfig,
    t: &ObjectType,
    namespace: Option<&str>,
    error: kube::Error,
) -> ListError {
    let name = &cluster.name;
    let scope = match namespace {
        Some(ns) => format!("in namespace `{ns}`"),
        None => "in all namespaces".to_string(),
    };
    match error {
        kube::Error::Api(status) => match status.code {
            401 => ListError::Cluster(
                "cluster/unauthorized",
                format!("cluster `{name}` refused the credentials (401 Unauthorized): check the token in its token_env"),
            ),
            403 => ListError::Type(
                "cluster/forbidden",
                format!(
                    "cluster `{name}`: forbidden to list {} {scope} (403); grant `list` on `{}` to Playbill's service account",
                    t.id(),
                    t.plural
                ),
            ),
            404 | 410 => ListError::Type(
                "cluster/list-failed",
                format!("cluster `{name}`: cannot list {} {scope} ({} {})", t.id(), status.code, status.reason),
            ),
            code => ListError::Cluster(
                "cluster/unreachable",
                format!("cluster `{name}` answered {code} {} while listing {}", status.reason, t.id()),
            ),
        },
        other => ListError::Cluster(
            "cluster/unreachable",
            format!("cluster `{name}` cannot be reached: {}", one_line(&other)),
        ),
    }
}

/// An error and its causes on one line.
fn one_line(e: &dyn std::error::Error) -> String {
    let mut message = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    message
}
