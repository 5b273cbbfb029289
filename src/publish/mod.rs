//! `playbill publish`: syncs a built portal to an S3, GCS or Azure bucket, or a directory.
//!
//! `plan` decides what to upload and delete (pure), `store` turns a target URL into an
//! `object_store` client, `sync` carries the plan out, `secrets` keeps credentials out of the
//! bucket.

pub mod plan;
pub mod secrets;
pub mod store;
pub mod sync;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use std::path::Path;
pub use sync::{Options, Summary};

/// Publishes `out_dir` to `to` (else site.toml's `[publish] to`), refusing output that holds
/// the value of any secret variable this process can see.
pub fn run(
    config: &Config,
    out_dir: &Path,
    to: Option<&str>,
    options: &Options,
) -> Result<Summary, Diagnostics> {
    let invalid = |message: String| -> Diagnostics {
        std::iter::once(Diagnostic::error("publish/target-invalid", message)).collect()
    };
    let url = to.or(config.publish.to.as_deref()).ok_or_else(|| {
        invalid("no publish target: pass --to URL or set `[publish] to` in site.toml".to_string())
    })?;
    let target = store::Target::parse(url).map_err(invalid)?;
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
    let secrets = secrets::collect(&config.secret_env_vars(), |name| std::env::var(name).ok());
    sync::publish(&store, out_dir, &secrets, options)
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
