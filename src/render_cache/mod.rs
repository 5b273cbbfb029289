//! The render cache: what a page's rendering produced, kept under the hash of everything it was
//! made from, so an unchanged page costs a hash and a read instead of a render. It holds a docs
//! page's Markdown rendering and, apart, its body and its sections (keyed by its text and its
//! site's file list), a finished page (keyed by the site's templates, its template and the
//! whole template context), each search index file (keyed by its bytes) and their listing,
//! each docs site's part of the index, and an API definition's reference and its problems
//! (keyed by the definition and where it was written). Every key
//! also holds the salt: this Playbill binary (path, size and modification time, so any rebuild
//! of it starts afresh) and its version. The output of a build is the same with or without the
//! cache; only the time differs.
//!
//! Entries live in a few segment files under `<cache_dir>/render/` with one index
//! ([`segments`]). One build at a time uses a cache directory: a build that finds it locked by
//! another renders without it. After a build, the entries it did not use are dropped.

mod segments;

use crate::output::Key;
use segments::{Entry, Segments};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// How many entries a build found and rendered anew.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CacheStats {
    pub reused: usize,
    pub rendered: usize,
}

/// One build's view of the cache.
pub struct RenderCache {
    salt: [u8; 32],
    /// None when another build holds the directory: everything is rendered, nothing kept.
    store: Option<Store>,
    reused: AtomicUsize,
    rendered: AtomicUsize,
    /// A [`scratch`](Self::scratch) cache's directory, removed after the store is dropped.
    scratch: Option<tempfile::TempDir>,
}

/// The cache directory while this build holds its lock.
struct Store {
    segments: Segments,
    /// What the index listed when the build started, each marked once this build uses it:
    /// an unchanged build keeps its index once, not a second time as the next one.
    listed: HashMap<Key, Listed>,
    /// The entries this build made.
    made: Mutex<Made>,
    /// Held until the build ends; closing it releases the lock.
    _lock: std::fs::File,
}

struct Listed {
    entry: Entry,
    used: AtomicBool,
}

#[derive(Default)]
struct Made {
    entries: HashMap<Key, Entry>,
    /// Each kind once, shared by its entries.
    kinds: Vec<Arc<str>>,
}

impl RenderCache {
    /// The cache under `cache_dir`, salted with this binary.
    pub fn open(cache_dir: &Path) -> RenderCache {
        let mut hasher = Sha256::new();
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.update(binary_identity().as_bytes());
        RenderCache {
            salt: hasher.finalize().into(),
            store: Store::open(&cache_dir.join("render")),
            reused: AtomicUsize::new(0),
            rendered: AtomicUsize::new(0),
            scratch: None,
        }
    }

    /// A cache for one build, in a new directory of the system's temporary directory that goes
    /// with it: what a build that must not use the render cache (`--no-cache`, a repository's
    /// own docs build) renders through, so that its docs bodies and sections wait on disk as a
    /// cached build's do instead of all in memory. Salted with the directory's name as well, so
    /// that no file an output ledger records under an earlier build's key is taken as made by
    /// this one: every page is rendered. None when no directory can be made.
    pub fn scratch() -> Option<RenderCache> {
        let dir = tempfile::Builder::new()
            .prefix("playbill-render-")
            .tempdir()
            .ok()?;
        let mut cache = RenderCache::open(dir.path());
        cache.store.as_ref()?;
        cache.salt = Sha256::new()
            .chain_update(cache.salt)
            .chain_update(dir.path().as_os_str().as_encoded_bytes())
            .finalize()
            .into();
        cache.scratch = Some(dir);
        Some(cache)
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
        if let Some(bytes) = self.store.as_ref().and_then(|s| s.get(key)) {
            self.reused.fetch_add(1, Ordering::Relaxed);
            return Some(bytes);
        }
        self.rendered.fetch_add(1, Ordering::Relaxed);
        let bytes = render()?;
        if let Some(store) = &self.store {
            store.put(kind, key, &bytes);
        }
        Some(bytes)
    }

    /// The value of the entry of `key`: decoded from the cache, or made, kept as `encode`
    /// gives it, and handed back as made rather than decoded again. A damaged entry is made
    /// afresh.
    pub fn get_or_make<T>(
        &self,
        (kind, key): (&str, &Key),
        make: impl Fn() -> T,
        encode: impl FnOnce(&T) -> Option<Vec<u8>>,
        decode: impl FnOnce(&[u8]) -> Option<T>,
    ) -> T {
        let mut made = None;
        let kept = self.get_or_render_keyed(kind, key, || {
            let value = make();
            let bytes = encode(&value);
            made = Some(value);
            bytes
        });
        made.or_else(|| kept.and_then(|bytes| decode(&bytes)))
            .unwrap_or_else(make)
    }

    /// Counts the entry of `key` as reused and keeps it through [`save`](Self::save)
    /// without reading it: its output is already where it belongs.
    pub fn keep(&self, key: &Key) {
        self.reused.fetch_add(1, Ordering::Relaxed);
        if let Some(store) = &self.store {
            store.keep(key);
        }
    }

