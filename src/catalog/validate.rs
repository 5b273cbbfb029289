//! Backstage's validation, rule for rule: the envelope, the field formats of
//! `FieldFormatEntityPolicy`, the metadata schema, then the kind's own schema. Every problem is
//! reported (not only the first), each with the path of the field so its line can be found.

mod formats;
mod metadata;
#[cfg(test)]
mod tests;

pub use super::issue::Issue;
use super::yaml::Seg;
use formats::{is_non_empty_string, is_valid_api_version, is_valid_kind};
use metadata::validate_metadata;
use serde_json::{Map, Value};

/// What a valid document identifies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

const ENVELOPE: &str = "catalog/invalid-envelope";
const FIELD: &str = "catalog/invalid-field";
const UNKNOWN_KIND: &str = "catalog/unknown-kind";

const BUILTIN_API_VERSIONS: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];
const TEMPLATE_API_VERSION: &str = "scaffolder.backstage.io/v1beta3";

/// The spec fields a kind requires and allows (all strings or lists of strings), as in
/// Backstage's JSON schemas.
struct KindSchema {
    kind: &'static str,
    required: &'static [&'static str],
    optional: &'static [&'static str],
    required_lists: &'static [&'static str],
    optional_lists: &'static [&'static str],
}

const KINDS: &[KindSchema] = &[
    KindSchema {
        kind: "Component",
        required: &["type", "lifecycle", "owner"],
        optional: &["system", "subcomponentOf"],
        required_lists: &[],
        optional_lists: &["providesApis", "consumesApis", "dependsOn", "dependencyOf"],
    },
    KindSchema {
        kind: "API",
        required: &["type", "lifecycle", "owner", "definition"],
        optional: &["system"],
        required_lists: &[],
        optional_lists: &[],
    },
    KindSchema {
        kind: "Resource",
        required: &["type", "owner"],
        optional: &["system"],
        required_lists: &[],
        optional_lists: &["dependsOn", "dependencyOf"],
    },
    KindSchema {
        kind: "System",
        required: &["owner"],
        optional: &["domain", "type"],
        required_lists: &[],
        optional_lists: &[],
    },
    KindSchema {
        kind: "Domain",
        required: &["owner"],
        optional: &["subdomainOf", "type"],
        required_lists: &[],
        optional_lists: &[],
    },
    KindSchema {
        kind: "Group",
        required: &["type"],
        optional: &["parent"],
        required_lists: &["children"],
        optional_lists: &["members"],
    },
    KindSchema {
        kind: "User",
        required: &[],
        optional: &[],
        required_lists: &["memberOf"],
        optional_lists: &[],
    },
    KindSchema {
        kind: "Location",
        required: &[],
        optional: &["type", "target"],
        required_lists: &[],
        optional_lists: &["targets"],
    },
    KindSchema {
        kind: "Template",
        required: &["type"],
        optional: &["owner", "lifecycle"],
        required_lists: &[],
        optional_lists: &[],
    },
];

/// Validates one document. On success the identity has its namespace defaulted.
pub fn validate(doc: &Value) -> Result<Identity, Vec<Issue>> {
    let Some(root) = doc.as_object() else {
        return Err(vec![issue(
            ENVELOPE,
            vec![],
            "the document is not a mapping".into(),
        )]);
    };
    let mut issues = check_envelope(root);
    let api_version = root.get("apiVersion").and_then(Value::as_str);
    let kind = root.get("kind").and_then(Value::as_str);
    let metadata = root.get("metadata").and_then(Value::as_object);
    let (Some(api_version), Some(kind), Some(metadata)) = (api_version, kind, metadata) else {
        return Err(issues);
    };

    if !is_valid_api_version(api_version) {
        issues.push(issue(FIELD, vec![Seg::key("apiVersion")], format!("\"apiVersion\" is not valid; expected [<DNS subdomain>/]<version> with a version of 1-63 letters and digits, found \"{api_version}\"")));
    }
    if !is_valid_kind(kind) {
        issues.push(issue(FIELD, vec![Seg::key("kind")], format!("\"kind\" is not valid; expected a letter followed by letters and digits, at most 63 characters, found \"{kind}\"")));
    }
    issues.extend(validate_metadata(metadata));
    match find_kind(api_version, kind) {
        Some(schema) => match root.get("spec") {
            Some(Value::Object(spec)) => issues.extend(validate_spec(schema, spec)),
            None => issues.push(issue(
                FIELD,
                vec![Seg::key("spec")],
                format!("\"spec\" is required for kind {}", schema.kind),
            )),
            // Reported by the envelope check.
            Some(_) => {}
        },
        None => issues.push(issue(
            UNKNOWN_KIND,
            vec![Seg::key("kind")],
            unknown_kind_message(api_version, kind),
        )),
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    let text = |key| metadata.get(key).and_then(Value::as_str);
    Ok(Identity {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        namespace: text("namespace")
            .unwrap_or(super::refs::DEFAULT_NAMESPACE)
            .to_string(),
        name: text("name").unwrap_or("").to_string(),
    })
}

fn issue(code: &'static str, path: Vec<Seg>, message: String) -> Issue {
    Issue {
        code,
        path,
        message,
    }
}

/// The four root fields: present, of the right type, and nothing else.
fn check_envelope(root: &Map<String, Value>) -> Vec<Issue> {
    let mut issues = Vec::new();
    let required = [
        (
            "apiVersion",
            Value::is_string as fn(&Value) -> bool,
            "a string",
        ),
        ("kind", Value::is_string, "a string"),
        ("metadata", Value::is_object, "a mapping"),
    ];
    for (key, is_right, what) in required {
        if !root.get(key).is_some_and(is_right) {
            issues.push(issue(
                ENVELOPE,
                vec![Seg::key(key)],
                format!("\"{key}\" is required and must be {what}"),
            ));
        }
    }
    if root.get("spec").is_some_and(|spec| !spec.is_object()) {
        issues.push(issue(
            ENVELOPE,
            vec![Seg::key("spec")],
            "\"spec\" must be a mapping".into(),
        ));
    }
    for key in root.keys() {
        if !matches!(key.as_str(), "apiVersion" | "kind" | "metadata" | "spec") {
            issues.push(issue(
                ENVELOPE,
                vec![Seg::key(key)],
                format!("unknown root field \"{key}\"; only apiVersion, kind, metadata and spec may be written (relations and status are produced by the catalog)"),
            ));
        }
    }
    issues
}

fn find_kind(api_version: &str, kind: &str) -> Option<&'static KindSchema> {
    let schema = KINDS.iter().find(|k| k.kind == kind)?;
    let accepted = if kind == "Template" {
        api_version == TEMPLATE_API_VERSION
    } else {
        BUILTIN_API_VERSIONS.contains(&api_version)
    };
    accepted.then_some(schema)
}

