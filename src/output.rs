//! Small helpers for files the portal writes, shared by every stage that writes one: data
//! scripts that stay inert wherever they are read, content-hashed names, and template errors
//! in one line.

use serde::Serialize;
use sha2::{Digest, Sha256};

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
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
