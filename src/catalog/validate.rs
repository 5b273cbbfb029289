//! Backstage's validation, rule for rule: the envelope, the field formats of
//! `FieldFormatEntityPolicy`, the metadata schema, then the kind's own schema. Every problem is
//! reported (not only the first), each with the path of the field so its line can be found.

pub use super::issue::Issue;
use super::yaml::Seg;
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
    let mut issues = Vec::new();
    let issue = |code, path: Vec<Seg>, message: String| Issue {
        code,
        path,
        message,
    };
    let Some(root) = doc.as_object() else {
        return Err(vec![issue(
            ENVELOPE,
            vec![],
            "the document is not a mapping".into(),
        )]);
    };
    let api_version = root.get("apiVersion").and_then(Value::as_str);
    let kind = root.get("kind").and_then(Value::as_str);
    let metadata = root.get("metadata").and_then(Value::as_object);
    if api_version.is_none() {
        issues.push(issue(
            ENVELOPE,
            vec![Seg::key("apiVersion")],
            "\"apiVersion\" is required and must be a string".into(),
        ));
    }
    if kind.is_none() {
        issues.push(issue(
            ENVELOPE,
            vec![Seg::key("kind")],
            "\"kind\" is required and must be a string".into(),
        ));
    }
    if metadata.is_none() {
        issues.push(issue(
            ENVELOPE,
            vec![Seg::key("metadata")],
            "\"metadata\" is required and must be a mapping".into(),
        ));
    }
    if let Some(spec) = root.get("spec") {
        if !spec.is_object() {
            issues.push(issue(
                ENVELOPE,
                vec![Seg::key("spec")],
                "\"spec\" must be a mapping".into(),
            ));
        }
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
    let namespace = metadata
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or(super::refs::DEFAULT_NAMESPACE);
    let name = metadata.get("name").and_then(Value::as_str).unwrap_or("");

    match find_kind(api_version, kind) {
        Some(schema) => {
            let spec = root.get("spec").and_then(Value::as_object);
            match spec {
                Some(spec) => issues.extend(validate_spec(schema, spec)),
                None if root.get("spec").is_none() => issues.push(issue(
                    FIELD,
                    vec![Seg::key("spec")],
                    format!("\"spec\" is required for kind {}", schema.kind),
                )),
                None => {}
            }
        }
        None => issues.push(issue(
            UNKNOWN_KIND,
            vec![Seg::key("kind")],
            unknown_kind_message(api_version, kind),
        )),
    }

    if issues.is_empty() {
        Ok(Identity {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        })
    } else {
        Err(issues)
    }
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

fn validate_metadata(metadata: &Map<String, Value>) -> Vec<Issue> {
    let mut issues = Vec::new();
    let at = |keys: &[&str]| -> Vec<Seg> {
        std::iter::once(Seg::key("metadata"))
            .chain(keys.iter().map(|k| Seg::key(k)))
            .collect()
    };
    match metadata.get("name") {
        None => issues.push(Issue {
            code: FIELD,
            path: at(&[]),
            message: "\"metadata.name\" is required".into(),
        }),
        Some(Value::String(name)) => {
            if !is_valid_object_name(name) {
                issues.push(Issue { code: FIELD, path: at(&["name"]), message: format!("\"metadata.name\" is not valid; expected 1-63 characters of [a-zA-Z0-9], with [-_.] allowed between them, found \"{name}\"") });
            }
        }
        Some(_) => issues.push(Issue {
            code: FIELD,
            path: at(&["name"]),
            message: "\"metadata.name\" must be a string".into(),
        }),
    }
    match metadata.get("namespace") {
        None => {}
        Some(Value::String(ns)) if !is_valid_dns_label(ns) => {
            issues.push(Issue { code: FIELD, path: at(&["namespace"]), message: format!("\"metadata.namespace\" is not valid; expected a lower-case DNS label (a-z, 0-9 and single dashes between them, at most 63 characters), found \"{ns}\"") });
        }
        Some(Value::String(_)) => {}
        Some(_) => issues.push(Issue {
            code: FIELD,
            path: at(&["namespace"]),
            message: "\"metadata.namespace\" must be a string".into(),
        }),
    }
    // Backstage's metadata schema: strings, all but the description at least one character.
    for key in ["title", "description", "uid", "etag"] {
        let message = match metadata.get(key) {
            Some(Value::String(s)) if s.is_empty() && key != "description" => {
                format!("\"metadata.{key}\" must not be empty; remove it or give it a value")
            }
            Some(v) if !v.is_string() => format!("\"metadata.{key}\" must be a string"),
            _ => continue,
        };
        issues.push(Issue {
            code: FIELD,
            path: at(&[key]),
            message,
        });
    }
    if let Some(v) = metadata.get("generation") {
        if !(v.is_i64() || v.is_u64()) {
            issues.push(Issue {
                code: FIELD,
                path: at(&["generation"]),
                message: "\"metadata.generation\" must be an integer".into(),
            });
        }
    }
    for (field, is_label) in [("labels", true), ("annotations", false)] {
        // The catalog reads `annotations || {}`: a falsy value counts as none written.
        let Some(v) = metadata.get(field).filter(|v| is_label || !is_falsy(v)) else {
            continue;
        };
        let Some(map) = v.as_object() else {
            issues.push(Issue {
                code: FIELD,
                path: at(&[field]),
                message: format!("\"metadata.{field}\" must be a mapping of strings"),
            });
            continue;
        };
        for (key, value) in map {
            if !is_label && OVERWRITTEN_ANNOTATIONS.contains(&key.as_str()) {
                continue;
            }
            let path = || {
                let mut p = at(&[field]);
                p.push(Seg::key(key));
                p
            };
            if !is_valid_qualified_key(key) {
                issues.push(Issue { code: FIELD, path: path(), message: format!("{} key \"{key}\" is not valid; expected [<DNS subdomain>/]<name> where the name is 1-63 characters of [a-zA-Z0-9] with [-_.] between them", singular(field)) });
            }
            match value.as_str() {
                None => issues.push(Issue { code: FIELD, path: path(), message: format!("the value of {} \"{key}\" must be a string (quote it)", singular(field)) }),
                Some(s) if is_label && !(s.is_empty() || is_valid_object_name(s)) => issues.push(Issue { code: FIELD, path: path(), message: format!("label value \"{s}\" of \"{key}\" is not valid; expected empty or 1-63 characters of [a-zA-Z0-9] with [-_.] between them") }),
                Some(_) => {}
            }
        }
    }
    if let Some(v) = metadata.get("tags") {
        match v.as_array() {
            None => issues.push(Issue {
                code: FIELD,
                path: at(&["tags"]),
                message: "\"metadata.tags\" must be a list of strings".into(),
            }),
            Some(tags) => {
                for (i, tag) in tags.iter().enumerate() {
                    let mut path = at(&["tags"]);
                    path.push(Seg::Index(i));
                    match tag.as_str() {
                        Some(t) if is_valid_tag(t) => {}
                        Some(t) => issues.push(Issue { code: FIELD, path, message: format!("tag \"{t}\" is not valid; expected 1-63 characters of [a-z0-9:+#] with single dashes between them (lower case, no spaces)") }),
                        None => issues.push(Issue { code: FIELD, path, message: "tags must be strings".into() }),
                    }
                }
            }
        }
    }
    if let Some(v) = metadata.get("links") {
        match v.as_array() {
            None => issues.push(Issue {
                code: FIELD,
                path: at(&["links"]),
                message: "\"metadata.links\" must be a list".into(),
            }),
            Some(links) => {
                for (i, link) in links.iter().enumerate() {
                    let mut path = at(&["links"]);
                    path.push(Seg::Index(i));
                    let Some(link) = link.as_object() else {
                        issues.push(Issue {
                            code: FIELD,
                            path,
                            message: "a link must be a mapping with a url".into(),
                        });
                        continue;
                    };
                    match link.get("url").and_then(Value::as_str) {
                        Some(u) if url::Url::parse(u).is_ok() => {}
                        Some(u) => {
                            path.push(Seg::key("url"));
                            issues.push(Issue {
                                code: FIELD,
                                path: path.clone(),
                                message: format!("link url \"{u}\" is not a valid absolute URL"),
                            });
                        }
                        None => issues.push(Issue {
                            code: FIELD,
                            path: path.clone(),
                            message: "a link needs a \"url\" string".into(),
                        }),
                    }
                    for key in ["title", "icon", "type"] {
                        if link.get(key).is_some_and(|v| !is_non_empty_string(v)) {
                            let mut p = path.clone();
                            p.push(Seg::key(key));
                            issues.push(Issue {
                                code: FIELD,
                                path: p,
                                message: format!("link \"{key}\" must be a non-empty string"),
                            });
                        }
                    }
                }
            }
        }
    }
    issues
}

/// The catalog sets these itself, replacing whatever a file wrote.
const OVERWRITTEN_ANNOTATIONS: &[&str] = &[
    "backstage.io/managed-by-location",
    "backstage.io/managed-by-origin-location",
];

fn is_non_empty_string(v: &Value) -> bool {
    v.as_str().is_some_and(|s| !s.is_empty())
}

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

fn singular(field: &str) -> &'static str {
    if field == "labels" {
        "label"
    } else {
        "annotation"
    }
}

