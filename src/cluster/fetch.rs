//! The only code that talks to clusters: per cluster, one paginated list (`limit`/`continue`)
//! per object type, over all namespaces or each allow-listed one, with GET requests only.
//! Clusters are read concurrently, each under its own deadline. A request that times out,
//! cannot connect or is answered 429 or 5xx is retried with exponential backoff and jitter
//! (derived from the cluster, type and attempt, so runs are reproducible) while the deadline
//! allows. A type that still fails is lost alone; the cluster as a whole fails only when its
//! token is refused or nothing at all could be listed. Each page is handed to the pure
//! matching and health code as it arrives, so raw objects never pile up.

use super::config::{object_types, Auth, Ca, ClusterConfig, KubernetesConfig, ObjectType};
use super::matching::{Matched, Target, TargetIndex};
use kube::api::ListParams;
use kube::config::{KubeConfigOptions, Kubeconfig};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// What one cluster returned.
#[derive(Debug, Default)]
pub struct ClusterFetch {
    /// What the objects matched (empty when the cluster failed).
    pub matched: Matched,
    /// The whole cluster could not be read: (diagnostic code, message).
    pub failure: Option<(&'static str, String)>,
    /// Object types that could not be read; the others were.
    pub lost: Vec<LostType>,
    /// API requests made, retries included.
    pub requests: u32,
}

/// One object type a cluster could not list.
#[derive(Clone, Debug)]
pub struct LostType {
    pub object_type: ObjectType,
    /// The diagnostic code (`cluster/list-timeout`, `cluster/forbidden`, ...).
    pub code: &'static str,
    /// `timed out (no answer within 10 s, 2 attempts)`, `forbidden (403)`.
    pub reason: String,
    /// The diagnostic's message: `HPAs could not be read in dev-sandbox: timed out ...`.
    pub message: String,
    /// Timed out, unreachable or a server error (not a refusal such as 403 or 404).
    pub transient: bool,
}

enum ListError {
    /// The token was refused (401): nothing of the cluster can be read.
    Unauthorized(String),
    /// Only this type is lost: (code, reason, transient, what to do).
    Type(&'static str, String, bool, String),
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
    runtime.block_on(futures::future::join_all(
        config
            .clusters
            .iter()
            .map(|c| fetch_cluster(c, config, &index, now)),
    ))
}

async fn fetch_cluster(
    cluster: &ClusterConfig,
    config: &KubernetesConfig,
    index: &TargetIndex<'_>,
    now: i64,
) -> ClusterFetch {
    let client = match client(cluster, config.request_timeout).await {
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
        config,
        deadline: Instant::now() + config.timeout,
        requests: AtomicU32::new(0),
        index,
        now,
    };
    let types = object_types(cluster);
    let lists = types.iter().map(|t| async {
        let listed = tokio::time::timeout_at(lister.deadline, lister.list_type(t)).await;
        listed.unwrap_or_else(|_| Err(lister.out_of_time()))
    });
    let results = futures::future::join_all(lists).await;
    let mut fetch = ClusterFetch {
        requests: lister.requests.load(Ordering::Relaxed),
        ..ClusterFetch::default()
    };
    let mut listed = 0;
    for (t, r) in types.iter().zip(results) {
        match r {
            Ok(matched) => {
                listed += 1;
                fetch.matched.merge(matched);
            }
            Err(ListError::Unauthorized(message)) => {
                fetch.failure = Some(("cluster/unauthorized", message));
            }
            Err(ListError::Type(code, reason, transient, advice)) => fetch.lost.push(LostType {
                message: format!(
                    "{} could not be read in {}: {reason}{advice}",
                    t.label(),
                    cluster.name
                ),
                object_type: t.clone(),
                code,
                reason,
                transient,
            }),
        }
    }
    if fetch.failure.is_none() && listed == 0 && fetch.lost.iter().any(|l| l.transient) {
        fetch.failure = Some(unreachable(cluster, config, &fetch.lost));
    }
    if fetch.failure.is_some() {
        fetch.matched = Matched::default();
        fetch.lost.clear();
    }
    fetch.matched = std::mem::take(&mut fetch.matched).finish();
    fetch
}

/// Nothing could be listed: the cluster timed out (every failure a timeout) or cannot be
/// reached (the first other failure says why).
fn unreachable(
    cluster: &ClusterConfig,
    config: &KubernetesConfig,
    lost: &[LostType],
) -> (&'static str, String) {
    match lost.iter().find(|l| l.code != "cluster/list-timeout") {
        None => (
            "cluster/timeout",
            format!(
                "cluster `{}` did not answer within {}s",
                cluster.name,
                config.timeout.as_secs()
            ),
        ),
        Some(l) => (
            "cluster/unreachable",
            format!(
                "cluster `{}` cannot be reached: listing {} gave {}",
                cluster.name,
                l.object_type.id(),
                l.reason
            ),
        ),
    }
}

/// A client for one cluster, built from the site.toml settings. The token is read from the
/// environment here and goes straight into the client; it is never printed.
async fn client(
    cluster: &ClusterConfig,
    request_timeout: Duration,
) -> Result<kube::Client, String> {
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
    // a snapshot would spend its whole deadline there. `Lister::get` retries within it.
    config.default_retry = false;
    config.connect_timeout = Some(request_timeout);
    config.read_timeout = Some(request_timeout);
    kube::Client::try_from(config).map_err(|e| format!("cluster `{name}`: {e}"))
}

/// What every list of one cluster shares.
struct Lister<'a> {
    client: kube::Client,
    cluster: &'a ClusterConfig,
    config: &'a KubernetesConfig,
    /// When the cluster's time is up: lists still running then are lost as timed out.
    deadline: Instant,
    requests: AtomicU32,
    index: &'a TargetIndex<'a>,
    now: i64,
}

/// Why one request failed.
enum PageError {
    Kube(kube::Error),
    TimedOut,
}

impl PageError {
    /// Worth another try: no answer in time, no connection, 429 or a server error.
    fn transient(&self) -> bool {
        match self {
            PageError::TimedOut => true,
            PageError::Kube(kube::Error::Api(s)) => s.code == 429 || s.code >= 500,
            PageError::Kube(_) => true,
        }
    }
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
        let mut matched = Matched::default();
        let mut token: Option<String> = None;
        let mut restarted = false;
        loop {
            let key = format!("{}/{}/{:?}/{:?}", cluster.name, t.id(), namespace, token);
            match self.get(t, namespace, token.as_deref(), &key).await {
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
                Err((PageError::Kube(kube::Error::Api(status)), _))
                    if status.code == 410 && !restarted =>
                {
                    restarted = true;
                    token = None;
                    matched = Matched::default();
                }
                Err((e, attempts)) => return Err(self.classify(t, namespace, e, attempts)),
            }
        }
    }

