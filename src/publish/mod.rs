//! `playbill publish`: syncs a built portal to an S3, GCS or Azure bucket, or a directory.
//!
//! `plan` decides what to upload and delete (pure), `store` turns a target URL into an
//! `object_store` client, `sync` carries the plan out, `secrets` keeps credentials out of the
//! bucket. `prebuilt` reads back the docs repositories' CI published to a bucket.

pub mod plan;
pub mod prebuilt;
pub mod previews;
pub mod secrets;
pub mod store;
pub mod sync;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use std::path::Path;
pub use sync::{Options, Summary};

/// Publishes `out_dir` to `to` (else site.toml's `[publish] to`), refusing output that holds
/// the value of any secret variable this process can see. A preview build goes to its own
/// folder under `previews/` and touches nothing else.
pub fn run(
    config: &Config,
    out_dir: &Path,
    to: Option<&str>,
    options: &Options,
) -> Result<Summary, Diagnostics> {
    let (url, target) = target(config, to)?;
    if let store::Target::File { dir } = &target {
        // Syncing a directory into itself (or around itself) would delete the build's files.
        let dir = crate::paths::normalize(dir);
        if dir.starts_with(out_dir) || out_dir.starts_with(&dir) {
            return Err(invalid(format!(
                "{url} overlaps the output directory {}; publish to a directory outside it",
                out_dir.display()
            )));
        }
    }
    let store = target.open(url).map_err(invalid)?;
    let (store, out_dir) = previews::scope(store, out_dir).map_err(invalid)?;
    let secrets = secrets::collect(&config.secret_env_vars(), |name| std::env::var(name).ok());
    sync::publish(&store, &out_dir, &secrets, options)
}

fn invalid(message: String) -> Diagnostics {
    std::iter::once(Diagnostic::error("publish/target-invalid", message)).collect()
}

/// The target URL (`to`, else site.toml's `[publish] to`) and what it names.
fn target<'a>(
    config: &'a Config,
    to: Option<&'a str>,
) -> Result<(&'a str, store::Target), Diagnostics> {
    let url = to.or(config.publish.to.as_deref()).ok_or_else(|| {
        invalid("no publish target: pass --to URL or set `[publish] to` in site.toml".to_string())
    })?;
    Ok((url, store::Target::parse(url).map_err(invalid)?))
}

/// Removes the previews under the target's `previews/` older than `max_age_days` at `now`
/// (Unix seconds); one line for each, saying what went (or would go, on a dry run).
pub fn prune_previews(
    config: &Config,
    to: Option<&str>,
    max_age_days: u32,
    now: i64,
    dry_run: bool,
) -> Result<Vec<String>, Diagnostics> {
    let (url, target) = target(config, to)?;
    let store = target.open(url).map_err(invalid)?;
    previews::prune(&store, max_age_days, now, dry_run)
}

/// What `--dry-run` prints: one line per planned upload and deletion.
pub fn describe_plan(plan: &plan::Plan) -> String {
    let mut out = String::new();
    for u in &plan.uploads {
        out.push_str(&format!(
            "upload {} ({} bytes, {})\n",
            u.path,
            u.size,
            u.reason.as_str()
        ));
    }
    for d in &plan.deletes {
        out.push_str(&format!("delete {d}\n"));
    }
    out
}

/// The closing line: what was done (or would be, with `--dry-run`).
pub fn summary_line(s: &Summary, target: &str) -> String {
    if s.dry_run {
        format!(
            "Dry run: would upload {} files ({} bytes), delete {}, leave {} unchanged → {target}",
            s.plan.uploads.len(),
            s.plan.upload_bytes(),
            s.plan.deletes.len(),
            s.unchanged
        )
    } else {
        format!(
            "Published: {} uploaded ({} bytes), {} deleted, {} unchanged in {:.2}s → {target}",
            s.uploaded,
            s.bytes,
            s.deleted,
            s.unchanged,
            s.elapsed.as_secs_f64()
        )
    }
}
