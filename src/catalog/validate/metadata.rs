//! `metadata`: Backstage's metadata schema and the field formats of its names, labels,
//! annotations, tags and links.

use super::formats::{
    is_non_empty_string, is_valid_dns_label, is_valid_object_name, is_valid_qualified_key,
    is_valid_tag,
};
use super::{Issue, FIELD};
use crate::catalog::yaml::Seg;
use serde_json::{Map, Value};

pub(super) fn validate_metadata(metadata: &Map<String, Value>) -> Vec<Issue> {
    let mut issues = Vec::new();
    check_name(metadata, &mut issues);
    check_namespace(metadata, &mut issues);
    check_strings(metadata, &mut issues);
    if let Some(v) = metadata.get("generation") {
        if !(v.is_i64() || v.is_u64()) {
            issues.push(field(
                at(&["generation"]),
                "\"metadata.generation\" must be an integer".into(),
            ));
        }
    }
    for (name, is_label) in [("labels", true), ("annotations", false)] {
        check_key_values(metadata, name, is_label, &mut issues);
    }
    if let Some(v) = metadata.get("tags") {
        check_tags(v, &mut issues);
    }
    if let Some(v) = metadata.get("links") {
        check_links(v, &mut issues);
    }
    issues
}

/// The path of a field under `metadata`.
fn at(keys: &[&str]) -> Vec<Seg> {
    std::iter::once(Seg::key("metadata"))
        .chain(keys.iter().map(|k| Seg::key(k)))
        .collect()
}

fn field(path: Vec<Seg>, message: String) -> Issue {
    Issue {
        code: FIELD,
        path,
        message,
    }
}

fn check_name(metadata: &Map<String, Value>, issues: &mut Vec<Issue>) {
    match metadata.get("name") {
        None => issues.push(field(at(&[]), "\"metadata.name\" is required".into())),
        Some(Value::String(name)) if !is_valid_object_name(name) => issues.push(field(at(&["name"]), format!("\"metadata.name\" is not valid; expected 1-63 characters of [a-zA-Z0-9], with [-_.] allowed between them, found \"{name}\""))),
        Some(Value::String(_)) => {}
        Some(_) => issues.push(field(
            at(&["name"]),
            "\"metadata.name\" must be a string".into(),
        )),
    }
}

fn check_namespace(metadata: &Map<String, Value>, issues: &mut Vec<Issue>) {
    match metadata.get("namespace") {
        None => {}
        Some(Value::String(ns)) if !is_valid_dns_label(ns) => issues.push(field(at(&["namespace"]), format!("\"metadata.namespace\" is not valid; expected a lower-case DNS label (a-z, 0-9 and single dashes between them, at most 63 characters), found \"{ns}\""))),
        Some(Value::String(_)) => {}
        Some(_) => issues.push(field(
            at(&["namespace"]),
            "\"metadata.namespace\" must be a string".into(),
        )),
    }
}

/// Backstage's metadata schema: strings, all but the description at least one character.
fn check_strings(metadata: &Map<String, Value>, issues: &mut Vec<Issue>) {
    for key in ["title", "description", "uid", "etag"] {
        let message = match metadata.get(key) {
            Some(Value::String(s)) if s.is_empty() && key != "description" => {
                format!("\"metadata.{key}\" must not be empty; remove it or give it a value")
            }
            Some(v) if !v.is_string() => format!("\"metadata.{key}\" must be a string"),
            _ => continue,
        };
        issues.push(field(at(&[key]), message));
    }
}

/// `labels` or `annotations`: a mapping of qualified keys to strings.
fn check_key_values(
    metadata: &Map<String, Value>,
    name: &str,
    is_label: bool,
    issues: &mut Vec<Issue>,
) {
    // The catalog reads `annotations || {}`: a falsy value counts as none written.
    let Some(v) = metadata.get(name).filter(|v| is_label || !is_falsy(v)) else {
        return;
    };
    let Some(map) = v.as_object() else {
        issues.push(field(
            at(&[name]),
            format!("\"metadata.{name}\" must be a mapping of strings"),
        ));
        return;
    };
    let one = if is_label { "label" } else { "annotation" };
    for (key, value) in map {
        if !is_label && OVERWRITTEN_ANNOTATIONS.contains(&key.as_str()) {
            continue;
        }
        let path = || at(&[name, key]);
        if !is_valid_qualified_key(key) {
            issues.push(field(path(), format!("{one} key \"{key}\" is not valid; expected [<DNS subdomain>/]<name> where the name is 1-63 characters of [a-zA-Z0-9] with [-_.] between them")));
        }
        match value.as_str() {
            None => issues.push(field(path(), format!("the value of {one} \"{key}\" must be a string (quote it)"))),
            Some(s) if is_label && !(s.is_empty() || is_valid_object_name(s)) => issues.push(field(path(), format!("label value \"{s}\" of \"{key}\" is not valid; expected empty or 1-63 characters of [a-zA-Z0-9] with [-_.] between them"))),
            Some(_) => {}
        }
    }
}

fn check_tags(v: &Value, issues: &mut Vec<Issue>) {
    let Some(tags) = v.as_array() else {
        issues.push(field(
            at(&["tags"]),
            "\"metadata.tags\" must be a list of strings".into(),
        ));
        return;
    };
    for (i, tag) in tags.iter().enumerate() {
        let mut path = at(&["tags"]);
        path.push(Seg::Index(i));
        match tag.as_str() {
            Some(t) if is_valid_tag(t) => {}
            Some(t) => issues.push(field(path, format!("tag \"{t}\" is not valid; expected 1-63 characters of [a-z0-9:+#] with single dashes between them (lower case, no spaces)"))),
            None => issues.push(field(path, "tags must be strings".into())),
        }
    }
}

fn check_links(v: &Value, issues: &mut Vec<Issue>) {
    let Some(links) = v.as_array() else {
        issues.push(field(
            at(&["links"]),
            "\"metadata.links\" must be a list".into(),
        ));
        return;
    };
    for (i, link) in links.iter().enumerate() {
        let mut path = at(&["links"]);
        path.push(Seg::Index(i));
        let Some(link) = link.as_object() else {
            issues.push(field(path, "a link must be a mapping with a url".into()));
            continue;
        };
        match link.get("url").and_then(Value::as_str) {
            Some(u) if url::Url::parse(u).is_ok() => {}
            Some(u) => {
                let mut p = path.clone();
                p.push(Seg::key("url"));
                issues.push(field(
                    p,
                    format!("link url \"{u}\" is not a valid absolute URL"),
                ));
            }
            None => issues.push(field(path.clone(), "a link needs a \"url\" string".into())),
        }
        for key in ["title", "icon", "type"] {
            if link.get(key).is_some_and(|v| !is_non_empty_string(v)) {
                let mut p = path.clone();
                p.push(Seg::key(key));
                issues.push(field(
                    p,
                    format!("link \"{key}\" must be a non-empty string"),
                ));
            }
        }
    }
}

/// The catalog sets these itself, replacing whatever a file wrote.
const OVERWRITTEN_ANNOTATIONS: &[&str] = &[
    "backstage.io/managed-by-location",
    "backstage.io/managed-by-origin-location",
];

/// JavaScript's falsy values, as far as JSON has them.
fn is_falsy(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(_) | Value::Object(_) => false,
    }
}
