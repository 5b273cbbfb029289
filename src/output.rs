//! Small helpers for files the portal writes, shared by every stage that writes one: data
//! scripts that stay inert wherever they are read, content-hashed names, template errors in
//! one line, and the output directory's list of written files that publishing reads.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::Path;

/// The list of files the last build wrote, one relative path a line.
pub const MANIFEST: &str = ".playbill-files";

/// A script made of JSON data with every `<` written as `\u003c`. In JSON, `<` occurs only
/// inside strings, where the escape means the same character, so the data is unchanged while
/// no text from input can close a script element or open markup, wherever the file is read.
pub fn inert_json(script: String) -> String {
    if script.contains('<') {
        script.replace('<', "\\u003c")
    } else {
        script
    }
}

/// `name.js` -> `name.<hash>.js`: a name that changes with the content, so a CDN may cache
/// the file forever and a publish uploads it only when it changed.
pub fn hashed_name(name: &str, bytes: &[u8]) -> String {
    let hash = hex(&Sha256::digest(bytes)[..5]);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{hash}.{ext}"),
        _ => format!("{name}.{hash}"),
    }
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// What a render-cache entry is named by: the hash of its kind, everything it was made from
/// and the cache's salt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key(pub [u8; 32]);

/// The SHA-256 of `value` written as compact JSON, without holding the text.
pub fn json_digest(value: &impl Serialize) -> [u8; 32] {
    let mut hasher = Sha256::new();
    // Writing into a hasher cannot fail, and serialising a JSON value cannot either.
    let _ = serde_json::to_writer(&mut hasher, value);
    hasher.finalize().into()
}

/// Tera's error chain, flattened into one line.
pub fn describe_tera_error(e: &tera::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}

/// Pretty JSON with a final newline, every `<` escaped so no input can open markup in it.
pub fn pretty_json(value: &impl Serialize) -> Vec<u8> {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let mut bytes = inert_json(text).into_bytes();
    bytes.push(b'\n');
    bytes
}

/// Where the site stage puts each page as soon as it is rendered, so that a large portal's
/// pages are never all in memory at once: the output directory in a build
/// (`write::Streamed`), or memory when the caller wants the files back.
pub trait PageSink: Sync {
    /// Takes one file, by its path relative to the site root. An error is fatal to the build
    /// (the output cannot be written).
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), String>;

    /// Takes a page rendered under the render cache's `key`, which the sink may remember so
    /// that the next build can find the page in place (see [`PageSink::holds`]).
    fn put_keyed(&self, path: &str, bytes: Vec<u8>, _key: &Key) -> Result<(), String> {
        self.put(path, bytes)
    }

    /// True when `path` still holds the page the last build put there under `key`, so it
    /// need not be rendered, read or written again; the sink then counts it as put.
    fn holds(&self, _path: &str, _key: &Key) -> bool {
        false
    }
}

/// The files of a [`PageSink`] kept in memory.
#[derive(Default)]
pub struct InMemory(std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>);

impl PageSink for InMemory {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), String> {
        self.0
            .lock()
            .map_err(|_| "a page failed while another was being kept".to_string())?
            .insert(path.to_string(), bytes);
        Ok(())
    }
}

impl InMemory {
    pub fn into_files(self) -> std::collections::BTreeMap<String, Vec<u8>> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
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
