//! Repository-relative paths taken from untrusted input (Location targets, placeholders,
//! techdocs refs). A `RepoPath` is always `/`-separated, relative, normalised and inside its
//! repository; building one is the only way input reaches the file system. Local paths from
//! site.toml and the command line are made absolute and normalised here too.

use std::fmt;
use std::path::{Path, PathBuf};

/// A normalised path inside a repository, `/`-separated, without leading `/` (empty: the root).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RepoPath(String);

/// Why a path from input was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathError {
    Absolute,
    WindowsStyle,
    EscapesRepo,
    Empty,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathError::Absolute => {
                "absolute paths are not allowed; use a path relative to the file"
            }
            PathError::WindowsStyle => {
                "Windows-style paths (backslashes, drive letters) are not allowed; use `/`"
            }
            PathError::EscapesRepo => "the path leaves the repository",
            PathError::Empty => "the path is empty",
        })
    }
}

impl RepoPath {
    pub fn root() -> Self {
        RepoPath(String::new())
    }

    /// A path already known to be clean, such as one found by walking the repository.
    pub fn from_walked(path: &str) -> Self {
        RepoPath(path.trim_start_matches('/').to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The directory that holds this path (the root for a top-level file).
    pub fn parent(&self) -> RepoPath {
        match self.0.rfind('/') {
            Some(i) => RepoPath(self.0[..i].to_string()),
            None => RepoPath::root(),
        }
    }

    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or("")
    }

    /// Resolves `target` (relative, from input) against this directory. Refuses absolute and
    /// Windows-style paths and any `..` that would climb above the repository root.
    pub fn join(&self, target: &str) -> Result<RepoPath, PathError> {
        if target.is_empty() {
            return Err(PathError::Empty);
        }
        if target.contains('\\') || has_drive_letter(target) {
            return Err(PathError::WindowsStyle);
        }
        if target.starts_with('/') {
            return Err(PathError::Absolute);
        }
        let mut parts: Vec<&str> = self.0.split('/').filter(|p| !p.is_empty()).collect();
        for part in target.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(PathError::EscapesRepo);
                    }
                }
                other => parts.push(other),
            }
        }
        Ok(RepoPath(parts.join("/")))
    }
}

impl fmt::Display for RepoPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Decodes `%XX` escapes of a URL path; None when they do not decode to UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn has_drive_letter(target: &str) -> bool {
    let b = target.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// The extension of a `/`-separated path's file name, as written (`a/b.tar.gz` -> `gz`); empty
/// for none and for a dot-file's name (`.hidden`).
pub fn extension(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext,
        _ => "",
    }
}

// Local paths: site.toml's settings and output directories, resolved without touching the disk.

/// An absolute path without touching the file system (the path may not exist yet).
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        normalize(path)
    } else {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        normalize(&cwd.join(path))
    }
}

/// Removes `.` and resolves `..` lexically.
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_targets() {
        let dir = RepoPath::from_walked("services/api");
        assert_eq!(
            dir.join("./x.yaml").unwrap().as_str(),
            "services/api/x.yaml"
        );
        assert_eq!(
            dir.join("../db/x.yaml").unwrap().as_str(),
            "services/db/x.yaml"
        );
        assert_eq!(dir.join("../../x.yaml").unwrap().as_str(), "x.yaml");
        assert_eq!(RepoPath::root().join("a//b/./c").unwrap().as_str(), "a/b/c");
    }

    #[test]
    fn refuses_paths_that_leave_the_repository() {
        let dir = RepoPath::from_walked("services");
        assert_eq!(dir.join("../../x"), Err(PathError::EscapesRepo));
        assert_eq!(RepoPath::root().join(".."), Err(PathError::EscapesRepo));
        assert_eq!(dir.join("/etc/passwd"), Err(PathError::Absolute));
        assert_eq!(dir.join("..\\..\\x"), Err(PathError::WindowsStyle));
        assert_eq!(dir.join("C:/x"), Err(PathError::WindowsStyle));
        assert_eq!(dir.join(""), Err(PathError::Empty));
    }

    #[test]
    fn parent_and_file_name() {
        let p = RepoPath::from_walked("a/b/c.yaml");
        assert_eq!(p.parent().as_str(), "a/b");
        assert_eq!(p.file_name(), "c.yaml");
        assert_eq!(RepoPath::from_walked("c.yaml").parent(), RepoPath::root());
    }
}
