//! The search index as files, and how the render cache keeps them: each file an entry of its
//! own under the hash of its bytes, and a listing of them under a hash of everything the index
//! is made from. When nothing it is made from changed, a build reads the listing alone: a file
//! the output still holds is left there, like a page.

use super::{build_index, emit_index, part_key, site_digest, typo, Entities};
use crate::catalog::Catalog;
use crate::docs::DocSets;
use crate::output::{Key, PageSink};
use crate::render_cache::RenderCache;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::sync::Mutex;

/// The render cache's kind for one index file, and for the listing of an index's files.
pub const FILE_KIND: &str = "search-file";
pub const LISTING_KIND: &str = "search";

/// One file of the index: its path relative to the site root, its key (the hash of its
/// bytes, also its render cache entry), and its bytes unless they are in the cache.
pub struct IndexFile {
    pub path: String,
    pub key: Key,
    pub bytes: Option<Vec<u8>>,
}

impl IndexFile {
    /// The file's path and bytes: held, or read back from `cache`.
    pub fn into_bytes(self, cache: Option<&RenderCache>) -> Result<(String, Vec<u8>), String> {
        let bytes = self.bytes.or_else(|| cache.and_then(|c| c.read(&self.key)));
        match bytes {
            Some(bytes) => Ok((self.path, bytes)),
            None => Err(format!(
                "{}: the render cache lost this search index file",
                self.path
            )),
        }
    }
}

/// Gives `files` to `sink`, leaving a file the output still holds where it is; gives their
/// paths.
pub fn put_index(
    files: Vec<IndexFile>,
    sink: &dyn PageSink,
    cache: Option<&RenderCache>,
) -> Result<Vec<String>, String> {
    files
        .into_par_iter()
        .map(|file| {
            if sink.holds(&file.path, &file.key) {
                return Ok(file.path);
            }
            let key = file.key;
            let (path, bytes) = file.into_bytes(cache)?;
            sink.put_keyed(&path, bytes, &key)?;
            Ok(path)
        })
        .collect()
}

/// Set, the build says on stderr how long the search index took (for the benchmarks).
const TIMINGS: &str = "PLAYBILL_TIMINGS";

/// The search index files, listed from the cache when nothing [`build_index`] reads changed,
/// else made afresh and kept there (and, with [`TIMINGS`], their time on stderr).
pub fn index_files(
    catalog: &Catalog,
    entities: Entities<'_>,
    docs: &DocSets,
    cache: Option<&RenderCache>,
) -> Vec<IndexFile> {
    let started = std::time::Instant::now();
    let made = || {
        let index = build_index(catalog, entities, docs, cache);
        let files = Mutex::new(Vec::new());
        let keep = |path, bytes| {
            // Hashed and kept before the lock is taken, so the threads emitting do not wait.
            let file = keyed(path, bytes, cache);
            files.lock().expect("index files").push(file);
        };
        emit_index(&index, &keep);
        for (path, bytes) in typo::files(&index) {
            keep(path, bytes);
        }
        let mut files = files.into_inner().expect("index files");
        // Listed in one order whatever order the threads made them in.
        files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
        files
    };
    let files = match cache {
        None => made(),
        Some(cache) => listed_or_made(cache, (catalog, entities, docs), made),
    };
    if std::env::var_os(TIMINGS).is_some() {
        let bytes: usize = files
            .iter()
            .filter_map(|f| f.bytes.as_ref())
            .map(Vec::len)
            .sum();
        eprintln!(
            "timing: search index {:.3}s, {} files, {bytes} bytes held in memory",
            started.elapsed().as_secs_f64(),
            files.len()
        );
    }
    files
}

/// The index is one artifact of the whole portal: listed whole from the cache when nothing
/// it reads changed and the cache still holds every file, else made.
fn listed_or_made(
    cache: &RenderCache,
    (catalog, entities, docs): (&Catalog, Entities<'_>, &DocSets),
    made: impl Fn() -> Vec<IndexFile>,
) -> Vec<IndexFile> {
    let digests: Vec<[u8; 32]> = docs.sites.par_iter().map(site_digest).collect();
    let fingerprint = fingerprint(catalog, entities, (docs, &digests));
    let key = cache.key(LISTING_KIND, &[&fingerprint]);
    let mut made_now = None;
    let kept = cache.get_or_render_keyed(LISTING_KIND, &key, || {
        let files = made_now.insert(made());
        bincode::serialize(&listing(files)).ok()
    });
    if let Some(files) = made_now {
        return files;
    }
    let listed: Option<Vec<(String, [u8; 32])>> =
        kept.and_then(|bytes| bincode::deserialize(&bytes).ok());
    let listed = listed.filter(|files| files.iter().all(|(_, key)| cache.retain(&Key(*key))));
    let Some(listed) = listed else {
        // A damaged listing, or a file of it lost: made afresh.
        let files = made();
        if let Ok(bytes) = bincode::serialize(&listing(&files)) {
            cache.put(LISTING_KIND, &key, &bytes);
        }
        return files;
    };
    // The sites' parts were not read, but the next change to one site needs the rest.
    for digest in &digests {
        cache.retain(&part_key(cache, digest));
    }
    let files = listed.into_iter().map(|(path, key)| IndexFile {
        path,
        key: Key(key),
        bytes: None,
    });
    files.collect()
}

fn listing(files: &[IndexFile]) -> Vec<(&str, [u8; 32])> {
    files.iter().map(|f| (f.path.as_str(), f.key.0)).collect()
}

/// The file with the hash of its bytes, kept in the cache (if it does not hold them yet). Its
/// bytes are left there, to be read back when written out: held, the files of a large
/// portal's index would add tens of megabytes to the build's peak.
fn keyed(path: String, bytes: Vec<u8>, cache: Option<&RenderCache>) -> IndexFile {
    let Some(cache) = cache else {
        let key = Key(Sha256::digest(&bytes).into());
        return IndexFile {
            path,
            key,
            bytes: Some(bytes),
        };
    };
    let key = cache.key(FILE_KIND, &[&bytes]);
    if !cache.retain(&key) {
        cache.put(FILE_KIND, &key, &bytes);
    }
    // A cache that could not keep them (a full disk) leaves them held.
    let bytes = (!cache.holds(&key)).then_some(bytes);
    IndexFile { path, key, bytes }
}

/// A hash of everything [`build_index`] reads: each entity's summary and relation count, and
/// each docs site's base (which decides its entity) and [`site_digest`]. The same fingerprint
/// gives the same index.
fn fingerprint(
    catalog: &Catalog,
    entities: Entities<'_>,
    (docs, site_digests): (&DocSets, &[[u8; 32]]),
) -> Vec<u8> {
    let mut hasher = Sha256::new();
    let mut add = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    for i in 0..entities.len() {
        add(&serde_json::to_vec(&entities.get(i)).unwrap_or_default());
        let edges = catalog
            .entities
            .get(i)
            .map_or(0, |c| catalog.relations_of(&c.key).len());
        add(&edges.to_le_bytes());
    }
    for (site, digest) in docs.sites.iter().zip(site_digests) {
        add(site.base.as_bytes());
        add(digest);
    }
    hasher.finalize().to_vec()
}
