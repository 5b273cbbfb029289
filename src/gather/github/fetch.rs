//! Fetching one organisation's repositories: the listing and its filters, then per repository
//! its head commit, the configured catalog file and — only when the catalog points at more
//! (Location targets, placeholders, docs) — one recursive tree listing and the blobs needed,
//! in rounds of "read what was fetched, fetch what it points at" (`wants`). The files are
//! materialised in the cache at their commit; a repository whose commit did not change costs
//! one request.

use super::client::{encode_path, status_message, Ctx, JSON, RAW};
use super::discover::{discover, CatalogText, Discovered};
use super::wants::{wanted_by, Role, Want};
use crate::config::GithubSource;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::gather::cache::{OrgCache, RepoState};
use crate::gather::{compile_patterns, is_literal_pattern, SKIPPED_DIRS};
use crate::paths::RepoPath;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::task::JoinSet;

/// Docs assets larger than this are not fetched (catalog files have their own, lower limit).
pub(super) const MAX_BLOB_BYTES: u64 = 20 * 1024 * 1024;
/// Rounds of "read what was fetched, fetch what it points at" (Locations, mkdocs, docs).
pub(super) const MAX_ROUNDS: usize = 16;

/// A repository as the organisation listing describes it.
#[derive(Clone, Debug, Deserialize)]
pub(super) struct RepoInfo {
    name: String,
    html_url: String,
    default_branch: Option<String>,
    pushed_at: Option<String>,
    #[serde(default)]
    archived: bool,
    #[serde(default)]
    fork: bool,
    #[serde(default)]
    topics: Vec<String>,
}

pub(super) async fn list_repos(ctx: &Ctx) -> Result<Vec<RepoInfo>, String> {
    let org = encode_path(&ctx.source.organization);
    ctx.paginate(&format!("/orgs/{org}/repos?per_page=100&type=all"))
        .await
}

/// Whether the source's filters keep a listed repository.
pub(super) fn selected(source: &GithubSource, repo: &RepoInfo) -> bool {
    let matches = |patterns: &[String]| compile_patterns(patterns).is_match(&repo.name);
    (source.archived || !repo.archived)
        && (source.forks || !repo.fork)
        && (source.include.is_empty() || matches(&source.include))
        && !matches(&source.exclude)
        && (source.topics.is_empty() || repo.topics.iter().any(|t| source.topics.contains(t)))
}

/// What became of one repository this run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Fetched,
    Cached,
    Failed,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Fetched => "fetched",
            Kind::Cached => "unchanged",
            Kind::Failed => "failed",
        }
    }
}

pub(super) struct Outcome {
    pub(super) name: String,
    pub(super) kind: Kind,
    /// What the cache holds for the repository now (None: nothing usable).
    pub(super) state: Option<RepoState>,
    pub(super) diagnostics: Diagnostics,
}

/// A cached state is usable when its files are still on disk.
fn usable(cache: &OrgCache, name: &str, state: &RepoState) -> bool {
    !state.has_files() || cache.repo_dir(name, &state.commit).is_dir()
}

/// Every selected repository, fetched concurrently (within the request bound), telling
/// `progress` as each one ends; sorted by name.
pub(super) async fn gather_repos(
    ctx: &Arc<Ctx>,
    selected: Vec<RepoInfo>,
    states: &BTreeMap<String, RepoState>,
    progress: &dyn Fn(&str),
) -> Vec<Outcome> {
    let org = &ctx.source.organization;
    let total = selected.len();
    let pushed: Vec<(String, String)> = selected
        .iter()
        .filter(|info| unchanged(ctx, info, states.get(&info.name)).is_none())
        .map(|info| (info.name.clone(), branch_of(&ctx.source, info)))
        .collect();
    if !pushed.is_empty() && ctx.graphql_on() {
        progress(&format!(
            "GitHub {org}: asking GraphQL for {} repositories' heads and catalog files",
            pushed.len()
        ));
    }
    let mut discovered = discover(ctx, pushed).await;
    let mut tasks = JoinSet::new();
    for info in selected {
        let previous = states.get(&info.name).cloned();
        let found = discovered.remove(&info.name);
        tasks.spawn(gather_repo(ctx.clone(), info, previous, found));
    }
    let mut outcomes = Vec::with_capacity(total);
    while let Some(joined) = tasks.join_next().await {
        let Ok(outcome) = joined else { continue };
        progress(&format!(
            "GitHub {org}: {}/{total} repositories ({} {})",
            outcomes.len() + 1,
            outcome.name,
            outcome.kind.word()
        ));
        outcomes.push(outcome);
    }
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    outcomes
}