    /// Keeps the entry of `key` through [`save`](Self::save) without reading or counting it;
    /// whether the cache holds it (listed by the last build, or written in this one).
    pub fn retain(&self, key: &Key) -> bool {
        self.store.as_ref().is_some_and(|s| s.keep(key))
    }

    /// Keeps `bytes` as the entry of `kind` under `key`; not counted as rendered.
    pub fn put(&self, kind: &str, key: &Key, bytes: &[u8]) {
        if let Some(store) = &self.store {
            store.put(kind, key, bytes);
        }
    }

    /// Whether this build has the entry of `key` in the cache (found there or just written),
    /// so [`read`](Self::read) can give it back later in the build.
    pub fn holds(&self, key: &Key) -> bool {
        self.store.as_ref().is_some_and(|s| s.holds(key))
    }

    /// The entry of `key` when [`holds`](Self::holds) says so; not counted as reused.
    pub fn read(&self, key: &Key) -> Option<Vec<u8>> {
        self.store.as_ref()?.get(key)
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

    /// Whether this build holds the cache directory: one that found it locked by another
    /// build keeps nothing.
    pub fn is_held(&self) -> bool {
        self.store.is_some()
    }

    /// Whether this is a [`scratch`](Self::scratch) cache, which keeps only what its own build
    /// reads back: an entry for a later build would cost a write and serve nothing.
    pub fn is_scratch(&self) -> bool {
        self.scratch.is_some()
    }

    /// Makes this build's entries visible to the next build, once, at its end: what it made
    /// moves into the index. Entries of `prune` kinds that this build did not use are
    /// dropped; those of other kinds stay. A cache that cannot be written costs the next
    /// build time, never this one.
    pub fn save(&self, prune: &[&str]) {
        if self.scratch.is_some() {
            return;
        }
        if let Some(store) = &self.store {
            let _ = store.save(prune);
        }
    }
}

impl Store {
    fn open(dir: &Path) -> Option<Store> {
        std::fs::create_dir_all(dir).ok()?;
        let lock = std::fs::File::create(dir.join("lock")).ok()?;
        if lock.try_lock().is_err() {
            eprintln!(
                "note: another build is using the render cache in {}; this one renders without it",
                dir.display()
            );
            return None;
        }
        let (segments, listed) = Segments::open(dir);
        let listed = listed
            .into_iter()
            .map(|(key, entry)| {
                let used = AtomicBool::new(false);
                (key, Listed { entry, used })
            })
            .collect();
        Some(Store {
            segments,
            listed,
            made: Mutex::default(),
            _lock: lock,
        })
    }

    fn made(&self) -> std::sync::MutexGuard<'_, Made> {
        self.made.lock().expect("made entries")
    }

    /// The entry of `key`, made earlier in this build or listed by the last one.
    fn get(&self, key: &Key) -> Option<Vec<u8>> {
        let made = self.made().entries.get(key).map(|e| e.loc);
        if let Some(loc) = made {
            return self.segments.read(loc);
        }
        let listed = self.listed.get(key)?;
        let bytes = self.segments.read(listed.entry.loc)?;
        listed.used.store(true, Ordering::Relaxed);
        Some(bytes)
    }

    fn put(&self, kind: &str, key: &Key, bytes: &[u8]) {
        if let Ok(loc) = self.segments.append(bytes) {
            let mut made = self.made();
            let kind = segments::intern(&mut made.kinds, kind);
            made.entries.insert(*key, Entry { kind, loc });
        }
    }

    /// Whether this build made or used the entry of `key`.
    fn holds(&self, key: &Key) -> bool {
        self.made().entries.contains_key(key)
            || self
                .listed
                .get(key)
                .is_some_and(|l| l.used.load(Ordering::Relaxed))
    }

    /// Carries the listed entry of `key` into the next index; whether the build has it.
    fn keep(&self, key: &Key) -> bool {
        if self.made().entries.contains_key(key) {
            return true;
        }
        let Some(listed) = self.listed.get(key) else {
            return false;
        };
        listed.used.store(true, Ordering::Relaxed);
        true
    }

