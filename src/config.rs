//! `site.toml`: parsed strictly (unknown keys and wrong types are errors that name the key and
//! the line) into a raw struct, then resolved into a `Config` with absolute paths and defaults.

mod catalog;
pub mod changes;
pub mod cluster;
pub mod doc_versions;
pub mod freshness;
pub mod graphs;
pub mod preview;
pub mod scorecard;
mod sources;
#[cfg(test)]
mod tests;

pub use catalog::{
    AllowEntry, CatalogConfig, Limits, LocationMatcher, Rule, DEFAULT_CATALOG_FILES,
};
pub use sources::{GithubAuth, GithubSource, Layout, Source};

use crate::paths::{absolute, normalize};
use crate::secrets::Scanner;
use catalog::{resolve_catalog, RawCatalog};
use serde::Deserialize;
use sources::{resolve_source, RawSource};
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
    pub kubernetes: Option<cluster::KubernetesConfig>,
    /// `[sso]`: what the sign-in proxy in front of the portal tells pages about the reader.
    pub sso: SsoConfig,
    /// `[scorecards]`: which checks score each entity, with what weight.
    pub scorecards: scorecard::ScorecardConfig,
    /// The address the portal is served at, ending in `/` (absolute links in the Atom feed
    /// and webhook records); None: relative links only.
    pub base_url: Option<String>,
    /// `[changes]`: the previous state to compare with and the onboarding webhook.
    pub changes: changes::ChangesConfig,
    /// A catalog file made in memory for a repository that has none (`docs build DIR` of a
    /// plain mkdocs repository): it replaces the repository's own catalog files.
    pub generated_catalog: Option<String>,
    /// `[freshness]`: when a status turns amber and red for its age.
    pub freshness: freshness::FreshnessConfig,
    /// `[oncall]`: where on-call annotations link to.
    pub oncall: OncallConfig,
    /// `[docs]`: how diagram fences are drawn.
    pub diagrams: crate::diagrams::Settings,
    /// `[graphs]`: relation pictures on entity pages.
    pub graphs: graphs::GraphsConfig,
    /// `[docs.versions]`: older versions of every docs site, built beside latest.
    pub doc_versions: doc_versions::VersionsConfig,
    /// Set by `docs build --preview`: the pull request whose banner every page shows.
    pub preview: Option<preview::PreviewBanner>,
    /// `[docs] prebuilt`: where repositories' CI published the docs they rendered (a
    /// directory mirroring the portal's `docs/`); pages whose sources match are taken from it.
    pub prebuilt_docs: Option<PathBuf>,
    /// `[docs] prebuilt` as a bucket URL (`s3://`, `gs://`, `az://`): each docs site's
    /// prebuilt file is fetched from it into a scratch directory, which the build then reads
    /// as [`prebuilt_docs`](Self::prebuilt_docs).
    pub prebuilt_bucket: Option<String>,
    /// Write each docs site's renderings beside its pages for a portal to take (`docs build`).
    pub record_prebuilt: bool,
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
    kubernetes: Option<cluster::RawKubernetes>,
    #[serde(default)]
    sso: SsoConfig,
    #[serde(default)]
    scorecards: scorecard::RawScorecards,
    base_url: Option<String>,
    #[serde(default)]
    changes: changes::RawChanges,
    #[serde(default)]
    freshness: freshness::RawFreshness,
    #[serde(default)]
    oncall: OncallConfig,
    #[serde(default)]
    docs: RawDocs,
    #[serde(default)]
    graphs: graphs::GraphsConfig,
}