/// The branch gathered from a repository: the configured one, else its default branch.
fn branch_of(source: &GithubSource, info: &RepoInfo) -> String {
    source
        .branch
        .clone()
        .or_else(|| info.default_branch.clone())
        .unwrap_or_else(|| "main".to_string())
}

/// The cached state of a repository nothing was pushed to since, when its copy is usable.
fn unchanged(ctx: &Ctx, info: &RepoInfo, previous: Option<&RepoState>) -> Option<RepoState> {
    previous
        .filter(|p| usable(&ctx.cache, &info.name, p))
        .filter(|p| {
            p.pushed_at.is_some()
                && p.pushed_at == info.pushed_at
                && p.branch == branch_of(&ctx.source, info)
        })
        .cloned()
}

/// One repository: its cached copy when nothing was pushed since, else fetched (starting from
/// what GraphQL `found`, when it did); on failure the cached copy, marked stale, when there
/// is one.
async fn gather_repo(
    ctx: Arc<Ctx>,
    info: RepoInfo,
    previous: Option<RepoState>,
    found: Option<Discovered>,
) -> Outcome {
    let branch = branch_of(&ctx.source, &info);
    if let Some(state) = unchanged(&ctx, &info, previous.as_ref()) {
        return Outcome {
            name: info.name,
            kind: Kind::Cached,
            state: Some(state),
            diagnostics: Diagnostics::new(),
        };
    }
    let previous = previous.filter(|p| usable(&ctx.cache, &info.name, p));
    match fetch_repo(&ctx, &info, &branch, previous.as_ref(), found).await {
        Ok((state, kind)) => Outcome {
            name: info.name,
            kind,
            state: Some(state),
            diagnostics: Diagnostics::new(),
        },
        Err(message) => {
            let mut diagnostics = Diagnostics::new();
            let state = match previous {
                Some(mut p) => {
                    diagnostics.push(
                        Diagnostic::warning(
                            "github/repo-stale",
                            format!(
                                "cannot fetch {}: {message}; the cached copy at commit {} is used",
                                info.html_url,
                                short_sha(&p.commit)
                            ),
                        )
                        .repo(info.name.clone()),
                    );
                    // Forget the push time so the next run tries again.
                    p.pushed_at = None;
                    Some(p)
                }
                None => {
                    diagnostics.push(
                        Diagnostic::error(
                            "github/repo-failed",
                            format!(
                                "cannot fetch {}: {message}; the repository was skipped",
                                info.html_url
                            ),
                        )
                        .repo(info.name.clone()),
                    );
                    None
                }
            };
            Outcome {
                name: info.name,
                kind: Kind::Failed,
                state,
                diagnostics,
            }
        }
    }
}

