//! What a catalog document or an `mkdocs.yml` points at: a Location's targets, `$text`,
//! `$json` and `$yaml` placeholders, `backstage.io/techdocs-ref`, a docs site's `docs_dir`;
//! and the path inside a repository that a URL under its origin names (`<origin>`,
//! `<origin>/tree/<ref>/<path>`, `<origin>/blob/<ref>/<path>`).
//!
//! Pure parsing over values already read, with no opinion on whether a target exists: the
//! github source reads it to know which files to fetch, the catalog to follow Locations and
//! resolve placeholders, the docs stage to find a site's directory. It sits below all three.

use crate::frozen::Fields;
use serde_json::Value;

pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";

/// Everything one catalog document points at, in the order the github source fetches it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct References<'a> {
    /// A Location's targets as written (empty for other kinds).
    pub targets: Vec<Target<'a>>,
    /// The docs the entity names, when it has a techdocs-ref.
    pub techdocs: Option<TechdocsRef<'a>>,
    /// Placeholders anywhere in the document, depth-first.
    pub placeholders: Vec<Placeholder<'a>>,
}

/// One Location target and the field it is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target<'a> {
    pub text: &'a str,
    pub field: TargetField,
}

/// Where a Location target is written: `spec.target`, or `spec.targets[i]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetField {
    Target,
    Targets(usize),
}

/// A `backstage.io/techdocs-ref` value, trimmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TechdocsRef<'a> {
    /// `dir:<path>`, relative to the declaring file's directory.
    Dir(&'a str),
    /// `url:<address>`, without a trailing slash.
    Url(&'a str),
    /// Anything else (not a reference Playbill follows).
    Other,
}

impl<'a> TechdocsRef<'a> {
    pub fn parse(reference: &'a str) -> TechdocsRef<'a> {
        if let Some(dir) = reference.strip_prefix("dir:") {
            TechdocsRef::Dir(dir.trim())
        } else if let Some(url) = reference.strip_prefix("url:") {
            TechdocsRef::Url(url.trim().trim_end_matches('/'))
        } else {
            TechdocsRef::Other
        }
    }
}

/// The kind of a placeholder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlaceholderKind {
    Text,
    Json,
    Yaml,
}

impl PlaceholderKind {
    /// `text`, `json` or `yaml`, as messages name it.
    pub fn name(self) -> &'static str {
        match self {
            PlaceholderKind::Text => "text",
            PlaceholderKind::Json => "json",
            PlaceholderKind::Yaml => "yaml",
        }
    }
}

/// `{ "$text": "<target>" }` and its kin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placeholder<'a> {
    pub kind: PlaceholderKind,
    pub target: &'a str,
}

impl Placeholder<'_> {
    /// True when the target is a URL rather than a path in the repository.
    pub fn is_url(&self) -> bool {
        self.target.contains("://")
    }
}

/// What one catalog document (a parsed YAML document, valid or not) points at.
pub fn references(document: &Value) -> References<'_> {
    let mut placeholders = Vec::new();
    collect_placeholders(document, &mut placeholders);
    References {
        targets: location_targets(document),
        techdocs: document
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(TECHDOCS_REF))
            .and_then(Value::as_str)
            .map(TechdocsRef::parse),
        placeholders,
    }
}

/// A Location's `spec.target` and the strings of `spec.targets`, in that order; none for
/// another kind.
pub fn location_targets<T: Fields>(document: &T) -> Vec<Target<'_>> {
    if document.field("kind").and_then(T::text) != Some("Location") {
        return Vec::new();
    }
    let spec = document.field("spec");
    let mut targets = Vec::new();
    if let Some(text) = spec.and_then(|s| s.field("target")).and_then(T::text) {
        targets.push(Target {
            text,
            field: TargetField::Target,
        });
    }
    let list = spec.and_then(|s| s.field("targets")).and_then(T::items);
    for (i, item) in list.into_iter().flatten().enumerate() {
        if let Some(text) = item.text() {
            targets.push(Target {
                text,
                field: TargetField::Targets(i),
            });
        }
    }
    targets
}

/// The placeholder `value` is: an object with exactly one key, that key `$text`, `$json` or
/// `$yaml`, and a string value. Other `$` objects (JSON Schema's `$ref`) are none.
pub fn placeholder(value: &Value) -> Option<Placeholder<'_>> {
    let map = value.as_object()?;
    if map.len() != 1 {
        return None;
    }
    let (key, target) = map.iter().next()?;
    let kind = match key.as_str() {
        "$text" => PlaceholderKind::Text,
        "$json" => PlaceholderKind::Json,
        "$yaml" => PlaceholderKind::Yaml,
        _ => return None,
    };
    Some(Placeholder {
        kind,
        target: target.as_str()?,
    })
}

