//! Writes a rendered `Site` to the output directory. Unchanged files are left untouched (so
//! their timestamps survive), and files an earlier build wrote but this one did not are
//! removed — only those: the directory's list of written files (`.playbill-files`) is what
//! may be deleted, never anything else that happens to be there.

use crate::output::{is_plain_relative, read_manifest, Key, PageSink, MANIFEST};
use crate::site::Site;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

/// The files the last build put into the output, one a line: `<key> <length> <modified ns>
/// <path>`, where the key is a page's render-cache key or, for any other file, a hash of its
/// bytes. A file whose key is unchanged and that still has that length and time is known by
/// one `stat`, without being read or written.
pub const LEDGER: &str = ".playbill-pages";

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

/// Writes `site`, and copies in `copies` (path in the site, file to copy: a shard's output).
pub fn write_site(
    site: &Site,
    copies: &[(String, PathBuf)],
    out_dir: &Path,
) -> Result<WriteStats, String> {
    std::fs::create_dir_all(out_dir).map_err(|e| fail("create", out_dir, e))?;
    let previous: BTreeSet<String> = read_manifest(out_dir).unwrap_or_default();
    let mut stats = WriteStats::default();
    // File system calls dominate a fresh build; they overlap well across threads.
    let written: Vec<Result<(bool, u64), String>> = site
        .files
        .par_iter()
        .map(|(rel, bytes)| {
            let (wrote, _) = write_if_changed(&out_dir.join(rel), bytes)?;
            Ok((wrote, bytes.len() as u64))
        })
        .collect();
    let copied: Vec<Result<(bool, u64), String>> = copies
        .par_iter()
        .map(|(rel, from)| {
            let bytes = std::fs::read(from).map_err(|e| fail("read", from, e))?;
            let (wrote, _) = write_if_changed(&out_dir.join(rel), &bytes)?;
            Ok((wrote, bytes.len() as u64))
        })
        .collect();
    for outcome in written.into_iter().chain(copied) {
        let (wrote, bytes) = outcome?;
        stats.bytes += bytes;
        if wrote {
            stats.written += 1;
        } else {
            stats.unchanged += 1;
        }
    }
    let mut current: BTreeSet<&str> = site.files.keys().map(String::as_str).collect();
    current.extend(site.streamed.iter().map(String::as_str));
    current.extend(copies.iter().map(|(rel, _)| rel.as_str()));
    for stale in previous.iter().filter(|p| !current.contains(p.as_str())) {
        // The manifest is ours, but check anyway that it names a plain relative path.
        if is_plain_relative(stale) && remove_with_empty_parents(out_dir, stale) {
            stats.removed += 1;
        }
    }
    let manifest: String = current.iter().map(|k| format!("{k}\n")).collect();
    std::fs::write(out_dir.join(MANIFEST), manifest)
        .map_err(|e| fail("write", &out_dir.join(MANIFEST), e))?;
    Ok(stats)
}

/// Writes each file into the output directory as soon as the site stage renders it; what
/// [`write_site`] then writes is the rest.
pub struct Streamed {
    out_dir: PathBuf,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    bytes: AtomicU64,
    /// The last build's ledger, by path, each stamp marked once this build finds its file
    /// unchanged: an unchanged build keeps its ledger once, not a second time as the next.
    previous: HashMap<String, Previous>,
    /// The stamps of the files this build wrote; with the marked ones, the next ledger.
    next: Mutex<Vec<(String, Stamp)>>,
}

struct Previous {
    stamp: Stamp,
    unchanged: AtomicBool,
}

/// What the ledger knows of one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    key: Key,
    len: u64,
    modified: u128,
}

impl Streamed {
    pub fn new(out_dir: &Path) -> Result<Streamed, String> {
        std::fs::create_dir_all(out_dir).map_err(|e| fail("create", out_dir, e))?;
        let ledger = std::fs::read_to_string(out_dir.join(LEDGER)).unwrap_or_default();
        Ok(Streamed {
            out_dir: out_dir.to_path_buf(),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            previous: ledger
                .lines()
                .filter_map(parse_stamp)
                .map(|(path, stamp)| {
                    let unchanged = AtomicBool::new(false);
                    (path, Previous { stamp, unchanged })
                })
                .collect(),
            next: Mutex::new(Vec::new()),
        })
    }