fn short_sha(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

#[derive(Deserialize)]
struct CommitInfo {
    sha: String,
    commit: CommitDetails,
}

#[derive(Deserialize)]
struct CommitDetails {
    committer: Option<Signature>,
}

#[derive(Deserialize)]
struct Signature {
    date: Option<String>,
}

#[derive(Deserialize)]
struct Tree {
    tree: Vec<TreeEntry>,
}

/// One entry of a recursive tree listing.
#[derive(Deserialize)]
pub(super) struct TreeEntry {
    pub(super) path: String,
    #[serde(rename = "type")]
    kind: String,
    pub(super) sha: String,
    pub(super) size: Option<u64>,
}

/// Files fetched from one repository, by path, with what each is read for.
type Files = BTreeMap<String, (Vec<u8>, Role)>;

/// One repository at its head commit: reuses the cached copy when the commit is unchanged.
async fn fetch_repo(
    ctx: &Arc<Ctx>,
    info: &RepoInfo,
    branch: &str,
    previous: Option<&RepoState>,
    found: Option<Discovered>,
) -> Result<(RepoState, Kind), String> {
    let org = encode_path(&ctx.source.organization);
    let name = encode_path(&info.name);
    let base = format!("/repos/{org}/{name}");
    let mut state = RepoState {
        pushed_at: info.pushed_at.clone(),
        branch: branch.to_string(),
        origin: info.html_url.clone(),
        ..RepoState::default()
    };
    let (head, mut catalog) = match found {
        Some(d) => (d.head, d.catalog),
        None => (head_commit(ctx, &base, branch).await?, CatalogText::Unknown),
    };
    let Some((sha, time)) = head else {
        return Ok((state, Kind::Fetched));
    };
    (state.commit, state.commit_time) = (sha, time);
    if let Some(p) = previous.filter(|p| p.commit == state.commit && p.branch == branch) {
        let kept = RepoState {
            pushed_at: state.pushed_at,
            origin: state.origin,
            commit_time: state.commit_time,
            ..p.clone()
        };
        return Ok((kept, Kind::Cached));
    }
    let catalog_path = &ctx.source.catalog_path;
    let mut files = Files::new();
    let mut wants = Vec::new();
    if is_literal_pattern(catalog_path) {
        if let CatalogText::Unknown = catalog {
            catalog = match catalog_file(ctx, &base, &state.commit, catalog_path).await? {
                Some((path, bytes)) => CatalogText::Text(path, String::new(), bytes),
                None => CatalogText::Absent,
            };
        }
        let CatalogText::Text(path, blob_id, bytes) = catalog else {
            return Ok((state, Kind::Fetched));
        };
        if !blob_id.is_empty() {
            state.blobs.insert(path.clone(), blob_id);
        }
        files.insert(path, (bytes, Role::Catalog));
    } else {
        wants.push(Want::Glob(catalog_path.clone(), Role::Catalog));
    }
    let tree = follow(ctx, &base, info, previous, &mut state, &mut files, wants).await?;
    record(&mut state, &files, tree.as_deref(), catalog_path);
    if state.catalog_files.is_empty() {
        return Ok((state, Kind::Fetched));
    }
    materialise(ctx, &info.name, &state.commit, files).await?;
    Ok((state, Kind::Fetched))
}

/// The head commit of `branch` and its time; None for an empty repository (409) or a missing
/// branch (404, 422), which have no catalog.
async fn head_commit(
    ctx: &Ctx,
    base: &str,
    branch: &str,
) -> Result<Option<(String, Option<i64>)>, String> {
    let reply = ctx
        .get(
            &format!("{base}/commits/{}", encode_path(branch)),
            JSON,
            true,
        )
        .await?;
    if matches!(reply.status, 404 | 409 | 422) {
        return Ok(None);
    }
    if !(200..300).contains(&reply.status) {
        return Err(status_message(reply.status, &reply.body));
    }
    let commit: CommitInfo = serde_json::from_slice(&reply.body)
        .map_err(|e| format!("unexpected commit answer: {e}"))?;
    let time = commit
        .commit
        .committer
        .and_then(|c| c.date)
        .and_then(|d| crate::time::parse_rfc3339(&d));
    Ok(Some((commit.sha, time)))
}

/// The configured catalog file (a literal path) at `sha`; None when the repository has none.
async fn catalog_file(
    ctx: &Ctx,
    base: &str,
    sha: &str,
    catalog_path: &str,
) -> Result<Option<(String, Vec<u8>)>, String> {
    let path = RepoPath::root()
        .join(catalog_path)
        .map_err(|e| format!("catalog_path: {e}"))?;
    let reply = ctx
        .get(
            &format!("{base}/contents/{}?ref={sha}", encode_path(path.as_str())),
            RAW,
            false,
        )
        .await?;
    match reply.status {
        404 => Ok(None),
        200..=299 => Ok(Some((path.to_string(), reply.body))),
        s => Err(status_message(s, &reply.body)),
    }
}

/// Rounds of reading what was fetched and fetching what it points at inside the repository
/// (what it points at elsewhere goes to `state.cross_wants`). Returns the tree, when it was
/// listed.
async fn follow(
    ctx: &Arc<Ctx>,
    base: &str,
    info: &RepoInfo,
    previous: Option<&RepoState>,
    state: &mut RepoState,
    files: &mut Files,
    mut wants: Vec<Want>,
) -> Result<Option<Vec<TreeEntry>>, String> {
    let mut tree: Option<Vec<TreeEntry>> = None;
    let mut scanned: BTreeSet<String> = BTreeSet::new();
    for _round in 0..MAX_ROUNDS {
        for (path, (bytes, role)) in files.iter() {
            if *role != Role::Plain && scanned.insert(path.clone()) {
                for want in wanted_by(path, bytes, *role, &info.html_url) {
                    match want {
                        Want::Cross(c) => state.cross_wants.push(c),
                        local => wants.push(local),
                    }
                }
            }
        }
        if wants.is_empty() {
            break;
        }
        if tree.is_none() {
            tree = Some(list_tree(ctx, base, &state.commit).await?);
        }
        let entries = tree.as_deref().unwrap_or_default();
        let mut needed: Vec<(&TreeEntry, Role)> = Vec::new();
        for want in wants.drain(..) {
            needed.extend(resolve_want(&want, entries));
        }
        needed
            .retain(|(e, _)| !files.contains_key(&e.path) && e.size.unwrap_or(0) <= MAX_BLOB_BYTES);
        needed.sort_by(|a, b| a.0.path.cmp(&b.0.path));
        needed.dedup_by(|a, b| a.0.path == b.0.path);
        if needed.is_empty() {
            break;
        }
        let fetched = fetch_blobs(ctx, base, &info.name, &needed, previous).await?;
        for ((entry, role), bytes) in needed.iter().zip(fetched) {
            files.insert(entry.path.clone(), (bytes, *role));
        }
    }
    Ok(tree)
}

/// Every entry of the repository at `sha`, in one recursive listing.
pub(super) async fn list_tree(ctx: &Ctx, base: &str, sha: &str) -> Result<Vec<TreeEntry>, String> {
    let (t, _): (Tree, _) = ctx
        .get_json(&format!("{base}/git/trees/{sha}?recursive=1"), false)
        .await?;
    Ok(t.tree)
}

/// Records in `state` what was fetched: blob ids (for reuse by the next commit), the wants
/// into other repositories, and the catalog files that are roots.
fn record(state: &mut RepoState, files: &Files, tree: Option<&[TreeEntry]>, catalog_path: &str) {
    if let Some(entries) = tree {
        let shas: BTreeMap<&str, &str> = entries
            .iter()
            .map(|e| (e.path.as_str(), e.sha.as_str()))
            .collect();
        state.blobs = files
            .keys()
            .filter_map(|p| shas.get(p.as_str()).map(|s| (p.clone(), s.to_string())))
            .collect();
    }
    state.cross_wants.sort();
    state.cross_wants.dedup();
    state.catalog_files = files
        .iter()
        .filter(|(_, (_, role))| *role == Role::Catalog)
        .map(|(p, _)| p.clone())
        .collect();
    // Location targets are read through the catalog stage; only the configured path is a root.
    let roots = compile_patterns(&[catalog_path.to_string()]);
    state.catalog_files.retain(|p| roots.is_match(p));
}

/// Writes the fetched files into the cache's copy of the repository at `sha`.
async fn materialise(ctx: &Ctx, repo: &str, sha: &str, files: Files) -> Result<(), String> {
    // Paths come from the server: only those that stay inside the repository are written.
    let list: Vec<(RepoPath, Vec<u8>)> = files
        .into_iter()
        .filter_map(|(p, (bytes, _))| Some((RepoPath::root().join(&p).ok()?, bytes)))
        .collect();
    let cache = ctx.cache.clone();
    let (repo, sha) = (repo.to_string(), sha.to_string());
    tokio::task::spawn_blocking(move || cache.materialise(&repo, &sha, &list))
        .await
        .map_err(|e| e.to_string())?
        .map(|_| ())
        .map_err(|e| format!("cannot write the cache: {e}"))
}

/// Tree entries a want names.
pub(super) fn resolve_want<'a>(
    want: &Want,
    entries: &'a [TreeEntry],
) -> Vec<(&'a TreeEntry, Role)> {
    let blobs = entries.iter().filter(|e| e.kind == "blob");
    match want {
        Want::File(path, role) => blobs
            .filter(|e| e.path == *path)
            .map(|e| (e, *role))
            .collect(),
        Want::Glob(pattern, role) => {
            let set = compile_patterns(std::slice::from_ref(pattern));
            blobs
                .filter(|e| set.is_match(&e.path) && !in_skipped_dir(&e.path))
                .map(|e| (e, *role))
                .collect()
        }
        Want::Cross(_) => Vec::new(),
        Want::Dir(dir) => {
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            blobs
                .filter(|e| e.path.starts_with(&prefix) && !in_skipped_dir(&e.path))
                .map(|e| (e, Role::Plain))
                .collect()
        }
    }
}

