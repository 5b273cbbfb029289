//! The local source: a directory that is one repository, or a directory of repositories
//! (each sub-directory one). Walks are sorted, skip `.git`, `node_modules` and `target`, and
//! never follow symlinks.

use super::{compile_patterns, dir_name, git, is_literal_pattern, Repo};
use crate::config::Layout;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::paths::RepoPath;
use std::path::{Path, PathBuf};

/// Directories no walk enters: version control, vendored packages, build output.
pub(crate) const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", "target"];

/// Reads one `type = "local"` source.
pub fn gather_local(
    source: usize,
    path: &Path,
    layout: Layout,
    patterns: &[String],
    exclude: &Path,
) -> (Vec<Repo>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let root = match std::fs::canonicalize(path) {
        Ok(p) if p.is_dir() => p,
        _ => {
            diagnostics.push(Diagnostic::error(
                "gather/source-missing",
                format!(
                    "source path {} does not exist or is not a directory",
                    path.display()
                ),
            ));
            return (Vec::new(), diagnostics);
        }
    };
    let single = match layout {
        Layout::Repo => true,
        Layout::Repos => false,
        Layout::Auto => looks_like_repo(&root, patterns),
    };
    let roots = if single {
        vec![root]
    } else {
        match sub_directories(&root) {
            // The site's own output directory may sit among the repositories; it is not one.
            Ok(dirs) => {
                let exclude =
                    std::fs::canonicalize(exclude).unwrap_or_else(|_| exclude.to_path_buf());
                dirs.into_iter().filter(|d| *d != exclude).collect()
            }
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    "gather/unreadable",
                    format!("cannot list {}: {e}", root.display()),
                ));
                Vec::new()
            }
        }
    };
    let repos = roots
        .into_iter()
        .map(|dir| open_repo(source, dir_name(&dir), dir, patterns))
        .collect();
    (repos, diagnostics)
}

/// The repository `check PATH` reads: the enclosing git work tree, or the current directory.
pub(super) fn repo_for_check(start: &Path, patterns: &[String]) -> Repo {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let start = std::fs::canonicalize(start).unwrap_or_else(|_| cwd.clone());
    let root = start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| std::fs::canonicalize(&cwd).unwrap_or(cwd));
    let mut repo = open_repo(0, dir_name(&root), root, patterns);
    repo.catalog_files.clear();
    repo
}

fn open_repo(source: usize, name: String, root: PathBuf, patterns: &[String]) -> Repo {
    let mut repo = Repo::new(name, source, root);
    repo.catalog_files = find_catalog_files(&repo, patterns);
    let (commit, origin) = git::head_and_origin(&repo.root);
    repo.commit_time = commit
        .as_deref()
        .and_then(|c| git::commit_time(&repo.root, c));
    repo.commit = commit;
    repo.origin = origin;
    repo
}

fn looks_like_repo(root: &Path, patterns: &[String]) -> bool {
    root.join(".git").exists()
        || patterns
            .iter()
            .filter(|p| is_literal_pattern(p))
            .any(|p| root.join(p).is_file())
}