    /// What it wrote and left unchanged so far.
    pub fn stats(&self) -> WriteStats {
        WriteStats {
            written: self.written.load(Ordering::Relaxed),
            unchanged: self.unchanged.load(Ordering::Relaxed),
            removed: 0,
            bytes: self.bytes.load(Ordering::Relaxed),
        }
    }

    /// Writes the ledger of the files put so far, for the next build. A ledger that cannot be
    /// written costs the next build time, never this one.
    pub fn save_ledger(&self) {
        let written = std::mem::take(&mut *self.next.lock().unwrap_or_else(|e| e.into_inner()));
        let mut next: Vec<(&str, &Stamp)> = written.iter().map(|(p, s)| (p.as_str(), s)).collect();
        let unchanged = self
            .previous
            .iter()
            .filter(|(_, p)| p.unchanged.load(Ordering::Relaxed));
        next.extend(unchanged.map(|(path, p)| (path.as_str(), &p.stamp)));
        // A stable sort keeps a written file's stamp ahead of an older one of the same path.
        next.sort_by(|a, b| a.0.cmp(b.0));
        next.dedup_by(|later, first| later.0 == first.0);
        let mut text = String::with_capacity(next.len() * 120);
        for (path, stamp) in next {
            let key = crate::output::hex(&stamp.key.0);
            text.push_str(&format!("{key} {} {} {path}\n", stamp.len, stamp.modified));
        }
        let _ = std::fs::write(self.out_dir.join(LEDGER), text);
    }

    fn count(&self, wrote: bool, len: u64) {
        let counter = if wrote {
            &self.written
        } else {
            &self.unchanged
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len, Ordering::Relaxed);
    }

    fn remember(&self, path: &str, stamp: Stamp) {
        // A line per page: a path with a line break in it is simply not remembered.
        if !path.contains('\n') {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            next.push((path.to_string(), stamp));
        }
    }
}

impl PageSink for Streamed {
    /// A file that is not a page (search index, data files): known to the ledger by a hash of
    /// its bytes, so an unchanged one costs a hash and a `stat` instead of a read.
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), String> {
        let key = content_key(&bytes);
        if self.holds(path, &key) {
            return Ok(());
        }
        self.put_keyed(path, bytes, &key)
    }

    fn put_keyed(&self, path: &str, bytes: Vec<u8>, key: &Key) -> Result<(), String> {
        let file = self.out_dir.join(path);
        let len = bytes.len() as u64;
        let (wrote, modified) = write_if_changed(&file, &bytes)?;
        self.count(wrote, len);
        if let Some(modified) = modified {
            let key = *key;
            self.remember(path, Stamp { key, len, modified });
        }
        Ok(())
    }

    fn holds(&self, path: &str, key: &Key) -> bool {
        let Some(previous) = self.previous.get(path).filter(|p| p.stamp.key == *key) else {
            return false;
        };
        let stamp = &previous.stamp;
        let Ok(meta) = std::fs::metadata(self.out_dir.join(path)) else {
            return false;
        };
        if meta.len() != stamp.len || modified_ns(&meta) != Some(stamp.modified) {
            return false;
        }
        self.count(false, stamp.len);
        previous.unchanged.store(true, Ordering::Relaxed);
        true
    }
}

/// The ledger's key of a file that is not a page: its bytes' hash.
fn content_key(bytes: &[u8]) -> Key {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(b"file content\n");
    hasher.update(bytes);
    Key(hasher.finalize().into())
}

/// A ledger line, as [`Streamed::save_ledger`] writes it.
fn parse_stamp(line: &str) -> Option<(String, Stamp)> {
    let mut fields = line.splitn(4, ' ');
    let hex = fields.next()?;
    let len = fields.next()?.parse().ok()?;
    let modified = fields.next()?.parse().ok()?;
    let path = fields.next()?.to_string();
    let mut key = [0u8; 32];
    if hex.len() != 64 {
        return None;
    }
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    let key = Key(key);
    Some((path, Stamp { key, len, modified }))
}

fn modified_ns(meta: &std::fs::Metadata) -> Option<u128> {
    let modified = meta.modified().ok()?;
    Some(
        modified
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos(),
    )
}

impl WriteStats {
    pub fn add(&mut self, other: WriteStats) {
        self.written += other.written;
        self.unchanged += other.unchanged;
        self.removed += other.removed;
        self.bytes += other.bytes;
    }
}