fn in_skipped_dir(path: &str) -> bool {
    path.split('/')
        .rev()
        .skip(1)
        .any(|segment| SKIPPED_DIRS.contains(&segment))
}

/// Blob contents, in the order asked: copied from the previous commit's cached copy when the
/// blob is the same, otherwise downloaded (concurrently, within the request bound).
pub(super) async fn fetch_blobs(
    ctx: &Arc<Ctx>,
    base: &str,
    repo: &str,
    needed: &[(&TreeEntry, Role)],
    previous: Option<&RepoState>,
) -> Result<Vec<Vec<u8>>, String> {
    let old_dir = previous.map(|p| ctx.cache.repo_dir(repo, &p.commit));
    let mut tasks = JoinSet::new();
    for (i, (entry, _)) in needed.iter().enumerate() {
        let reuse = previous
            .filter(|p| p.blobs.get(&entry.path) == Some(&entry.sha))
            .and(old_dir.as_ref())
            .and_then(|dir| std::fs::read(dir.join(&entry.path)).ok());
        let ctx = ctx.clone();
        let path = format!("{base}/git/blobs/{}", entry.sha);
        tasks.spawn(async move {
            if let Some(bytes) = reuse {
                return (i, Ok(bytes));
            }
            let reply = ctx.get(&path, RAW, false).await;
            (
                i,
                reply.and_then(|r| {
                    if (200..300).contains(&r.status) {
                        Ok(r.body)
                    } else {
                        Err(status_message(r.status, &r.body))
                    }
                }),
            )
        });
    }
    let mut out = vec![Vec::new(); needed.len()];
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.map_err(|e| e.to_string())?;
        out[i] = result.map_err(|e| format!("{}: {e}", needed[i].0.path))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::GithubAuth;

    #[test]
    fn filters_on_names_topics_archived_and_forks() {
        let source = |include: &[&str], exclude: &[&str], topics: &[&str]| GithubSource {
            organization: "o".into(),
            catalog_path: "catalog-info.yaml".into(),
            branch: None,
            include: include.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            topics: topics.iter().map(|s| s.to_string()).collect(),
            archived: false,
            forks: false,
            api_url: "https://api.github.com".into(),
            auth: GithubAuth::None,
            org_data: false,
            repo_health: true,
            concurrency: 4,
            graphql: true,
            recheck_secs: 86_400,
        };
        let repo = |name: &str, topics: &[&str], archived: bool, fork: bool| RepoInfo {
            name: name.into(),
            html_url: format!("https://github.com/o/{name}"),
            default_branch: None,
            pushed_at: None,
            archived,
            fork,
            topics: topics.iter().map(|s| s.to_string()).collect(),
        };
        let all = source(&[], &[], &[]);
        assert!(selected(&all, &repo("ledger", &[], false, false)));
        assert!(!selected(&all, &repo("ledger", &[], true, false)));
        assert!(!selected(&all, &repo("ledger", &[], false, true)));
        let some = source(&["pay-*"], &["*-sandbox"], &["backstage"]);
        assert!(selected(
            &some,
            &repo("pay-api", &["backstage"], false, false)
        ));
        assert!(!selected(&some, &repo("pay-api", &[], false, false)));
        assert!(!selected(
            &some,
            &repo("pay-sandbox", &["backstage"], false, false)
        ));
        assert!(!selected(
            &some,
            &repo("ledger", &["backstage"], false, false)
        ));
    }
}
