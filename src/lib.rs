//! Playbill renders a static developer portal from Backstage's own formats.
//!
//! The pipeline, one module per stage: `config` (site.toml) → `gather` (repositories) →
//! `catalog` (entities, relations) → `site` (every output file) → `write` (the output
//! directory). Each stage returns its result plus `Diagnostics`; one bad input never stops
//! the build.

pub mod audit;
pub mod build;
pub mod catalog;
pub mod changes;
pub mod cluster;
pub mod config;
pub mod diagnostics;
pub mod diagrams;
pub mod docs;
pub mod freshness;
pub mod frozen;
pub mod gather;
pub mod graphs;
pub mod held;
pub mod highlight;
pub mod html_hazards;
pub mod init;
pub mod live_reload;
pub mod output;
pub mod paths;
pub mod preview;
pub mod publish;
pub mod references;
pub mod render_cache;
pub mod scorecard;
pub mod search;
pub mod secrets;
pub mod serve;
pub mod shard;
pub mod site;
pub mod svg;
pub mod time;
pub mod timings;
pub mod words;
pub mod write;

/// Chooses rustls's crypto provider for the process. Both providers are compiled in (the
/// object-store client brings aws-lc-rs; kube and octocrab use ring), and with two rustls
/// cannot pick one by itself and panics at the first TLS connection. Every network stage calls
/// this first; later calls do nothing.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
