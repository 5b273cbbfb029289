//! `site.toml`: parsed strictly (unknown keys and wrong types are errors that name the key and
//! the line) into a raw struct, then resolved into a `Config` with absolute paths and defaults.

use crate::paths::{absolute, normalize};
use crate::secrets::Scanner;
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// A site's settings, resolved: every path absolute, every default filled in.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file this was read from (None for `check PATH...`, which needs no site.toml).
    pub file: Option<PathBuf>,
    /// Directory that relative paths resolve against.
    pub base_dir: PathBuf,
    pub title: String,
    pub out_dir: PathBuf,
    pub sources: Vec<Source>,
    pub catalog: CatalogConfig,
    pub limits: Limits,
    /// Secret scanning: the built-in rules, minus `[secrets] disable`, plus its allow-list.
    pub secrets: Scanner,
    /// A site's own templates and static files, each one replacing the built-in file of that name.
    pub templates_dir: Option<PathBuf>,
    pub static_dir: Option<PathBuf>,
    /// Where remote sources keep what they fetched between builds.
    pub cache_dir: PathBuf,
    /// Keep rendered pages under `cache_dir/render` and reuse those whose inputs are unchanged.
    pub render_cache: bool,
    /// Where `playbill publish` syncs the output (`[publish] to`).
    pub publish: PublishConfig,
    /// `[kubernetes]`: clusters to snapshot, or a snapshot file to render from.
    pub kubernetes: Option<crate::cluster::config::KubernetesConfig>,
    /// `[sso]`: what the sign-in proxy in front of the portal tells pages about the reader.
    pub sso: SsoConfig,
    /// `[scorecards]`: which checks score each entity, with what weight.
    pub scorecards: crate::scorecard::config::ScorecardConfig,
    /// The address the portal is served at, ending in `/` (absolute links in the Atom feed
    /// and webhook records); None: relative links only.
    pub base_url: Option<String>,
    /// `[changes]`: the previous state to compare with and the onboarding webhook.
    pub changes: crate::changes::config::ChangesConfig,
    /// A catalog file made in memory for a repository that has none (`docs build DIR` of a
    /// plain mkdocs repository): it replaces the repository's own catalog files.
    pub generated_catalog: Option<String>,
    /// `[freshness]`: when a status turns amber and red for its age.
    pub freshness: crate::freshness::FreshnessConfig,
    /// `[oncall]`: where on-call annotations link to.
    pub oncall: OncallConfig,
    /// `[docs]`: how diagram fences are drawn.
    pub diagrams: crate::diagrams::Settings,
    /// `[graphs]`: relation pictures on entity pages.
    pub graphs: crate::graphs::config::GraphsConfig,
    /// Set by `docs build --preview`: the pull request whose banner every page shows.
    pub preview: Option<crate::site::preview::PreviewBanner>,
}

/// `[oncall]`: the paging services' addresses, so that a PagerDuty service annotation becomes a
/// link on the incident card (without one it is shown as text).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OncallConfig {
    /// `https://acme.pagerduty.com`
    pub pagerduty_url: Option<String>,
    /// `https://acme.app.opsgenie.com`
    pub opsgenie_url: Option<String>,
}

/// `[sso]`: the sign-in proxy's user endpoint, for the home page's "My services".
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoConfig {
    /// A path on the portal's own origin (`/oauth2/userinfo`) that answers the signed-in user
    /// as JSON; unset, pages never ask.
    pub userinfo_url: Option<String>,
}

impl SsoConfig {
    /// The URL must be a path on the portal's origin: the pages' CSP allows no other, and a
    /// path from site.toml lands in an HTML attribute, so it stays plain.
    fn validate(&self, text: &str) -> Result<(), String> {
        let Some(url) = &self.userinfo_url else {
            return Ok(());
        };
        let plain = url.len() <= 2048
            && url.starts_with('/')
            && !url.starts_with("//")
            && url
                .chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '\\' | '"' | '\'' | '<' | '>' | '`'));
        if plain {
            Ok(())
        } else {
            let line = text
                .lines()
                .position(|l| {
                    l.split_once('=')
                        .is_some_and(|(k, _)| k.trim() == "userinfo_url")
                })
                .map(|n| format!("line {}: ", n + 1))
                .unwrap_or_default();
            Err(format!(
                "{line}[sso] userinfo_url = {url:?} must be a path on the portal's own origin, such as \"/oauth2/userinfo\" (no scheme, host, spaces or quotes)"
            ))
        }
    }
}

