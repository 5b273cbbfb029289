//! The index as files for a static host. Terms are sharded by their first characters; a shard
//! holds whole terms, so a prefix is scanned inside the shards whose key it starts or is
//! started by. A shard over [`SHARD_BYTES`] is split one character deeper. Documents are
//! stored in chunks of [`CHUNK`]. Every file is a classic script calling `PlaybillSearch`,
//! named by a content hash of its group (the shards of one two-character root, a block of
//! document tables); only the manifest, which names the groups, keeps a fixed name, so pages
//! do not change when the index does.

use super::text::STOP_WORDS;
use super::Index;
use crate::output::hex;
use rayon::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::Mutex;

pub const MANIFEST: &str = "search/manifest.js";
/// Characters of a term's shard key (shorter terms are their own key).
const KEY_CHARS: usize = 2;
/// Shards larger than this are split by one more character.
const SHARD_BYTES: usize = 24 * 1024;
/// Deepest shard key.
const MAX_KEY_CHARS: usize = 8;
/// Documents per document-table file: about 10 KB, a few KB compressed. A portal's sections
/// number in the hundred thousands, so tables of 16 were a fifth of its files.
pub const CHUNK: usize = 32;
/// Document-table files that share one hash in the manifest.
const TABLE_BLOCK: usize = 256;

/// The index files, by path relative to the site root.
pub type SearchFiles = BTreeMap<String, Vec<u8>>;

/// Takes each index file as it is made: its path relative to the site root, and its bytes.
pub type Emit<'a> = dyn Fn(String, Vec<u8>) + Sync + 'a;

/// The index files, all at once.
pub fn write_index(index: &Index) -> SearchFiles {
    let files = Mutex::new(SearchFiles::new());
    emit_index(index, &|path, bytes| {
        files.lock().expect("index files").insert(path, bytes);
    });
    files.into_inner().expect("index files")
}

/// Gives `emit` the index files one group at a time (the shards of one root, one block of
/// document tables), so no more than a group is held besides the index itself.
pub fn emit_index(index: &Index, emit: &Emit<'_>) {
    let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for term in index.terms.keys() {
        groups
            .entry(key_of(term, KEY_CHARS))
            .or_default()
            .push(term);
    }
    // Per root key: the hash the group's files share, then each shard key's suffix.
    let shards: BTreeMap<String, Vec<String>> = groups
        .into_iter()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(root, terms)| {
            let mut scripts = Vec::new();
            shard(index, &root, &terms, &mut scripts);
            let hash = group_hash(scripts.iter().map(|(_, text)| text));
            let mut entry = vec![hash.clone()];
            for (key, text) in scripts {
                entry.push(key[root.len()..].to_string());
                emit(
                    format!("search/{}.{hash}.js", shard_file_key(&key)),
                    text.into_bytes(),
                );
            }
            (root, entry)
        })
        .collect();
    let blocks: Vec<String> = index
        .docs
        .par_chunks(CHUNK * TABLE_BLOCK)
        .enumerate()
        .map(|(block, docs)| {
            let first = block * TABLE_BLOCK;
            let tables: Vec<String> = docs
                .chunks(CHUNK)
                .enumerate()
                .map(|(i, docs)| table_text(first + i, docs))
                .collect();
            let hash = group_hash(&tables);
            for (i, text) in tables.into_iter().enumerate() {
                let n = first + i;
                emit(format!("search/docs-{n}.{hash}.js"), text.into_bytes());
            }
            hash
        })
        .collect();
    let facets_text = script_text("facets", &Value::Null, &facets(index).to_string());
    let facets = format!("facets.{}", group_hash([&facets_text]));
    emit(format!("search/{facets}.js"), facets_text.into_bytes());
    let manifest = json!({
        "v": 1,
        "docs": index.docs.len(),
        "entities": index.entities.len(),
        "chunk": CHUNK,
        "block": TABLE_BLOCK,
        "stop": STOP_WORDS,
        "shards": shards,
        "tables": blocks,
        "facets": facets,
    });
    emit(
        MANIFEST.to_string(),
        format!("PlaybillSearch.manifest({manifest});\n").into_bytes(),
    );
}

/// Document table `n`: each document's row (kind, name, title, URL, context and excerpt).
fn table_text(n: usize, docs: &[super::IndexedDoc]) -> String {
    let rows: Vec<_> = docs.iter().map(|d| d.row()).collect();
    script_text("docs", &json!(n), &format!("[{}]", rows.join(",")))
}

/// The shard scripts of `terms` under `key`, split deeper while too large.
fn shard(index: &Index, key: &str, terms: &[&str], out: &mut Vec<(String, String)>) {
    let body = shard_body(index, terms);
    let depth = key.chars().count();
    let splittable = depth < MAX_KEY_CHARS && terms.iter().any(|t| t.chars().count() > depth);
    if body.len() <= SHARD_BYTES || !splittable {
        out.push((key.to_string(), script_text("shard", &json!(key), &body)));
        return;
    }
    let mut groups: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for t in terms {
        groups.entry(key_of(t, depth + 1)).or_default().push(t);
    }
    for (sub, terms) in groups {
        shard(index, &sub, &terms, out);
    }
}

