//! `[catalog]` and `[limits]`: which files are catalog files, which kinds are allowed, and the
//! bounds that keep a build over hostile input finite.

use super::ConfigError;
use serde::Deserialize;
use std::path::Path;

#[derive(Clone, Debug)]
pub struct CatalogConfig {
    /// Glob patterns, relative to each repository's root, of the files to read.
    pub files: Vec<String>,
    /// `None`: every built-in kind is allowed. `Some`: Backstage's `catalog.rules` semantics.
    pub rules: Option<Vec<Rule>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub allow: Vec<AllowEntry>,
    #[serde(default)]
    pub locations: Option<Vec<LocationMatcher>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum AllowEntry {
    Kind(String),
    KindAndType {
        kind: String,
        #[serde(rename = "spec.type")]
        spec_type: Option<String>,
    },
}

impl AllowEntry {
    pub fn kind(&self) -> &str {
        match self {
            AllowEntry::Kind(k) => k,
            AllowEntry::KindAndType { kind, .. } => kind,
        }
    }

    pub fn spec_type(&self) -> Option<&str> {
        match self {
            AllowEntry::Kind(_) => None,
            AllowEntry::KindAndType { spec_type, .. } => spec_type.as_deref(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationMatcher {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(alias = "target")]
    pub exact: Option<String>,
    pub pattern: Option<String>,
}

/// Bounds that keep a build over hostile input finite.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_documents_per_file: usize,
    pub max_entities: usize,
    pub max_location_depth: usize,
    /// Pages and other files read from one docs directory.
    pub max_files_per_docs_site: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 4 * 1024 * 1024,
            max_documents_per_file: 1000,
            max_entities: 200_000,
            max_location_depth: 16,
            max_files_per_docs_site: 10_000,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCatalog {
    files: Option<Vec<String>>,
    rules: Option<Vec<Rule>>,
}

pub const DEFAULT_CATALOG_FILES: &[&str] = &["catalog-info.yaml"];

pub(super) fn resolve_catalog(raw: RawCatalog, file: &Path) -> Result<CatalogConfig, ConfigError> {
    let files = raw.files.unwrap_or_else(|| {
        DEFAULT_CATALOG_FILES
            .iter()
            .map(|s| s.to_string())
            .collect()
    });
    for pattern in &files {
        if let Err(e) = globset::Glob::new(pattern) {
            return Err(ConfigError {
                file: file.to_path_buf(),
                message: format!("catalog.files: invalid pattern `{pattern}`: {e}"),
            });
        }
    }
    if let Some(rules) = &raw.rules {
        for rule in rules {
            for m in rule.locations.iter().flatten() {
                if let Some(p) = &m.pattern {
                    if let Err(e) = globset::Glob::new(p) {
                        return Err(ConfigError {
                            file: file.to_path_buf(),
                            message: format!("catalog.rules: invalid location pattern `{p}`: {e}"),
                        });
                    }
                }
            }
        }
    }
    Ok(CatalogConfig {
        files,
        rules: raw.rules,
    })
}
