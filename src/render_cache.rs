//! The render cache: what a page's rendering produced, kept under the hash of everything it was
//! made from, so an unchanged page costs a hash and a read instead of a render. Two kinds of
//! entries live in it: a docs page's Markdown rendering (keyed by its text and its site's file
//! list) and a finished page (keyed by the site's templates, its template and the whole template
//! context). Every key also holds the salt: this Playbill binary (path, size and modification
//! time, so any rebuild of it starts afresh) and its version. The output of a build is the
//! same with or without the cache; only the time differs.
//!
//! Entries are files under `<cache_dir>/render/<kind>/`, written atomically (a temporary file,
//! then a rename), so builds that share a cache directory never see half an entry. After a
//! build, entries that build did not use are removed.

use crate::output::Key;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// How many entries a build found and rendered anew.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CacheStats {
    pub reused: usize,
    pub rendered: usize,
}

/// One build's view of the cache.
pub struct RenderCache {
    dir: PathBuf,
    salt: [u8; 32],
    used: Mutex<HashSet<PathBuf>>,
    reused: AtomicUsize,
    rendered: AtomicUsize,
}

impl RenderCache {
    /// The cache under `cache_dir`, salted with this binary.
    pub fn open(cache_dir: &Path) -> RenderCache {
        let mut hasher = Sha256::new();
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.update(binary_identity().as_bytes());
        RenderCache {
            dir: cache_dir.join("render"),
            salt: hasher.finalize().into(),
            used: Mutex::new(HashSet::new()),
            reused: AtomicUsize::new(0),
            rendered: AtomicUsize::new(0),
        }
    }

    /// The entry of `kind` for `parts`, made by `render` when the cache does not hold it.
    /// `render` gives None for output that must not be kept (a page that failed).
    pub fn get_or_render(
        &self,
        kind: &str,
        parts: &[&[u8]],
        render: impl FnOnce() -> Option<Vec<u8>>,
    ) -> Option<Vec<u8>> {
        self.get_or_render_keyed(kind, &self.key(kind, parts), render)
    }

    /// [`get_or_render`](Self::get_or_render) for a key already computed with [`key`](Self::key).
    pub fn get_or_render_keyed(
        &self,
        kind: &str,
        key: &Key,
        render: impl FnOnce() -> Option<Vec<u8>>,
    ) -> Option<Vec<u8>> {
        let path = self.entry_path(kind, key);
        if let Ok(bytes) = std::fs::read(&path) {
            self.reused.fetch_add(1, Ordering::Relaxed);
            self.mark_used(path);
            return Some(bytes);
        }
        self.rendered.fetch_add(1, Ordering::Relaxed);
        let bytes = render()?;
        // A cache that cannot be written costs time, never the build.
        if store(&path, &bytes).is_ok() {
            self.mark_used(path);
        }
        Some(bytes)
    }

    /// Counts the entry of `key` as reused and keeps it through [`prune`](Self::prune)
    /// without reading it: its output is already where it belongs.
    pub fn keep(&self, kind: &str, key: &Key) {
        self.reused.fetch_add(1, Ordering::Relaxed);
        self.mark_used(self.entry_path(kind, key));
    }

    /// The key of the entry of `kind` made from `parts`.
    pub fn key(&self, kind: &str, parts: &[&[u8]]) -> Key {
        let mut hasher = Sha256::new();
        hasher.update(self.salt);
        hasher.update(kind.as_bytes());
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        Key(hasher.finalize().into())
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            reused: self.reused.load(Ordering::Relaxed),
            rendered: self.rendered.load(Ordering::Relaxed),
        }
    }

    /// Removes the entries of `kinds` that this build did not use.
    pub fn prune(&self, kinds: &[&str]) {
        let used = self.used.lock().expect("used entries");
        for kind in kinds {
            for shard in read_dir(&self.dir.join(kind)) {
                for entry in read_dir(&shard) {
                    if !used.contains(&entry) {
                        let _ = std::fs::remove_file(&entry);
                    }
                }
                let _ = std::fs::remove_dir(&shard);
            }
        }
    }

    fn entry_path(&self, kind: &str, key: &Key) -> PathBuf {
        let key = crate::output::hex(&key.0);
        self.dir.join(kind).join(&key[..2]).join(&key[2..])
    }

    fn mark_used(&self, path: PathBuf) {
        self.used.lock().expect("used entries").insert(path);
    }
}