/// A shard as JSON: `{"p": postings per stem as [doc, weight, doc gap, weight, ...], "s":
/// stem of each term (index into "p"), "t": terms (sorted)}`. Serialized straight from these
/// fields, in the key order a JSON object prints, rather than through a `Value` tree: every
/// build encodes every shard, and the tree of numbers was most of that.
#[derive(serde::Serialize)]
struct ShardBody<'a> {
    p: Vec<Vec<u32>>,
    s: Vec<usize>,
    t: &'a [&'a str],
}

fn shard_body(index: &Index, terms: &[&str]) -> String {
    let mut stems: BTreeMap<&str, usize> = BTreeMap::new();
    for t in terms {
        let next = stems.len();
        stems.entry(index.terms[*t].as_str()).or_insert(next);
    }
    let mut postings = vec![Vec::new(); stems.len()];
    for (stem, &i) in &stems {
        let list = index.postings.get(*stem).map(Vec::as_slice).unwrap_or(&[]);
        let mut flat = Vec::with_capacity(2 * list.len());
        let mut last = 0;
        for &(doc, w) in list {
            flat.push(doc - last);
            flat.push(w);
            last = doc;
        }
        postings[i] = flat;
    }
    let s: Vec<usize> = terms
        .iter()
        .map(|t| stems[index.terms[*t].as_str()])
        .collect();
    let body = ShardBody {
        p: postings,
        s,
        t: terms,
    };
    serde_json::to_string(&body).expect("numbers and strings serialize")
}

fn facets(index: &Index) -> Value {
    let mut kinds: Vec<&str> = index.entities.iter().map(|e| e.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let mut owners: Vec<(&str, &str)> = index
        .entities
        .iter()
        .filter_map(|e| e.owner.as_ref().map(|(r, t)| (t.as_str(), r.as_str())))
        .collect();
    owners.sort_unstable();
    owners.dedup();
    // Where each entity's sections begin (entities without any: where the next ones begin).
    let total = index.docs.len();
    let mut first = vec![usize::MAX; index.entities.len()];
    for (i, d) in index
        .docs
        .iter()
        .enumerate()
        .skip(index.entities.len())
        .rev()
    {
        first[d.entity] = i;
    }
    let mut next = total;
    for f in first.iter_mut().rev() {
        if *f == usize::MAX {
            *f = next;
        }
        next = *f;
    }
    let rows: Vec<Value> = index
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let kind = kinds.binary_search(&e.kind.as_str()).unwrap_or(0);
            let owner = e
                .owner
                .as_ref()
                .and_then(|(r, t)| owners.binary_search(&(t.as_str(), r.as_str())).ok());
            json!([first[i], kind, owner.map_or(-1, |o| o as i64)])
        })
        .collect();
    let owners: Vec<Value> = owners.iter().map(|(t, r)| json!([r, t])).collect();
    // Docs site -> entity: a docs page's box searches the sections from `first` of its entity
    // to `first` of the next.
    let sites: BTreeMap<&str, usize> = index
        .entities
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((e.docs_site.as_deref()?, i)))
        .collect();
    json!({ "kinds": kinds, "owners": owners, "e": rows, "d": sites })
}

/// `PlaybillSearch.<call>(arg, body);` (or with the body alone when `arg` is null).
pub(super) fn script_text(call: &str, arg: &Value, body: &str) -> String {
    let text = if arg.is_null() {
        format!("PlaybillSearch.{call}({body});\n")
    } else {
        format!("PlaybillSearch.{call}({arg},{body});\n")
    };
    crate::output::inert_json(text)
}

/// One content hash for a group of files: the manifest names a group, not every file, so it
/// stays small however many files there are; a change renames the files of its group only.
pub(super) fn group_hash<S: AsRef<str>>(texts: impl IntoIterator<Item = S>) -> String {
    let mut h = Sha256::new();
    for t in texts {
        h.update(t.as_ref().as_bytes());
        h.update([0]);
    }
    hex(&h.finalize()[..5])
}

/// The first `chars` characters of a term.
fn key_of(term: &str, chars: usize) -> String {
    term.chars().take(chars).collect()
}

/// A shard key as a file name: itself when it is plain ASCII letters and digits, else `u-`
/// and its UTF-8 bytes in hex (a key never holds `-`, so the two never collide).
pub fn shard_file_key(key: &str) -> String {
    if key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        key.to_string()
    } else {
        format!("u-{}", hex(key.as_bytes()))
    }
}

/// The shards a word's terms live in: every key the word starts with, or (from two characters
/// on, when prefixes are matched) that starts with it.
pub fn shards_for<'a>(keys: impl IntoIterator<Item = &'a String>, word: &str) -> Vec<&'a String> {
    let prefix = word.chars().count() >= 2;
    keys.into_iter()
        .filter(|k| word.starts_with(k.as_str()) || (prefix && k.starts_with(word)))
        .collect()
}
