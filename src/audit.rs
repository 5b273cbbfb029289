//! The audit trail: every build writes one JSON report, kept out of the published site unless
//! its path is put there, saying what was read (repositories and commits), what was found
//! (diagnostics by code, where secrets were redacted — never their values) and what was written.
//! A CI job keeps it as an artifact; a SIEM can ingest it.

use crate::build::{BuildReport, SourceRead};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Serialize)]
pub struct AuditReport<'a> {
    pub playbill_version: &'static str,
    /// When the build finished (UTC); the only timestamp Playbill writes, and not into pages.
    pub finished_at: String,
    pub elapsed_seconds: f64,
    pub config: Option<String>,
    pub out_dir: String,
    pub sources: &'a [SourceRead],
    /// Per remote source (a GitHub organisation): repositories fetched, cached and failed, API
    /// calls and the rate limit left.
    pub remote_sources: &'a [String],
    /// Clusters queried (or read from a snapshot file): API requests, staleness, failures.
    pub clusters: Vec<ClusterRead>,
    pub entities: usize,
    pub pages: usize,
    pub docs_pages: usize,
    /// Docs pages whose rendering came from their repository's CI.
    pub docs_pages_prebuilt: usize,
    pub files: usize,
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub bytes_written: u64,
    pub diagnostics: DiagnosticSummary,
    pub secrets_redacted: Vec<Location>,
    /// Changes found against the previous state (null: none to compare with).
    pub changes: Option<usize>,
    /// Onboarding webhook requests delivered and failed.
    pub webhooks: Webhooks,
    /// Wall and CPU time of each stage.
    pub timings: &'a [crate::timings::StageTime],
    /// Docs pages and pages rendered anew and reused from the render cache.
    pub render_cache: crate::render_cache::CacheStats,
    /// API definitions parsed and references reused from the render cache.
    pub api_references: crate::site::apidocs::ReferenceStats,
    pub peak_rss_bytes: Option<u64>,
}

/// What the onboarding webhook did.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Webhooks {
    pub posted: usize,
    pub failed: usize,
}

/// One cluster of the snapshot behind the pages.
#[derive(Serialize)]
pub struct ClusterRead {
    pub name: String,
    pub requests: u32,
    /// When its data was read (Unix seconds).
    pub taken_at: i64,
    pub stale: bool,
    pub unreachable: bool,
    pub errors: Vec<String>,
}

#[derive(Serialize)]
pub struct DiagnosticSummary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub by_code: BTreeMap<&'static str, usize>,
}

#[derive(Serialize)]
pub struct Location {
    pub repo: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
}

impl<'a> AuditReport<'a> {
    pub fn new(report: &'a BuildReport, config: Option<&Path>, out_dir: &Path) -> Self {
        let mut by_code = BTreeMap::new();
        for d in &report.diagnostics {
            *by_code.entry(d.code).or_insert(0) += 1;
        }
        let counts = report.diagnostics.counts();
        let secrets_redacted = report
            .diagnostics
            .iter()
            .filter(|d| d.code == "security/secret")
            .map(|d| Location {
                repo: d.repo.clone(),
                file: d.file.clone(),
                line: d.line,
            })
            .collect();
        let now = crate::time::now();
        AuditReport {
            playbill_version: env!("CARGO_PKG_VERSION"),
            finished_at: crate::time::iso_datetime(now),
            elapsed_seconds: report.elapsed.as_secs_f64(),
            config: config.map(|p| p.display().to_string()),
            out_dir: out_dir.display().to_string(),
            sources: &report.sources,
            remote_sources: &report.remote_summaries,
            clusters: report
                .clusters
                .iter()
                .map(|c| ClusterRead {
                    name: c.name.clone(),
                    requests: c.requests,
                    taken_at: c.taken_at,
                    stale: c.stale,
                    unreachable: c.unreachable,
                    errors: c.errors.clone(),
                })
                .collect(),
            entities: report.entities,
            pages: report.pages,
            docs_pages: report.docs_pages,
            docs_pages_prebuilt: report.docs_pages_prebuilt,
            files: report.files,
            written: report.write.written,
            unchanged: report.write.unchanged,
            removed: report.write.removed,
            bytes_written: report.write.bytes,
            diagnostics: DiagnosticSummary {
                errors: counts.errors,
                warnings: counts.warnings,
                infos: counts.infos,
                by_code,
            },
            secrets_redacted,
            changes: report.changes,
            webhooks: Webhooks::default(),
            timings: &report.timings,
            render_cache: report.render_cache,
            api_references: report.api_references,
            peak_rss_bytes: report.peak_rss_bytes,
        }
    }

    /// Writes the report as pretty JSON, creating the parent directory.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(path, json)
            .map_err(|e| format!("cannot write the build report {}: {e}", path.display()))
    }
}

/// Adds what `playbill publish` did to the build report at `path` (creating it when the build
/// wrote none): the target, counts, and every object uploaded or deleted, so the audit trail
/// holds what reached the bucket and when.
pub fn record_publish(path: &Path, published: &serde_json::Value) -> Result<(), String> {
    let mut report: serde_json::Value = std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| serde_json::json!({}));
    report["published"] = published.clone();
    let json = serde_json::to_vec_pretty(&report).map_err(|e| e.to_string())?;
    std::fs::write(path, json)
        .map_err(|e| format!("cannot write the build report {}: {e}", path.display()))
}