fn unknown_kind_message(api_version: &str, kind: &str) -> String {
    if let Some(schema) = KINDS.iter().find(|k| k.kind.eq_ignore_ascii_case(kind)) {
        if schema.kind != kind {
            return format!(
                "unknown kind \"{kind}\"; kinds are case-sensitive: did you mean \"{}\"?",
                schema.kind
            );
        }
        let expected = if kind == "Template" {
            TEMPLATE_API_VERSION.to_string()
        } else {
            BUILTIN_API_VERSIONS.join(" or ")
        };
        return format!(
            "kind {kind} is not known with apiVersion \"{api_version}\"; use {expected}"
        );
    }
    format!("no built-in kind matches apiVersion \"{api_version}\" and kind \"{kind}\"; the built-in kinds are Component, API, Resource, System, Domain, Group, User, Location and Template")
}

fn validate_spec(schema: &KindSchema, spec: &Map<String, Value>) -> Vec<Issue> {
    let mut issues = Vec::new();
    for (keys, required) in [(schema.required, true), (schema.optional, false)] {
        for key in keys {
            check_spec_string(schema, spec, key, required, &mut issues);
        }
    }
    for (keys, required) in [
        (schema.required_lists, true),
        (schema.optional_lists, false),
    ] {
        for key in keys {
            check_spec_list(schema, spec, key, required, &mut issues);
        }
    }
    match schema.kind {
        "Group" | "User" => {
            if let Some(profile) = spec.get("profile") {
                check_profile(profile, &mut issues);
            }
        }
        "Location" => {
            let presence = spec.get("presence").map(Value::as_str);
            if presence.is_some_and(|p| !matches!(p, Some("required" | "optional"))) {
                issues.push(issue(
                    FIELD,
                    spec_path(&["presence"]),
                    "\"spec.presence\" must be \"required\" or \"optional\"".into(),
                ));
            }
        }
        "Template" => issues.extend(super::template::validate_template(spec)),
        _ => {}
    }
    issues
}

fn spec_path(keys: &[&str]) -> Vec<Seg> {
    std::iter::once(Seg::key("spec"))
        .chain(keys.iter().map(|k| Seg::key(k)))
        .collect()
}

fn check_spec_string(
    schema: &KindSchema,
    spec: &Map<String, Value>,
    key: &str,
    required: bool,
    issues: &mut Vec<Issue>,
) {
    let (path, message) = match spec.get(key) {
        None if required => (
            spec_path(&[]),
            format!("\"spec.{key}\" is required for kind {}", schema.kind),
        ),
        None => return,
        Some(Value::String(s)) if !s.is_empty() => return,
        Some(Value::String(_)) => (
            spec_path(&[key]),
            format!("\"spec.{key}\" must not be empty"),
        ),
        Some(_) => (
            spec_path(&[key]),
            format!("\"spec.{key}\" must be a string"),
        ),
    };
    issues.push(issue(FIELD, path, message));
}

fn check_spec_list(
    schema: &KindSchema,
    spec: &Map<String, Value>,
    key: &str,
    required: bool,
    issues: &mut Vec<Issue>,
) {
    match spec.get(key) {
        None if required => issues.push(issue(
            FIELD,
            spec_path(&[]),
            format!(
                "\"spec.{key}\" is required for kind {} (it may be an empty list)",
                schema.kind
            ),
        )),
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if item.as_str().is_none_or(str::is_empty) {
                    let mut path = spec_path(&[key]);
                    path.push(Seg::Index(i));
                    issues.push(issue(
                        FIELD,
                        path,
                        format!("\"spec.{key}\" items must be non-empty strings"),
                    ));
                }
            }
        }
        Some(_) => issues.push(issue(
            FIELD,
            spec_path(&[key]),
            format!("\"spec.{key}\" must be a list of strings"),
        )),
    }
}

/// A Group's or User's `spec.profile`: a mapping of non-empty strings.
fn check_profile(profile: &Value, issues: &mut Vec<Issue>) {
    let Some(p) = profile.as_object() else {
        issues.push(issue(
            FIELD,
            spec_path(&["profile"]),
            "\"spec.profile\" must be a mapping".into(),
        ));
        return;
    };
    for key in ["displayName", "email", "picture"] {
        if p.get(key).is_some_and(|v| !is_non_empty_string(v)) {
            issues.push(issue(
                FIELD,
                spec_path(&["profile", key]),
                format!("\"spec.profile.{key}\" must be a non-empty string"),
            ));
        }
    }
}