/// `[publish]`: the target and a safety bound. Credentials never live in site.toml; they come
/// from each cloud's standard environment variables and workload identity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishConfig {
    /// `s3://bucket/prefix`, `gs://bucket/prefix`, `az://container/prefix` or `file:///dir`.
    pub to: Option<String>,
    /// The largest share of the target's objects (percent) one publish may delete; more is
    /// refused unless `--allow-mass-delete` (default 50).
    pub max_delete_percent: Option<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Local {
        path: PathBuf,
        layout: Layout,
        /// Repository health from a JSON file (repository name → health), for checkouts whose
        /// CI and alert figures are gathered elsewhere; None: no health.
        health_file: Option<PathBuf>,
    },
    Github(Box<GithubSource>),
}

/// A `type = "github"` source: every repository of an organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GithubSource {
    pub organization: String,
    /// A path or glob from the repository root, without the leading `/`.
    pub catalog_path: String,
    /// None: each repository's default branch.
    pub branch: Option<String>,
    /// Repository name globs; empty `include` means every repository.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// A repository must carry one of these topics (when any are given).
    pub topics: Vec<String>,
    pub archived: bool,
    pub forks: bool,
    /// The REST API root, e.g. `https://github.example.com/api/v3` for GitHub Enterprise.
    pub api_url: String,
    pub auth: GithubAuth,
    /// Teams as Groups and members as Users.
    pub org_data: bool,
    /// Workflow runs, open pull requests and security alerts of each repository with a catalog.
    pub repo_health: bool,
    pub concurrency: usize,
    /// Batched GraphQL requests where the server offers them; REST for the rest.
    pub graphql: bool,
    /// How long a feature's refusal (403/404) and, with GraphQL, a repository's health figures
    /// are trusted while the repository is unchanged, in seconds.
    pub recheck_secs: u64,
}

/// Names of environment variables only: secrets never sit in site.toml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GithubAuth {
    None,
    Token { env: String },
    App { id_env: String, key_env: String },
}

/// How a local source path maps to repositories.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// A single repository when the path is a git checkout or holds a catalog file at its
    /// root; otherwise a directory of repositories.
    #[default]
    Auto,
    /// The path is one repository.
    Repo,
    /// Each sub-directory of the path is one repository.
    Repos,
}

#[derive(Clone, Debug)]
pub struct CatalogConfig {
    /// Glob patterns, relative to each repository's root, of the files to read.
    pub files: Vec<String>,
    /// `None`: every built-in kind is allowed. `Some`: Backstage's `catalog.rules` semantics.
    pub rules: Option<Vec<Rule>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub allow: Vec<AllowEntry>,
    #[serde(default)]
    pub locations: Option<Vec<LocationMatcher>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum AllowEntry {
    Kind(String),
    KindAndType {
        kind: String,
        #[serde(rename = "spec.type")]
        spec_type: Option<String>,
    },
}

impl AllowEntry {
    pub fn kind(&self) -> &str {
        match self {
            AllowEntry::Kind(k) => k,
            AllowEntry::KindAndType { kind, .. } => kind,
        }
    }

