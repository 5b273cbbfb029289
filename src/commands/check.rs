//! `playbill check`: validate without rendering, for a repository's CI as well as the portal's.

use super::load_config;
use crate::cli::{CheckArgs, Format};
use playbill::build;
use playbill::catalog::build_catalog;
use playbill::config::Config;
use playbill::diagnostics::Severity;
use playbill::gather;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

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

pub(crate) fn run_check(args: CheckArgs) -> ExitCode {
    let (catalog, diagnostics) = if args.paths.is_empty() {
        let config = match load_config(&args.config) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let (_, catalog, diagnostics) = build::load_catalog(&config, &|_| {});
        (catalog, diagnostics)
    } else {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let config = Config::defaults(&cwd);
        let (workspace, mut diagnostics) = gather::gather_paths(&args.paths, &config.catalog.files);
        let (catalog, more) = build_catalog(&workspace, &config);
        diagnostics.extend(more);
        (catalog, diagnostics)
    };
    let mut diagnostics = diagnostics;
    diagnostics.sort();
    match args.format {
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
        .any(|d| d.severity == Severity::Error || (args.strict && d.severity == Severity::Warning));
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