fn validate_spec(schema: &KindSchema, spec: &Map<String, Value>) -> Vec<Issue> {
    let mut issues = Vec::new();
    let at = |key: &str| vec![Seg::key("spec"), Seg::key(key)];
    let check_string = |key: &str, required: bool, issues: &mut Vec<Issue>| match spec.get(key) {
        None if required => issues.push(Issue {
            code: FIELD,
            path: vec![Seg::key("spec")],
            message: format!("\"spec.{key}\" is required for kind {}", schema.kind),
        }),
        None => {}
        Some(Value::String(s)) if !s.is_empty() => {}
        Some(Value::String(_)) => issues.push(Issue {
            code: FIELD,
            path: at(key),
            message: format!("\"spec.{key}\" must not be empty"),
        }),
        Some(_) => issues.push(Issue {
            code: FIELD,
            path: at(key),
            message: format!("\"spec.{key}\" must be a string"),
        }),
    };
    for key in schema.required {
        check_string(key, true, &mut issues);
    }
    for key in schema.optional {
        check_string(key, false, &mut issues);
    }
    let check_list = |key: &str, required: bool, issues: &mut Vec<Issue>| match spec.get(key) {
        None if required => issues.push(Issue {
            code: FIELD,
            path: vec![Seg::key("spec")],
            message: format!(
                "\"spec.{key}\" is required for kind {} (it may be an empty list)",
                schema.kind
            ),
        }),
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if item.as_str().is_none_or(str::is_empty) {
                    issues.push(Issue {
                        code: FIELD,
                        path: vec![Seg::key("spec"), Seg::key(key), Seg::Index(i)],
                        message: format!("\"spec.{key}\" items must be non-empty strings"),
                    });
                }
            }
        }
        Some(_) => issues.push(Issue {
            code: FIELD,
            path: at(key),
            message: format!("\"spec.{key}\" must be a list of strings"),
        }),
    };
    for key in schema.required_lists {
        check_list(key, true, &mut issues);
    }
    for key in schema.optional_lists {
        check_list(key, false, &mut issues);
    }
    match schema.kind {
        "Group" | "User" => {
            if let Some(profile) = spec.get("profile") {
                match profile.as_object() {
                    None => issues.push(Issue {
                        code: FIELD,
                        path: at("profile"),
                        message: "\"spec.profile\" must be a mapping".into(),
                    }),
                    Some(p) => {
                        for key in ["displayName", "email", "picture"] {
                            if p.get(key).is_some_and(|v| !is_non_empty_string(v)) {
                                issues.push(Issue {
                                    code: FIELD,
                                    path: vec![
                                        Seg::key("spec"),
                                        Seg::key("profile"),
                                        Seg::key(key),
                                    ],
                                    message: format!(
                                        "\"spec.profile.{key}\" must be a non-empty string"
                                    ),
                                });
                            }
                        }
                    }
                }
            }
        }
        "Location" => {
            if let Some(p) = spec.get("presence") {
                if !matches!(p.as_str(), Some("required") | Some("optional")) {
                    issues.push(Issue {
                        code: FIELD,
                        path: at("presence"),
                        message: "\"spec.presence\" must be \"required\" or \"optional\"".into(),
                    });
                }
            }
        }
        "Template" => issues.extend(super::template::validate_template(spec)),
        _ => {}
    }
    issues
}

