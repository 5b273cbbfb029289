//! Older versions of a docs site, built beside latest: for each docs site, the tags and
//! branches `[docs.versions]` names (read from the repository's git objects, never checked
//! out) and the committed archive directories it lists. Each version goes through the same
//! site build as latest — its own mkdocs.yml, sanitising, diagrams, render cache — into
//! `docs/<ns>/<kind>/<name>/v/<version>/`. A version that fails is reported with its
//! repository and ref, as a warning (a tag cannot be fixed), and the others are built.

use super::site::build_site;
use super::source::DocsSource;
use super::DocSite;
use crate::catalog::Entity;
use crate::config::doc_versions::{slug, VersionsConfig};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::gather::git_tree::{self, GitRef};
use crate::render_cache::RenderCache;
use std::collections::BTreeSet;

pub const VERSIONS_UNAVAILABLE: &str = "docs/versions-unavailable";
pub const VERSION_FAILED: &str = "docs/version-failed";

/// Where one version's files come from.
enum Origin {
    Tag(GitRef),
    Branch(GitRef),
    /// A directory relative to the docs site's own.
    Dir(String),
}

impl Origin {
    fn describe(&self) -> String {
        match self {
            Origin::Tag(r) => format!("tag {}", r.name),
            Origin::Branch(r) => format!("branch {}", r.full),
            Origin::Dir(d) => format!("directory {d}"),
        }
    }
}

/// Every older version of the site `src` holds, newest first: branches as listed, then tags,
/// then archive directories.
pub(super) fn build(
    entity: &Entity,
    src: &DocsSource<'_>,
    config: &Config,
    cache: Option<&RenderCache>,
) -> (Vec<DocSite>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let mut sites = Vec::new();
    let mut seen = BTreeSet::new();
    for (name, origin) in origins(entity, src, config, &mut diagnostics) {
        let described = origin.describe();
        let fail = |message: String| {
            Diagnostic::warning(VERSION_FAILED, message)
                .repo(src.repo.name.clone())
                .entity(entity.key.to_string())
        };
        let Some(slug) = slug(&name).filter(|s| seen.insert(s.clone())) else {
            diagnostics.push(fail(format!("{described}: its version name \"{name}\" is empty, \"latest\" or the same as another version's; not built")));
            continue;
        };
        let (site, diags) = build_one(entity, src, config, cache, &slug, &origin);
        for mut d in diags.into_vec() {
            // A tag cannot be fixed: its problems warn, and --strict stays passable.
            d.severity = d.severity.max(Severity::Warning);
            d.message = format!("version {slug} ({described}): {}", d.message);
            diagnostics.push(d);
        }
        match site {
            Ok(Some(site)) => sites.push(site),
            Ok(None) => {}
            Err(problem) => diagnostics.push(fail(format!(
                "version {slug} ({described}) of {}: {problem}; not built",
                src.repo.name
            ))),
        }
    }
    (sites, diagnostics)
}

/// Builds one version; Ok(None) when its build failed (its diagnostics say why).
fn build_one(
    entity: &Entity,
    src: &DocsSource<'_>,
    config: &Config,
    cache: Option<&RenderCache>,
    slug: &str,
    origin: &Origin,
) -> (Result<Option<DocSite>, String>, Diagnostics) {
    let reference = match origin {
        Origin::Tag(r) | Origin::Branch(r) => r,
        Origin::Dir(dir) => {
            let Ok(dir) = src.dir.join(dir) else {
                return (
                    Err(format!("{dir} leaves the repository")),
                    Diagnostics::new(),
                );
            };
            let version = DocsSource {
                repo: src.repo,
                dir,
            };
            let (site, diags) = build_site(entity, &version, config, cache, Some(slug));
            return (Ok(site), diags);
        }
    };
    let limits = &config.limits;
    let snapshot = git_tree::snapshot(
        src.repo,
        reference,
        &src.dir,
        limits.max_files_per_docs_site,
        limits.max_file_bytes,
    );
    match snapshot {
        Ok(Some(snapshot)) => {
            let version = DocsSource {
                repo: &snapshot.repo,
                dir: src.dir.clone(),
            };
            let (site, mut diags) = build_site(entity, &version, config, cache, Some(slug));
            for (file, size) in &snapshot.too_large {
                let d = Diagnostic::warning(VERSION_FAILED, format!("{file} is too large ({size} bytes, the limit is limits.max_file_bytes) and was left out"));
                diags.push(d.repo(src.repo.name.clone()).file(file.to_string()));
            }
            (Ok(site), diags)
        }
        Ok(None) => {
            let dir = if src.dir.as_str().is_empty() {
                "."
            } else {
                src.dir.as_str()
            };
            (Err(format!("it has no files in {dir}")), Diagnostics::new())
        }
        Err(e) => (Err(e), Diagnostics::new()),
    }
}

