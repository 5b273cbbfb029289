//! `playbill build` and `playbill snapshot`: the nightly and the frequent job.

use super::{json_logs, load_config, log_json, print_diagnostics, spinner, with_spinner};
use crate::cli::{BuildArgs, SnapshotArgs};
use playbill::audit::{AuditReport, Webhooks};
use playbill::build;
use playbill::config::Config;
use playbill::paths::absolute;
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn run_build(args: BuildArgs) -> ExitCode {
    let mut config = match load_config(&args.config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    apply_build_flags(&mut config, &args);
    let part = build_part(&args);
    let out_dir = args
        .out
        .as_deref()
        .map(absolute)
        .unwrap_or_else(|| config.out_dir.clone());
    let mut report =
        match with_spinner(|progress| build::build_part(&config, &part, &out_dir, progress)) {
            Ok(report) => report,
            Err(code) => return code,
        };
    let webhooks = send_webhooks(&config, &mut report);
    print_diagnostics(&report.diagnostics);
    let mut audit = AuditReport::new(&report, config.file.as_deref(), &out_dir);
    audit.webhooks = webhooks;
    let report_path = args
        .report
        .as_deref()
        .map(absolute)
        .unwrap_or_else(|| config.base_dir.join("playbill-report.json"));
    if let Err(e) = audit.write(&report_path) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    if json_logs() {
        // The summary line is the report without its per-repository list.
        let mut summary = serde_json::to_value(&audit).unwrap_or_default();
        if let Some(map) = summary.as_object_mut() {
            map.remove("sources");
        }
        log_json("summary", &summary);
    } else {
        print_build_summary(&report, &out_dir, &args, webhooks);
    }
    if args.strict && report.diagnostics.counts().errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The flags that override site.toml for this one build.
fn apply_build_flags(config: &mut Config, args: &BuildArgs) {
    if let Some(file) = &args.snapshot {
        config
            .kubernetes
            .get_or_insert_with(Default::default)
            .snapshot = Some(absolute(file));
    }
    if let Some(location) = &args.previous_state {
        config.changes.previous_state = Some(if location.contains("://") {
            location.clone()
        } else {
            absolute(Path::new(location)).display().to_string()
        });
    }
    // A shard renders docs only; the assembly sends the onboarding records once.
    if args.no_webhooks || args.shard.is_some() {
        config.changes.webhook = None;
    }
    config.render_cache &= !args.no_cache;
    if let Some(location) = &args.prebuilt {
        config.set_prebuilt(&location.to_string_lossy(), absolute);
    }
}

fn build_part(args: &BuildArgs) -> build::Part {
    match (args.shard, &args.assemble) {
        (Some(shard), _) => build::Part::Shard(shard),
        (None, dirs) if !dirs.is_empty() => {
            build::Part::Assemble(dirs.iter().map(|d| absolute(d)).collect())
        }
        _ => build::Part::Whole,
    }
}

fn print_build_summary(
    report: &build::BuildReport,
    out_dir: &Path,
    args: &BuildArgs,
    webhooks: Webhooks,
) {
    for line in &report.remote_summaries {
        eprintln!("{line}");
    }
    let c = report.diagnostics.counts();
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
    if report.docs_pages_prebuilt > 0 {
        eprintln!(
            "{} of {} docs pages were rendered by their repositories' CI",
            report.docs_pages_prebuilt, report.docs_pages
        );
    }
    if args.shard.is_none() {
        eprintln!("{}", changes_summary(report.changes, webhooks));
    }
    if args.timings {
        eprintln!("{}", timings_summary(report));
    }
}

/// `--timings`: each stage, the render cache's work and the peak memory.
fn timings_summary(report: &build::BuildReport) -> String {
    let peak = report
        .peak_rss_bytes
        .map(|b| format!("; peak memory {} MiB", b >> 20))
        .unwrap_or_default();
    format!(
        "Timings: {}; pages rendered {}, reused {}; API references parsed {}, reused {}{peak}",
        playbill::timings::summary(&report.timings),
        report.render_cache.rendered,
        report.render_cache.reused,
        report.api_references.parsed,
        report.api_references.reused,
    )
}

/// Posts the onboarding records of the build; failures join the build's diagnostics.
fn send_webhooks(config: &Config, report: &mut build::BuildReport) -> Webhooks {
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
    Webhooks { posted, failed }
}

/// `12 changes since the previous build; 2 onboarding webhooks sent, 0 failed`.
fn changes_summary(changes: Option<usize>, webhooks: Webhooks) -> String {
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

pub(crate) fn run_snapshot(args: SnapshotArgs) -> ExitCode {
    let config = match load_config(&args.config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let previous = match args
        .previous
        .as_deref()
        .map(playbill::cluster::load)
        .transpose()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let result = with_spinner(|progress| {
        build::snapshot(
            &config,
            previous.as_ref(),
            args.update_site.as_deref(),
            progress,
        )
    });
    let report = match result {
        Ok(r) => r,
        Err(code) => return code,
    };
    print_diagnostics(&report.diagnostics);
    if let Err(e) = std::fs::write(&args.out, playbill::cluster::to_json(&report.snapshot)) {
        eprintln!("error: cannot write {}: {e}", args.out.display());
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
        args.out.display()
    );
    if args.strict && report.diagnostics.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
