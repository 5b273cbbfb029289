//! The command line: one `Args` struct per command, parsed by clap before anything runs.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "playbill",
    version,
    about = "A static developer portal from Backstage catalog files, TechDocs and cluster status"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// How diagnostics and summaries are logged on stderr: `text` for people, `json` (one
    /// object per line) for log collectors.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub(crate) log_format: Format,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Render the whole portal into the output directory.
    Build(BuildArgs),
    /// List every configured Kubernetes cluster (read-only) and save what the pages show.
    Snapshot(SnapshotArgs),
    /// Parse and validate everything, render nothing; exits 1 on an error-level diagnostic.
    ///
    /// Given PATHs (catalog files or directories), checks just those without a site.toml:
    /// relative references must stay inside the enclosing git work tree (or the current
    /// directory outside git).
    Check(CheckArgs),
    /// Build or preview the docs of one repository (for docs authors and a repository's CI).
    Docs {
        #[command(subcommand)]
        command: DocsCommand,
    },
    /// Build, serve the output on 127.0.0.1, and rebuild when inputs change.
    Serve(ServeArgs),
    /// Sync an already built portal to a bucket: uploads only new and changed files, then
    /// deletes stale ones. Exits 1 when the output holds a secret, 2 when publishing fails.
    Publish(PublishArgs),
    /// Write a commented site.toml for your repositories; never overwrites a file.
    Init(InitArgs),
    /// Print a shell completion script: `playbill completions bash > /etc/bash_completion.d/playbill`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one page per command into a directory.
    Man {
        /// Write playbill.1, playbill-build.1, ... into this directory instead.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["github", "local"])))]
pub(crate) struct InitArgs {
    /// Where to write the configuration.
    #[arg(long, default_value = "site.toml")]
    pub(crate) config: PathBuf,
    /// Read every repository of this GitHub organisation (token from $GITHUB_TOKEN).
    #[arg(long, value_name = "ORG")]
    pub(crate) github: Option<String>,
    /// The GitHub REST API root, for GitHub Enterprise (https://github.example.com/api/v3).
    #[arg(long, requires = "github")]
    pub(crate) api_url: Option<String>,
    /// Read the repositories checked out under this directory (or this one repository).
    #[arg(long, value_name = "DIR")]
    pub(crate) local: Option<PathBuf>,
    /// Add one Kubernetes cluster: the current context of KUBECONFIG (or ~/.kube/config).
    #[arg(long)]
    pub(crate) kubernetes: bool,
    /// Where `playbill publish` syncs the portal: s3://, gs://, az:// or file:// URL.
    #[arg(long, value_name = "URL")]
    pub(crate) publish: Option<String>,
}

#[derive(Subcommand)]
pub(crate) enum DocsCommand {
    /// Build the docs (and entity pages) of one repository; exits 1 on an error diagnostic.
    Build(DocsBuildArgs),
    /// Preview one repository's docs on 127.0.0.1, rebuilding when a file changes.
    Serve(DocsServeArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

#[derive(clap::Args)]
pub(crate) struct BuildArgs {
    /// The site configuration.
    #[arg(long, default_value = "site.toml")]
    pub(crate) config: PathBuf,
    /// Output directory (default: `out_dir` of site.toml, else `public`).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Exit with 1 when there is an error-level diagnostic.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Where the JSON build report goes (default: playbill-report.json beside site.toml;
    /// keep it out of the output directory unless it should be published).
    #[arg(long)]
    pub(crate) report: Option<PathBuf>,
    /// Render cluster status from this snapshot file instead of asking the clusters.
    #[arg(long)]
    pub(crate) snapshot: Option<PathBuf>,
    /// The previous build's state to report changes against: a path or an s3://, gs://,
    /// az:// or file:// URL (default: `[changes] previous_state`, else
    /// `<[publish] to>/changes/state.json`).
    #[arg(long)]
    pub(crate) previous_state: Option<String>,
    /// Do not send the onboarding webhook (a dry build).
    #[arg(long)]
    pub(crate) no_webhooks: bool,
    /// Print wall and CPU time per stage, pages rendered and reused, API definitions parsed and
    /// reused, and peak memory.
    #[arg(long)]
    pub(crate) timings: bool,
    /// Render every page anew, neither reading nor writing the render cache (a scratch one in
    /// the temporary directory holds the docs bodies during the build).
    #[arg(long)]
    pub(crate) no_cache: bool,
    /// Render only the docs of the repositories in shard I of N (e.g. 2/4), with a manifest
    /// for `--assemble`: one job of a sharded build.
    #[arg(long, value_name = "I/N", value_parser = playbill::shard::Shard::parse)]
    pub(crate) shard: Option<playbill::shard::Shard>,
    /// Build the portal around the docs rendered by `--shard` builds, whose output
    /// directories these are (every shard once).
    #[arg(long, value_name = "SHARD_DIR", num_args = 1.., conflicts_with = "shard")]
    pub(crate) assemble: Vec<PathBuf>,
    /// Take docs pages rendered by repositories' CI (`playbill docs build`) from the `docs/`
    /// they published: a directory, or the bucket itself (`s3://`, `gs://`, `az://`), where
    /// their sources match (default: `[docs] prebuilt`).
    #[arg(long, value_name = "DIR|URL")]
    pub(crate) prebuilt: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct SnapshotArgs {
    /// The site configuration.
    #[arg(long, default_value = "site.toml")]
    pub(crate) config: PathBuf,
    /// Where to write the snapshot.
    #[arg(long, default_value = "snapshot.json")]
    pub(crate) out: PathBuf,
    /// An earlier snapshot: clusters that cannot be read keep its data, marked stale.
    #[arg(long)]
    pub(crate) previous: Option<PathBuf>,
    /// Rewrite the cluster status files of a site built earlier, and nothing else.
    #[arg(long)]
    pub(crate) update_site: Option<PathBuf>,
    /// Exit with 1 when there is an error-level diagnostic (a cluster or type not read).
    #[arg(long)]
    pub(crate) strict: bool,
}

#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// The site configuration (ignored when PATHs are given).
    #[arg(long, default_value = "site.toml")]
    pub(crate) config: PathBuf,
    /// Output format: `text` for people, `json` (one object per line) for CI.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Also exit with 1 on warnings.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Catalog files or directories to check.
    pub(crate) paths: Vec<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// The site configuration.
    #[arg(long, default_value = "site.toml")]
    pub(crate) config: PathBuf,
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 8000)]
    pub(crate) port: u16,
    /// Output directory (default: `out_dir` of site.toml).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Preview "My services" as this reader: `[sso] userinfo_url` answers with this
    /// e-mail, as the sign-in proxy would.
    #[arg(long = "as", value_name = "EMAIL")]
    pub(crate) signed_in: Option<String>,
}

#[derive(clap::Args)]
pub(crate) struct PublishArgs {
    /// The site configuration.
    #[arg(long, default_value = "site.toml")]
    pub(crate) config: PathBuf,
    /// The built portal (default: `out_dir` of site.toml).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// s3://bucket/prefix, gs://bucket/prefix, az://container/prefix or file:///dir
    /// (default: `[publish] to` of site.toml).
    #[arg(long)]
    pub(crate) to: Option<String>,
    /// Print the plan (uploads, deletions, bytes) and change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Publish even when it deletes more than `[publish] max_delete_percent` (default 50)
    /// of the target's objects, for a portal that really shrank.
    #[arg(long)]
    pub(crate) allow_mass_delete: bool,
    /// The build report to add what was published to (default: playbill-report.json
    /// beside site.toml).
    #[arg(long)]
    pub(crate) report: Option<PathBuf>,
    /// Then remove the pull-request previews under the target's previews/ built more
    /// than DAYS days ago.
    #[arg(long, value_name = "DAYS")]
    pub(crate) prune_previews: Option<u32>,
}

#[derive(clap::Args)]
pub(crate) struct DocsBuildArgs {
    /// The repository: its catalog-info.yaml names the docs (backstage.io/techdocs-ref);
    /// without one, its mkdocs.yml and docs/ are built, as `techdocs-cli generate` does.
    pub(crate) repo: PathBuf,
    /// Output directory.
    #[arg(long, default_value = "site")]
    pub(crate) out: PathBuf,
    /// Also exit with 1 on warnings (broken links, unsupported extensions).
    #[arg(long)]
    pub(crate) strict: bool,
    /// Build mkdocs.yml + docs/ as the docs of this entity (namespace/kind/name), whatever
    /// the catalog file says; without a catalog file the default is
    /// default/component/<site_name>.
    #[arg(long, value_name = "NAMESPACE/KIND/NAME")]
    pub(crate) entity: Option<String>,
    /// The portal's site.toml: its `[secrets]`, `[limits]` and `[docs]` settings shape the
    /// renderings written beside the pages (playbill-prebuilt.bin), which the portal's build
    /// takes only when they were made with its own settings.
    #[arg(long, value_name = "SITE_TOML")]
    pub(crate) portal_config: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) preview: PreviewArgs,
}

#[derive(clap::Args)]
pub(crate) struct PreviewArgs {
    /// Build a pull request's preview into OUT/previews/<repository>/<ID>/, with a banner and
    /// noindex on every page, for `playbill publish --out OUT` to publish on its own.
    #[arg(long, value_name = "ID")]
    pub(crate) preview: Option<String>,
    /// The repository's name in the preview's path (default: the directory's name).
    #[arg(long, value_name = "NAME", requires = "preview")]
    pub(crate) repository: Option<String>,
    /// Where the portal is served, to print the preview's address.
    #[arg(long, value_name = "URL", requires = "preview")]
    pub(crate) base_url: Option<String>,
}

#[derive(clap::Args)]
pub(crate) struct DocsServeArgs {
    /// The repository.
    pub(crate) repo: PathBuf,
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 8000)]
    pub(crate) port: u16,
    /// Output directory (default: a temporary one).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}