/// The versions `[docs.versions]` names that this site has: tags and branches when its
/// repository is a git checkout, archive directories that exist in it.
fn origins(
    entity: &Entity,
    src: &DocsSource<'_>,
    config: &Config,
    diagnostics: &mut Diagnostics,
) -> Vec<(String, Origin)> {
    let wanted = &config.doc_versions;
    let mut origins = Vec::new();
    if wanted.wants_git() {
        let root = &src.repo.root;
        if !git_tree::is_checkout(root) {
            diagnostics.push(
                Diagnostic::info(VERSIONS_UNAVAILABLE, format!("{} is not a git checkout, so its tags and branches cannot be read; its docs are built at latest only", src.repo.name))
                    .repo(src.repo.name.clone()),
            );
        } else {
            let refs = git_refs(root, wanted).unwrap_or_else(|e| {
                diagnostics.push(
                    Diagnostic::warning(VERSION_FAILED, format!("cannot list the tags and branches of {}: {e}; its docs are built at latest only", src.repo.name))
                        .repo(src.repo.name.clone())
                        .entity(entity.key.to_string()),
                );
                Vec::new()
            });
            origins.extend(refs);
        }
    }
    for d in &wanted.dirs {
        let listed = src
            .dir
            .join(&d.dir)
            .is_ok_and(|dir| !src.repo.files_under(&dir).is_empty());
        if listed {
            origins.push((d.name.clone(), Origin::Dir(d.dir.clone())));
        }
    }
    origins
}

fn git_refs(
    root: &std::path::Path,
    wanted: &VersionsConfig,
) -> Result<Vec<(String, Origin)>, String> {
    let mut refs = Vec::new();
    for name in &wanted.branches {
        // A branch this repository does not have is no version of it.
        if let Some(r) = git_tree::branch(root, name)? {
            refs.push((r.name.clone(), Origin::Branch(r)));
        }
    }
    if let Some((_, pattern)) = &wanted.tags {
        for r in git_tree::tags(root, pattern, wanted.max)? {
            refs.push((r.name.clone(), Origin::Tag(r)));
        }
    }
    Ok(refs)
}

/// Latest and its versions, each knowing every version's name for the switcher.
pub(super) fn link(latest: DocSite, mut older: Vec<DocSite>) -> Vec<DocSite> {
    let names: Vec<String> = older.iter().filter_map(|s| s.version.clone()).collect();
    let mut all = vec![latest];
    all.append(&mut older);
    for site in &mut all {
        site.versions = names.clone();
    }
    all
}

/// Keeps one "versions unavailable" note per repository: each of its docs sites made one.
pub(super) fn report_unavailable_once(diagnostics: &mut Diagnostics) {
    let mut seen = BTreeSet::new();
    let kept: Diagnostics = std::mem::take(diagnostics)
        .into_vec()
        .into_iter()
        .filter(|d| d.code != VERSIONS_UNAVAILABLE || seen.insert(d.repo.clone()))
        .collect();
    *diagnostics = kept;
}