/// `metadata.name` and label values: `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`, 1-63.
pub fn is_valid_object_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// `^[a-z0-9]+(\-[a-z0-9]+)*$`, 1-63.
pub fn is_valid_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// 1-253 characters of dot-separated DNS labels.
pub fn is_valid_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_valid_dns_label)
}

/// `prefix/suffix` or `suffix`, with at most one `/` (Backstage's isValidPrefixAndOrSuffix).
fn prefix_and_or_suffix(s: &str, prefix: fn(&str) -> bool, suffix: fn(&str) -> bool) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [only] => suffix(only),
        [p, x] => prefix(p) && suffix(x),
        _ => false,
    }
}

pub fn is_valid_api_version(s: &str) -> bool {
    prefix_and_or_suffix(s, is_valid_dns_subdomain, |v| {
        !v.is_empty() && v.len() <= 63 && v.bytes().all(|c| c.is_ascii_alphanumeric())
    })
}

pub fn is_valid_kind(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphabetic()
        && b.iter().all(|c| c.is_ascii_alphanumeric())
}

/// Label and annotation keys: `[<DNS subdomain>/]<object name>`.
pub fn is_valid_qualified_key(s: &str) -> bool {
    prefix_and_or_suffix(s, is_valid_dns_subdomain, is_valid_object_name)
}

