//! API reference pages: an API entity's `spec.definition` (placeholders already resolved by the
//! catalog stage) in, a page model per entity plus diagnostics out. OpenAPI 3.x and Swagger 2.0
//! (`openapi`), AsyncAPI 2.x and 3.x (`asyncapi`) are read as one JSON tree from JSON or YAML
//! text; GraphQL SDL (`graphql`) goes through graphql-parser. Schemas of the first two share one
//! renderer (`schema`) and one `$ref` resolver (`refs`). A definition that does not parse, or is
//! not what its type says, gets an `api/invalid-definition` diagnostic and a page that shows the
//! highlighted source instead. Descriptions are CommonMark through the TechDocs Markdown stage,
//! which escapes or sanitises raw HTML; sizes, schema depth, schema nodes and operations are
//! bounded so a hostile definition renders quickly and small.

mod asyncapi;
mod graphql;
pub mod kept;
mod openapi;
pub mod refs;
mod schema;
mod schema_html;

use crate::catalog::yaml::{self, Seg};
use crate::catalog::Entity;
use crate::diagnostics::Diagnostic;
use crate::docs::markdown::{self, LinkKind, LinkResolution, RenderContext};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};

pub use kept::{build_all, Held, ReferenceStats, References};

/// Definitions larger than this get no reference page (the entity page still shows them).
pub const MAX_DEFINITION_BYTES: usize = 2 * 1024 * 1024;
/// Schema nodes rendered per page: shared `$ref`s expanded in many places stay affordable.
const MAX_SCHEMA_NODES: usize = 6_000;
/// Past this many schema nodes (about 70 KB of page) a named schema is expanded only where it
/// is first used, and linked from its other uses, to keep the page within its budget.
const EXPAND_ONCE_AFTER_NODES: usize = 200;
/// Operations (OpenAPI), operations and channels (AsyncAPI) or types (GraphQL) per page.
pub const MAX_ITEMS: usize = 500;
/// Characters of one description rendered as Markdown; longer ones are cut.
const MAX_DESCRIPTION: usize = 16 * 1024;
/// Characters of one example shown.
const MAX_EXAMPLE: usize = 4 * 1024;

/// The directory of an entity's API reference page, relative to the site root.
pub fn page_dir(e: &Entity) -> String {
    format!("{}/api", e.key.page_dir())
}

/// The formats that get a reference page, from `spec.type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    OpenApi,
    AsyncApi,
    GraphQl,
}

fn format_of(e: &Entity) -> Option<Format> {
    if e.key.kind != "api" || !e.has_definition() {
        return None;
    }
    format_named(e.spec_str("type")?)
}

fn format_named(spec_type: &str) -> Option<Format> {
    match spec_type.to_ascii_lowercase().as_str() {
        "openapi" | "swagger" => Some(Format::OpenApi),
        "asyncapi" => Some(Format::AsyncApi),
        "graphql" => Some(Format::GraphQl),
        _ => None,
    }
}

