//! The files of one docs site: its docs_dir, with each included sub-project's docs_dir laid
//! over it under that project's directory (later ones win a path both hold, as the monorepo
//! plugin copies them). Pages are kept by their path in the site with the repository file they
//! come from; other files are read, scanned for secrets and vetted, and kept with their bytes.

use super::assets::{vet, Verdict};
use super::monorepo::{self, Mount};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::gather::Repo;
use crate::paths::RepoPath;
use std::collections::{BTreeMap, BTreeSet};

/// A site's pages (path in the site -> repository file) and other files (path -> bytes).
pub(super) struct Tree {
    pub pages: BTreeMap<String, RepoPath>,
    pub assets: BTreeMap<String, Vec<u8>>,
}

/// Places a diagnostic about the site, at a file when given.
pub(super) type Place<'a> = &'a dyn Fn(Diagnostic, Option<&RepoPath>) -> Diagnostic;

/// The repository as includes read it.
pub(super) struct RepoFiles<'a> {
    pub repo: &'a Repo,
    pub max_bytes: u64,
}

impl monorepo::Files for RepoFiles<'_> {
    fn read_text(&self, path: &RepoPath) -> Result<String, String> {
        self.repo
            .read(path, self.max_bytes)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| e.to_string())
    }

    fn files_under(&self, dir: &RepoPath) -> Vec<RepoPath> {
        self.repo.files_under(dir)
    }
}

/// Markdown pages and other files under docs_dir and the mounts' docs dirs. Dot-files are
/// skipped; with both index.md and README.md in a directory, README.md is dropped with a warning.
pub(super) fn list_files(
    (repo, config): (&Repo, &Config),
    docs_dir: &RepoPath,
    mounts: &[Mount],
    place: Place<'_>,
    diagnostics: &mut Diagnostics,
) -> Tree {
    let mut tree = Tree {
        pages: BTreeMap::new(),
        assets: BTreeMap::new(),
    };
    let mut budget = config.limits.max_files_per_docs_site;
    let roots = std::iter::once(("", docs_dir))
        .chain(mounts.iter().map(|m| (m.alias.as_str(), &m.docs_dir)));
    for (alias, dir) in roots {
        let files = repo.files_under(dir);
        if files.len() > budget {
            let limit = config.limits.max_files_per_docs_site;
            let held = match alias {
                "" => format!("the docs directory holds {} files", files.len()),
                _ => format!(
                    "{dir} (included) holds {} files, with the site's others",
                    files.len()
                ),
            };
            diagnostics.push(place(
                Diagnostic::error(
                    "docs/too-many-files",
                    format!("{held}, over the limit of {limit} (limits.max_files_per_docs_site); only the first {limit} in path order were read"),
                ),
                Some(dir),
            ));
        }
        let take = files.len().min(budget);
        budget -= take;
        for file in files.into_iter().take(take) {
            let Some(rel) = site_path(dir, alias, &file) else {
                continue;
            };
            if rel.ends_with(".md") {
                tree.pages.insert(rel, file);
            } else if let Some(bytes) = read_asset((repo, config), &rel, &file, place, diagnostics)
            {
                tree.assets.insert(rel, bytes);
            }
        }
    }
    drop_shadowed_readmes(&mut tree.pages, place, diagnostics);
    tree
}

/// Where `file` (under `dir`) goes in the site; None for dot-files.
fn site_path(dir: &RepoPath, alias: &str, file: &RepoPath) -> Option<String> {
    let rel = match dir.as_str() {
        "" => file.as_str(),
        d => file.as_str().strip_prefix(d)?.strip_prefix('/')?,
    };
    if rel.split('/').any(|part| part.starts_with('.')) {
        return None;
    }
    Some(match alias {
        "" => rel.to_string(),
        alias => format!("{alias}/{rel}"),
    })
}

/// A file published beside the pages, scanned like a page (text files are published as they
/// are) and vetted; None when it is dropped or unreadable.
fn read_asset(
    (repo, config): (&Repo, &Config),
    rel: &str,
    file: &RepoPath,
    place: Place<'_>,
    diagnostics: &mut Diagnostics,
) -> Option<Vec<u8>> {
    match repo.read(file, config.limits.max_file_bytes) {
        Ok(bytes) => {
            let (bytes, findings) = config.secrets.redact_bytes(bytes);
            for finding in &findings {
                diagnostics.push(place(finding.diagnostic(), Some(file)));
            }
            match vet(rel, bytes) {
                Verdict::Keep(bytes) => Some(bytes),
                Verdict::Cleaned(bytes, message) => {
                    let d = Diagnostic::warning("docs/unsafe-content", message);
                    diagnostics.push(place(d, Some(file)));
                    Some(bytes)
                }
                Verdict::Dropped(message) => {
                    let d = Diagnostic::warning("docs/active-file", message);
                    diagnostics.push(place(d, Some(file)));
                    None
                }
            }
        }
        Err(e) => {
            diagnostics.push(place(
                Diagnostic::warning("docs/unreadable", format!("{e}; the file was not copied")),
                Some(file),
            ));
            None
        }
    }
}

/// With index.md and README.md in one directory, mkdocs publishes index.md only.
fn drop_shadowed_readmes(
    pages: &mut BTreeMap<String, RepoPath>,
    place: Place<'_>,
    diagnostics: &mut Diagnostics,
) {
    let has_index: BTreeSet<String> = pages
        .keys()
        .filter(|p| p.rsplit('/').next() == Some("index.md"))
        .map(|p| p.trim_end_matches("index.md").to_string())
        .collect();
    pages.retain(|p, file| {
        let name = p.rsplit('/').next().unwrap_or(p);
        let dir = &p[..p.len() - name.len()];
        let dropped = name.eq_ignore_ascii_case("README.md") && has_index.contains(dir);
        if dropped {
            diagnostics.push(place(
                Diagnostic::warning(
                    "docs/readme-dropped",
                    "both index.md and README.md are here; README.md was left out, as mkdocs does",
                ),
                Some(file),
            ));
        }
        !dropped
    });
}
