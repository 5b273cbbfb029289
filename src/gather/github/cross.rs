//! The cross-repository round. A Location target or techdocs-ref may be a URL into another
//! repository of the organisation (`<web>/<org>/teams/blob/main/org/groups.yaml`). Once every
//! repository was fetched, the files such URLs name are fetched into the named repository's
//! copy at its gathered commit, then what those files point at in turn, for a bounded number
//! of hops; the catalog and docs stages then find them there. What each want resolved to is
//! remembered with the commit, so an unchanged run sends no request for them.

use super::client::{encode_path, Ctx};
use super::fetch::{fetch_blobs, list_tree, resolve_want, TreeEntry, MAX_BLOB_BYTES, MAX_ROUNDS};
use super::wants::{wanted_by, Role, Want};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::gather::cache::{CrossWant, RepoState};
use crate::paths::RepoPath;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use tokio::task::JoinSet;

/// Repositories a chain of cross-repository URLs may pass through.
const MAX_HOPS: usize = 8;

/// The path a `<ref>/<path>` names when the ref is the gathered branch or commit ("" for the
/// repository root); None when it names another ref.
fn path_at(ref_path: &str, branch: &str, commit: &str) -> Option<String> {
    if ref_path.is_empty() {
        return Some(String::new());
    }
    [branch, commit]
        .into_iter()
        .filter(|r| !r.is_empty())
        .find_map(|r| match ref_path.strip_prefix(r)? {
            "" => Some(String::new()),
            rest => rest.strip_prefix('/').map(str::to_string),
        })
}

/// The wants inside the named repository: a catalog file, or a docs directory's mkdocs.yml.
fn local_wants(want: &CrossWant, path: &str) -> Vec<Want> {
    if !want.docs {
        return vec![Want::File(path.to_string(), Role::Catalog)];
    }
    let dir = RepoPath::root().join(if path.is_empty() { "." } else { path });
    ["mkdocs.yml", "mkdocs.yaml"]
        .iter()
        .filter_map(|name| dir.as_ref().ok()?.join(name).ok())
        .map(|p| Want::File(p.to_string(), Role::Mkdocs))
        .collect()
}

/// Fetches what repositories name in other repositories of the organisation into those
/// repositories' copies, recording it in their states.
pub(super) async fn fetch_cross(
    ctx: &Arc<Ctx>,
    states: &mut BTreeMap<String, RepoState>,
    diagnostics: &mut Diagnostics,
) {
    let mut queue: Vec<(String, CrossWant)> = states
        .iter()
        .flat_map(|(name, s)| s.cross_wants.iter().map(|w| (name.clone(), w.clone())))
        .collect();
    // (repository, want key) already handled this run, and files already read for more wants.
    let mut asked: BTreeSet<(String, String)> = BTreeSet::new();
    let mut scanned: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for _ in 0..MAX_HOPS {
        let by_repo = route(queue.drain(..), states, &mut asked, diagnostics);
        if by_repo.is_empty() {
            break;
        }
        let mut tasks = JoinSet::new();
        for (name, wants) in by_repo {
            let mut state = states[&name].clone();
            let mut seen = scanned.remove(&name).unwrap_or_default();
            let ctx = ctx.clone();
            tasks.spawn(async move {
                let found = import(&ctx, &name, &mut state, wants, &mut seen).await;
                (name, state, seen, found)
            });
        }
        let mut done = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            if let Ok(result) = joined {
                done.push(result);
            }
        }
        done.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, state, seen, found) in done {
            match found {
                Ok(more) => {
                    queue.extend(more.into_iter().map(|c| (name.clone(), c)));
                    states.insert(name.clone(), state);
                }
                Err(message) => diagnostics.push(
                    Diagnostic::error(
                        "github/repo-failed",
                        format!(
                            "cannot fetch the files other repositories name in {name}: {message}"
                        ),
                    )
                    .repo(name.clone()),
                ),
            }
            scanned.insert(name, seen);
        }
    }
}

/// The wants of one hop, by the repository they name; wants already asked this run are
/// dropped, and a URL naming another ref than the one gathered is reported.
fn route(
    queue: impl Iterator<Item = (String, CrossWant)>,
    states: &BTreeMap<String, RepoState>,
    asked: &mut BTreeSet<(String, String)>,
    diagnostics: &mut Diagnostics,
) -> BTreeMap<String, Vec<Want>> {
    let mut by_repo: BTreeMap<String, Vec<Want>> = BTreeMap::new();
    for (asker, want) in queue {
        // A repository not gathered (filtered out, failed, empty) is the catalog's to report.
        let Some((name, state)) = states
            .iter()
            .find(|(n, s)| n.eq_ignore_ascii_case(&want.repo) && !s.commit.is_empty())
        else {
            continue;
        };
        let Some(path) = path_at(&want.ref_path, &state.branch, &state.commit) else {
            let named = want.ref_path.split('/').next().unwrap_or_default();
            diagnostics.push(
                Diagnostic::warning(
                    "github/ref-not-gathered",
                    format!(
                        "{} names `{named}` of {name}, but Playbill gathers `{}` there, so it was not fetched; point the URL at `{}` (or set `branch` in the github source)",
                        want.url, state.branch, state.branch
                    ),
                )
                .repo(asker)
                .file(want.from),
            );
            continue;
        };
        for local in local_wants(&want, &path) {
            if asked.insert((name.clone(), local.key())) {
                by_repo.entry(name.clone()).or_default().push(local);
            }
        }
    }
    by_repo
}

