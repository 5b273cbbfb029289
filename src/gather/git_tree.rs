//! Reads versions of a checkout that are not checked out: lists its tags and branches, and
//! copies the files of one ref below one directory into a scratch directory, which then reads
//! like any gathered repository.
//!
//! It runs the `git` command (read-only: `for-each-ref`, `ls-tree`, `cat-file --batch`), with
//! explicit arguments and no shell, rather than linking a git crate: `gix` would add well over
//! a hundred crates and minutes to every CI build for four read-only commands, while `git` is
//! on every runner that made the checkout. The repository is never changed: no checkout, no
//! index or config written.

use super::Repo;
use crate::paths::RepoPath;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// A tag or branch, resolved to the commit it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitRef {
    /// As written: the tag's or branch's name.
    pub name: String,
    /// `refs/tags/<name>`, `refs/heads/<name>` or `refs/remotes/origin/<name>`.
    pub full: String,
    pub commit: String,
    /// Committer time of that commit, seconds since the epoch.
    pub commit_time: Option<i64>,
}

/// The files of one ref, written out; the directory is removed when this is dropped.
pub struct Snapshot {
    pub repo: Repo,
    /// Files left out for being over the size limit, with their sizes.
    pub too_large: Vec<(RepoPath, u64)>,
    _scratch: tempfile::TempDir,
}

/// True when `root` is a git checkout (its own `.git` or a linked work tree's).
pub fn is_checkout(root: &Path) -> bool {
    super::git::git_dir(root).is_some()
}

/// A read-only git command in `root`; pathspecs are taken literally.
fn git(root: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .arg("-C")
        .arg(root)
        .args([
            "--no-pager",
            "--literal-pathspecs",
            "-c",
            "core.fsmonitor=false",
        ])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null());
    command
}

fn run(mut command: Command, what: &str) -> Result<Vec<u8>, String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run git {what}: {e} (is git installed?)"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!("git {what} failed: {}", stderr.trim()));
    }
    Ok(output.stdout)
}

const REF_FORMAT: &str =
    "--format=%(refname)%00%(objectname)%00%(*objectname)%00%(committerdate:unix)%00%(*committerdate:unix)";

/// Refs under the given patterns, in the order `sort` gives.
fn for_each_ref(root: &Path, sort: &str, patterns: &[&str]) -> Result<Vec<GitRef>, String> {
    let mut command = git(root);
    command
        .args(["for-each-ref", sort, REF_FORMAT])
        .args(patterns);
    let out = run(command, "for-each-ref")?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\0').collect();
            let [full, object, peeled, time, peeled_time] = f.as_slice() else {
                return None;
            };
            let (commit, time) = if peeled.is_empty() {
                (object, time)
            } else {
                (peeled, peeled_time)
            };
            let name = ["refs/tags/", "refs/heads/", "refs/remotes/origin/"]
                .iter()
                .find_map(|p| full.strip_prefix(p))?;
            Some(GitRef {
                name: name.to_string(),
                full: full.to_string(),
                commit: commit.to_string(),
                commit_time: time.parse().ok(),
            })
        })
        .collect())
}

/// The tags whose names `pattern` matches, newest first by version number (git's
/// `--sort=-v:refname`: v1.10 before v1.9), at most `max`.
pub fn tags(
    root: &Path,
    pattern: &globset::GlobMatcher,
    max: usize,
) -> Result<Vec<GitRef>, String> {
    let refs = for_each_ref(root, "--sort=-v:refname", &["refs/tags"])?;
    Ok(refs
        .into_iter()
        .filter(|r| pattern.is_match(&r.name))
        .take(max)
        .collect())
}

/// The branch `name`: the local one, else origin's (a CI clone often has only those).
pub fn branch(root: &Path, name: &str) -> Result<Option<GitRef>, String> {
    let local = format!("refs/heads/{name}");
    let remote = format!("refs/remotes/origin/{name}");
    let refs = for_each_ref(root, "--sort=refname", &[&local, &remote])?;
    let found = [&local, &remote]
        .into_iter()
        .find_map(|full| refs.iter().find(|r| &r.full == full).cloned());
    Ok(found)
}