fn collect_placeholders<'a>(value: &'a Value, found: &mut Vec<Placeholder<'a>>) {
    if let Some(p) = placeholder(value) {
        found.push(p);
        return;
    }
    match value {
        Value::Object(map) => map.values().for_each(|v| collect_placeholders(v, found)),
        Value::Array(list) => list.iter().for_each(|v| collect_placeholders(v, found)),
        _ => {}
    }
}

/// The `docs_dir` of an `mkdocs.yml` (`docs` when it names none), by a line scan: mkdocs files
/// use tags (`!ENV`, `!!python/name`) a YAML parser may refuse.
pub fn docs_dir(mkdocs: &str) -> String {
    mkdocs
        .lines()
        .find_map(|l| l.strip_prefix("docs_dir:"))
        .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "docs".to_string())
}

/// The path inside the repository at `origin` that `url` names: `""` for `<origin>` itself,
/// `<path>` for `<origin>/tree/<ref>/<path>` or `<origin>/blob/<ref>/<path>` (empty when the
/// URL stops at the ref). None for any other URL.
pub fn path_in_origin(origin: &str, url: &str) -> Option<String> {
    let rest = url.strip_prefix(origin)?;
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [] => Some(String::new()),
        ["tree" | "blob", _ref, path @ ..] => Some(path.join("/")),
        _ => None,
    }
}

/// What follows `blob/` or `tree/` at the start of `rest` (the part of a URL after the
/// repository): the ref, then the path.
pub fn ref_and_path(rest: &str) -> Option<&str> {
    rest.strip_prefix("blob/")
        .or_else(|| rest.strip_prefix("tree/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_location_its_docs_and_its_placeholders() {
        let doc = json!({
            "kind": "Location",
            "metadata": { "annotations": { TECHDOCS_REF: "url: https://x/o/r/tree/main/docs/ " } },
            "spec": {
                "target": "./a.yaml",
                "targets": ["./b/*.yaml", 3, "https://x/o/r/blob/main/c.yaml"],
                "definition": { "$text": "./api.yaml" },
                "list": [{ "$yaml": "https://x/y.yaml" }, { "$ref": "#/x" }, { "$json": 1 }],
            },
        });
        let refs = references(&doc);
        let targets: Vec<_> = refs.targets.iter().map(|t| (t.text, t.field)).collect();
        assert_eq!(
            targets,
            vec![
                ("./a.yaml", TargetField::Target),
                ("./b/*.yaml", TargetField::Targets(0)),
                ("https://x/o/r/blob/main/c.yaml", TargetField::Targets(2)),
            ]
        );
        assert_eq!(
            refs.techdocs,
            Some(TechdocsRef::Url("https://x/o/r/tree/main/docs"))
        );
        let placeholders: Vec<_> = refs
            .placeholders
            .iter()
            .map(|p| (p.kind.name(), p.target, p.is_url()))
            .collect();
        assert_eq!(
            placeholders,
            vec![
                ("text", "./api.yaml", false),
                ("yaml", "https://x/y.yaml", true)
            ]
        );
    }

    #[test]
    fn only_locations_have_targets() {
        let doc = json!({ "kind": "Component", "spec": { "target": "./a.yaml" } });
        assert!(references(&doc).targets.is_empty());
        assert_eq!(TechdocsRef::parse("dir: ."), TechdocsRef::Dir("."));
        assert_eq!(TechdocsRef::parse("docs"), TechdocsRef::Other);
    }

    #[test]
    fn docs_dir_by_line() {
        assert_eq!(docs_dir("site_name: x\ndocs_dir: 'pages'\n"), "pages");
        assert_eq!(docs_dir("site_name: x\n"), "docs");
        assert_eq!(docs_dir("docs_dir: \"\"\n"), "docs");
    }

    #[test]
    fn urls_under_an_origin() {
        let origin = "https://github.com/o/r";
        let at = |url| path_in_origin(origin, url);
        assert_eq!(at("https://github.com/o/r").as_deref(), Some(""));
        assert_eq!(at("https://github.com/o/r/").as_deref(), Some(""));
        assert_eq!(
            at("https://github.com/o/r/blob/main/x/catalog-info.yaml").as_deref(),
            Some("x/catalog-info.yaml")
        );
        assert_eq!(at("https://github.com/o/r/tree/main").as_deref(), Some(""));
        assert_eq!(at("https://github.com/o/r/issues/1"), None);
        assert_eq!(at("https://github.com/o/r2/blob/main/x"), None);
        assert_eq!(at("https://gitlab.com/o/r"), None);
        assert_eq!(ref_and_path("tree/main/docs"), Some("main/docs"));
        assert_eq!(ref_and_path("issues/1"), None);
    }
}