/// One API reference page.
#[derive(Debug, Default, Serialize)]
pub struct Reference {
    /// `openapi`, `asyncapi` or `graphql`.
    pub format: &'static str,
    /// `OpenAPI 3.0.3`, `Swagger 2.0`, `AsyncAPI 2.6.0`, `GraphQL SDL`.
    pub format_label: String,
    pub title: String,
    pub version: String,
    /// Sanitised HTML.
    pub description: String,
    pub servers: Vec<Server>,
    pub toc: Vec<TocEntry>,
    pub openapi: Option<openapi::Operations>,
    pub asyncapi: Option<asyncapi::Channels>,
    pub graphql: Option<graphql::Schema>,
    /// The highlighted source, when the definition could not be read.
    pub fallback: Option<super::model::Definition>,
    /// What was left out, in a sentence each.
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Server {
    pub url: String,
    pub description: String,
}

/// A table-of-contents line: a section (tag, channel, type group) or an item in it.
#[derive(Debug, Serialize)]
pub struct TocEntry {
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// An example value, pretty-printed and bounded.
#[derive(Debug, Serialize)]
pub struct Example {
    pub name: String,
    pub text: String,
}

/// Why a definition could not be read, and the line within the definition's text, if known.
#[derive(Debug)]
struct Invalid {
    message: String,
    line: Option<u32>,
}

impl Invalid {
    fn new(message: impl Into<String>) -> Invalid {
        Invalid {
            message: message.into(),
            line: None,
        }
    }
}

fn build(e: &Entity, format: Format) -> (Reference, Vec<Diagnostic>) {
    let place = Placement::of(e);
    let definition = e.definition().unwrap_or(Value::Null);
    let definition = &definition;
    let text = definition.as_str();
    if text.is_some_and(|t| t.len() > MAX_DEFINITION_BYTES) {
        let d = Diagnostic::warning(
            "api/too-large",
            format!(
                "the definition of {} is larger than {} MiB, so it gets no API reference page; split it or trim its examples",
                e.key,
                MAX_DEFINITION_BYTES / (1024 * 1024)
            ),
        );
        let reference = Reference {
            notes: vec!["The definition is too large for a reference page.".to_string()],
            ..Reference::default()
        };
        return (reference, vec![place.diagnostic(e, d, None)]);
    }
    match read(format, definition) {
        Ok((reference, unresolved, truncated)) => {
            let mut problems: Vec<Diagnostic> = unresolved
                .iter()
                .map(|r| {
                    let d = Diagnostic::warning(
                        "api/unresolved-ref",
                        format!(
                            "$ref \"{r}\" in the definition of {} names nothing in the document; it is shown as unresolved. Point it at a schema under #/components (or #/definitions) of the same document",
                            e.key
                        ),
                    );
                    place.diagnostic(e, d, text.and_then(|t| line_of(t, r)))
                })
                .collect();
            if truncated {
                let d = Diagnostic::warning(
                    "api/too-large",
                    format!(
                        "the definition of {} has more than the reference page shows ({}); the page says what was left out",
                        e.key,
                        reference.notes.join(" ")
                    ),
                );
                problems.push(place.diagnostic(e, d, None));
            }
            (reference, problems)
        }
        Err(invalid) => {
            let d = Diagnostic::error(
                "api/invalid-definition",
                format!(
                    "the {} definition of {} cannot be read: {}; fix it (or spec.type) so the API reference page can be built",
                    e.spec_str("type").unwrap_or(""),
                    e.key,
                    invalid.message
                ),
            );
            let reference = Reference {
                format: match format {
                    Format::OpenApi => "openapi",
                    Format::AsyncApi => "asyncapi",
                    Format::GraphQl => "graphql",
                },
                fallback: super::model::definition(e),
                ..Reference::default()
            };
            (reference, vec![place.diagnostic(e, d, invalid.line)])
        }
    }
}

/// One definition, as text or as a mapping, read into its reference page.
fn read(format: Format, definition: &Value) -> Result<Built, Invalid> {
    match (format, definition.as_str()) {
        (Format::GraphQl, Some(text)) => graphql::build(text),
        (Format::GraphQl, None) => Err(Invalid::new(
            "a GraphQL definition must be SDL text, not a mapping",
        )),
        (_, Some(text)) => parse_tree(text).and_then(|tree| tree_reference(format, &tree)),
        (_, None) => tree_reference(format, definition),
    }
}

/// The reference page of one definition's text, for an API of `spec_type` (`openapi`,
/// `asyncapi`, `graphql`), or why there is none.
pub fn read_definition(spec_type: &str, text: &str) -> Result<Reference, String> {
    let format = format_named(spec_type)
        .ok_or_else(|| format!("spec.type `{spec_type}` gets no reference page"))?;
    read(format, &Value::String(text.to_string()))
        .map(|(reference, _, _)| reference)
        .map_err(|invalid| invalid.message)
}

/// A reference page, the `$ref`s it could not resolve, and whether a bound cut it short.
type Built = (Reference, BTreeSet<String>, bool);

/// JSON or YAML text as one tree.
fn parse_tree(text: &str) -> Result<Value, Invalid> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| Invalid {
            message: format!("invalid JSON: {e}"),
            line: Some(e.line() as u32),
        });
    }
    let docs = yaml::split_documents(text);
    let [doc] = docs.as_slice() else {
        return Err(Invalid::new(format!(
            "expected one YAML document but found {}",
            docs.len()
        )));
    };
    yaml::parse_document(doc).map_err(|e| Invalid {
        message: format!("invalid YAML: {}", e.message),
        line: e.line,
    })
}

