//! `$text`, `$json` and `$yaml` placeholders (as `references::placeholder` finds them): an
//! object with exactly one key, that key one of the three, and a string value, is replaced by
//! the referenced file's text, JSON or single YAML document. Other `$` objects (JSON Schema's `$ref`) are left alone, as Backstage does.
//! Paths resolve against the declaring file's directory and never leave the repository.

use super::yaml::Seg;
use crate::gather::{ReadError, Repo};
use crate::paths::RepoPath;
use crate::references::{self, PlaceholderKind};
use crate::secrets::{Finding, Scanner};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PlaceholderError {
    pub path: Vec<Seg>,
    pub message: String,
    /// True when the failure was an attempt to leave the repository.
    pub outside_repo: bool,
}

/// Where placeholders read from, and where secrets found in those files are reported.
pub(super) struct Reader<'a> {
    pub repo: &'a Repo,
    pub max_bytes: u64,
    pub secrets: &'a Scanner,
    /// Secrets redacted from referenced files, with the file they were in.
    pub findings: Vec<(RepoPath, Finding)>,
}

/// Replaces every placeholder in `value`; stops at the first failure.
pub(super) fn resolve(
    value: &mut Value,
    reader: &mut Reader<'_>,
    dir: &RepoPath,
) -> Result<(), PlaceholderError> {
    let mut path = Vec::new();
    walk(value, reader, dir, &mut path)
}

fn walk(
    value: &mut Value,
    reader: &mut Reader<'_>,
    dir: &RepoPath,
    path: &mut Vec<Seg>,
) -> Result<(), PlaceholderError> {
    if let Some(p) = references::placeholder(value) {
        let (kind, target) = (p.kind, p.target.to_string());
        let resolved =
            load(kind, &target, reader, dir).map_err(|(message, outside)| PlaceholderError {
                path: path.clone(),
                message: format!("${} placeholder \"{target}\": {message}", kind.name()),
                outside_repo: outside,
            })?;
        *value = resolved;
        return Ok(());
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                path.push(Seg::Key(k.clone()));
                walk(v, reader, dir, path)?;
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                path.push(Seg::Index(i));
                walk(v, reader, dir, path)?;
                path.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

fn load(
    kind: PlaceholderKind,
    target: &str,
    reader: &mut Reader<'_>,
    dir: &RepoPath,
) -> Result<Value, (String, bool)> {
    if target.contains("://") {
        return Err((
            "URL placeholders are not fetched for this source; point at a file in the repository"
                .to_string(),
            false,
        ));
    }
    let file = dir.join(target).map_err(|e| (e.to_string(), true))?;
    let bytes = reader
        .repo
        .read(&file, reader.max_bytes)
        .map_err(|e| match e {
            ReadError::OutsideRepo => (e.to_string(), true),
            ReadError::NotFound => (format!("no file {file} in the repository"), false),
            other => (other.to_string(), false),
        })?;
    let text =
        String::from_utf8(bytes).map_err(|_| ("the file is not UTF-8 text".to_string(), false))?;
    let redacted = reader.secrets.redact(&text);
    reader
        .findings
        .extend(redacted.findings.into_iter().map(|f| (file.clone(), f)));
    let text = redacted.text.into_owned();
    match kind {
        PlaceholderKind::Text => Ok(Value::String(text)),
        PlaceholderKind::Json => {
            serde_json::from_str(&text).map_err(|e| (format!("invalid JSON: {e}"), false))
        }
        PlaceholderKind::Yaml => {
            super::yaml::parse_single(&text).map_err(|e| (format!("invalid YAML: {e}"), false))
        }
    }
}
