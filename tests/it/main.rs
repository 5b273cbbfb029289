//! The integration tests: one binary, one module per area of Playbill. Shared helpers (the
//! fixture builder, the loopback HTTP(S) server, the Kubernetes API server and its worlds, page
//! snapshots) live in `common`. Run one area with `cargo nextest run -E 'test(/^site::/)'`
//! or `cargo test --test it site::`.

mod common;

mod apidocs;
mod catalog;
mod catalog_differential;
mod changes;
mod cli;
mod cluster;
mod diagrams;
mod docs;
mod docs_changes;
mod docs_differential;
mod docs_print;
mod docs_standalone;
mod docs_versions;
mod github;
mod github_graphql;
mod golden;
mod graphs;
mod heatmap;
mod highlighting;
mod history;
mod hostile;
mod incident;
mod incremental;
mod init;
// The cluster snapshot benchmark lives with the other benchmarks; it is an ignored test (see
// benches/README.md).
#[path = "../../benches/kube_snapshot.rs"]
mod kube_bench;
mod monorepo_docs;
mod myservices;
mod not_found;
mod ownership;
mod page_budget;
mod prebuilt;
mod previews;
mod properties;
mod publish;
mod release;
mod scorecards;
mod search;
mod secrets;
mod shard;
mod site;
mod snippets;
mod techdocs;
