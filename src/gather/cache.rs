//! The on-disk cache of remote sources: per organisation a state file (what each repository
//! was at, the ETags of earlier responses) and one materialised directory per repository and
//! commit, which the rest of the pipeline reads like a local checkout.

use crate::paths::RepoPath;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Bumped when the layout changes, so an old cache is refetched rather than misread.
const VERSION: u32 = 1;

#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct State {
    pub version: u32,
    /// Fingerprint of the settings that decide what is fetched (branch, catalog path).
    pub settings: String,
    pub repos: BTreeMap<String, RepoState>,
    /// Earlier responses by request path, for conditional requests.
    pub responses: BTreeMap<String, CachedResponse>,
    /// When the server was last found without GraphQL (seconds since the epoch): REST is used
    /// without asking again until the recheck interval has passed.
    #[serde(default)]
    pub graphql_missing_at: Option<i64>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(super) struct RepoState {
    pub pushed_at: Option<String>,
    pub branch: String,
    pub commit: String,
    pub commit_time: Option<i64>,
    pub origin: String,
    /// Catalog files found at that commit; empty when the repository has none.
    pub catalog_files: Vec<String>,
    /// Blob id of every materialised file, so a new commit copies unchanged files locally.
    pub blobs: BTreeMap<String, String>,
    /// Files in other repositories of the organisation that this one's catalog names by URL.
    #[serde(default)]
    pub cross_wants: Vec<CrossWant>,
    /// Files fetched into this copy because another repository's catalog named them: what was
    /// asked for (a want's key) and the paths it resolved to at this commit.
    #[serde(default)]
    pub imports: BTreeMap<String, Vec<String>>,
    /// The repository's health as last read; kept when a run cannot refresh it.
    #[serde(default)]
    pub health: Option<super::health::RepoHealth>,
    /// `pushed_at` when `health` was read: a push since makes it due again.
    #[serde(default)]
    pub health_pushed_at: Option<String>,
    /// Health features GitHub refused for this repository (403/404: off, or not for this
    /// token), by part (`actions`, `pulls`, `dependabot`, `code-scanning`), not asked again
    /// while the repository is unchanged and the recheck interval has not passed.
    #[serde(default)]
    pub refused: BTreeMap<String, Refusal>,
}

/// A 403 or 404 for one health feature of a repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Refusal {
    pub status: u16,
    /// When it was answered, in seconds since the epoch.
    pub at: i64,
    /// The repository's `pushed_at` then.
    pub pushed_at: Option<String>,
}

impl Refusal {
    /// Whether the refusal still stands for a repository last pushed at `pushed_at`.
    pub(super) fn stands(&self, pushed_at: &Option<String>, now: i64, recheck_secs: u64) -> bool {
        &self.pushed_at == pushed_at
            && now.saturating_sub(self.at) < i64::try_from(recheck_secs).unwrap_or(i64::MAX)
    }
}

impl RepoState {
    /// Whether anything of the repository is materialised.
    pub(super) fn has_files(&self) -> bool {
        !self.catalog_files.is_empty() || !self.imports.is_empty()
    }
}

/// A Location target or techdocs-ref that is a URL into another repository of the organisation.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(super) struct CrossWant {
    pub repo: String,
    /// What follows `/blob/` or `/tree/`: the ref, then the path (empty for the repository root).
    pub ref_path: String,
    /// A techdocs-ref (its directory's mkdocs.yml is wanted) rather than a catalog file.
    pub docs: bool,
    /// The URL as written and the file that holds it, for diagnostics.
    pub url: String,
    pub from: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct CachedResponse {
    pub etag: String,
    pub link: Option<String>,
    pub body: String,
}

/// The cache directory of one organisation.
#[derive(Clone, Debug)]
pub(super) struct OrgCache {
    pub dir: PathBuf,
}

impl OrgCache {
    pub(super) fn new(cache_dir: &Path, host: &str, org: &str) -> OrgCache {
        OrgCache {
            dir: cache_dir
                .join("github")
                .join(safe_segment(host))
                .join(safe_segment(org)),
        }
    }

    fn state_file(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    /// The saved state; an unreadable or older one counts as empty (everything is refetched).
    pub(super) fn load(&self, settings: &str) -> State {
        let state: State = std::fs::read(self.state_file())
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        if state.version != VERSION || state.settings != settings {
            return State {
                version: VERSION,
                settings: settings.to_string(),
                ..State::default()
            };
        }
        state
    }

    /// Writes the state through a temporary file, so an interrupted run never leaves half of it.
    pub(super) fn save(&self, state: &State) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let tmp = self.dir.join("state.json.tmp");
        std::fs::write(
            &tmp,
            serde_json::to_vec(state).map_err(std::io::Error::other)?,
        )?;
        std::fs::rename(tmp, self.state_file())
    }

