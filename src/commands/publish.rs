//! `playbill publish`: sync a built portal to its bucket and record what was published.

use super::{load_config, print_diagnostics, spinner};
use crate::cli::PublishArgs;
use playbill::paths::absolute;
use playbill::publish;
use std::process::ExitCode;

pub(crate) fn run_publish(args: PublishArgs) -> ExitCode {
    let (dry_run, allow_mass_delete) = (args.dry_run, args.allow_mass_delete);
    let (to, report_path) = (args.to.as_deref(), args.report.as_deref());
    let config = match load_config(&args.config) {
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