fn sub_directories(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // A symlinked repository directory is fine; hidden directories are not repositories.
        if !name.starts_with('.') && entry.path().is_dir() {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// Catalog files in a repository. Literal patterns (the common case) are checked directly, so
/// large repositories are only walked when a pattern really has wildcards (and then the walk
/// is the repository's file list).
fn find_catalog_files(repo: &Repo, patterns: &[String]) -> Vec<RepoPath> {
    let mut found: Vec<RepoPath> = patterns
        .iter()
        .filter(|p| is_literal_pattern(p))
        .map(|p| RepoPath::from_walked(p))
        .filter(|p| repo.root.join(p.as_str()).symlink_metadata().is_ok())
        .collect();
    let globs: Vec<String> = patterns
        .iter()
        .filter(|p| !is_literal_pattern(p))
        .cloned()
        .collect();
    if !globs.is_empty() {
        found.extend(repo.files_matching_set(&compile_patterns(&globs)));
    }
    found.sort();
    found.dedup();
    found
}

/// Every file (and symlink) below `root`, as sorted repository paths.
pub(crate) fn walk_files(root: &Path) -> Vec<RepoPath> {
    walk(root).into_iter().map(|(path, _)| path).collect()
}

/// [`walk_files`], each file with whether it is a symlink.
pub(crate) fn walk(root: &Path) -> Vec<(RepoPath, bool)> {
    walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !(e.file_type().is_dir()
                    && SKIPPED_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
        })
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(root).ok()?;
            let rel = rel.to_str()?.replace('\\', "/");
            Some((RepoPath::from_walked(&rel), e.path_is_symlink()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_directory_of_repositories() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("b/catalog-info.yaml"), "x");
        write(&dir.path().join("a/catalog-info.yaml"), "x");
        write(&dir.path().join("a/node_modules/catalog-info.yaml"), "x");
        std::fs::create_dir_all(dir.path().join(".hidden")).unwrap();
        let patterns = vec!["catalog-info.yaml".to_string()];
        let (repos, diags) =
            gather_local(0, dir.path(), Layout::Auto, &patterns, Path::new("/none"));
        assert!(diags.is_empty());
        let names: Vec<_> = repos.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, vec!["a", "b"]);
        assert_eq!(
            repos[0].catalog_files,
            vec![RepoPath::from_walked("catalog-info.yaml")]
        );
    }

    #[test]
    fn glob_patterns_walk_but_skip_vendored_directories() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("catalog-info.yaml"), "x");
        write(&dir.path().join("svc/x/catalog-info.yaml"), "x");
        write(&dir.path().join("node_modules/y/catalog-info.yaml"), "x");
        write(&dir.path().join("target/catalog-info.yaml"), "x");
        let patterns = vec!["**/catalog-info.yaml".to_string()];
        let (repos, _) = gather_local(0, dir.path(), Layout::Repo, &patterns, Path::new("/none"));
        let files: Vec<_> = repos[0]
            .catalog_files
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(files, vec!["catalog-info.yaml", "svc/x/catalog-info.yaml"]);
    }

    #[test]
    fn a_missing_source_is_a_diagnostic() {
        let (repos, diags) = gather_local(
            0,
            Path::new("/nonexistent/playbill"),
            Layout::Auto,
            &["catalog-info.yaml".to_string()],
            Path::new("/none"),
        );
        assert!(repos.is_empty());
        assert_eq!(diags.iter().next().unwrap().code, "gather/source-missing");
    }

    /// A repository in a temporary directory, and a directory outside it holding
    /// `secret.yaml`; `setup` adds to the repository before it is gathered.
    fn repo_beside_a_secret(setup: impl Fn(&Path, &Path)) -> (Vec<Repo>, [tempfile::TempDir; 2]) {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        write(&outside.path().join("secret.yaml"), "secret");
        write(&dir.path().join("catalog-info.yaml"), "x");
        setup(dir.path(), outside.path());
        let (repos, _) = gather_local(
            0,
            dir.path(),
            Layout::Repo,
            &["catalog-info.yaml".into()],
            Path::new("/none"),
        );
        (repos, [dir, outside])
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_repository_are_not_read() {
        let (repos, _dirs) = repo_beside_a_secret(|dir, outside| {
            std::os::unix::fs::symlink(outside.join("secret.yaml"), dir.join("link.yaml")).unwrap();
        });
        let err = repos[0]
            .read(&RepoPath::from_walked("link.yaml"), 1 << 20)
            .unwrap_err();
        assert_eq!(err, crate::gather::ReadError::OutsideRepo);
        assert!(repos[0]
            .read(&RepoPath::from_walked("catalog-info.yaml"), 1 << 20)
            .is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_directory_out_of_the_repository_is_not_read_through() {
        let (repos, _dirs) = repo_beside_a_secret(|dir, outside| {
            write(&dir.join("real/inside.yaml"), "inside");
            std::os::unix::fs::symlink(outside, dir.join("docs")).unwrap();
            std::os::unix::fs::symlink(dir.join("real"), dir.join("alias")).unwrap();
        });
        let repo = &repos[0];
        // Walked first, as a build does: files the walk found are read without resolving.
        assert!(repo
            .files()
            .iter()
            .any(|p| p.as_str() == "real/inside.yaml"));
        let read = |path: &str| repo.read(&RepoPath::from_walked(path), 1 << 20);
        assert_eq!(
            read("docs/secret.yaml").unwrap_err(),
            crate::gather::ReadError::OutsideRepo
        );
        assert_eq!(read("alias/inside.yaml").unwrap(), b"inside");
        assert_eq!(read("real/inside.yaml").unwrap(), b"inside");
    }
}