    pub fn spec_type(&self) -> Option<&str> {
        match self {
            AllowEntry::Kind(_) => None,
            AllowEntry::KindAndType { spec_type, .. } => spec_type.as_deref(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationMatcher {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(alias = "target")]
    pub exact: Option<String>,
    pub pattern: Option<String>,
}

/// Bounds that keep a build over hostile input finite.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_documents_per_file: usize,
    pub max_entities: usize,
    pub max_location_depth: usize,
    /// Pages and other files read from one docs directory.
    pub max_files_per_docs_site: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 4 * 1024 * 1024,
            max_documents_per_file: 1000,
            max_entities: 200_000,
            max_location_depth: 16,
            max_files_per_docs_site: 10_000,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    out_dir: Option<PathBuf>,
    templates_dir: Option<PathBuf>,
    static_dir: Option<PathBuf>,
    #[serde(default)]
    sources: Vec<RawSource>,
    #[serde(default)]
    catalog: RawCatalog,
    #[serde(default)]
    limits: Limits,
    cache_dir: Option<PathBuf>,
    #[serde(default)]
    secrets: RawSecrets,
    #[serde(default)]
    publish: PublishConfig,
    kubernetes: Option<crate::cluster::config::RawKubernetes>,
    #[serde(default)]
    sso: SsoConfig,
    #[serde(default)]
    scorecards: crate::scorecard::config::RawScorecards,
    base_url: Option<String>,
    #[serde(default)]
    changes: crate::changes::config::RawChanges,
    #[serde(default)]
    freshness: crate::freshness::RawFreshness,
    #[serde(default)]
    oncall: OncallConfig,
    #[serde(default)]
    docs: RawDocs,
    #[serde(default)]
    graphs: crate::graphs::config::GraphsConfig,
}

/// `[docs]`: settings of every TechDocs site.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocs {
    /// `[docs.plantuml]`: the command that draws PlantUML fences; unset, they stay code.
    plantuml: Option<crate::diagrams::PlantUml>,
}

/// `[secrets]`: values that look like credentials but are not, and rules to switch off.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecrets {
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    disable: Vec<String>,
}

/// One `[[sources]]` table. A flat struct rather than a tagged enum: toml keeps the line of an
/// unknown key only when deserializing straight into a struct.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    #[serde(rename = "type")]
    kind: String,
    path: Option<PathBuf>,
    #[serde(default)]
    layout: Layout,
    health_file: Option<PathBuf>,
    // type = "github"
    organization: Option<String>,
    catalog_path: Option<String>,
    branch: Option<String>,
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    forks: bool,
    api_url: Option<String>,
    token_env: Option<String>,
    app_id_env: Option<String>,
    app_key_env: Option<String>,
    #[serde(default)]
    org_data: bool,
    repo_health: Option<bool>,
    concurrency: Option<usize>,
    graphql: Option<bool>,
    recheck_hours: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    files: Option<Vec<String>>,
    rules: Option<Vec<Rule>>,
}

/// A configuration that cannot be used: the build cannot start (exit code 2).
#[derive(Debug)]
pub struct ConfigError {
    pub file: PathBuf,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

impl std::error::Error for ConfigError {}

pub const DEFAULT_CATALOG_FILES: &[&str] = &["catalog-info.yaml"];
pub const DEFAULT_CACHE_DIR: &str = ".playbill-cache";

impl Config {
    /// Reads and resolves a site.toml.
    pub fn load(file: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|e| ConfigError {
            file: file.to_path_buf(),
            message: format!("cannot read the configuration: {e}"),
        })?;
        let base_dir = absolute(file.parent().unwrap_or(Path::new(".")));
        Config::parse(&text, file, &base_dir)
    }