/// Whether the repository path `p` is a file in the copy at `dir`.
fn on_disk(dir: &Path, p: &str) -> bool {
    RepoPath::root()
        .join(p)
        .is_ok_and(|rp| dir.join(rp.as_str()).is_file())
}

/// Resolves `wants` in one repository's copy (from what earlier runs recorded, or its tree),
/// downloads the files it lacks, and follows what they point at inside the repository.
/// Returns what they point at in other repositories.
async fn import(
    ctx: &Arc<Ctx>,
    name: &str,
    state: &mut RepoState,
    mut wants: Vec<Want>,
    seen: &mut BTreeSet<String>,
) -> Result<Vec<CrossWant>, String> {
    let dir = ctx.cache.repo_dir(name, &state.commit);
    let base = format!(
        "/repos/{}/{}",
        encode_path(&ctx.source.organization),
        encode_path(name)
    );
    let mut tree: Option<Vec<TreeEntry>> = None;
    let mut beyond = Vec::new();
    for _round in 0..MAX_ROUNDS {
        if wants.is_empty() {
            break;
        }
        let mut found: Vec<(String, Role)> = Vec::new();
        let mut unresolved = Vec::new();
        for want in wants.drain(..) {
            let role = match &want {
                Want::File(_, r) | Want::Glob(_, r) => *r,
                _ => Role::Plain,
            };
            let known = match &want {
                Want::File(p, _) if on_disk(&dir, p) => Some(vec![p.clone()]),
                _ => state
                    .imports
                    .get(&want.key())
                    .filter(|paths| paths.iter().all(|p| on_disk(&dir, p)))
                    .cloned(),
            };
            match known {
                Some(paths) => found.extend(paths.into_iter().map(|p| (p, role))),
                None => unresolved.push(want),
            }
        }
        if !unresolved.is_empty() {
            if tree.is_none() {
                tree = Some(list_tree(ctx, &base, &state.commit).await?);
            }
            let entries = tree.as_deref().unwrap_or_default();
            found.extend(download(ctx, &base, name, state, &unresolved, entries).await?);
        }
        for (path, role) in found {
            if role == Role::Plain || !seen.insert(path.clone()) {
                continue;
            }
            let Some(bytes) = RepoPath::root()
                .join(&path)
                .ok()
                .and_then(|rp| std::fs::read(dir.join(rp.as_str())).ok())
            else {
                continue;
            };
            for want in wanted_by(&path, &bytes, role, &state.origin) {
                match want {
                    Want::Cross(c) => beyond.push(c),
                    local => wants.push(local),
                }
            }
        }
    }
    Ok(beyond)
}

/// Resolves wants against the tree, records what each resolved to, and downloads the files
/// the copy lacks into it. Returns every path the wants resolved to.
async fn download(
    ctx: &Arc<Ctx>,
    base: &str,
    name: &str,
    state: &mut RepoState,
    unresolved: &[Want],
    entries: &[TreeEntry],
) -> Result<Vec<(String, Role)>, String> {
    let dir = ctx.cache.repo_dir(name, &state.commit);
    let mut found = Vec::new();
    let mut needed: Vec<(&TreeEntry, Role)> = Vec::new();
    for want in unresolved {
        let resolved: Vec<(&TreeEntry, Role)> = resolve_want(want, entries)
            .into_iter()
            .filter(|(e, _)| e.size.unwrap_or(0) <= MAX_BLOB_BYTES)
            .collect();
        // Recorded even when empty: a missing target costs no request next time.
        state.imports.insert(
            want.key(),
            resolved.iter().map(|(e, _)| e.path.clone()).collect(),
        );
        for (entry, role) in resolved {
            found.push((entry.path.clone(), role));
            if !on_disk(&dir, &entry.path) {
                needed.push((entry, role));
            }
        }
    }
    needed.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    needed.dedup_by(|a, b| a.0.path == b.0.path);
    let bytes = fetch_blobs(ctx, base, name, &needed, None).await?;
    let mut files = Vec::new();
    for ((entry, _), content) in needed.iter().zip(bytes) {
        if let Ok(path) = RepoPath::root().join(&entry.path) {
            state.blobs.insert(entry.path.clone(), entry.sha.clone());
            files.push((path, content));
        }
    }
    // Written even when empty, so the repository has a copy the catalog can look in.
    ctx.cache
        .add_files(name, &state.commit, &files)
        .map_err(|e| format!("cannot write the cache: {e}"))?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_of_the_gathered_branch_or_commit() {
        assert_eq!(
            path_at("main/org/groups.yaml", "main", "abc").as_deref(),
            Some("org/groups.yaml")
        );
        assert_eq!(
            path_at("release/1.0/docs", "release/1.0", "abc").as_deref(),
            Some("docs")
        );
        assert_eq!(
            path_at("abc/x.yaml", "main", "abc").as_deref(),
            Some("x.yaml")
        );
        assert_eq!(path_at("main", "main", "abc").as_deref(), Some(""));
        assert_eq!(path_at("dev/x.yaml", "main", "abc"), None);
        assert_eq!(path_at("mainline/x.yaml", "main", "abc"), None);
    }
}
