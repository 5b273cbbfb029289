//! Playbill renders a static developer portal from Backstage's own formats.
//!
//! The pipeline, one module per stage: `config` (site.toml) → `gather` (repositories) →
//! `catalog` (entities, relations) → `site` (every output file) → `write` (the output
//! directory). Each stage returns its result plus `Diagnostics`; one bad input never stops
//! the build.

pub mod build;
pub mod catalog;
pub mod cluster;
pub mod config;
pub mod diagnostics;
pub mod docs;
pub mod gather;
pub mod highlight;
pub mod paths;
pub mod serve;
pub mod site;
pub mod write;