    /// Parses site.toml text; `file` is only used in messages.
    pub fn parse(text: &str, file: &Path, base_dir: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError {
            file: file.to_path_buf(),
            message: describe_toml_error(text, &e),
        })?;
        let resolve = |p: &Path| normalize(&base_dir.join(p));
        let catalog = resolve_catalog(raw.catalog, file)?;
        let secrets =
            Scanner::new(&raw.secrets.allow, &raw.secrets.disable).map_err(|message| {
                ConfigError {
                    file: file.to_path_buf(),
                    message,
                }
            })?;
        let sources: Vec<Source> = raw
            .sources
            .into_iter()
            .enumerate()
            .map(|(i, s)| resolve_source(i, s, file, text, &resolve))
            .collect::<Result<_, _>>()?;
        // `templates/` and `static/` beside site.toml are the site's theme overrides, unless
        // they sit inside a source: there they are somebody's repository.
        let beside = |name: &str| {
            let dir = base_dir.join(name);
            let in_source = sources.iter().any(|s| match s {
                Source::Local { path, .. } => dir.starts_with(path),
                Source::Github(_) => false,
            });
            (dir.is_dir() && !in_source).then_some(dir)
        };
        let templates_dir = raw
            .templates_dir
            .map(|p| resolve(&p))
            .or_else(|| beside("templates"));
        let static_dir = raw
            .static_dir
            .map(|p| resolve(&p))
            .or_else(|| beside("static"));
        let kubernetes = match raw.kubernetes {
            Some(k) => Some(k.resolve(base_dir).map_err(|message| ConfigError {
                file: file.to_path_buf(),
                message,
            })?),
            None => None,
        };
        raw.sso.validate(text).map_err(|message| ConfigError {
            file: file.to_path_buf(),
            message,
        })?;
        let scorecards = raw
            .scorecards
            .resolve(text)
            .map_err(|message| ConfigError {
                file: file.to_path_buf(),
                message,
            })?;
        let error = |message: String| ConfigError {
            file: file.to_path_buf(),
            message,
        };
        let base_url = raw
            .base_url
            .map(|b| resolve_base_url(&b))
            .transpose()
            .map_err(error)?;
        let changes = raw.changes.resolve(base_dir).map_err(error)?;
        let freshness = raw.freshness.resolve().map_err(error)?;
        let oncall = resolve_oncall(raw.oncall).map_err(error)?;
        Ok(Config {
            file: Some(file.to_path_buf()),
            base_dir: base_dir.to_path_buf(),
            title: raw.title.unwrap_or_else(|| "Developer Portal".to_string()),
            out_dir: resolve(raw.out_dir.as_deref().unwrap_or(Path::new("public"))),
            sources,
            catalog,
            limits: raw.limits,
            secrets,
            templates_dir,
            static_dir,
            publish: raw.publish,
            kubernetes,
            sso: raw.sso,
            scorecards,
            base_url,
            changes,
            freshness,
            oncall,
            cache_dir: resolve(
                raw.cache_dir
                    .as_deref()
                    .unwrap_or(Path::new(DEFAULT_CACHE_DIR)),
            ),
            render_cache: true,
            generated_catalog: None,
            diagrams: crate::diagrams::Settings {
                plantuml: raw.docs.plantuml,
            },
            graphs: raw.graphs,
            preview: None,
        })
    }

    /// One repository as a whole site (`playbill docs build|serve DIR`): the default settings,
    /// the directory as the only source, titled after it.
    pub fn for_repository(dir: &Path, out_dir: &Path) -> Config {
        let dir = absolute(dir);
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Config {
            title: format!("{name} docs"),
            out_dir: absolute(out_dir),
            sources: vec![Source::Local {
                path: dir.clone(),
                layout: Layout::Repo,
                health_file: None,
            }],
            // A repository's own CI builds once, and its work tree gets no cache directory.
            render_cache: false,
            ..Config::defaults(&dir)
        }
    }

    /// The configuration `check PATH...` uses when there is no site.toml: defaults only.
    pub fn defaults(base_dir: &Path) -> Config {
        Config {
            file: None,
            base_dir: base_dir.to_path_buf(),
            title: "Developer Portal".to_string(),
            out_dir: base_dir.join("public"),
            sources: Vec::new(),
            catalog: CatalogConfig {
                files: DEFAULT_CATALOG_FILES
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                rules: None,
            },
            limits: Limits::default(),
            secrets: Scanner::default(),
            templates_dir: None,
            static_dir: None,
            publish: PublishConfig::default(),
            kubernetes: None,
            sso: SsoConfig::default(),
            scorecards: crate::scorecard::config::ScorecardConfig::default(),
            base_url: None,
            changes: Default::default(),
            freshness: Default::default(),
            oncall: OncallConfig::default(),
            cache_dir: base_dir.join(DEFAULT_CACHE_DIR),
            render_cache: true,
            generated_catalog: None,
            diagrams: crate::diagrams::Settings::default(),
            graphs: crate::graphs::config::GraphsConfig::default(),
            preview: None,
        }
    }
}

/// The paging services' addresses must be https URLs: they become links on every service page.
fn resolve_oncall(raw: OncallConfig) -> Result<OncallConfig, String> {
    let check = |key: &str, url: Option<String>| match url {
        None => Ok(None),
        Some(u) if u.starts_with("https://") && url::Url::parse(&u).is_ok() => {
            Ok(Some(u.trim_end_matches('/').to_string()))
        }
        Some(u) => Err(format!(
            "oncall.{key} = \"{u}\" is not an https URL; write it as \"https://acme.pagerduty.com\""
        )),
    };
    Ok(OncallConfig {
        pagerduty_url: check("pagerduty_url", raw.pagerduty_url)?,
        opsgenie_url: check("opsgenie_url", raw.opsgenie_url)?,
    })
}

