//! The `[kubernetes]` table of site.toml: Backstage's cluster settings, parsed strictly and
//! resolved (paths absolute, names unique). Secrets are never read from the file: a cluster
//! names the environment variable that holds its token.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every object type Backstage's Kubernetes plugin fetches by default, in its order:
/// (group, version, plural, kind). Secrets never.
pub const DEFAULT_TYPES: &[(&str, &str, &str, &str)] = &[
    ("", "v1", "pods", "Pod"),
    ("", "v1", "services", "Service"),
    ("", "v1", "configmaps", "ConfigMap"),
    ("", "v1", "limitranges", "LimitRange"),
    ("", "v1", "resourcequotas", "ResourceQuota"),
    ("apps", "v1", "deployments", "Deployment"),
    ("apps", "v1", "replicasets", "ReplicaSet"),
    ("apps", "v1", "statefulsets", "StatefulSet"),
    ("apps", "v1", "daemonsets", "DaemonSet"),
    (
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
    ),
    ("batch", "v1", "jobs", "Job"),
    ("batch", "v1", "cronjobs", "CronJob"),
    ("networking.k8s.io", "v1", "ingresses", "Ingress"),
];

#[derive(Clone, Debug, Default)]
pub struct KubernetesConfig {
    pub clusters: Vec<ClusterConfig>,
    /// Render from this snapshot file instead of asking the clusters.
    pub snapshot: Option<PathBuf>,
    /// Per cluster, for the whole listing: what has not answered by then is lost.
    pub timeout: Duration,
    /// Per request: a request that takes longer is abandoned and retried.
    pub request_timeout: Duration,
    /// How many times a request is retried after a timeout, a connection error, 429 or 5xx.
    pub retries: u32,
    /// The first retry waits between half of this and this; each further one twice as long.
    pub backoff: Duration,
    /// `limit` of each list request.
    pub page_size: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterConfig {
    pub name: String,
    pub title: String,
    pub url: Option<String>,
    pub auth: Auth,
    pub ca: Ca,
    pub skip_tls_verify: bool,
    /// Empty: all namespaces.
    pub namespaces: Vec<String>,
    pub dashboard_url: Option<String>,
    pub custom_resources: Vec<CustomResource>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// A bearer token read from this environment variable (`serviceAccount` and `oidc`).
    Token { provider: String, env: String },
    /// A context of a kubeconfig file (`KUBECONFIG` or `~/.kube/config` when no file is given).
    Kubeconfig {
        file: Option<PathBuf>,
        context: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ca {
    System,
    File(PathBuf),
    /// The environment variable holding base64-encoded PEM, as Backstage's `caData`.
    DataEnv(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomResource {
    pub group: String,
    #[serde(alias = "apiVersion")]
    pub api_version: String,
    pub plural: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKubernetes {
    #[serde(default)]
    clusters: Vec<RawCluster>,
    snapshot: Option<PathBuf>,
    timeout_secs: Option<u64>,
    request_timeout_secs: Option<u64>,
    retries: Option<u32>,
    page_size: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCluster {
    name: String,
    title: Option<String>,
    url: Option<String>,
    auth_provider: String,
    token_env: Option<String>,
    context: Option<String>,
    kubeconfig: Option<PathBuf>,
    ca_file: Option<PathBuf>,
    ca_data_env: Option<String>,
    #[serde(default)]
    skip_tls_verify: bool,
    #[serde(default)]
    namespaces: Vec<String>,
    dashboard_url: Option<String>,
    #[serde(default)]
    custom_resources: Vec<CustomResource>,
    // Accepted only to refuse them with a message that says what to do instead.
    service_account_token: Option<toml::Value>,
    ca_data: Option<toml::Value>,
}

impl RawKubernetes {
    /// Resolves paths against `base_dir`; an error names the cluster and the setting.
    pub fn resolve(self, base_dir: &Path) -> Result<KubernetesConfig, String> {
        let mut clusters: Vec<ClusterConfig> = Vec::new();
        for (i, raw) in self.clusters.into_iter().enumerate() {
            let cluster = resolve_cluster(raw, base_dir)
                .map_err(|e| format!("kubernetes.clusters[{i}]: {e}"))?;
            if clusters.iter().any(|c| c.name == cluster.name) {
                return Err(format!(
                    "kubernetes.clusters[{i}]: the cluster name `{}` is used twice",
                    cluster.name
                ));
            }
            clusters.push(cluster);
        }
        let timeout = Duration::from_secs(self.timeout_secs.unwrap_or(30).max(1));
        Ok(KubernetesConfig {
            clusters,
            snapshot: self
                .snapshot
                .map(|p| crate::paths::normalize(&base_dir.join(p))),
            timeout,
            request_timeout: Duration::from_secs(self.request_timeout_secs.unwrap_or(10).max(1))
                .min(timeout),
            retries: self.retries.unwrap_or(3).min(10),
            backoff: Duration::from_millis(200),
            page_size: self.page_size.unwrap_or(500).clamp(1, 5000),
        })
    }
}

fn resolve_cluster(raw: RawCluster, base_dir: &Path) -> Result<ClusterConfig, String> {
    if raw.service_account_token.is_some() || raw.ca_data.is_some() {
        return Err("secrets do not belong in site.toml: put the token (or CA data) in an environment variable and name it with `token_env` (or `ca_data_env`)".into());
    }
    let valid_name = !raw.name.is_empty()
        && raw
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid_name {
        return Err(format!(
            "name `{}` must be letters, digits, `-`, `_` or `.`",
            raw.name
        ));
    }
    let auth = match raw.auth_provider.as_str() {
        "serviceAccount" | "oidc" => Auth::Token {
            provider: raw.auth_provider.clone(),
            env: raw.token_env.clone().ok_or_else(|| {
                format!(
                    "auth_provider `{}` needs `token_env`, the environment variable that holds the token",
                    raw.auth_provider
                )
            })?,
        },
        "kubeconfig" => Auth::Kubeconfig {
            file: raw.kubeconfig.map(|p| crate::paths::normalize(&base_dir.join(p))),
            context: raw.context,
        },
        other => {
            return Err(format!(
                "unknown auth_provider `{other}`; supported: serviceAccount, oidc, kubeconfig"
            ))
        }
    };
    if raw.url.is_none() && !matches!(auth, Auth::Kubeconfig { .. }) {
        return Err("`url` is required (only a kubeconfig context may leave it out)".into());
    }
    if let Some(url) = &raw.url {
        match url::Url::parse(url) {
            Ok(u) if u.scheme() == "https" || u.scheme() == "http" => {}
            _ => return Err(format!("`url` `{url}` is not an http(s) URL")),
        }
    }
    let ca = match (raw.ca_file, raw.ca_data_env) {
        (Some(_), Some(_)) => return Err("give `ca_file` or `ca_data_env`, not both".into()),
        (Some(f), None) => Ca::File(crate::paths::normalize(&base_dir.join(f))),
        (None, Some(env)) => Ca::DataEnv(env),
        (None, None) => Ca::System,
    };
    for cr in &raw.custom_resources {
        if cr.api_version.is_empty() || cr.plural.is_empty() {
            return Err("custom_resources need `api_version` and `plural`".into());
        }
    }
    Ok(ClusterConfig {
        title: raw.title.unwrap_or_else(|| raw.name.clone()),
        name: raw.name,
        url: raw.url,
        auth,
        ca,
        skip_tls_verify: raw.skip_tls_verify,
        namespaces: raw.namespaces,
        dashboard_url: raw.dashboard_url,
        custom_resources: raw.custom_resources,
    })
}

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

    /// `HPAs`, `Deployments`, `applications (argoproj.io)`: how pages name a type.
    pub fn label(&self) -> String {
        match self.kind.as_str() {
            "" if self.group.is_empty() => self.plural.clone(),
            "" => format!("{} ({})", self.plural, self.group),
            "HorizontalPodAutoscaler" => "HPAs".into(),
            "Ingress" => "Ingresses".into(),
            kind => format!("{kind}s"),
        }
    }

    pub fn path(&self, namespace: Option<&str>) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str) -> Result<KubernetesConfig, String> {
        let raw: RawKubernetes = toml::from_str(text).map_err(|e| e.to_string())?;
        raw.resolve(Path::new("/srv/site"))
    }

    #[test]
    fn resolves_a_service_account_cluster() {
        let k = resolve(
            "snapshot = \"snap.json\"\n[[clusters]]\nname = \"prod-eu\"\nurl = \"https://10.0.0.1:6443\"\nauth_provider = \"serviceAccount\"\ntoken_env = \"PROD_EU_TOKEN\"\nca_file = \"ca.pem\"\nnamespaces = [\"ledger\"]\ncustom_resources = [{ group = \"argoproj.io\", api_version = \"v1alpha1\", plural = \"rollouts\" }]\n",
        )
        .unwrap();
        let c = &k.clusters[0];
        assert_eq!(k.snapshot, Some(PathBuf::from("/srv/site/snap.json")));
        assert_eq!(
            c.auth,
            Auth::Token {
                provider: "serviceAccount".into(),
                env: "PROD_EU_TOKEN".into()
            }
        );
        assert_eq!(c.ca, Ca::File(PathBuf::from("/srv/site/ca.pem")));
        assert!(!c.skip_tls_verify);
        assert_eq!(c.custom_resources[0].plural, "rollouts");
    }

    #[test]
    fn refuses_secrets_and_bad_settings() {
        let base = "[[clusters]]\nname = \"a\"\nurl = \"https://a\"\n";
        for (extra, needle) in [
            ("auth_provider = \"serviceAccount\"\nservice_account_token = \"abc\"\n", "environment variable"),
            ("auth_provider = \"serviceAccount\"\n", "token_env"),
            ("auth_provider = \"aws\"\n", "unknown auth_provider"),
            ("auth_provider = \"oidc\"\ntoken_env = \"T\"\nca_file = \"x\"\nca_data_env = \"Y\"\n", "not both"),
            ("auth_provider = \"oidc\"\ntoken_env = \"T\"\nverify = true\n", "verify"),
        ] {
            let err = resolve(&format!("{base}{extra}")).unwrap_err();
            assert!(err.contains(needle), "{err}");
        }
        let twice =
            format!("{base}auth_provider = \"kubeconfig\"\n{base}auth_provider = \"kubeconfig\"\n");
        assert!(resolve(&twice).unwrap_err().contains("used twice"));
    }
}
