//! Gather: turns the configured sources into a `Workspace` — the list of repositories, each
//! with its name, origin, commit and the catalog files found in it. Reading a file afterwards
//! goes through `Repo::read`, which never leaves the repository; listing files goes through
//! the repository's file list, walked once (when first asked for) and kept.

mod cache;
mod git;
pub mod git_tree;
mod github;
pub mod health;
mod local;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::paths::RepoPath;
use local::repo_for_check;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The name a generated catalog file (`Config::generated_catalog`) is read under.
pub const GENERATED_CATALOG: &str = "catalog-info.yaml";

pub use github::GithubSummary;
pub use local::gather_local;
pub(crate) use local::SKIPPED_DIRS;

/// Every repository the build reads, in source order, then by name.
#[derive(Clone, Debug, Default)]
pub struct Workspace {
    pub repos: Vec<Repo>,
    /// One line of figures per github source, for the build summary.
    pub github: Vec<GithubSummary>,
}

#[derive(Clone, Debug)]
pub struct Repo {
    pub name: String,
    /// Index of the `[[sources]]` entry it came from; the first source wins conflicts.
    pub source: usize,
    /// Canonical root directory; every read stays below it.
    pub root: PathBuf,
    /// HEAD commit when the repository is a git checkout.
    pub commit: Option<String>,
    /// Committer time of HEAD (seconds since the epoch), when it can be read.
    pub commit_time: Option<i64>,
    /// Web address of the repository (from the git remote), without credentials.
    pub origin: Option<String>,
    /// The branch read, where known (GitHub sources), for edit links.
    pub branch: Option<String>,
    /// Catalog files matched by `catalog.files`, sorted.
    pub catalog_files: Vec<RepoPath>,
    /// CI runs, pull requests and alerts, for repositories gathered from GitHub.
    pub health: Option<health::RepoHealth>,
    /// Every file of the repository, sorted: walked once, when first asked for.
    files: OnceLock<Walked>,
    /// A catalog file that exists in memory only (`Config::generated_catalog`).
    generated: Option<(RepoPath, Vec<u8>)>,
}

/// A repository's files as the walk found them.
#[derive(Clone, Debug)]
struct Walked {
    files: Vec<RepoPath>,
    /// The files that are not symlinks. The walk follows none, so every directory above them
    /// is a real one: they are inside the repository without resolving their path.
    plain: HashSet<RepoPath>,
}

/// Why a file in a repository could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    NotFound,
    OutsideRepo,
    TooLarge { size: u64 },
    Io(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound => f.write_str("file not found"),
            ReadError::OutsideRepo => f.write_str("a symlink leads outside the repository"),
            ReadError::TooLarge { size } => write!(f, "file is too large ({size} bytes)"),
            ReadError::Io(e) => f.write_str(e),
        }
    }
}

impl Repo {
    /// Reads a file, refusing symlinks that lead out of the repository and files over `max_bytes`.
    pub fn read(&self, path: &RepoPath, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
        if let Some((generated, bytes)) = &self.generated {
            if generated == path {
                return Ok(bytes.clone());
            }
        }
        let full = self.contained(path)?;
        let meta = std::fs::metadata(&full).map_err(|e| io_error(&e))?;
        if !meta.is_file() {
            return Err(ReadError::NotFound);
        }
        if meta.len() > max_bytes {
            return Err(ReadError::TooLarge { size: meta.len() });
        }
        std::fs::read(&full).map_err(|e| io_error(&e))
    }

    /// Ok when `path` is a regular file inside the repository.
    pub fn check_file(&self, path: &RepoPath) -> Result<(), ReadError> {
        if self.generated.as_ref().is_some_and(|(g, _)| g == path) {
            return Ok(());
        }
        let real = self.contained(path)?;
        if real.is_file() {
            Ok(())
        } else {
            Err(ReadError::NotFound)
        }
    }

    /// The real path of `path`, after checking that symlinks keep it inside the repository.
    fn contained(&self, path: &RepoPath) -> Result<PathBuf, ReadError> {
        let full = self.root.join(path.as_str());
        // Resolving costs a readlink per directory of the path, for every file read.
        if self.walked().plain.contains(path) {
            return Ok(full);
        }
        let real = std::fs::canonicalize(&full).map_err(|e| io_error(&e))?;
        if real.starts_with(&self.root) {
            Ok(real)
        } else {
            Err(ReadError::OutsideRepo)
        }
    }