/// Credential variables of the clouds and CI systems Playbill runs in. Their values must never
/// end up in the portal, whether or not site.toml names them.
pub const STANDARD_SECRET_ENV: &[&str] = &[
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_ACCESS_KEY",
    "AZURE_STORAGE_SAS_KEY",
    "AZURE_STORAGE_TOKEN",
    "AZURE_STORAGE_CONNECTION_STRING",
    "AZURE_CLIENT_SECRET",
    "AZURE_FEDERATED_TOKEN",
    "GOOGLE_SERVICE_ACCOUNT_KEY",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
];

impl Config {
    /// Names of the environment variables holding secrets this site reads (every `*_env`
    /// setting), plus the standard credential variables; sorted, without repeats. A setting
    /// that names a secret variable adds it here, so `publish` refuses output that contains it.
    pub fn secret_env_vars(&self) -> Vec<String> {
        let mut names: Vec<String> = STANDARD_SECRET_ENV.iter().map(|s| s.to_string()).collect();
        for source in &self.sources {
            if let Source::Github(g) = source {
                match &g.auth {
                    GithubAuth::Token { env } => names.push(env.clone()),
                    GithubAuth::App { key_env, .. } => names.push(key_env.clone()),
                    GithubAuth::None => {}
                }
            }
        }
        if let Some(k) = &self.kubernetes {
            for cluster in &k.clusters {
                if let crate::cluster::config::Auth::Token { env, .. } = &cluster.auth {
                    names.push(env.clone());
                }
            }
        }
        if let Some((_, env)) = self.changes.webhook.as_ref().and_then(|w| w.auth.as_ref()) {
            names.push(env.clone());
        }
        names.sort();
        names.dedup();
        names
    }
}

/// `base_url`: an http(s) URL, kept with a trailing `/` so page paths append to it.
fn resolve_base_url(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text).map_err(|e| format!("base_url `{text}`: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.query().is_some() {
        return Err(format!(
            "base_url `{text}`: use the http:// or https:// address the portal is served at"
        ));
    }
    let mut base = url.to_string();
    if !base.ends_with('/') {
        base.push('/');
    }
    Ok(base)
}

fn resolve_source(
    index: usize,
    raw: RawSource,
    file: &Path,
    text: &str,
    resolve: &dyn Fn(&Path) -> PathBuf,
) -> Result<Source, ConfigError> {
    let error = |message: String| ConfigError {
        file: file.to_path_buf(),
        message: format!("sources[{index}]: {message}"),
    };
    match raw.kind.as_str() {
        "local" => {
            let github_only = [
                ("organization", raw.organization.is_some()),
                ("catalog_path", raw.catalog_path.is_some()),
                ("branch", raw.branch.is_some()),
                ("api_url", raw.api_url.is_some()),
                ("token_env", raw.token_env.is_some()),
            ];
            if let Some((key, _)) = github_only.iter().find(|(_, set)| *set) {
                let line = source_key_line(text, index, key)
                    .map(|l| format!("line {l}: "))
                    .unwrap_or_default();
                return Err(error(format!(
                    "{line}`{key}` is a setting of github sources, not of local ones"
                )));
            }
            let path = raw
                .path
                .ok_or_else(|| error("a local source needs `path`".to_string()))?;
            Ok(Source::Local {
                path: resolve(&path),
                layout: raw.layout,
                health_file: raw.health_file.as_deref().map(resolve),
            })
        }
        "github" => resolve_github(raw).map_err(error),
        other => Err(error(format!(
            "unknown source type `{other}`; the supported types are `local` and `github`"
        ))),
    }
}

/// The line of `key` in the `index`-th `[[sources]]` table, for messages about valid TOML.
fn source_key_line(text: &str, index: usize, key: &str) -> Option<usize> {
    let mut seen = 0;
    let mut current = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            current = (line == "[[sources]]").then_some(seen);
            seen += usize::from(line == "[[sources]]");
        } else if current == Some(index)
            && line.split_once('=').is_some_and(|(k, _)| k.trim() == key)
        {
            return Some(n + 1);
        }
    }
    None
}

