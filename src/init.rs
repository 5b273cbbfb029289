//! `playbill init`: the user's situation (where the repositories are, whether clusters and a
//! bucket are involved) in, a commented `site.toml` out. The text is assembled from small
//! sections and checked by the real parser before anything is written; an existing file is
//! never replaced.

use crate::config::Config;
use crate::paths::absolute;
use crate::publish::store::Target;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the portal's repositories come from.
#[derive(Clone, Debug)]
pub enum InitSource {
    /// Every repository of a GitHub organisation; `api_url` for GitHub Enterprise.
    Github {
        organization: String,
        api_url: Option<String>,
    },
    /// A directory of checkouts (or one repository).
    Local { dir: PathBuf },
}

/// What `playbill init` was asked for.
#[derive(Clone, Debug)]
pub struct InitOptions {
    pub source: InitSource,
    /// Add one `[[kubernetes.clusters]]` block reading the current kubeconfig context.
    pub kubernetes: bool,
    /// `[publish] to`: s3://, gs://, az:// or file://.
    pub publish: Option<String>,
}

/// Writes the site configuration to `file`; refuses when the file exists. Returns the text.
pub fn init(file: &Path, options: &InitOptions) -> Result<String, String> {
    if file.exists() {
        return Err(format!(
            "{} already exists; init never overwrites a file. Edit it, or pass --config NEW-FILE",
            file.display()
        ));
    }
    let text = render(file, options)?;
    // Whatever init writes, the parser must accept as it stands.
    let base_dir = absolute(file.parent().unwrap_or(Path::new(".")));
    Config::parse(&text, file, &base_dir).map_err(|e| format!("generated an invalid file: {e}"))?;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
        .map_err(|e| format!("cannot create {}: {e}", file.display()))?;
    out.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(text)
}

/// The commented site.toml for `options`, to be written at `file`.
pub fn render(file: &Path, options: &InitOptions) -> Result<String, String> {
    let mut text = String::from(HEADER);
    match &options.source {
        InitSource::Local { dir } => text.push_str(&local_source(file, dir)?),
        InitSource::Github {
            organization,
            api_url,
        } => text.push_str(&github_source(organization, api_url.as_deref())?),
    }
    if options.kubernetes {
        text.push_str(KUBERNETES);
    }
    text.push_str(&publish_section(options.publish.as_deref())?);
    text.push_str(FOOTER);
    Ok(text)
}

/// A TOML string literal.
fn quoted(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}

const HEADER: &str = r#"# Playbill site configuration. Relative paths resolve against this file's directory;
# unknown keys are errors that name the key and the line. `playbill build` renders the
# portal, `playbill check` validates the inputs without rendering.

title = "Developer Portal"            # the portal's title
out_dir = "public"                    # where `playbill build` writes the portal
# base_url = "https://portal.example/"  # where it is served: absolute links in the Atom feed

"#;

/// A local source. `dir` is as the user typed it, relative to the working directory; it is
/// written as given when site.toml goes into that directory too, else as an absolute path.
fn local_source(file: &Path, dir: &Path) -> Result<String, String> {
    let on_disk = absolute(dir);
    if !on_disk.is_dir() {
        return Err(format!(
            "--local {}: no such directory (give the directory holding your repositories' checkouts)",
            dir.display()
        ));
    }
    let file_dir = absolute(file.parent().unwrap_or(Path::new(".")));
    let written = if dir.is_relative() && file_dir == absolute(Path::new(".")) {
        dir.to_path_buf()
    } else {
        on_disk
    };
    let path = written
        .to_str()
        .ok_or_else(|| format!("--local {}: the path is not valid UTF-8", written.display()))?;
    Ok(format!(
        r#"[[sources]]                           # repeatable; earlier sources win conflicts
type = "local"
path = {}
layout = "auto"                       # auto | repo | repos: a git checkout or a directory with a
                                      # catalog file at its root is one repository, anything
                                      # else a directory of repositories

[catalog]
files = ["catalog-info.yaml"]         # globs per repository ("**/catalog-info.yaml" for monorepos)

"#,
        quoted(path)
    ))
}

/// A github source reading every repository of `organization`.
fn github_source(organization: &str, api_url: Option<&str>) -> Result<String, String> {
    let valid = !organization.is_empty()
        && organization
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(format!(
            "--github {organization:?}: give the organisation's login, such as `kloudvin` (letters, digits, `-`)"
        ));
    }
    let api = match api_url {
        Some(url) => {
            let parsed = url::Url::parse(url).map_err(|e| format!("--api-url {url}: {e}"))?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(format!(
                    "--api-url {url}: use the REST API root, such as https://github.example.com/api/v3"
                ));
            }
            format!("api_url = {}\n", quoted(url))
        }
        None => "# api_url = \"https://github.example.com/api/v3\"  # GitHub Enterprise (default https://api.github.com)\n".to_string(),
    };
    Ok(format!(
        r#"cache_dir = ".playbill-cache"         # what the github source fetched; keep it between CI runs

[[sources]]                           # repeatable; earlier sources win conflicts
type = "github"
organization = {}
token_env = "GITHUB_TOKEN"            # the variable holding a read-only token, never the token itself
{api}catalog_path = "/catalog-info.yaml"   # a glob such as "/**/catalog-info.yaml" for monorepos
# include = ["payments-*"]            # repository name globs (default: every repository)
# topics = ["backstage"]              # only repositories with one of these topics
org_data = false                      # true: teams become Groups and members Users (needs members:read)
repo_health = true                    # CI runs, open pull requests and security alerts per repository

"#,
        quoted(organization)
    ))
}

const KUBERNETES: &str = r#"[kubernetes]                          # cluster status, read-only (get and list only)
# snapshot = "snapshot.json"          # render from a file `playbill snapshot` wrote instead

[[kubernetes.clusters]]               # repeatable, one per cluster
name = "default"
auth_provider = "kubeconfig"          # the current context of KUBECONFIG (or ~/.kube/config)
# context = "prod-reader"             # another context of that file
# In CI, a service account instead (examples/kubernetes/rbac.yaml creates a read-only one):
# url = "https://prod.k8s.example:6443"
# auth_provider = "serviceAccount"
# token_env = "KUBE_PROD_TOKEN"       # the variable holding its token
# ca_data_env = "KUBE_PROD_CA_DATA"   # the variable holding the cluster CA (base64 PEM)

"#;

/// `[publish]` with the target, or a commented example without one.
fn publish_section(target: Option<&str>) -> Result<String, String> {
    let Some(target) = target else {
        return Ok(
            "# [publish]\n# to = \"s3://portal-bucket/portal\"  # where `playbill publish` syncs the portal\n\n"
                .to_string(),
        );
    };
    Target::parse(target).map_err(|e| format!("--publish {e}"))?;
    Ok(format!(
        r#"[publish]                             # credentials come from the cloud's environment, never from here
to = {}
max_delete_percent = 50               # refuse a publish that deletes more of the target (--allow-mass-delete)

"#,
        quoted(target)
    ))
}

const FOOTER: &str = r#"# [sso]
# userinfo_url = "/oauth2/userinfo"   # the sign-in proxy's user endpoint: "My services" on the home page
"#;
