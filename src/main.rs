//! The `playbill` command: arguments are parsed into plain values first, then one command runs.
//! Exit codes: 0 clean, 2 fatal (bad config, unwritable output, a failed publish), 1 the
//! problems each command gates on — the exit-code table of docs/commands.md is the contract.

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use playbill::audit::AuditReport;
use playbill::build;
use playbill::catalog::build_catalog;
use playbill::config::Config;
use playbill::diagnostics::{Diagnostics, Severity};
use playbill::gather;
use playbill::paths::absolute;
use playbill::publish;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "playbill",
    version,
    about = "A static developer portal from Backstage catalog files, TechDocs and cluster status"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How diagnostics and summaries are logged on stderr: `text` for people, `json` (one
    /// object per line) for log collectors.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    log_format: Format,
}

#[derive(Subcommand)]
enum Command {
    /// Render the whole portal into the output directory.
    Build {
        /// The site configuration.
        #[arg(long, default_value = "site.toml")]
        config: PathBuf,
        /// Output directory (default: `out_dir` of site.toml, else `public`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Exit with 1 when there is an error-level diagnostic.
        #[arg(long)]
        strict: bool,
        /// Where the JSON build report goes (default: playbill-report.json beside site.toml;
        /// keep it out of the output directory unless it should be published).
        #[arg(long)]
        report: Option<PathBuf>,
        /// Render cluster status from this snapshot file instead of asking the clusters.
        #[arg(long)]
        snapshot: Option<PathBuf>,
        /// The previous build's state to report changes against: a path or an s3://, gs://,
        /// az:// or file:// URL (default: `[changes] previous_state`, else
        /// `<[publish] to>/changes/state.json`).
        #[arg(long)]
        previous_state: Option<String>,
        /// Do not send the onboarding webhook (a dry build).
        #[arg(long)]
        no_webhooks: bool,
        /// Print wall and CPU time per stage, pages rendered and reused, and peak memory.
        #[arg(long)]
        timings: bool,
        /// Render every page anew, neither reading nor writing the render cache.
        #[arg(long)]
        no_cache: bool,
        /// Render only the docs of the repositories in shard I of N (e.g. 2/4), with a manifest
        /// for `--assemble`: one job of a sharded build.
        #[arg(long, value_name = "I/N", value_parser = playbill::shard::Shard::parse)]
        shard: Option<playbill::shard::Shard>,
        /// Build the portal around the docs rendered by `--shard` builds, whose output
        /// directories these are (every shard once).
        #[arg(long, value_name = "SHARD_DIR", num_args = 1.., conflicts_with = "shard")]
        assemble: Vec<PathBuf>,
    },
    /// List every configured Kubernetes cluster (read-only) and save what the pages show.
    Snapshot {
        /// The site configuration.
        #[arg(long, default_value = "site.toml")]
        config: PathBuf,
        /// Where to write the snapshot.
        #[arg(long, default_value = "snapshot.json")]
        out: PathBuf,
        /// An earlier snapshot: clusters that cannot be read keep its data, marked stale.
        #[arg(long)]
        previous: Option<PathBuf>,
        /// Rewrite the cluster status files of a site built earlier, and nothing else.
        #[arg(long)]
        update_site: Option<PathBuf>,
        /// Exit with 1 when there is an error-level diagnostic (a cluster or type not read).
        #[arg(long)]
        strict: bool,
    },
    /// Parse and validate everything, render nothing; exits 1 on an error-level diagnostic.
    ///
    /// Given PATHs (catalog files or directories), checks just those without a site.toml:
    /// relative references must stay inside the enclosing git work tree (or the current
    /// directory outside git).
    Check {
        /// The site configuration (ignored when PATHs are given).
        #[arg(long, default_value = "site.toml")]
        config: PathBuf,
        /// Output format: `text` for people, `json` (one object per line) for CI.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also exit with 1 on warnings.
        #[arg(long)]
        strict: bool,
        /// Catalog files or directories to check.
        paths: Vec<PathBuf>,
    },
    /// Build or preview the docs of one repository (for docs authors and a repository's CI).
    Docs {
        #[command(subcommand)]
        command: DocsCommand,
    },
    /// Build, serve the output on 127.0.0.1, and rebuild when inputs change.
    Serve {
        /// The site configuration.
        #[arg(long, default_value = "site.toml")]
        config: PathBuf,
        /// Port on 127.0.0.1.
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Output directory (default: `out_dir` of site.toml).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Preview "My services" as this reader: `[sso] userinfo_url` answers with this
        /// e-mail, as the sign-in proxy would.
        #[arg(long = "as", value_name = "EMAIL")]
        signed_in: Option<String>,
    },
    /// Sync an already built portal to a bucket: uploads only new and changed files, then
    /// deletes stale ones. Exits 1 when the output holds a secret, 2 when publishing fails.
    Publish {
        /// The site configuration.
        #[arg(long, default_value = "site.toml")]
        config: PathBuf,
        /// The built portal (default: `out_dir` of site.toml).
        #[arg(long)]
        out: Option<PathBuf>,
        /// s3://bucket/prefix, gs://bucket/prefix, az://container/prefix or file:///dir
        /// (default: `[publish] to` of site.toml).
        #[arg(long)]
        to: Option<String>,
        /// Print the plan (uploads, deletions, bytes) and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Publish even when it deletes more than `[publish] max_delete_percent` (default 50)
        /// of the target's objects, for a portal that really shrank.
        #[arg(long)]
        allow_mass_delete: bool,
        /// The build report to add what was published to (default: playbill-report.json
        /// beside site.toml).
        #[arg(long)]
        report: Option<PathBuf>,
        /// Then remove the pull-request previews under the target's previews/ built more
        /// than DAYS days ago.
        #[arg(long, value_name = "DAYS")]
        prune_previews: Option<u32>,
    },
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
struct InitArgs {
    /// Where to write the configuration.
    #[arg(long, default_value = "site.toml")]
    config: PathBuf,
    /// Read every repository of this GitHub organisation (token from $GITHUB_TOKEN).
    #[arg(long, value_name = "ORG")]
    github: Option<String>,
    /// The GitHub REST API root, for GitHub Enterprise (https://github.example.com/api/v3).
    #[arg(long, requires = "github")]
    api_url: Option<String>,
    /// Read the repositories checked out under this directory (or this one repository).
    #[arg(long, value_name = "DIR")]
    local: Option<PathBuf>,
    /// Add one Kubernetes cluster: the current context of KUBECONFIG (or ~/.kube/config).
    #[arg(long)]
    kubernetes: bool,
    /// Where `playbill publish` syncs the portal: s3://, gs://, az:// or file:// URL.
    #[arg(long, value_name = "URL")]
    publish: Option<String>,
}

#[derive(Subcommand)]
enum DocsCommand {
    /// Build the docs (and entity pages) of one repository; exits 1 on an error diagnostic.
    Build {
        /// The repository: its catalog-info.yaml names the docs (backstage.io/techdocs-ref);
        /// without one, its mkdocs.yml and docs/ are built, as `techdocs-cli generate` does.
        repo: PathBuf,
        /// Output directory.
        #[arg(long, default_value = "site")]
        out: PathBuf,
        /// Also exit with 1 on warnings (broken links, unsupported extensions).
        #[arg(long)]
        strict: bool,
        /// Build mkdocs.yml + docs/ as the docs of this entity (namespace/kind/name), whatever
        /// the catalog file says; without a catalog file the default is
        /// default/component/<site_name>.
        #[arg(long, value_name = "NAMESPACE/KIND/NAME")]
        entity: Option<String>,
        #[command(flatten)]
        preview: PreviewArgs,
    },
    /// Preview one repository's docs on 127.0.0.1, rebuilding when a file changes.
    Serve {
        /// The repository.
        repo: PathBuf,
        /// Port on 127.0.0.1.
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Output directory (default: a temporary one).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct PreviewArgs {
    /// Build a pull request's preview into OUT/previews/<repository>/<ID>/, with a banner and
    /// noindex on every page, for `playbill publish --out OUT` to publish on its own.
    #[arg(long, value_name = "ID")]
    preview: Option<String>,
    /// The repository's name in the preview's path (default: the directory's name).
    #[arg(long, value_name = "NAME", requires = "preview")]
    repository: Option<String>,
    /// Where the portal is served, to print the preview's address.
    #[arg(long, value_name = "URL", requires = "preview")]
    base_url: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Set once from `--log-format`; read wherever the CLI logs.
static JSON_LOGS: OnceLock<bool> = OnceLock::new();

fn json_logs() -> bool {
    JSON_LOGS.get().copied().unwrap_or(false)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    playbill::install_tls_provider();
    let _ = JSON_LOGS.set(cli.log_format == Format::Json);
    match cli.command {
        Command::Build {
            config,
            out,
            strict,
            report,
            snapshot,
            previous_state,
            no_webhooks,
            timings,
            no_cache,
            shard,
            assemble,
        } => run_build(
            &config,
            out.as_deref(),
            strict,
            report.as_deref(),
            BuildInputs {
                snapshot: snapshot.as_deref(),
                previous_state,
                webhooks: !no_webhooks && shard.is_none(),
                timings,
                render_cache: !no_cache,
                part: match (shard, assemble) {
                    (Some(shard), _) => build::Part::Shard(shard),
                    (None, dirs) if !dirs.is_empty() => {
                        build::Part::Assemble(dirs.iter().map(|d| absolute(d)).collect())
                    }
                    _ => build::Part::Whole,
                },
            },
        ),
        Command::Snapshot {
            config,
            out,
            previous,
            update_site,
            strict,
        } => run_snapshot(
            &config,
            &out,
            previous.as_deref(),
            update_site.as_deref(),
            strict,
        ),
        Command::Check {
            config,
            format,
            strict,
            paths,
        } => run_check(&config, format, strict, &paths),
        Command::Serve {
            config,
            port,
            out,
            signed_in,
        } => match load_config(&config) {
            Ok(config) => run_serve(config, port, out.as_deref(), signed_in.as_deref()),
            Err(code) => code,
        },
        Command::Publish {
            config,
            out,
            to,
            dry_run,
            allow_mass_delete,
            report,
            prune_previews,
        } => {
            let published = run_publish(
                &config,
                out.as_deref(),
                to.as_deref(),
                (dry_run, allow_mass_delete),
                report.as_deref(),
            );
            match prune_previews {
                Some(days) if published == ExitCode::SUCCESS => {
                    run_prune(&config, out.as_deref(), to.as_deref(), days, dry_run)
                }
                _ => published,
            }
        }
        Command::Docs {
            command:
                DocsCommand::Build {
                    repo,
                    out,
                    strict,
                    entity,
                    preview,
                },
        } => run_docs_build(&repo, &out, strict, entity.as_deref(), &preview),
        Command::Docs {
            command: DocsCommand::Serve { repo, port, out },
        } => {
            let out = out.unwrap_or_else(|| {
                std::env::temp_dir().join(format!("playbill-docs-{}", std::process::id()))
            });
            run_serve(Config::for_repository(&repo, &out), port, None, None)
        }
        Command::Init(args) => run_init(args),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut command, "playbill", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Man { dir } => run_man(dir.as_deref()),
    }
}

fn run_init(args: InitArgs) -> ExitCode {
    use playbill::init::{InitOptions, InitSource};
    let source = match (args.github, args.local) {
        (Some(organization), _) => InitSource::Github {
            organization,
            api_url: args.api_url,
        },
        (None, Some(dir)) => InitSource::Local { dir },
        (None, None) => unreachable!("clap requires --github or --local"),
    };
    let options = InitOptions {
        source,
        kubernetes: args.kubernetes,
        publish: args.publish,
    };
    match playbill::init::init(&args.config, &options) {
        Ok(_) => {
            let config = match args.config.to_str() {
                Some("site.toml") => String::new(),
                _ => format!(" --config {}", args.config.display()),
            };
            eprintln!(
                "Wrote {}; next: playbill build{config}",
                args.config.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The manual page from the command definitions: one page on stdout, or a page per command.
fn run_man(dir: Option<&Path>) -> ExitCode {
    let command = <Cli as clap::CommandFactory>::command();
    let result = match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir))
        }
        None => clap_mangen::Man::new(command).render(&mut std::io::stdout()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the manual page: {e}");
            ExitCode::from(2)
        }
    }
}

fn load_config(path: &Path) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|e| {
        eprintln!("error[config/invalid]: {e}");
        ExitCode::from(2)
    })
}

fn spinner() -> ProgressBar {
    if json_logs() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

/// Runs a stage behind a spinner that shows its progress messages; a fatal error is printed
/// and becomes exit code 2.
fn with_spinner<T>(stage: impl FnOnce(&dyn Fn(&str)) -> Result<T, String>) -> Result<T, ExitCode> {
    let bar = spinner();
    let result = stage(&|msg| bar.set_message(msg.to_string()));
    bar.finish_and_clear();
    result.map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

fn print_diagnostics(diagnostics: &Diagnostics) {
    for d in diagnostics {
        if json_logs() {
            log_json("diagnostic", d);
        } else {
            eprintln!("{}", d.to_text());
        }
    }
}

/// One JSON log line on stderr: `{"kind": KIND, ...fields of value}`.
fn log_json(kind: &str, value: &impl Serialize) {
    let mut v = serde_json::to_value(value).unwrap_or_default();
    if let Some(map) = v.as_object_mut() {
        map.insert("kind".into(), kind.into());
    }
    eprintln!("{v}");
}

/// What `build` takes from the command line besides the configuration.
struct BuildInputs<'a> {
    snapshot: Option<&'a Path>,
    previous_state: Option<String>,
    webhooks: bool,
    timings: bool,
    render_cache: bool,
    part: build::Part,
}

fn run_build(
    config_path: &Path,
    out: Option<&Path>,
    strict: bool,
    report_path: Option<&Path>,
    inputs: BuildInputs<'_>,
) -> ExitCode {
    let mut config = match load_config(config_path) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Some(file) = inputs.snapshot {
        config
            .kubernetes
            .get_or_insert_with(Default::default)
            .snapshot = Some(absolute(file));
    }
    if let Some(location) = inputs.previous_state {
        config.changes.previous_state = Some(if location.contains("://") {
            location
        } else {
            absolute(Path::new(&location)).display().to_string()
        });
    }
    if !inputs.webhooks {
        config.changes.webhook = None;
    }
    config.render_cache &= inputs.render_cache;
    let out_dir = out.map(absolute).unwrap_or_else(|| config.out_dir.clone());
    let mut report =
        match with_spinner(|progress| build::build_part(&config, &inputs.part, &out_dir, progress))
        {
            Ok(report) => report,
            Err(code) => return code,
        };
    let webhooks = send_webhooks(&config, &mut report);
    print_diagnostics(&report.diagnostics);
    let mut audit = AuditReport::new(&report, config.file.as_deref(), &out_dir);
    audit.webhooks = webhooks;
    let report_path = report_path
        .map(absolute)
        .unwrap_or_else(|| config.base_dir.join("playbill-report.json"));
    if let Err(e) = audit.write(&report_path) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let c = report.diagnostics.counts();
    if json_logs() {
        // The summary line is the report without its per-repository list.
        let mut summary = serde_json::to_value(&audit).unwrap_or_default();
        if let Some(map) = summary.as_object_mut() {
            map.remove("sources");
        }
        log_json("summary", &summary);
    } else {
        for line in &report.remote_summaries {
            eprintln!("{line}");
        }
        eprintln!(
            "Built {} entities from {} repositories: {} pages, {} files ({} written, {} removed) in {:.2}s — {} errors, {} warnings → {}",
            report.entities,
            report.repos,
            report.pages,
            report.files,
            report.write.written,
            report.write.removed,
            report.elapsed.as_secs_f64(),
            c.errors,
            c.warnings,
            out_dir.display()
        );
        if !matches!(inputs.part, build::Part::Shard(_)) {
            eprintln!("{}", changes_summary(report.changes, webhooks));
        }
        if inputs.timings {
            eprintln!("{}", timings_summary(&report));
        }
    }
    if strict && c.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `--timings`: each stage, the render cache's work and the peak memory.
fn timings_summary(report: &build::BuildReport) -> String {
    let peak = report
        .peak_rss_bytes
        .map(|b| format!("; peak memory {} MiB", b >> 20))
        .unwrap_or_default();
    format!(
        "Timings: {}; pages rendered {}, reused {}{peak}",
        playbill::timings::summary(&report.timings),
        report.render_cache.rendered,
        report.render_cache.reused,
    )
}

/// Posts the onboarding records of the build; failures join the build's diagnostics.
fn send_webhooks(config: &Config, report: &mut build::BuildReport) -> playbill::audit::Webhooks {
    let Some(webhook) = &config.changes.webhook else {
        return Default::default();
    };
    if report.onboarding.is_empty() {
        return Default::default();
    }
    let bar = spinner();
    bar.set_message(format!(
        "sending {} onboarding records",
        report.onboarding.len()
    ));
    let (posted, failures) = playbill::changes::webhook::send(webhook, &report.onboarding);
    bar.finish_and_clear();
    let failed = failures.len();
    report.diagnostics.extend(failures);
    report.diagnostics.sort();
    playbill::audit::Webhooks { posted, failed }
}

/// `12 changes since the previous build; 2 onboarding webhooks sent, 0 failed`.
fn changes_summary(changes: Option<usize>, webhooks: playbill::audit::Webhooks) -> String {
    let mut line = match changes {
        None => "No previous state: changes are reported from the next build on".to_string(),
        Some(n) => format!(
            "{n} change{} since the previous build",
            if n == 1 { "" } else { "s" }
        ),
    };
    if webhooks.posted + webhooks.failed > 0 {
        line.push_str(&format!(
            "; {} onboarding webhook{} sent, {} failed",
            webhooks.posted,
            if webhooks.posted == 1 { "" } else { "s" },
            webhooks.failed
        ));
    }
    line
}

fn run_snapshot(
    config_path: &Path,
    out: &Path,
    previous: Option<&Path>,
    update_site: Option<&Path>,
    strict: bool,
) -> ExitCode {
    let config = match load_config(config_path) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let previous = match previous.map(playbill::cluster::load).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let result =
        with_spinner(|progress| build::snapshot(&config, previous.as_ref(), update_site, progress));
    let report = match result {
        Ok(r) => r,
        Err(code) => return code,
    };
    print_diagnostics(&report.diagnostics);
    if let Err(e) = std::fs::write(out, playbill::cluster::to_json(&report.snapshot)) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return ExitCode::from(2);
    }
    let s = &report.snapshot;
    let requests: u32 = s.clusters.iter().map(|c| c.requests).sum();
    let found = s
        .entities
        .values()
        .filter(|e| !e.clusters.is_empty())
        .count();
    eprintln!(
        "Snapshot of {} clusters ({} API requests): {} of {} services found, {} status files updated → {}",
        s.clusters.len(),
        requests,
        found,
        s.entities.len(),
        report.updated,
        out.display()
    );
    if strict && report.diagnostics.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One line of `check --format json` per YAML document read.
#[derive(Serialize)]
struct DocumentLine<'a> {
    kind: &'static str,
    repo: &'a str,
    file: &'a str,
    index: usize,
    #[serde(rename = "ref")]
    entity_ref: Option<&'a str>,
    valid: bool,
}

fn run_check(config_path: &Path, format: Format, strict: bool, paths: &[PathBuf]) -> ExitCode {
    let (catalog, diagnostics) = if paths.is_empty() {
        let config = match load_config(config_path) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let (_, catalog, diagnostics) = build::load_catalog(&config, &|_| {});
        (catalog, diagnostics)
    } else {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let config = Config::defaults(&cwd);
        let (workspace, mut diagnostics) = gather::gather_paths(paths, &config.catalog.files);
        let (catalog, more) = build_catalog(&workspace, &config);
        diagnostics.extend(more);
        (catalog, diagnostics)
    };
    let mut diagnostics = diagnostics;
    diagnostics.sort();
    match format {
        Format::Json => {
            for d in &diagnostics {
                println!("{}", serde_json::to_string(d).unwrap_or_default());
            }
            for doc in &catalog.documents {
                let line = DocumentLine {
                    kind: "entity",
                    repo: &doc.repo,
                    file: &doc.file,
                    index: doc.index,
                    entity_ref: doc.entity_ref.as_deref(),
                    valid: doc.valid,
                };
                println!("{}", serde_json::to_string(&line).unwrap_or_default());
            }
        }
        Format::Text => {
            for d in &diagnostics {
                println!("{}", d.to_text());
            }
            let c = diagnostics.counts();
            let valid = catalog.documents.iter().filter(|d| d.valid).count();
            println!(
                "{} documents ({} valid), {} entities: {} errors, {} warnings",
                catalog.documents.len(),
                valid,
                catalog.entities.len(),
                c.errors,
                c.warnings
            );
        }
    }
    let failing = diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error || (strict && d.severity == Severity::Warning));
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_docs_build(
    repo: &Path,
    out: &Path,
    strict: bool,
    entity: Option<&str>,
    preview_args: &PreviewArgs,
) -> ExitCode {
    if !repo.is_dir() {
        eprintln!("error: {} is not a directory", repo.display());
        return ExitCode::from(2);
    }
    let preview = match playbill::preview::Preview::from_args(
        repo,
        out,
        preview_args.preview.as_deref(),
        preview_args.repository.as_deref(),
        preview_args.base_url.as_deref(),
    ) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let mut config =
        Config::for_repository(repo, preview.as_ref().map_or(out, |p| p.dir.as_path()));
    config.preview = preview.as_ref().map(|p| p.banner.clone());
    match standalone_catalog(repo, entity) {
        Ok(generated) => config.generated_catalog = generated,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    }
    let report = match with_spinner(|progress| build::build(&config, &config.out_dir, progress)) {
        Ok(r) => r,
        Err(code) => return code,
    };
    // The repository's catalog may name entities defined elsewhere: only docs problems count.
    let docs_diagnostics: Diagnostics = report
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with("docs/"))
        .cloned()
        .collect();
    print_diagnostics(&docs_diagnostics);
    let docs_pages = report.docs_pages;
    let c = docs_diagnostics.counts();
    eprintln!(
        "Built {docs_pages} docs pages in {:.2}s — {} errors, {} warnings → {}",
        report.elapsed.as_secs_f64(),
        c.errors,
        c.warnings,
        config.out_dir.display()
    );
    if docs_pages == 0 {
        eprintln!(
            "error: no entity in {} has a backstage.io/techdocs-ref with docs to build",
            repo.display()
        );
        return ExitCode::from(1);
    }
    if let Some(preview) = &preview {
        if let Err(message) = preview.announce(preview_args.base_url.as_deref()) {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    }
    if c.errors > 0 || (strict && c.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The catalog to build a plain mkdocs repository with: made up when `--entity` is given or
/// the repository has no catalog file but an mkdocs.yml; None: read the repository's own.
fn standalone_catalog(repo: &Path, entity: Option<&str>) -> Result<Option<String>, String> {
    use playbill::docs::standalone;
    let entity = match entity {
        Some(text) => standalone::parse_entity(text)?,
        None if !repo.join(playbill::gather::GENERATED_CATALOG).exists()
            && standalone::has_mkdocs(repo) =>
        {
            standalone::default_entity(repo)
        }
        None => return Ok(None),
    };
    if !standalone::has_mkdocs(repo) {
        return Err(format!(
            "{} has no mkdocs.yml to build the docs of {}/{}/{} from",
            repo.display(),
            entity.namespace,
            entity.kind,
            entity.name
        ));
    }
    Ok(Some(standalone::catalog_text(&entity)))
}

fn run_publish(
    config_path: &Path,
    out: Option<&Path>,
    to: Option<&str>,
    (dry_run, allow_mass_delete): (bool, bool),
    report_path: Option<&Path>,
) -> ExitCode {
    let config = match load_publish_config(config_path, out) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let out_dir = out.map(absolute).unwrap_or_else(|| config.out_dir.clone());
    let options = publish::Options {
        dry_run,
        allow_mass_delete,
        max_delete_percent: config
            .publish
            .max_delete_percent
            .unwrap_or(publish::sync::DEFAULT_MAX_DELETE_PERCENT),
        ..publish::Options::default()
    };
    let target = to.or(config.publish.to.as_deref()).unwrap_or_default();
    let bar = spinner();
    bar.set_message(format!("publishing {} to {target}", out_dir.display()));
    let result = publish::run(&config, &out_dir, to, &options);
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            if dry_run {
                print!("{}", publish::describe_plan(&summary.plan));
            } else {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64);
                let published = serde_json::json!({
                    "target": target,
                    "finished_at": playbill::time::iso_datetime(now),
                    "seconds": summary.elapsed.as_secs_f64(),
                    "uploaded": summary.plan.uploads.iter().map(|u| &u.path).collect::<Vec<_>>(),
                    "deleted": &summary.plan.deletes,
                    "unchanged": summary.unchanged,
                    "bytes": summary.bytes,
                });
                let path = report_path
                    .map(absolute)
                    .unwrap_or_else(|| config.base_dir.join("playbill-report.json"));
                if let Err(e) = playbill::audit::record_publish(&path, &published) {
                    eprintln!("warning: {e}");
                }
            }
            eprintln!("{}", publish::summary_line(&summary, target));
            if let Some(address) =
                playbill::preview::published_address(&out_dir, config.base_url.as_deref())
            {
                println!("{address}");
            }
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            let secret = diagnostics
                .iter()
                .any(|d| d.code == "publish/secret-in-output");
            ExitCode::from(if secret { 1 } else { 2 })
        }
    }
}

/// site.toml, or the defaults when a repository's CI publishes a preview without one.
fn load_publish_config(config_path: &Path, out: Option<&Path>) -> Result<Config, ExitCode> {
    if playbill::preview::publishes_without_config(config_path, out) {
        return Ok(Config::defaults(&absolute(Path::new("."))));
    }
    load_config(config_path)
}

fn run_prune(
    config_path: &Path,
    out: Option<&Path>,
    to: Option<&str>,
    days: u32,
    dry_run: bool,
) -> ExitCode {
    let config = match load_publish_config(config_path, out) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let now = playbill::cluster::now();
    match publish::prune_previews(&config, to, days, now, dry_run) {
        Ok(lines) => {
            lines.iter().for_each(|line| println!("{line}"));
            eprintln!("Previews older than {days} days: {}", lines.len());
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics);
            ExitCode::from(2)
        }
    }
}

fn run_serve(config: Config, port: u16, out: Option<&Path>, signed_in: Option<&str>) -> ExitCode {
    let out_dir = out.map(absolute).unwrap_or_else(|| config.out_dir.clone());
    let rebuild = || {
        // Re-read site.toml too: it is one of the inputs.
        let config = match config.file.as_deref().map(Config::load) {
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                eprintln!("error[config/invalid]: {e}");
                return;
            }
            None => config.clone(),
        };
        match build::build(&config, &out_dir, &|_| {}) {
            Ok(report) => {
                let c = report.diagnostics.counts();
                eprintln!(
                    "Rebuilt {} entities in {:.2}s — {} errors, {} warnings",
                    report.entities,
                    report.elapsed.as_secs_f64(),
                    c.errors,
                    c.warnings
                );
            }
            Err(e) => eprintln!("error: {e}"),
        }
    };
    rebuild();
    if signed_in.is_some() && config.sso.userinfo_url.is_none() {
        eprintln!("warning: --as has no effect: site.toml sets no [sso] userinfo_url");
    }
    match playbill::serve::serve(&config, &out_dir, port, signed_in, &rebuild) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
