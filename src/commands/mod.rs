//! What every command shares: the configuration, the spinner, and how diagnostics and summaries
//! are logged (text for people, JSON lines for log collectors).

use indicatif::{ProgressBar, ProgressStyle};
use playbill::config::Config;
use playbill::diagnostics::Diagnostics;
use serde::Serialize;
use std::path::Path;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Duration;

mod build;
mod check;
mod docs;
mod publish;
mod serve;
mod setup;

pub(crate) use build::{run_build, run_snapshot};
pub(crate) use check::run_check;
pub(crate) use docs::{run_docs_build, run_docs_serve};
pub(crate) use publish::run_publish;
pub(crate) use serve::run_serve;
pub(crate) use setup::{run_completions, run_init, run_man};

/// Set once from `--log-format`; read wherever the CLI logs.
pub(crate) static JSON_LOGS: OnceLock<bool> = OnceLock::new();

pub(crate) fn json_logs() -> bool {
    JSON_LOGS.get().copied().unwrap_or(false)
}

pub(crate) fn load_config(path: &Path) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|e| {
        eprintln!("error[config/invalid]: {e}");
        ExitCode::from(2)
    })
}

pub(crate) fn spinner() -> ProgressBar {
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
pub(crate) fn with_spinner<T>(
    stage: impl FnOnce(&dyn Fn(&str)) -> Result<T, String>,
) -> Result<T, ExitCode> {
    let bar = spinner();
    let result = stage(&|msg| bar.set_message(msg.to_string()));
    bar.finish_and_clear();
    result.map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

pub(crate) fn print_diagnostics(diagnostics: &Diagnostics) {
    for d in diagnostics {
        if json_logs() {
            log_json("diagnostic", d);
        } else {
            eprintln!("{}", d.to_text());
        }
    }
}

/// One JSON log line on stderr: `{"kind": KIND, ...fields of value}`.
pub(crate) fn log_json(kind: &str, value: &impl Serialize) {
    let mut v = serde_json::to_value(value).unwrap_or_default();
    if let Some(map) = v.as_object_mut() {
        map.insert("kind".into(), kind.into());
    }
    eprintln!("{v}");
}