fn tree_reference(format: Format, tree: &Value) -> Result<Built, Invalid> {
    if !tree.is_object() {
        return Err(Invalid::new("the definition is not a mapping"));
    }
    let claims = |key: &str| tree.get(key).is_some();
    let build = |doc: &mut Doc<'_>| match format {
        Format::OpenApi if claims("openapi") || claims("swagger") => openapi::build(doc),
        Format::AsyncApi if claims("asyncapi") => asyncapi::build(doc),
        _ => {
            let found = ["openapi", "swagger", "asyncapi"]
                .into_iter()
                .find(|k| claims(k));
            Err(Invalid::new(match found {
                Some(other) => format!("it is an {other} document; set spec.type to match"),
                None if format == Format::OpenApi => {
                    "it has no top-level `openapi` (3.x) or `swagger` (2.0) field".to_string()
                }
                None => "it has no top-level `asyncapi` field".to_string(),
            }))
        }
    };
    let mut doc = Doc::new(tree);
    let mut reference = build(&mut doc)?;
    if doc.spent() > EXPAND_ONCE_AFTER_NODES {
        // A large reference: each named schema is expanded once, and linked where used again.
        doc = Doc::new(tree);
        doc.shown = Some(HashMap::new());
        reference = build(&mut doc)?;
    }
    if doc.exhausted() {
        reference.notes.push(format!(
            "Schemas are expanded up to {MAX_SCHEMA_NODES} nodes per page; the rest are not expanded."
        ));
    }
    let truncated = !reference.notes.is_empty();
    Ok((reference, doc.unresolved, truncated))
}

/// One document being rendered: the tree `$ref`s resolve in, the schema-node budget, and the
/// references that named nothing.
pub struct Doc<'a> {
    root: &'a Value,
    budget: usize,
    pub unresolved: BTreeSet<String>,
    /// On a large page: the named schemas expanded so far, by `$ref`, with their anchor ids.
    shown: Option<HashMap<String, String>>,
    schema_ids: Anchors,
}

impl<'a> Doc<'a> {
    pub fn new(root: &'a Value) -> Doc<'a> {
        Doc {
            root,
            budget: MAX_SCHEMA_NODES,
            unresolved: BTreeSet::new(),
            shown: None,
            schema_ids: Anchors::default(),
        }
    }

    fn spent(&self) -> usize {
        MAX_SCHEMA_NODES - self.budget
    }

    /// Where `reference` was expanded already on this page (only on a large page).
    fn shown_at(&self, reference: &str) -> Option<String> {
        self.shown.as_ref()?.get(reference).cloned()
    }

    /// Remembers that `reference` (named `name`) is expanded here, on a large page: the id
    /// the expansion gets, for its later uses to link to.
    fn expanded(&mut self, reference: &str, name: &str) -> Option<String> {
        let shown = self.shown.as_mut()?;
        let id = self.schema_ids.id("schema", name);
        shown.insert(reference.to_string(), id.clone());
        Some(id)
    }

    /// Takes one node from the budget; false when it is used up.
    fn spend(&mut self) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        true
    }

    pub fn exhausted(&self) -> bool {
        self.budget == 0
    }