    /// A repository with no HEAD, origin, branch, catalog files or health known yet.
    fn new(name: String, source: usize, root: PathBuf) -> Repo {
        Repo {
            name,
            source,
            root,
            commit: None,
            commit_time: None,
            origin: None,
            branch: None,
            catalog_files: Vec::new(),
            health: None,
            files: OnceLock::new(),
            generated: None,
        }
    }

    /// Every file of the repository (`.git`, `node_modules` and `target` skipped, symlinks
    /// listed but never followed), sorted. The repository is walked the first time only.
    pub fn files(&self) -> &[RepoPath] {
        &self.walked().files
    }

    fn walked(&self) -> &Walked {
        self.files.get_or_init(|| {
            let walked = local::walk(&self.root);
            let plain = walked
                .iter()
                .filter(|(_, symlink)| !symlink)
                .map(|(path, _)| path.clone())
                .collect();
            let files = walked.into_iter().map(|(path, _)| path).collect();
            Walked { files, plain }
        })
    }

    /// Every file in the repository whose path matches `pattern`, sorted.
    pub fn files_matching(&self, pattern: &globset::GlobMatcher) -> Vec<RepoPath> {
        self.files()
            .iter()
            .filter(|p| pattern.is_match(p.as_str()))
            .cloned()
            .collect()
    }

    /// Every file below the directory `dir` of the repository, sorted (`.git`, `node_modules`
    /// and `target` skipped below `dir`, symlinks listed but never followed).
    pub fn files_under(&self, dir: &RepoPath) -> Vec<RepoPath> {
        let full = self.root.join(dir.as_str());
        let Ok(real) = std::fs::canonicalize(&full) else {
            return Vec::new();
        };
        if !(real.starts_with(&self.root) && real.is_dir()) {
            return Vec::new();
        }
        // The file list holds the directory when no part of its path is a symlink or a
        // skipped directory; otherwise (a `docs` symlink, a site under `target/`) it is walked.
        let listed = real == full
            && !dir
                .as_str()
                .split('/')
                .any(|segment| local::SKIPPED_DIRS.contains(&segment));
        if !listed {
            return local::walk_files(&full)
                .into_iter()
                .map(|p| dir.join(p.as_str()).unwrap_or(p))
                .collect();
        }
        if dir.as_str().is_empty() {
            return self.files().to_vec();
        }
        let prefix = format!("{dir}/");
        self.files()
            .iter()
            .filter(|p| p.as_str().starts_with(&prefix))
            .cloned()
            .collect()
    }

    /// Every file in the repository whose path matches one of `patterns`, sorted.
    pub fn files_matching_set(&self, patterns: &globset::GlobSet) -> Vec<RepoPath> {
        self.files()
            .iter()
            .filter(|p| patterns.is_match(p.as_str()))
            .cloned()
            .collect()
    }

    /// Replaces the repository's catalog files with one held in memory, named `path`.
    pub fn use_generated_catalog(&mut self, path: RepoPath, text: &str) {
        self.catalog_files = vec![path.clone()];
        self.generated = Some((path, text.as_bytes().to_vec()));
    }

    /// `repo/path`, the way diagnostics and rules name a file.
    pub fn display_path(&self, path: &RepoPath) -> String {
        format!("{}/{}", self.name, path)
    }
}

fn io_error(e: &std::io::Error) -> ReadError {
    if e.kind() == std::io::ErrorKind::NotFound {
        ReadError::NotFound
    } else {
        ReadError::Io(e.to_string())
    }
}

/// Gathers every configured source.
pub fn gather(config: &Config) -> (Workspace, Diagnostics) {
    gather_with_progress(config, &|_| {})
}