fn fail(what: &str, path: &Path, e: std::io::Error) -> String {
    format!("cannot {what} {}: {e}", path.display())
}

/// Writes `bytes` to `path` unless it holds them already (so its timestamp survives). Gives
/// whether it wrote, and the file's modification time, read from the open file rather than
/// by looking its path up again.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(bool, Option<u128>), String> {
    use std::io::{Read, Write};
    if let Ok(mut file) = std::fs::File::open(path) {
        // A file of another length differs: not read.
        let meta = file.metadata().ok();
        if meta.as_ref().is_some_and(|m| m.len() == bytes.len() as u64) {
            let mut old = Vec::with_capacity(bytes.len());
            if file.read_to_end(&mut old).is_ok() && old == bytes {
                return Ok((false, meta.as_ref().and_then(modified_ns)));
            }
        }
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| fail("create", parent, e))?;
    }
    let mut file = std::fs::File::create(path).map_err(|e| fail("write", path, e))?;
    file.write_all(bytes).map_err(|e| fail("write", path, e))?;
    Ok((true, file.metadata().ok().and_then(|m| modified_ns(&m))))
}

/// Removes `out_dir/rel` and the directories it leaves empty; true when the file was there.
fn remove_with_empty_parents(out_dir: &Path, rel: &str) -> bool {
    let path = out_dir.join(rel);
    if std::fs::remove_file(&path).is_err() {
        return false;
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == out_dir || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_written_only_when_its_bytes_differ() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/page.html");
        let write = |bytes: &str| write_if_changed(&path, bytes.as_bytes()).unwrap().0;
        assert!(write("<p>one</p>"), "a missing directory is made");
        assert!(!write("<p>one</p>"), "the same bytes are left alone");
        assert!(write("<p>three</p>"), "another length");
        assert!(write("<p>thrEe</p>"), "the same length, other bytes");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "<p>thrEe</p>");
        std::fs::create_dir(dir.path().join("a/b/sub.html")).unwrap();
        let err = write_if_changed(&dir.path().join("a/b/sub.html"), b"x").unwrap_err();
        assert!(err.contains("cannot write"), "{err}");
    }

    /// One build's sink: puts `files`, then saves its ledger; which of them it found unchanged.
    fn stream(out: &Path, files: &[(&str, &str)]) -> Vec<String> {
        let sink = Streamed::new(out).unwrap();
        let mut unchanged = Vec::new();
        for (path, text) in files {
            let key = content_key(text.as_bytes());
            if sink.holds(path, &key) {
                unchanged.push(path.to_string());
            } else {
                sink.put_keyed(path, text.as_bytes().to_vec(), &key)
                    .unwrap();
            }
        }
        sink.save_ledger();
        unchanged
    }

    #[test]
    fn the_ledger_carries_unchanged_files_from_build_to_build() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (("a.html", "one"), ("d/b.html", "two"), ("c.json", "three"));
        assert!(stream(dir.path(), &[a, b, c]).is_empty());
        assert_eq!(
            stream(dir.path(), &[a, b, c]),
            ["a.html", "d/b.html", "c.json"]
        );
        // Found unchanged by the last build, not written by it: still in its ledger.
        assert_eq!(
            stream(dir.path(), &[a, ("d/b.html", "2"), c]),
            ["a.html", "c.json"]
        );
        assert_eq!(
            stream(dir.path(), &[c, a, ("d/b.html", "2")]),
            ["c.json", "a.html", "d/b.html"]
        );
        // A file left out of a build is left out of its ledger.
        assert_eq!(stream(dir.path(), &[a]), ["a.html"]);
        assert!(stream(dir.path(), &[c]).is_empty());
        let ledger = std::fs::read_to_string(dir.path().join(LEDGER)).unwrap();
        assert_eq!(ledger.lines().count(), 1, "{ledger}");
    }

    fn site(files: &[(&str, &str)]) -> Site {
        Site {
            files: files
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect(),
            ..Site::default()
        }
    }

    #[test]
    fn removes_only_files_an_earlier_build_wrote() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        let first = write_site(
            &site(&[("a/index.html", "1"), ("b/index.html", "2")]),
            &[],
            dir.path(),
        )
        .unwrap();
        assert_eq!(first.written, 2);
        let second = write_site(&site(&[("a/index.html", "1")]), &[], dir.path()).unwrap();
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