    /// What `reference` points at; None (and remembered) when it names nothing here.
    fn follow(&mut self, reference: &str) -> Option<&'a Value> {
        match refs::resolve(self.root, reference) {
            Ok(v) => Some(v),
            Err(_) => {
                self.unresolved.insert(reference.to_string());
                None
            }
        }
    }

    /// `value`, or what it points at when it is a `$ref` object (parameters, responses,
    /// messages); None when the reference names nothing.
    fn deref(&mut self, value: &'a Value) -> Option<&'a Value> {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.follow(reference),
            None => Some(value),
        }
    }

    fn root(&self) -> &'a Value {
        self.root
    }
}

/// Where the definition's text sits, to place a line of it in a file.
enum Placement {
    /// Written in the catalog file; line 1 of the definition is this file line.
    Inline(Option<u32>),
    /// Read from another file of the repository by a `$text`/`$json`/`$yaml` placeholder.
    File(String),
}

impl Placement {
    fn of(e: &Entity) -> Placement {
        let path = [Seg::key("spec"), Seg::key("definition")];
        let written = yaml::parse_single(&e.source.text()).ok();
        let target = written.as_ref().and_then(|w| {
            let map = w.pointer("/spec/definition")?.as_object()?;
            let (key, target) = map.iter().next().filter(|_| map.len() == 1)?;
            ["$text", "$json", "$yaml"]
                .contains(&key.as_str())
                .then_some(target.as_str()?)
        });
        match target.and_then(|t| e.source.file.parent().join(t).ok()) {
            Some(file) => Placement::File(file.to_string()),
            // A block scalar (`definition: |`) starts on the line after its key.
            None => Placement::Inline(e.line_of(&path).map(|l| l + 1)),
        }
    }

    /// `d` placed at line `line` of the definition (or at the definition when unknown).
    fn diagnostic(&self, e: &Entity, d: Diagnostic, line: Option<u32>) -> Diagnostic {
        let d = d.repo(e.source.repo.clone()).entity(e.key.to_string());
        match self {
            Placement::File(file) => d.file(file.clone()).line(line),
            Placement::Inline(start) => {
                let at = match (start, line) {
                    (Some(start), Some(line)) => Some(start + line - 1),
                    (Some(start), None) => Some(start - 1),
                    _ => Some(e.source.first_line),
                };
                d.file(e.source.file.to_string()).line(at)
            }
        }
    }
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> Option<u32> {
    let at = text.find(needle)?;
    Some(text[..at].matches('\n').count() as u32 + 1)
}

/// A description (CommonMark) as sanitised HTML; relative links become text, since they
/// point into a repository the page does not know.
pub fn markdown(text: &str) -> String {
    let text = cut(text.trim(), MAX_DESCRIPTION);
    if text.is_empty() {
        return String::new();
    }
    let resolve = |_: &str, _: LinkKind| LinkResolution::Broken(String::new());
    let ctx = RenderContext {
        resolve_link: &resolve,
        diagrams: &crate::diagrams::Settings::default(),
    };
    markdown::render(&text, &ctx).html
}

/// `text`, cut to at most `max` bytes at a character boundary, with `…` when cut.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// A value on one line: strings as written, anything else as JSON; cut to `max` bytes.
pub fn compact(v: &Value, max: usize) -> String {
    match v {
        Value::String(s) => cut(s, max),
        other => cut(&other.to_string(), max),
    }
}

/// An example value, pretty-printed (strings as written).
fn example(name: &str, v: &Value) -> Example {
    let text = match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    };
    Example {
        name: name.to_string(),
        text: cut(&text, MAX_EXAMPLE),
    }
}

fn str_at(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// Unique, readable anchor ids for one page.
#[derive(Default)]
struct Anchors(HashSet<String>);

impl Anchors {
    fn id(&mut self, prefix: &str, text: &str) -> String {
        // Every run of other characters becomes one `-`, so `ledger.events.v1` keeps its parts.
        let mut slug = String::new();
        for c in text.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.is_empty() && !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let slug = slug.trim_end_matches('-');
        let base = if slug.is_empty() {
            prefix.to_string()
        } else {
            format!("{prefix}-{slug}")
        };
        let mut id = base.clone();
        let mut n = 2;
        while !self.0.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }
}
