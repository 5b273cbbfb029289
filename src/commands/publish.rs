//! `playbill publish`: sync a built portal to its bucket and record what was published.

use super::{load_config, print_diagnostics, spinner};
use crate::cli::PublishArgs;
use playbill::config::Config;
use playbill::paths::absolute;
use playbill::publish;
use std::path::Path;
use std::process::ExitCode;

/// Publishes, then prunes old pull-request previews when asked to and the publish went well.
pub(crate) fn run_publish(args: PublishArgs) -> ExitCode {
    let published = publish_output(&args);
    match args.prune_previews {
        Some(days) if published == ExitCode::SUCCESS => run_prune(&args, days),
        _ => published,
    }
}

fn publish_output(args: &PublishArgs) -> ExitCode {
    let (dry_run, allow_mass_delete) = (args.dry_run, args.allow_mass_delete);
    let (to, report_path) = (args.to.as_deref(), args.report.as_deref());
    let config = match load_publish_config(&args.config, args.out.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let out_dir = args
        .out
        .as_deref()
        .map(absolute)
        .unwrap_or_else(|| config.out_dir.clone());
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
                let now = playbill::time::now();
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

/// `--prune-previews DAYS`: removes the previews built more than DAYS days ago.
fn run_prune(args: &PublishArgs, days: u32) -> ExitCode {
    let config = match load_publish_config(&args.config, args.out.as_deref()) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let now = playbill::time::now();
    match publish::prune_previews(&config, args.to.as_deref(), days, now, args.dry_run) {
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