fn resolve_github(raw: RawSource) -> Result<Source, String> {
    let organization = raw
        .organization
        .filter(|o| !o.trim().is_empty())
        .ok_or("a github source needs `organization`")?;
    if raw.path.is_some() {
        return Err("`path` belongs to local sources; a github source reads `organization`".into());
    }
    if raw.health_file.is_some() {
        return Err(
            "`health_file` belongs to local sources; a github source reads health itself (`repo_health`)"
                .into(),
        );
    }
    let catalog_path = raw
        .catalog_path
        .unwrap_or_else(|| "/catalog-info.yaml".to_string())
        .trim_start_matches('/')
        .to_string();
    for pattern in std::iter::once(&catalog_path)
        .chain(&raw.include)
        .chain(&raw.exclude)
    {
        globset::Glob::new(pattern).map_err(|e| format!("invalid pattern `{pattern}`: {e}"))?;
    }
    let auth = match (raw.token_env, raw.app_id_env, raw.app_key_env) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err("give either `token_env` or `app_id_env` + `app_key_env`, not both".into())
        }
        (Some(env), None, None) => GithubAuth::Token { env },
        (None, Some(id_env), Some(key_env)) => GithubAuth::App { id_env, key_env },
        (None, None, None) => GithubAuth::None,
        _ => return Err("a GitHub App needs both `app_id_env` and `app_key_env`".into()),
    };
    let api_url = raw
        .api_url
        .unwrap_or_else(|| "https://api.github.com".to_string())
        .trim_end_matches('/')
        .to_string();
    url::Url::parse(&api_url).map_err(|e| format!("api_url `{api_url}`: {e}"))?;
    Ok(Source::Github(Box::new(GithubSource {
        organization,
        catalog_path,
        branch: raw.branch,
        include: raw.include,
        exclude: raw.exclude,
        topics: raw.topics,
        archived: raw.archived,
        forks: raw.forks,
        api_url,
        auth,
        org_data: raw.org_data,
        repo_health: raw.repo_health.unwrap_or(true),
        concurrency: raw.concurrency.unwrap_or(8).clamp(1, 32),
        graphql: raw.graphql.unwrap_or(true),
        recheck_secs: raw.recheck_hours.unwrap_or(24).min(24 * 365) * 3600,
    })))
}

fn resolve_catalog(raw: RawCatalog, file: &Path) -> Result<CatalogConfig, ConfigError> {
    let files = raw.files.unwrap_or_else(|| {
        DEFAULT_CATALOG_FILES
            .iter()
            .map(|s| s.to_string())
            .collect()
    });
    for pattern in &files {
        if let Err(e) = globset::Glob::new(pattern) {
            return Err(ConfigError {
                file: file.to_path_buf(),
                message: format!("catalog.files: invalid pattern `{pattern}`: {e}"),
            });
        }
    }
    if let Some(rules) = &raw.rules {
        for rule in rules {
            for m in rule.locations.iter().flatten() {
                if let Some(p) = &m.pattern {
                    if let Err(e) = globset::Glob::new(p) {
                        return Err(ConfigError {
                            file: file.to_path_buf(),
                            message: format!("catalog.rules: invalid location pattern `{p}`: {e}"),
                        });
                    }
                }
            }
        }
    }
    Ok(CatalogConfig {
        files,
        rules: raw.rules,
    })
}