    /// Where a repository's files at `commit` are materialised.
    pub(super) fn repo_dir(&self, repo: &str, commit: &str) -> PathBuf {
        self.dir
            .join("repos")
            .join(safe_segment(repo))
            .join(safe_segment(commit))
    }

    /// Where generated files (org data) live.
    pub(super) fn generated_dir(&self) -> PathBuf {
        self.dir.join("generated")
    }

    /// Writes `files` as the repository's tree at `commit`: into a temporary directory first,
    /// then renamed into place, and older commits of the repository are removed.
    pub(super) fn materialise(
        &self,
        repo: &str,
        commit: &str,
        files: &[(RepoPath, Vec<u8>)],
    ) -> std::io::Result<PathBuf> {
        let target = self.repo_dir(repo, commit);
        let tmp = target.with_extension("partial");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp)?;
        for (path, bytes) in files {
            let full = tmp.join(path.as_str());
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(full, bytes)?;
        }
        let _ = std::fs::remove_dir_all(&target);
        std::fs::rename(&tmp, &target)?;
        remove_siblings(&target);
        Ok(target)
    }

    /// Adds `files` to the repository's copy at `commit` (created when missing), each through a
    /// temporary file; copies of older commits are removed.
    pub(super) fn add_files(
        &self,
        repo: &str,
        commit: &str,
        files: &[(RepoPath, Vec<u8>)],
    ) -> std::io::Result<()> {
        let target = self.repo_dir(repo, commit);
        std::fs::create_dir_all(&target)?;
        for (path, bytes) in files {
            let full = target.join(path.as_str());
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let tmp = full.with_extension("partial-file");
            std::fs::write(&tmp, bytes)?;
            std::fs::rename(tmp, full)?;
        }
        remove_siblings(&target);
        Ok(())
    }
}

/// Removes every other commit's copy beside `target`.
fn remove_siblings(target: &Path) {
    if let Some(Ok(entries)) = target.parent().map(std::fs::read_dir) {
        for entry in entries.flatten() {
            if entry.path() != target {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

impl OrgCache {
    /// Removes the copies of repositories that are no longer listed (deleted, renamed, filtered).
    pub(super) fn prune<'a>(&self, keep: impl Iterator<Item = &'a str>) {
        let keep: std::collections::BTreeSet<String> = keep.map(safe_segment).collect();
        if let Ok(entries) = std::fs::read_dir(self.dir.join("repos")) {
            for entry in entries.flatten() {
                if !keep.contains(entry.file_name().to_string_lossy().as_ref()) {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
    }
}

/// A path segment from a name GitHub gave us: nothing that could climb out of the cache.
fn safe_segment(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        format!("_{cleaned}")
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_climb_out() {
        assert_eq!(safe_segment(".."), "_..");
        assert_eq!(safe_segment("a/b"), "a_b");
        assert_eq!(safe_segment("ledger-api"), "ledger-api");
    }

    #[test]
    fn materialising_replaces_older_commits() {
        let dir = tempfile::tempdir().unwrap();
        let cache = OrgCache::new(dir.path(), "github.com", "kloudvin");
        let file = |p: &str| (RepoPath::from_walked(p), b"x".to_vec());
        let one = cache
            .materialise("ledger", "c1", &[file("catalog-info.yaml")])
            .unwrap();
        assert!(one.join("catalog-info.yaml").is_file());
        let two = cache
            .materialise("ledger", "c2", &[file("docs/index.md")])
            .unwrap();
        assert!(two.join("docs/index.md").is_file());
        assert!(!one.exists());
        cache
            .add_files("ledger", "c2", &[file("org/groups.yaml")])
            .unwrap();
        assert!(two.join("org/groups.yaml").is_file() && two.join("docs/index.md").is_file());
        cache.prune(["other"].into_iter());
        assert!(!two.exists());
        let mut state = cache.load("s");
        state.repos.insert("ledger".into(), RepoState::default());
        cache.save(&state).unwrap();
        assert_eq!(cache.load("s").repos.len(), 1);
        assert!(cache.load("other settings").repos.is_empty());
    }
}
