//! A repository with mkdocs.yml and docs/ but no catalog file, built the way
//! `techdocs-cli generate` takes it: the entity the site belongs to is made up in memory, from
//! `--entity namespace/kind/name` or else from the site name.

use super::mkdocs;
use serde_json::{json, Value};
use std::path::Path;

/// The entity a plain mkdocs repository's docs are placed under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandaloneEntity {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub title: Option<String>,
}

const MAX_NAME: usize = 63;

/// Parses `namespace/kind/name` (the form `techdocs-cli publish --entity` takes).
pub fn parse_entity(text: &str) -> Result<StandaloneEntity, String> {
    let parts: Vec<&str> = text.split('/').collect();
    let [namespace, kind, name] = parts[..] else {
        return Err(format!(
            "--entity \"{text}\" must be namespace/kind/name, such as default/component/payments"
        ));
    };
    let entity = StandaloneEntity {
        namespace: namespace.to_ascii_lowercase(),
        kind: canonical_kind(kind).ok_or_else(|| {
            format!(
                "--entity \"{text}\": kind \"{kind}\" is not one of {}",
                KINDS.join(", ")
            )
        })?,
        name: name.to_string(),
        title: None,
    };
    if !valid_namespace(&entity.namespace) {
        return Err(format!("--entity \"{text}\": the namespace must be lower-case letters, digits and single dashes, at most {MAX_NAME} characters"));
    }
    if !valid_name(&entity.name) {
        return Err(format!("--entity \"{text}\": the name must be letters and digits, separated by single '-', '_' or '.', at most {MAX_NAME} characters"));
    }
    Ok(entity)
}

/// The entity of a repository's docs when none is given: `default/component/<site name as a
/// slug>`, titled with the site name (the directory's name when mkdocs.yml has none).
pub fn default_entity(repo: &Path) -> StandaloneEntity {
    let site_name = ["mkdocs.yaml", "mkdocs.yml"]
        .iter()
        .find_map(|f| std::fs::read_to_string(repo.join(f)).ok())
        .and_then(|text| mkdocs::parse(&text).ok())
        .map(|(m, _)| m.site_name)
        .filter(|s| !s.trim().is_empty());
    let dir_name = std::fs::canonicalize(repo)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let name = [site_name.as_deref().unwrap_or(""), &dir_name]
        .iter()
        .map(|s| entity_slug(s))
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "docs".to_string());
    StandaloneEntity {
        namespace: "default".to_string(),
        kind: "Component".to_string(),
        name,
        title: site_name,
    }
}

/// True when `repo` holds an mkdocs.yml (or mkdocs.yaml).
pub fn has_mkdocs(repo: &Path) -> bool {
    ["mkdocs.yaml", "mkdocs.yml"]
        .iter()
        .any(|f| repo.join(f).is_file())
}

/// The catalog file (JSON, which YAML reads) that declares `entity` with its docs at the
/// repository's root.
pub fn catalog_text(entity: &StandaloneEntity) -> String {
    let mut metadata = json!({
        "name": entity.name,
        "namespace": entity.namespace,
        "annotations": { super::TECHDOCS_REF: "dir:." },
    });
    if let Some(title) = &entity.title {
        metadata["title"] = Value::String(title.clone());
    }
    let document = json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": entity.kind,
        "metadata": metadata,
        "spec": spec_of(&entity.kind),
    });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

const KINDS: &[&str] = &[
    "Component",
    "API",
    "System",
    "Domain",
    "Resource",
    "Group",
    "User",
];

fn canonical_kind(kind: &str) -> Option<String> {
    KINDS
        .iter()
        .find(|k| k.eq_ignore_ascii_case(kind))
        .map(|k| k.to_string())
}

/// The least `spec` each kind's schema accepts.
fn spec_of(kind: &str) -> Value {
    match kind {
        "API" => {
            json!({"type": "openapi", "lifecycle": "production", "owner": "unknown", "definition": "openapi: 3.0.0"})
        }
        "System" | "Domain" => json!({"owner": "unknown"}),
        "Resource" => json!({"type": "documentation", "owner": "unknown"}),
        "Group" => json!({"type": "team", "children": []}),
        "User" => json!({"memberOf": []}),
        _ => json!({"type": "documentation", "lifecycle": "production", "owner": "unknown"}),
    }
}

fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !name.is_empty()
        && name.len() <= MAX_NAME
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .windows(2)
            .all(|w| w[0].is_ascii_alphanumeric() || w[1].is_ascii_alphanumeric())
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(b))
}

fn valid_namespace(namespace: &str) -> bool {
    valid_name(namespace)
        && namespace
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `Payments API (v2)` -> `payments-api-v2`: lower-case letters and digits joined by dashes.
fn entity_slug(text: &str) -> String {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut slug = words.join("-");
    slug.truncate(MAX_NAME);
    slug.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_option_is_namespace_kind_name() {
        let e = parse_entity("team-a/component/payments").unwrap();
        assert_eq!(
            (e.namespace.as_str(), e.kind.as_str(), e.name.as_str()),
            ("team-a", "Component", "payments")
        );
        assert!(parse_entity("component:payments").is_err());
        assert!(parse_entity("default/widget/payments").is_err());
        assert!(parse_entity("default/component/-bad").is_err());
        assert!(parse_entity("Team_A/component/ok").is_err());
    }

    #[test]
    fn site_name_becomes_the_entity_name() {
        assert_eq!(entity_slug("Payments API (v2)"), "payments-api-v2");
        assert_eq!(entity_slug("  ---  "), "");
        assert_eq!(entity_slug(&"x".repeat(100)).len(), MAX_NAME);
    }

    #[test]
    fn generated_catalog_is_a_valid_entity_document() {
        let text = catalog_text(&StandaloneEntity {
            namespace: "default".into(),
            kind: "Component".into(),
            name: "payments".into(),
            title: Some("Payments: \"the\" docs".into()),
        });
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["metadata"]["title"], "Payments: \"the\" docs");
        assert_eq!(
            value["metadata"]["annotations"][super::super::TECHDOCS_REF],
            "dir:."
        );
    }
}