/// toml's messages already carry "line N, column M" and a snippet; keep the first line of the
/// explanation readable on one line, and point at the key.
fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let line = error
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    let message = error.message().trim().to_string();
    match line {
        Some(line) => format!("line {line}: {message}"),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("site.toml"), Path::new("/srv/site"))
    }

    #[test]
    fn resolves_paths_against_the_file_directory() {
        let c = parse(
            "title = \"Portal\"\nout_dir = \"out\"\n[[sources]]\ntype = \"local\"\npath = \"../repos\"\n",
        )
        .unwrap();
        assert_eq!(c.title, "Portal");
        assert_eq!(c.out_dir, PathBuf::from("/srv/site/out"));
        assert_eq!(
            c.sources,
            vec![Source::Local {
                path: PathBuf::from("/srv/repos"),
                layout: Layout::Auto,
                health_file: None,
            }]
        );
        assert_eq!(c.catalog.files, vec!["catalog-info.yaml".to_string()]);
        assert!(c.catalog.rules.is_none());
    }

    #[test]
    fn unknown_key_names_the_key_and_line() {
        let err = parse("title = \"x\"\n\n[catalog]\nfile = [\"a.yaml\"]\n").unwrap_err();
        assert!(err.message.contains("line 4"), "{}", err.message);
        assert!(err.message.contains("file"), "{}", err.message);
    }

    #[test]
    fn unknown_key_in_a_source_is_an_error() {
        let err =
            parse("[[sources]]\ntype = \"local\"\npath = \".\"\nbrnch = \"main\"\n").unwrap_err();
        assert!(err.message.contains("brnch"), "{}", err.message);
        assert!(err.message.contains("line 4"), "{}", err.message);
        let err =
            parse("[[sources]]\ntype = \"local\"\npath = \".\"\nbranch = \"main\"\n").unwrap_err();
        assert!(err.message.contains("`branch`"), "{}", err.message);
        assert!(err.message.contains("line 4"), "{}", err.message);
    }

    #[test]
    fn wrong_type_names_the_line() {
        let err = parse("title = 3\n").unwrap_err();
        assert!(err.message.contains("line 1"), "{}", err.message);
    }

    #[test]
    fn the_userinfo_url_is_a_path_on_the_portal_origin() {
        assert_eq!(parse("").unwrap().sso.userinfo_url, None);
        let c = parse("[sso]\nuserinfo_url = \"/oauth2/userinfo\"\n").unwrap();
        assert_eq!(c.sso.userinfo_url.as_deref(), Some("/oauth2/userinfo"));
        for bad in [
            "https://idp.example/userinfo",
            "//idp.example/x",
            "oauth2/userinfo",
            "/a b",
            "/x\\\"y",
        ] {
            let err =
                parse(&format!("title = \"t\"\n[sso]\nuserinfo_url = {bad:?}\n")).unwrap_err();
            assert!(
                err.message.contains("line 3: [sso] userinfo_url"),
                "{bad}: {}",
                err.message
            );
        }
        let err = parse("[sso]\nuserinfo = \"/x\"\n").unwrap_err();
        assert!(err.message.contains("userinfo"), "{}", err.message);
    }

    #[test]
    fn unknown_source_type_is_an_error() {
        let err = parse("[[sources]]\ntype = \"ftp\"\npath = \".\"\n").unwrap_err();
        assert!(err.message.contains("ftp"), "{}", err.message);
    }

    #[test]
    fn publish_target_is_read_and_unknown_publish_keys_are_errors() {
        let c = parse("[publish]\nto = \"s3://site/portal\"\n").unwrap();
        assert_eq!(c.publish.to.as_deref(), Some("s3://site/portal"));
        let err = parse("[publish]\nto = \"s3://x\"\nsecret_key = \"k\"\n").unwrap_err();
        assert!(err.message.contains("secret_key"), "{}", err.message);
        assert!(c
            .secret_env_vars()
            .contains(&"AWS_SECRET_ACCESS_KEY".to_string()));
    }

    #[test]
    fn a_github_source_names_its_token_variable_only() {
        let c = parse(
            "[[sources]]\ntype = \"github\"\norganization = \"kloudvin\"\nbranch = \"main\"\ntoken_env = \"GITHUB_TOKEN\"\napi_url = \"https://github.example.com/api/v3/\"\n",
        )
        .unwrap();
        let Source::Github(g) = &c.sources[0] else {
            panic!("not a github source")
        };
        assert_eq!(g.catalog_path, "catalog-info.yaml");
        assert_eq!(g.api_url, "https://github.example.com/api/v3");
        assert_eq!(
            g.auth,
            GithubAuth::Token {
                env: "GITHUB_TOKEN".into()
            }
        );
        assert_eq!(c.cache_dir, PathBuf::from("/srv/site/.playbill-cache"));
        let err = parse("[[sources]]\ntype = \"github\"\norganization = \"o\"\ntoken = \"x\"\n")
            .unwrap_err();
        assert!(err.message.contains("token"), "{}", err.message);
    }

    #[test]
    fn rules_accept_kinds_and_kind_with_type() {
        let c = parse(
            "[catalog]\nrules = [{ allow = [\"Component\", { kind = \"Resource\", \"spec.type\" = \"database\" }], locations = [{ type = \"file\", pattern = \"org/**\" }] }]\n",
        )
        .unwrap();
        let rules = c.catalog.rules.unwrap();
        assert_eq!(rules[0].allow[0].kind(), "Component");
        assert_eq!(rules[0].allow[1].spec_type(), Some("database"));
        assert_eq!(
            rules[0].locations.as_ref().unwrap()[0].pattern.as_deref(),
            Some("org/**")
        );
    }
}
