//! Writes a rendered `Site` to the output directory. Unchanged files are left untouched (so
//! their timestamps survive), and files an earlier build wrote but this one did not are
//! removed — only those: the directory's list of written files (`.playbill-files`) is what
//! may be deleted, never anything else that happens to be there.

use crate::site::Site;
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The list of files the last build wrote, one relative path a line.
pub const MANIFEST: &str = ".playbill-files";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub bytes: u64,
}

/// Refuses output directories that would hold the inputs (`--out .` must not wipe a repo).
pub fn check_out_dir(out_dir: &Path, protected: &[PathBuf]) -> Result<(), String> {
    for p in protected {
        if p.starts_with(out_dir) {
            return Err(format!(
                "refusing to write the site to {}: it contains {}, an input of the build; choose another output directory",
                out_dir.display(),
                p.display()
            ));
        }
    }
    Ok(())
}

pub fn write_site(site: &Site, out_dir: &Path) -> Result<WriteStats, String> {
    let fail = |what: &str, path: &Path, e: std::io::Error| {
        format!("cannot {what} {}: {e}", path.display())
    };
    std::fs::create_dir_all(out_dir).map_err(|e| fail("create", out_dir, e))?;
    let previous: BTreeSet<String> = read_manifest(out_dir).unwrap_or_default();
    let mut stats = WriteStats {
        bytes: site.files.values().map(|b| b.len() as u64).sum(),
        ..WriteStats::default()
    };
    // File system calls dominate a fresh build; they overlap well across threads.
    let outcomes: Vec<Result<bool, String>> = site
        .files
        .par_iter()
        .map(|(rel, bytes)| {
            let path = out_dir.join(rel);
            if std::fs::read(&path).is_ok_and(|old| old == *bytes) {
                return Ok(false);
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| fail("create", parent, e))?;
            }
            std::fs::write(&path, bytes).map_err(|e| fail("write", &path, e))?;
            Ok(true)
        })
        .collect();
    for outcome in outcomes {
        if outcome? {
            stats.written += 1;
        } else {
            stats.unchanged += 1;
        }
    }
    for stale in previous.iter().filter(|p| !site.files.contains_key(*p)) {
        // The manifest is ours, but check anyway that it names a plain relative path.
        if !is_plain_relative(stale) {
            continue;
        }
        let path = out_dir.join(stale);
        if std::fs::remove_file(&path).is_ok() {
            stats.removed += 1;
            let mut dir = path.parent();
            while let Some(d) = dir {
                if d == out_dir || std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
    }
    let manifest: String = site.files.keys().map(|k| format!("{k}\n")).collect();
    std::fs::write(out_dir.join(MANIFEST), manifest)
        .map_err(|e| fail("write", &out_dir.join(MANIFEST), e))?;
    Ok(stats)
}

/// The files the last build wrote into `out_dir` (None when no build wrote there).
pub fn read_manifest(out_dir: &Path) -> Option<BTreeSet<String>> {
    std::fs::read_to_string(out_dir.join(MANIFEST))
        .ok()
        .map(|t| t.lines().map(str::to_string).collect())
}

/// A `/`-separated relative path that cannot leave its directory.
pub fn is_plain_relative(path: &str) -> bool {
    !path
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> Site {
        Site {
            files: files
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect(),
            pages: 0,
        }
    }

    #[test]
    fn removes_only_files_an_earlier_build_wrote() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        let first = write_site(
            &site(&[("a/index.html", "1"), ("b/index.html", "2")]),
            dir.path(),
        )
        .unwrap();
        assert_eq!(first.written, 2);
        let second = write_site(&site(&[("a/index.html", "1")]), dir.path()).unwrap();
        assert_eq!(
            (second.written, second.unchanged, second.removed),
            (0, 1, 1)
        );
        assert!(!dir.path().join("b").exists());
        assert!(dir.path().join("keep.txt").exists());
    }

    #[test]
    fn refuses_an_output_directory_that_holds_inputs() {
        let err =
            check_out_dir(Path::new("/srv/site"), &[PathBuf::from("/srv/site/repos")]).unwrap_err();
        assert!(err.contains("refusing"));
        assert!(check_out_dir(
            Path::new("/srv/site/public"),
            &[PathBuf::from("/srv/site/repos")]
        )
        .is_ok());
    }
}