/// `^[a-z0-9:+#]+(\-[a-z0-9:+#]+)*$`, 1-63.
pub fn is_valid_tag(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.split('-').all(|part| {
            !part.is_empty()
                && part.bytes().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b':' | b'+' | b'#')
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_at_their_boundaries() {
        let cases: &[(&str, bool)] = &[
            ("a", true),
            (&"a".repeat(63), true),
            (&"a".repeat(64), false),
            ("a--b", true),
            ("a_b.c-d", true),
            ("A1", true),
            ("-a", false),
            ("a-", false),
            ("a.", false),
            ("_a", false),
            ("a b", false),
            ("a!", false),
            ("", false),
            ("é", false),
        ];
        for (name, ok) in cases {
            assert_eq!(is_valid_object_name(name), *ok, "name {name:?}");
        }
    }

    #[test]
    fn namespaces_are_lower_case_dns_labels() {
        let cases: &[(&str, bool)] = &[
            ("default", true),
            ("team-a1", true),
            (&"n".repeat(63), true),
            (&"n".repeat(64), false),
            ("a--b", false),
            ("Team", false),
            ("a_b", false),
            ("-a", false),
            ("", false),
        ];
        for (ns, ok) in cases {
            assert_eq!(is_valid_dns_label(ns), *ok, "namespace {ns:?}");
        }
    }

    #[test]
    fn keys_tags_kinds_and_api_versions() {
        assert!(is_valid_qualified_key("backstage.io/techdocs-ref"));
        assert!(is_valid_qualified_key("simple"));
        assert!(!is_valid_qualified_key("a/b/c"));
        assert!(!is_valid_qualified_key("Bad_Prefix/x"));
        assert!(!is_valid_qualified_key("backstage.io/"));
        assert!(is_valid_qualified_key(&format!(
            "{}/{}",
            "d".repeat(63),
            "n".repeat(63)
        )));
        assert!(!is_valid_qualified_key(&format!("x/{}", "n".repeat(64))));
        assert!(is_valid_dns_subdomain(
            &[
                "a".repeat(63),
                "b".repeat(63),
                "c".repeat(63),
                "d".repeat(61)
            ]
            .join(".")
        ));
        assert!(!is_valid_dns_subdomain(
            &[
                "a".repeat(63),
                "b".repeat(63),
                "c".repeat(63),
                "d".repeat(62)
            ]
            .join(".")
        ));
        for (tag, ok) in [
            ("java", true),
            ("c++", true),
            ("c#", true),
            ("k8s:prod", true),
            ("a-b", true),
            ("a--b", false),
            ("Java", false),
            ("a b", false),
            ("-a", false),
        ] {
            assert_eq!(is_valid_tag(tag), ok, "tag {tag:?}");
        }
        assert!(is_valid_tag(&"t".repeat(63)));
        assert!(!is_valid_tag(&"t".repeat(64)));
        assert!(is_valid_kind("Component"));
        assert!(!is_valid_kind("1Component"));
        assert!(!is_valid_kind(&format!("K{}", "k".repeat(63))));
        assert!(is_valid_api_version("backstage.io/v1alpha1"));
        assert!(is_valid_api_version("v1"));
        assert!(!is_valid_api_version("backstage.io/v1-alpha"));
        assert!(!is_valid_api_version("a/b/c"));
    }

    fn component() -> Value {
        json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": { "name": "ledger" },
            "spec": { "type": "service", "lifecycle": "production", "owner": "team-a" }
        })
    }

    fn messages(doc: &Value) -> Vec<String> {
        validate(doc)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|i| i.message)
            .collect()
    }

    #[test]
    fn a_valid_component_gets_the_default_namespace() {
        let id = validate(&component()).unwrap();
        assert_eq!(
            (id.kind.as_str(), id.namespace.as_str(), id.name.as_str()),
            ("Component", "default", "ledger")
        );
    }

    #[test]
    fn label_values_may_be_empty_but_must_be_names() {
        let mut doc = component();
        doc["metadata"]["labels"] = json!({ "tier": "", "team": "a-b" });
        assert!(validate(&doc).is_ok());
        doc["metadata"]["labels"] = json!({ "tier": "not valid" });
        assert!(messages(&doc)[0].contains("label value"));
        doc["metadata"]["labels"] = json!({ "tier": 3 });
        assert!(messages(&doc)[0].contains("must be a string"));
    }

    #[test]
    fn annotation_values_are_any_string() {
        let mut doc = component();
        doc["metadata"]["annotations"] =
            json!({ "example.com/anything": "Any text: at all / here" });
        assert!(validate(&doc).is_ok());
        doc["metadata"]["annotations"] = json!({ "example.com/n": true });
        assert!(!messages(&doc).is_empty());
    }

    #[test]
    fn links_need_a_parseable_url() {
        let mut doc = component();
        doc["metadata"]["links"] = json!([{ "url": "https://x.example", "title": "X" }]);
        assert!(validate(&doc).is_ok());
        doc["metadata"]["links"] = json!([{ "url": "not a url" }]);
        assert!(messages(&doc)[0].contains("not a valid absolute URL"));
        doc["metadata"]["links"] = json!([{ "title": "no url" }]);
        assert!(messages(&doc)[0].contains("needs a \"url\""));
    }

    #[test]
    fn required_spec_fields_per_kind() {
        let mut doc = component();
        doc["spec"]["owner"] = json!("");
        assert!(messages(&doc)[0].contains("must not be empty"));
        doc["spec"].as_object_mut().unwrap().remove("owner");
        assert!(messages(&doc)[0].contains("spec.owner\" is required"));

        let group = json!({ "apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": { "name": "g" }, "spec": { "type": "team" } });
        assert!(messages(&group)[0].contains("spec.children"));
        let group = json!({ "apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": { "name": "g" }, "spec": { "type": "team", "children": [] } });
        assert!(validate(&group).is_ok());
        let user = json!({ "apiVersion": "backstage.io/v1beta1", "kind": "User", "metadata": { "name": "u" }, "spec": {} });
        assert!(messages(&user)[0].contains("spec.memberOf"));
        let api = json!({ "apiVersion": "backstage.io/v1alpha1", "kind": "API", "metadata": { "name": "a" }, "spec": { "type": "openapi", "lifecycle": "production", "owner": "t", "definition": { "openapi": "3.0.0" } } });
        assert!(messages(&api)[0].contains("spec.definition\" must be a string"));
        let template = json!({ "apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": { "name": "t" }, "spec": { "type": "service", "steps": [{ "id": "x" }] } });
        assert!(messages(&template)[0].contains("action"));
        let system = json!({ "apiVersion": "backstage.io/v1alpha1", "kind": "System", "metadata": { "name": "s" } });
        assert!(messages(&system)[0].contains("\"spec\" is required"));
    }

    #[test]
    fn envelope_rules() {
        let mut doc = component();
        doc["relations"] = json!([]);
        assert!(messages(&doc)[0].contains("unknown root field \"relations\""));
        let mut doc = component();
        doc["kind"] = json!("component");
        assert!(messages(&doc)[0].contains("did you mean \"Component\""));
        let mut doc = component();
        doc["apiVersion"] = json!("backstage.io/v2");
        assert_eq!(validate(&doc).unwrap_err()[0].code, UNKNOWN_KIND);
        let mut doc = component();
        doc["kind"] = json!("Template");
        assert!(messages(&doc)[0].contains("scaffolder.backstage.io/v1beta3"));
        let doc = json!({ "kind": "Component", "metadata": [] });
        let issues = validate(&doc).unwrap_err();
        assert!(issues.iter().all(|i| i.code == ENVELOPE));
        assert_eq!(issues.len(), 2);
    }
}