/// Files (path -> bytes) as one entry: each path and body with its length before it.
pub fn pack(files: &std::collections::BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::with_capacity(files.values().map(|b| b.len() + 64).sum());
    for (path, bytes) in files {
        out.extend((path.len() as u64).to_le_bytes());
        out.extend(path.as_bytes());
        out.extend((bytes.len() as u64).to_le_bytes());
        out.extend(bytes);
    }
    out
}

/// The files of [`pack`]; None when the entry is not one (a damaged cache misses).
pub fn unpack(mut bytes: &[u8]) -> Option<std::collections::BTreeMap<String, Vec<u8>>> {
    let mut take = |n: usize| -> Option<&[u8]> {
        let (head, rest) = (bytes.get(..n)?, bytes.get(n..)?);
        bytes = rest;
        Some(head)
    };
    let mut files = std::collections::BTreeMap::new();
    while let Some(len) = take(8) {
        let len = u64::from_le_bytes(len.try_into().ok()?) as usize;
        let path = String::from_utf8(take(len)?.to_vec()).ok()?;
        let len = u64::from_le_bytes(take(8)?.try_into().ok()?) as usize;
        files.insert(path, take(len)?.to_vec());
    }
    Some(files)
}

/// What changes whenever this binary is rebuilt, without reading it.
fn binary_identity() -> String {
    let Ok(exe) = std::env::current_exe() else {
        return String::new();
    };
    let meta = std::fs::metadata(&exe).ok();
    let modified = meta
        .as_ref()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!(
        "{}:{}:{modified}",
        exe.display(),
        meta.map_or(0, |m| m.len())
    )
}

fn store(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = path.parent().expect("entries live in a shard directory");
    std::fs::create_dir_all(parent)?;
    let temporary = parent.join(format!(
        ".{}.{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
        std::process::id()
    ));
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path)
}

fn read_dir(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_files_unpack_to_themselves() {
        let files: std::collections::BTreeMap<String, Vec<u8>> = [
            ("a.js".to_string(), b"x".to_vec()),
            ("b/c".to_string(), Vec::new()),
        ]
        .into();
        assert_eq!(unpack(&pack(&files)), Some(files.clone()));
        assert_eq!(unpack(&[]), Some(Default::default()));
        let packed = pack(&files);
        assert_eq!(unpack(&packed[..packed.len() - 1]), None);
    }

    #[test]
    fn an_entry_is_rendered_once_then_reused_and_pruned_when_unused() {
        let dir = tempfile::tempdir().unwrap();
        let cache = RenderCache::open(dir.path());
        let first = cache.get_or_render("page", &[b"a"], || Some(b"A".to_vec()));
        let again = cache.get_or_render("page", &[b"a"], || panic!("rendered twice"));
        assert_eq!((first.clone(), again), (Some(b"A".to_vec()), first));
        assert_eq!(
            cache.stats(),
            CacheStats {
                reused: 1,
                rendered: 1
            }
        );
        // A failed render is not kept.
        assert_eq!(cache.get_or_render("page", &[b"b"], || None), None);
        assert_eq!(
            cache.get_or_render("page", &[b"b"], || Some(b"B".to_vec())),
            Some(b"B".to_vec())
        );

        // Other parts (other templates), or another kind with the same parts, miss.
        let other = RenderCache::open(dir.path());
        assert_eq!(
            other.get_or_render("page", &[b"other templates", b"a"], || Some(b"A2".to_vec())),
            Some(b"A2".to_vec())
        );
        assert_eq!(
            other.get_or_render("markdown", &[b"a"], || Some(b"M".to_vec())),
            Some(b"M".to_vec())
        );
        assert_eq!(other.stats().rendered, 2);

        // A build that used only `a` removes the rest of its kind.
        let next = RenderCache::open(dir.path());
        next.get_or_render("page", &[b"a"], || panic!("kept"));
        next.prune(&["page"]);
        let left = RenderCache::open(dir.path());
        assert_eq!(
            left.get_or_render("page", &[b"b"], || Some(b"B".to_vec())),
            Some(b"B".to_vec())
        );
        assert_eq!(left.stats().rendered, 1, "b was pruned");
        assert_eq!(
            left.get_or_render("page", &[b"a"], || panic!("a was kept")),
            Some(b"A".to_vec())
        );
    }
}
