//! The Template kind's spec (scaffolder.backstage.io/v1beta3), as the JSON schema of
//! `@backstage/plugin-scaffolder-common` has it: what each step, parameter page and output entry
//! may hold. Values written as `${{ ... }}` expressions are strings, so the types are checked
//! as written.

use super::issue::Issue;
use super::yaml::Seg;
use serde_json::{Map, Value};

const FIELD: &str = "catalog/invalid-field";

/// What a field's value must be.
#[derive(Clone, Copy)]
enum Shape {
    String,
    NonEmptyString,
    StringOrBool,
    Mapping,
}

impl Shape {
    fn accepts(self, v: &Value) -> bool {
        match self {
            Shape::String => v.is_string(),
            Shape::NonEmptyString => v.as_str().is_some_and(|s| !s.is_empty()),
            Shape::StringOrBool => v.is_string() || v.is_boolean(),
            Shape::Mapping => v.is_object(),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Shape::String => "a string",
            Shape::NonEmptyString => "a non-empty string",
            Shape::StringOrBool => "a string or a boolean",
            Shape::Mapping => "a mapping",
        }
    }
}

const STEP: &[(&str, Shape)] = &[
    ("id", Shape::String),
    ("name", Shape::String),
    ("action", Shape::String),
    ("input", Shape::Mapping),
    ("if", Shape::StringOrBool),
];
const PARAMETER_PAGE: &[(&str, Shape)] = &[("when", Shape::StringOrBool)];
const OUTPUT_LINK: &[(&str, Shape)] = &[
    ("if", Shape::StringOrBool),
    ("url", Shape::NonEmptyString),
    ("entityRef", Shape::NonEmptyString),
    ("title", Shape::NonEmptyString),
    ("icon", Shape::NonEmptyString),
];
const OUTPUT_TEXT: &[(&str, Shape)] = &[
    ("if", Shape::StringOrBool),
    ("title", Shape::NonEmptyString),
    ("icon", Shape::NonEmptyString),
    ("content", Shape::String),
];
const FORM_DECORATOR: &[(&str, Shape)] = &[("id", Shape::String), ("input", Shape::Mapping)];

fn issue(path: Vec<Seg>, message: String) -> Issue {
    Issue {
        code: FIELD,
        path,
        message,
    }
}

fn spec_path(parts: &[Seg]) -> Vec<Seg> {
    std::iter::once(Seg::key("spec"))
        .chain(parts.iter().cloned())
        .collect()
}

/// Checks the fields of one mapping against `fields`.
fn check_fields(map: &Map<String, Value>, fields: &[(&str, Shape)], at: &[Seg]) -> Vec<Issue> {
    let mut issues = Vec::new();
    for (key, shape) in fields {
        if map.get(*key).is_some_and(|v| !shape.accepts(v)) {
            let mut path = spec_path(at);
            path.push(Seg::key(key));
            let what = super::yaml::path_to_string(&path);
            issues.push(issue(
                path,
                format!("\"{what}\" must be {}", shape.expected()),
            ));
        }
    }
    issues
}

/// A list of mappings, each checked against `fields`; `required` names a key every item needs.
fn check_list(
    spec: &Map<String, Value>,
    at: &[Seg],
    fields: &[(&str, Shape)],
    required: Option<&str>,
) -> Vec<Issue> {
    let Some(value) = lookup(spec, at) else {
        return Vec::new();
    };
    let what = super::yaml::path_to_string(&spec_path(at));
    let Some(items) = value.as_array() else {
        return vec![issue(spec_path(at), format!("\"{what}\" must be a list"))];
    };
    let mut issues = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut item_at = at.to_vec();
        item_at.push(Seg::Index(i));
        let Some(map) = item.as_object() else {
            issues.push(issue(
                spec_path(&item_at),
                format!("each item of \"{what}\" must be a mapping"),
            ));
            continue;
        };
        if let Some(key) = required.filter(|k| !map.contains_key(*k)) {
            issues.push(issue(
                spec_path(&item_at),
                format!("item {i} of \"{what}\" needs \"{key}\""),
            ));
        }
        issues.extend(check_fields(map, fields, &item_at));
    }
    issues
}

fn lookup<'a>(spec: &'a Map<String, Value>, at: &[Seg]) -> Option<&'a Value> {
    let mut value: Option<&Value> = None;
    for seg in at {
        let Seg::Key(key) = seg else { return None };
        value = match value {
            None => spec.get(key),
            Some(v) => v.get(key),
        };
    }
    value
}

/// Issues in a Template's spec beyond the strings `validate` checks (type, owner, lifecycle).
pub(super) fn validate_template(spec: &Map<String, Value>) -> Vec<Issue> {
    let mut issues = Vec::new();
    if !spec.contains_key("steps") {
        issues.push(issue(
            vec![Seg::key("spec")],
            "\"spec.steps\" is required for kind Template".into(),
        ));
    }
    issues.extend(check_list(spec, &[Seg::key("steps")], STEP, Some("action")));
    match spec.get("parameters") {
        None | Some(Value::Object(_)) => {}
        Some(Value::Array(_)) => issues.extend(check_list(
            spec,
            &[Seg::key("parameters")],
            PARAMETER_PAGE,
            None,
        )),
        Some(_) => issues.push(issue(
            spec_path(&[Seg::key("parameters")]),
            "\"spec.parameters\" must be a mapping or a list of mappings".into(),
        )),
    }
    for key in ["secrets", "presentation"] {
        if spec.get(key).is_some_and(|v| !v.is_object()) {
            issues.push(issue(
                spec_path(&[Seg::key(key)]),
                format!("\"spec.{key}\" must be a mapping"),
            ));
        }
    }
    for key in ["formDecorators", "EXPERIMENTAL_formDecorators"] {
        issues.extend(check_list(spec, &[Seg::key(key)], FORM_DECORATOR, None));
    }
    match spec.get("output") {
        None => {}
        Some(Value::Object(output)) => issues.extend(validate_output(spec, output)),
        Some(_) => issues.push(issue(
            spec_path(&[Seg::key("output")]),
            "\"spec.output\" must be a mapping".into(),
        )),
    }
    issues
}

/// `output.links` and `output.text` are lists of entries; any other output is a string.
fn validate_output(spec: &Map<String, Value>, output: &Map<String, Value>) -> Vec<Issue> {
    let at = |key: &str| [Seg::key("output"), Seg::key(key)];
    let mut issues = check_list(spec, &at("links"), OUTPUT_LINK, None);
    issues.extend(check_list(spec, &at("text"), OUTPUT_TEXT, None));
    for (key, value) in output {
        if !matches!(key.as_str(), "links" | "text") && !value.is_string() {
            issues.push(issue(
                spec_path(&at(key)),
                format!("\"spec.output.{key}\" must be a string"),
            ));
        }
    }
    issues
}