/// `[docs]`: settings of every TechDocs site.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocs {
    /// `[docs.plantuml]`: the command that draws PlantUML fences; unset, they stay code.
    plantuml: Option<crate::diagrams::PlantUml>,
    #[serde(default)]
    versions: doc_versions::RawVersions,
    /// The directory or bucket repositories' `docs build` output was published to.
    prebuilt: Option<String>,
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
        let error = |message: String| ConfigError {
            file: file.to_path_buf(),
            message,
        };
        let resolve = |p: &Path| normalize(&base_dir.join(p));
        let catalog = resolve_catalog(raw.catalog, file)?;
        let secrets = Scanner::new(&raw.secrets.allow, &raw.secrets.disable).map_err(error)?;
        let sources: Vec<Source> = raw
            .sources
            .into_iter()
            .enumerate()
            .map(|(i, s)| resolve_source(i, s, file, text, &resolve))
            .collect::<Result<_, _>>()?;
        let theme_dir = |set: Option<PathBuf>, name: &str| {
            set.map(|p| resolve(&p))
                .or_else(|| theme_dir_beside(base_dir, name, &sources))
        };
        let templates_dir = theme_dir(raw.templates_dir, "templates");
        let static_dir = theme_dir(raw.static_dir, "static");
        let kubernetes = raw
            .kubernetes
            .map(|k| k.resolve(base_dir))
            .transpose()
            .map_err(error)?;
        raw.sso.validate(text).map_err(error)?;
        let scorecards = raw.scorecards.resolve(text).map_err(error)?;
        let base_url = raw
            .base_url
            .map(|b| resolve_base_url(&b))
            .transpose()
            .map_err(error)?;
        let changes = raw.changes.resolve(base_dir).map_err(error)?;
        let freshness = raw.freshness.resolve().map_err(error)?;
        let oncall = resolve_oncall(raw.oncall).map_err(error)?;
        let doc_versions = raw.docs.versions.resolve().map_err(error)?;
        let mut config = Config {
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
            doc_versions,
            preview: None,
            prebuilt_docs: None,
            prebuilt_bucket: None,
            record_prebuilt: false,
        };
        if let Some(location) = &raw.docs.prebuilt {
            config.set_prebuilt(location, resolve);
        }
        Ok(config)
    }

    /// Points `[docs] prebuilt` at `location`: a bucket URL as it is, a directory made
    /// absolute by `dir`.
    pub fn set_prebuilt(&mut self, location: &str, dir: impl FnOnce(&Path) -> PathBuf) {
        (self.prebuilt_docs, self.prebuilt_bucket) = match is_bucket_url(location) {
            true => (None, Some(location.to_string())),
            false => (Some(dir(Path::new(location))), None),
        };
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

    /// Takes the settings of `portal` that shape a docs page's rendering (secret scanning,
    /// limits, diagram drawing), so that a repository's `docs build` renders as the portal does.
    pub fn take_rendering_settings(&mut self, portal: Config) {
        self.secrets = portal.secrets;
        self.limits = portal.limits;
        self.diagrams = portal.diagrams;
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
            scorecards: scorecard::ScorecardConfig::default(),
            base_url: None,
            changes: Default::default(),
            freshness: Default::default(),
            oncall: OncallConfig::default(),
            cache_dir: base_dir.join(DEFAULT_CACHE_DIR),
            render_cache: true,
            generated_catalog: None,
            diagrams: crate::diagrams::Settings::default(),
            graphs: graphs::GraphsConfig::default(),
            doc_versions: Default::default(),
            preview: None,
            prebuilt_docs: None,
            prebuilt_bucket: None,
            record_prebuilt: false,
        }
    }
}

/// `templates/` or `static/` beside site.toml: the site's theme overrides, unless the directory
/// sits inside a source, where it is somebody's repository.
fn theme_dir_beside(base_dir: &Path, name: &str, sources: &[Source]) -> Option<PathBuf> {
    let dir = base_dir.join(name);
    let in_source = sources.iter().any(|s| match s {
        Source::Local { path, .. } => dir.starts_with(path),
        Source::Github(_) => false,
    });
    (dir.is_dir() && !in_source).then_some(dir)
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
                if let cluster::Auth::Token { env, .. } = &cluster.auth {
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

/// Whether `[docs] prebuilt` names a bucket rather than a directory: any URL, read as a
/// publish target is, so that the target's parser alone knows the schemes and names one it
/// does not take.
fn is_bucket_url(text: &str) -> bool {
    text.contains("://")
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