    /// One page, retried with backoff while the error is transient, attempts remain and the
    /// deadline allows; the error comes with the number of attempts made.
    async fn get(
        &self,
        t: &ObjectType,
        namespace: Option<&str>,
        token: Option<&str>,
        key: &str,
    ) -> Result<Value, (PageError, u32)> {
        let mut params = ListParams::default().limit(self.config.page_size);
        if let Some(c) = token {
            params = params.continue_token(c);
        }
        let request = kube::core::Request::new(t.path(namespace));
        let mut attempt = 0;
        loop {
            let http = request
                .list(&params)
                .map_err(|e| (PageError::Kube(kube::Error::BuildRequest(e)), attempt))?;
            // Only ever GET: listing is all Playbill does.
            debug_assert_eq!(http.method().as_str(), "GET");
            self.requests.fetch_add(1, Ordering::Relaxed);
            attempt += 1;
            let limit = self
                .config
                .request_timeout
                .min(self.deadline.saturating_duration_since(Instant::now()));
            let error = match tokio::time::timeout(limit, self.client.request::<Value>(http)).await
            {
                Ok(Ok(page)) => return Ok(page),
                Ok(Err(e)) => PageError::Kube(e),
                Err(_) => PageError::TimedOut,
            };
            let delay = backoff(self.config.backoff, attempt - 1, key);
            let retry = error.transient()
                && attempt <= self.config.retries
                && Instant::now() + delay < self.deadline;
            if !retry {
                return Err((error, attempt));
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// A type still listing when the cluster's deadline came.
    fn out_of_time(&self) -> ListError {
        ListError::Type(
            "cluster/list-timeout",
            format!(
                "timed out (still listing when the cluster's {}s were up)",
                self.config.timeout.as_secs()
            ),
            true,
            "; the other types were read, so the cluster is kept".into(),
        )
    }

    /// A type whose last request got no answer in time.
    fn timed_out(&self, attempts: u32) -> ListError {
        let plural = if attempts == 1 { "" } else { "s" };
        ListError::Type(
            "cluster/list-timeout",
            format!(
                "timed out (no answer within {}s, {attempts} attempt{plural})",
                self.config.request_timeout.as_secs()
            ),
            true,
            "; the other types were read, so the cluster is kept".into(),
        )
    }

    fn classify(
        &self,
        t: &ObjectType,
        namespace: Option<&str>,
        error: PageError,
        attempts: u32,
    ) -> ListError {
        let scope = match namespace {
            Some(ns) => format!("in namespace `{ns}`"),
            None => "in all namespaces".to_string(),
        };
        let tries = format!(
            "after {attempts} attempt{}",
            if attempts == 1 { "" } else { "s" }
        );
        let error = match error {
            PageError::TimedOut => return self.timed_out(attempts),
            PageError::Kube(e) => e,
        };
        let name = &self.cluster.name;
        match error {
            kube::Error::Api(status) => match status.code {
                401 => ListError::Unauthorized(format!(
                    "cluster `{name}` refused the credentials (401 Unauthorized): check the token in its token_env"
                )),
                403 => ListError::Type(
                    "cluster/forbidden",
                    "forbidden (403)".into(),
                    false,
                    format!(
                        "; Playbill may not list {} {scope}: grant `list` on `{}` to its service account",
                        t.id(),
                        t.plural
                    ),
                ),
                code if code == 429 || code >= 500 => ListError::Type(
                    "cluster/list-unavailable",
                    format!("{code} {} {tries}", status.reason),
                    true,
                    format!(" (listing {} {scope})", t.id()),
                ),
                code => ListError::Type(
                    "cluster/list-failed",
                    format!("{code} {}", status.reason),
                    false,
                    format!(" (listing {} {scope})", t.id()),
                ),
            },
            other => ListError::Type(
                "cluster/list-unavailable",
                format!("{} {tries}", one_line(&other)),
                true,
                format!(" (listing {} {scope})", t.id()),
            ),
        }
    }
}

/// The wait before retry `attempt` (0 for the first): `base` doubled per attempt, capped at
/// 5 s, then jittered into its upper half by a hash of `key` and the attempt, so lists that
/// fail together do not retry together, and the same run waits the same.
pub fn backoff(base: Duration, attempt: u32, key: &str) -> Duration {
    let full = base
        .saturating_mul(1u32 << attempt.min(16))
        .min(Duration::from_secs(5));
    // FNV-1a: stable across runs and platforms, unlike the standard library's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes().chain(attempt.to_le_bytes()) {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let fraction = (hash >> 11) as f64 / (1u64 << 53) as f64;
    full / 2 + full.mul_f64(fraction / 2.0)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_stays_in_its_upper_half_and_is_reproducible() {
        let base = Duration::from_millis(200);
        for attempt in 0..6 {
            let full = base
                .saturating_mul(1 << attempt)
                .min(Duration::from_secs(5));
            for key in [
                "prod-eu/v1/pods/None/None",
                "prod-eu/batch/v1/jobs/None/None",
            ] {
                let d = backoff(base, attempt, key);
                assert!(d >= full / 2 && d <= full, "{attempt} {key}: {d:?}");
                assert_eq!(d, backoff(base, attempt, key));
            }
        }
        let spread: std::collections::BTreeSet<Duration> = (0..20)
            .map(|i| backoff(base, 1, &format!("prod-eu/type-{i}")))
            .collect();
        assert!(spread.len() > 15, "jitter spreads retries: {spread:?}");
    }

    #[test]
    fn type_labels() {
        let t = |g: &str, p: &str, k: &str| ObjectType {
            group: g.into(),
            version: "v1".into(),
            plural: p.into(),
            kind: k.into(),
        };
        assert_eq!(
            t(
                "autoscaling",
                "horizontalpodautoscalers",
                "HorizontalPodAutoscaler"
            )
            .label(),
            "HPAs"
        );
        assert_eq!(
            t("apps", "deployments", "Deployment").label(),
            "Deployments"
        );
        assert_eq!(
            t("networking.k8s.io", "ingresses", "Ingress").label(),
            "Ingresses"
        );
        assert_eq!(
            t("argoproj.io", "applications", "").label(),
            "applications (argoproj.io)"
        );
    }
}
