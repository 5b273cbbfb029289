//! `[[sources]]`: where the repositories come from, local checkouts or a GitHub organisation.

use super::ConfigError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

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

/// One `[[sources]]` table. A flat struct rather than a tagged enum: toml keeps the line of an
/// unknown key only when deserializing straight into a struct.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
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

pub(super) fn resolve_source(
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
