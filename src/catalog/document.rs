//! What one catalog document's value says beyond validation: the ref it would have, the type
//! of a value for messages, URL fields with script schemes, and the location annotations the
//! catalog sets on every entity it reads.

use super::yaml::Seg;
use crate::gather::Repo;
use crate::paths::RepoPath;
use serde_json::Value;

/// URL fields the portal renders as links (metadata.links, profile pictures, `*-url`
/// annotations and `url:` locations) whose scheme is not http(s) or mailto. The portal shows
/// them as text anyway; the warning tells the author why the link is missing.
pub(super) fn unsafe_urls(value: &Value) -> Vec<(Vec<Seg>, String)> {
    let mut found = Vec::new();
    let mut check = |path: Vec<Seg>, url: &str| {
        let url = url.trim();
        let scheme_len = url.find(':').filter(|&i| {
            i > 0
                && url[..i].starts_with(|c: char| c.is_ascii_alphabetic())
                && url[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        });
        if let Some(i) = scheme_len {
            let scheme = url[..i].to_ascii_lowercase();
            if !matches!(scheme.as_str(), "http" | "https" | "mailto") {
                found.push((path, scheme));
            }
        }
    };
    let key = Seg::key;
    if let Some(links) = value.pointer("/metadata/links").and_then(Value::as_array) {
        for (i, link) in links.iter().enumerate() {
            if let Some(url) = link.get("url").and_then(Value::as_str) {
                check(
                    vec![key("metadata"), key("links"), Seg::Index(i), key("url")],
                    url,
                );
            }
        }
    }
    if let Some(picture) = value
        .pointer("/spec/profile/picture")
        .and_then(Value::as_str)
    {
        check(vec![key("spec"), key("profile"), key("picture")], picture);
    }
    if let Some(annotations) = value
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
    {
        for (name, v) in annotations {
            let Some(v) = v.as_str() else { continue };
            let url = if name.ends_with("-url") {
                v
            } else if let Some(rest) = v.strip_prefix("url:") {
                rest
            } else {
                continue;
            };
            check(vec![key("metadata"), key("annotations"), key(name)], url);
        }
    }
    found
}

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "mapping",
    }
}

/// The ref of a document, when kind and name are strings, even if the document is invalid.
pub(super) fn formable_ref(value: &Value) -> Option<String> {
    let kind = value.get("kind")?.as_str()?;
    let name = value.pointer("/metadata/name")?.as_str()?;
    let namespace = value
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or(super::refs::DEFAULT_NAMESPACE);
    (!kind.is_empty() && !name.is_empty())
        .then(|| super::refs::EntityRef::new(kind, namespace, name).to_string())
}

/// `backstage.io/managed-by-location` and `...-origin-location`, as the catalog sets them; for
/// repositories read from GitHub also the annotations Backstage's URL reader adds (view, edit
/// and source links, project slug), unless the entity sets them itself.
pub(super) fn add_location_annotations(
    value: &mut Value,
    repo: &Repo,
    file: &RepoPath,
    origin: &RepoPath,
) {
    let location = |path: &RepoPath| match (&repo.origin, &repo.branch, &repo.commit) {
        (Some(web), Some(branch), _) => format!("url:{web}/blob/{branch}/{path}"),
        (Some(web), None, Some(commit)) => format!("url:{web}/blob/{commit}/{path}"),
        _ => format!("file:{}", repo.display_path(path)),
    };
    let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) else {
        return;
    };
    let annotations = metadata
        .entry("annotations")
        .or_insert_with(|| Value::Object(Default::default()));
    // Validation let through only falsy non-mappings, which count as no annotations.
    if !annotations.is_object() {
        *annotations = Value::Object(Default::default());
    }
    if let Some(map) = annotations.as_object_mut() {
        map.insert(
            "backstage.io/managed-by-location".into(),
            Value::String(location(file)),
        );
        map.insert(
            "backstage.io/managed-by-origin-location".into(),
            Value::String(location(origin)),
        );
        if let (Some(web), Some(branch)) = (&repo.origin, &repo.branch) {
            let dir = file.parent();
            let dir = if dir.as_str().is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            let slug = web.rsplitn(3, '/').take(2).collect::<Vec<_>>();
            let mut derived = vec![
                (
                    "backstage.io/view-url",
                    format!("{web}/blob/{branch}/{file}"),
                ),
                (
                    "backstage.io/edit-url",
                    format!("{web}/edit/{branch}/{file}"),
                ),
                (
                    "backstage.io/source-location",
                    format!("url:{web}/tree/{branch}/{dir}"),
                ),
            ];
            if let [name, owner] = slug.as_slice() {
                derived.push(("github.com/project-slug", format!("{owner}/{name}")));
            }
            for (key, derived_value) in derived {
                map.entry(key)
                    .or_insert_with(|| Value::String(derived_value));
            }
        }
    }
}
