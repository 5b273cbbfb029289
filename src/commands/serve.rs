//! `playbill serve`: build, serve on 127.0.0.1 and rebuild on change, for people editing inputs.

use super::load_config;
use crate::cli::ServeArgs;
use playbill::build;
use playbill::config::Config;
use playbill::paths::absolute;
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn run_serve(args: ServeArgs) -> ExitCode {
    match load_config(&args.config) {
        Ok(config) => serve_config(
            config,
            args.port,
            args.out.as_deref(),
            args.signed_in.as_deref(),
        ),
        Err(code) => code,
    }
}

/// Builds once, then serves the output on loopback and rebuilds when an input changes.
pub(super) fn serve_config(
    config: Config,
    port: u16,
    out: Option<&Path>,
    signed_in: Option<&str>,
) -> ExitCode {
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