/// Gathers every configured source, telling `progress` what it is doing (per repository for
/// remote sources).
pub fn gather_with_progress(config: &Config, progress: &dyn Fn(&str)) -> (Workspace, Diagnostics) {
    let mut workspace = Workspace::default();
    let mut diagnostics = Diagnostics::new();
    for (index, source) in config.sources.iter().enumerate() {
        match source {
            crate::config::Source::Local {
                path,
                layout,
                health_file,
            } => {
                let (mut repos, diags) =
                    gather_local(index, path, *layout, &config.catalog.files, &config.out_dir);
                if let Some(text) = &config.generated_catalog {
                    for repo in &mut repos {
                        repo.use_generated_catalog(RepoPath::from_walked(GENERATED_CATALOG), text);
                    }
                }
                if let Some(file) = health_file {
                    if let Some(problem) = health::attach_from_file(&mut repos, file) {
                        diagnostics.push(problem);
                    }
                }
                workspace.repos.extend(repos);
                diagnostics.extend(diags);
            }
            crate::config::Source::Github(github) => {
                let (repos, diags, summary) =
                    github::gather_github(index, github, &config.cache_dir, progress);
                workspace.repos.extend(repos);
                diagnostics.extend(diags);
                workspace.github.push(summary);
            }
        }
    }
    (workspace, diagnostics)
}

/// Compiles `catalog.files` patterns; they were validated when the config was loaded.
pub(crate) fn compile_patterns(patterns: &[String]) -> globset::GlobSet {
    let mut builder = globset::GlobSetBuilder::new();
    for p in patterns {
        if let Ok(glob) = globset::GlobBuilder::new(p).literal_separator(true).build() {
            builder.add(glob);
        }
    }
    builder
        .build()
        .unwrap_or_else(|_| globset::GlobSet::empty())
}

pub(crate) fn is_literal_pattern(pattern: &str) -> bool {
    !pattern.contains(['*', '?', '[', '{'])
}

pub(crate) fn dir_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "repo".to_string())
}

/// Catalog files below `dir` of a repository, by the configured patterns (for `check DIR`).
fn catalog_files_under(repo: &Repo, dir: &RepoPath, patterns: &[String]) -> Vec<RepoPath> {
    let prefixed: Vec<String> = patterns
        .iter()
        .map(|p| {
            if dir.as_str().is_empty() {
                p.clone()
            } else {
                format!("{dir}/{p}")
            }
        })
        .collect();
    let set = compile_patterns(&prefixed);
    let mut found: Vec<RepoPath> = prefixed
        .iter()
        .filter(|p| is_literal_pattern(p))
        .map(|p| RepoPath::from_walked(p))
        .filter(|p| repo.check_file(p).is_ok())
        .collect();
    if prefixed.iter().any(|p| !is_literal_pattern(p)) {
        found.extend(repo.files_matching_set(&set));
    }
    found.sort();
    found.dedup();
    found
}

/// The repositories (git work trees, or the current directory) holding the given paths, each
/// with just those catalog files.
pub fn gather_paths(paths: &[PathBuf], patterns: &[String]) -> (Workspace, Diagnostics) {
    let mut workspace = Workspace::default();
    let mut diagnostics = Diagnostics::new();
    for path in paths {
        let Ok(real) = std::fs::canonicalize(path) else {
            diagnostics.push(Diagnostic::error(
                "gather/source-missing",
                format!("{} does not exist", path.display()),
            ));
            continue;
        };
        let start = if real.is_dir() {
            real.clone()
        } else {
            real.parent().map(Path::to_path_buf).unwrap_or(real.clone())
        };
        let repo = repo_for_check(&start, patterns);
        let Ok(rel) = real.strip_prefix(&repo.root) else {
            diagnostics.push(Diagnostic::error(
                "catalog/location-outside-repo",
                format!(
                    "{} is outside {}, the repository being checked",
                    path.display(),
                    repo.root.display()
                ),
            ));
            continue;
        };
        let rel = RepoPath::from_walked(&rel.to_string_lossy().replace('\\', "/"));
        let files: Vec<RepoPath> = if real.is_dir() {
            catalog_files_under(&repo, &rel, patterns)
        } else {
            vec![rel]
        };
        if files.is_empty() {
            diagnostics.push(Diagnostic::warning(
                "gather/source-missing",
                format!(
                    "no catalog file ({}) under {}",
                    patterns.join(", "),
                    path.display()
                ),
            ));
        }
        match workspace.repos.iter_mut().find(|r| r.root == repo.root) {
            Some(existing) => existing.catalog_files.extend(files),
            None => {
                let mut repo = repo;
                repo.catalog_files = files;
                workspace.repos.push(repo);
            }
        }
    }
    for repo in &mut workspace.repos {
        repo.catalog_files.sort();
        repo.catalog_files.dedup();
    }
    (workspace, diagnostics)
}