/// Copies the regular files of `reference` below `dir` (symlinks and submodules left out) into
/// a scratch directory; Ok(None) when the ref has no files there. At most `max_files` files,
/// each of at most `max_bytes` (larger ones are left out and listed).
pub fn snapshot(
    repo: &Repo,
    reference: &GitRef,
    dir: &RepoPath,
    max_files: usize,
    max_bytes: u64,
) -> Result<Option<Snapshot>, String> {
    let entries = list_tree(&repo.root, &reference.commit, dir)?;
    if entries.is_empty() {
        return Ok(None);
    }
    if entries.len() > max_files {
        return Err(format!(
            "{} files below {dir}, more than the limit of {max_files}",
            entries.len()
        ));
    }
    let scratch = tempfile::Builder::new()
        .prefix("playbill-version-")
        .tempdir()
        .map_err(|e| format!("cannot make a scratch directory: {e}"))?;
    let root = std::fs::canonicalize(scratch.path()).map_err(|e| e.to_string())?;
    let (wanted, too_large): (Vec<_>, Vec<_>) = entries.into_iter().partition(|e| e.2 <= max_bytes);
    write_blobs(&repo.root, &root, &wanted)?;
    let mut copy = Repo::new(repo.name.clone(), repo.source, root);
    copy.commit = Some(reference.commit.clone());
    copy.commit_time = reference.commit_time;
    copy.origin = repo.origin.clone();
    Ok(Some(Snapshot {
        repo: copy,
        too_large: too_large
            .into_iter()
            .map(|(p, _, size)| (p, size))
            .collect(),
        _scratch: scratch,
    }))
}

/// Path, blob id and size of each regular file of `commit` below `dir`.
fn list_tree(
    root: &Path,
    commit: &str,
    dir: &RepoPath,
) -> Result<Vec<(RepoPath, String, u64)>, String> {
    let mut command = git(root);
    command.args(["ls-tree", "-r", "-z", "-l", "--full-tree", commit]);
    if !dir.as_str().is_empty() {
        command.arg("--").arg(dir.as_str());
    }
    let out = run(command, "ls-tree")?;
    let mut entries = Vec::new();
    for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let record = String::from_utf8_lossy(record);
        let Some((meta, path)) = record.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split_whitespace().collect();
        let [mode, "blob", id, size] = fields.as_slice() else {
            continue;
        };
        if !mode.starts_with("100") {
            continue; // a symlink (120000) is never followed
        }
        // Git's own trees hold no `..`; a crafted one is refused like any path from input.
        let Ok(path) = RepoPath::root().join(path) else {
            continue;
        };
        entries.push((path, id.to_string(), size.parse().unwrap_or(u64::MAX)));
    }
    Ok(entries)
}

/// Writes each blob under `dest` at its path, reading them all through one `git cat-file
/// --batch`.
fn write_blobs(
    root: &Path,
    dest: &Path,
    entries: &[(RepoPath, String, u64)],
) -> Result<(), String> {
    let mut command = git(root);
    command
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run git cat-file: {e} (is git installed?)"))?;
    let mut stdin = child.stdin.take().ok_or("git cat-file has no input")?;
    let ids: Vec<String> = entries.iter().map(|e| e.1.clone()).collect();
    // Fed from a thread: git answers while it reads, and both pipes are bounded.
    let feeder = std::thread::spawn(move || {
        for id in ids {
            if writeln!(stdin, "{id}").is_err() {
                break;
            }
        }
    });
    let stdout = child.stdout.take().ok_or("git cat-file has no output")?;
    let result = read_blobs(BufReader::new(stdout), dest, entries);
    if result.is_err() {
        // Its output is no longer read: stop it, so that the feeding thread ends too.
        let _ = child.kill();
    }
    let _ = feeder.join();
    let _ = child.wait();
    result
}

fn read_blobs(
    mut out: impl BufRead,
    dest: &Path,
    entries: &[(RepoPath, String, u64)],
) -> Result<(), String> {
    for (path, id, _) in entries {
        let mut header = String::new();
        out.read_line(&mut header).map_err(|e| e.to_string())?;
        let size: usize = match header.split_whitespace().collect::<Vec<_>>().as_slice() {
            [_, "blob", size] => size
                .parse()
                .map_err(|_| format!("git cat-file: bad header {header:?}"))?,
            _ => return Err(format!("git cat-file: object {id} of {path} is missing")),
        };
        let mut bytes = vec![0; size + 1]; // the blob and its closing newline
        out.read_exact(&mut bytes).map_err(|e| e.to_string())?;
        bytes.pop();
        let target = dest.join(path.as_str());
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&target, bytes).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    Ok(())
}