    fn save(&self, prune: &[&str]) -> std::io::Result<()> {
        let mut next = std::mem::take(&mut self.made().entries);
        next.reserve(self.listed.len());
        for (key, listed) in &self.listed {
            let used = listed.used.load(Ordering::Relaxed);
            if used || !prune.contains(&&*listed.entry.kind) {
                next.entry(*key).or_insert_with(|| listed.entry.clone());
            }
        }
        self.segments.save(next)
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn page(cache: &RenderCache, name: &[u8]) -> Option<Vec<u8>> {
        cache.get_or_render("page", &[name], || Some(name.to_ascii_uppercase()))
    }

    #[test]
    fn an_entry_is_rendered_once_then_reused_and_dropped_when_unused() {
        let dir = tempfile::tempdir().unwrap();
        let cache = RenderCache::open(dir.path());
        let first = page(&cache, b"a");
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
        assert_eq!(page(&cache, b"b"), Some(b"B".to_vec()));
        cache.save(&["page"]);
        drop(cache);

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
        // Pruning pages only: the unused pages go, the markdown entry stays.
        other.get_or_render("page", &[b"a"], || panic!("kept"));
        other.save(&["page"]);
        drop(other);

        let left = RenderCache::open(dir.path());
        assert_eq!(page(&left, b"b"), Some(b"B".to_vec()));
        assert_eq!(left.stats().rendered, 1, "b was dropped");
        assert_eq!(
            left.get_or_render("page", &[b"a"], || panic!("a was kept")),
            Some(b"A".to_vec())
        );
        left.get_or_render("markdown", &[b"a"], || panic!("another kind stays"));
    }

    #[test]
    fn an_entry_put_and_retained_unread_survives_pruning_uncounted() {
        let dir = tempfile::tempdir().unwrap();
        let cache = RenderCache::open(dir.path());
        let (a, b) = (cache.key("api", &[b"a"]), cache.key("api", &[b"b"]));
        assert!(!cache.retain(&a), "nothing listed yet");
        cache.put("api", &a, b"A");
        cache.put("api", &b, b"B");
        assert!(cache.retain(&a), "written in this build");
        assert_eq!(cache.stats(), CacheStats::default());
        cache.save(&["api"]);
        drop(cache);

        let next = RenderCache::open(dir.path());
        assert!(next.retain(&a));
        next.save(&["api"]);
        drop(next);

        let last = RenderCache::open(dir.path());
        assert_eq!(
            last.read(&a),
            Some(b"A".to_vec()),
            "retained without a read"
        );
        assert!(!last.retain(&b), "neither read nor retained: pruned");
        assert_eq!(last.stats(), CacheStats::default());
    }

    #[test]
    fn a_build_that_stops_before_saving_leaves_the_cache_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let cache = RenderCache::open(dir.path());
        page(&cache, b"a");
        cache.save(&["page"]);
        drop(cache);
        let stopped = RenderCache::open(dir.path());
        page(&stopped, b"new");
        drop(stopped);
        let next = RenderCache::open(dir.path());
        next.get_or_render("page", &[b"a"], || panic!("a was kept"));
        assert_eq!(page(&next, b"new"), Some(b"NEW".to_vec()));
        assert_eq!(next.stats().rendered, 1, "the unsaved entry is not listed");
        next.save(&["page"]);
        // The first build's segment (a) and this one's (new); the stopped build's is gone.
        assert_eq!(segment_files(dir.path()), 2);
    }

    #[test]
    fn a_second_build_on_the_same_directory_renders_without_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let first = RenderCache::open(dir.path());
        page(&first, b"a");
        let second = RenderCache::open(dir.path());
        assert_eq!(page(&second, b"a"), Some(b"A".to_vec()));
        assert_eq!(page(&second, b"a"), Some(b"A".to_vec()));
        assert_eq!(
            second.stats().rendered,
            2,
            "nothing is kept without the lock"
        );
        second.save(&["page"]);
        first.save(&["page"]);
        drop((first, second));
        let third = RenderCache::open(dir.path());
        third.get_or_render("page", &[b"a"], || {
            panic!("the first build's entry is kept")
        });
    }

    #[test]
    fn segments_of_mostly_dropped_entries_are_compacted() {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<Vec<u8>> = (0..50).map(|i| format!("page {i}").into_bytes()).collect();
        for round in 0..6 {
            let cache = RenderCache::open(dir.path());
            // Each round keeps one old entry and makes nine new ones.
            page(&cache, &names[0]);
            for name in &names[round * 8 + 1..round * 8 + 10] {
                cache.get_or_render("page", &[name], || Some(vec![round as u8; 4096]));
            }
            cache.save(&["page"]);
        }
        // Without compaction the first segment would stay for the one old entry it holds.
        assert_eq!(segment_files(dir.path()), 1);
        // The index names only that segment, not every segment it ever had.
        let index = std::fs::read(dir.path().join("render/index")).unwrap();
        assert_eq!(index.windows(4).filter(|w| w == b".seg").count(), 1);
        let last = RenderCache::open(dir.path());
        last.get_or_render("page", &[&names[0]], || panic!("kept through compaction"));
        let newest = last.get_or_render("page", &[&names[49]], || panic!("kept"));
        assert_eq!(newest, Some(vec![5; 4096]));
    }

    #[test]
    fn a_damaged_index_starts_the_cache_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let cache = RenderCache::open(dir.path());
        page(&cache, b"a");
        cache.save(&["page"]);
        drop(cache);
        let index = dir.path().join("render/index");
        let bytes = std::fs::read(&index).unwrap();
        std::fs::write(&index, &bytes[..bytes.len() - 3]).unwrap();
        let next = RenderCache::open(dir.path());
        assert_eq!(page(&next, b"a"), Some(b"A".to_vec()));
        assert_eq!(next.stats().rendered, 1);
    }

    fn segment_files(dir: &Path) -> usize {
        std::fs::read_dir(dir.join("render"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension() == Some("seg".as_ref()))
            .count()
    }
}
