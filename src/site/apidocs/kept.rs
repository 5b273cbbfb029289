//! API references kept in the render cache. Each definition's reference (the JSON its page's
//! template sees) and its problems are kept under the hash of everything they are made from, so
//! a build whose definitions did not change parses none of them and holds none in memory: the
//! site stage holds each reference's key, and reads the reference back only when its page is
//! rendered. The problems are a separate small entry, read on every build that reuses one.

use super::{build, format_of, Format, Reference};
use crate::catalog::{Catalog, Entity};
use crate::diagnostics::{Diagnostic, Stored};
use crate::output::Key;
use crate::render_cache::RenderCache;
use rayon::prelude::*;
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::collections::HashMap;

/// The render cache's kind for a reference (pruned after a build that did not use it).
pub const REFERENCE_KIND: &str = "api-reference";
/// The render cache's kind for a reference's problems.
pub const PROBLEMS_KIND: &str = "api-problems";

/// An API entity's reference, as the site stage holds it until its page is rendered.
#[derive(Debug)]
pub enum Held {
    /// Parsed in this build and held: there is no cache to keep it in.
    Built(Box<Reference>),
    /// Kept in the render cache under this key.
    Kept(Key),
}

/// A held reference goes into its page's context as itself, or as its entry's key: the key
/// stands for its content in the page's own cache key, and the reference replaces it when the
/// page is rendered ([`read_back`]).
impl Serialize for Held {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Held::Built(reference) => reference.serialize(serializer),
            Held::Kept(key) => serializer.serialize_str(&crate::output::hex(&key.0)),
        }
    }
}

/// How many definitions a build parsed and how many references it took from the cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ReferenceStats {
    pub parsed: usize,
    pub reused: usize,
}

/// Every API entity's reference (by entity ref), the problems found, and what it cost.
#[derive(Debug, Default)]
pub struct References {
    pub pages: HashMap<String, Held>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: ReferenceStats,
}

/// Every API entity with a definition Playbill can read: parsed, or taken from `cache` when its
/// definition and everything else the reference is made from are unchanged.
///
/// With `drawn` (the built-in templates are in effect), schema trees come drawn as HTML.
pub fn build_all(catalog: &Catalog, cache: Option<&RenderCache>, drawn: bool) -> References {
    // The catalog is sorted by ref, so its API entities sit together: split over all entities,
    // one thread would parse every definition while the others wait.
    let apis: Vec<(&Entity, Format)> = catalog
        .entities
        .iter()
        .filter_map(|e| Some((e, format_of(e)?)))
        .collect();
    let built: Vec<(String, Held, Vec<Diagnostic>, bool)> = apis
        .into_par_iter()
        .with_max_len(1)
        .map(|(e, format)| {
            let (held, problems, parsed) = match cache {
                Some(cache) => cached(cache, e, format, drawn),
                None => {
                    let (reference, problems) = reference_of(e, format, drawn);
                    (Held::Built(Box::new(reference)), problems, true)
                }
            };
            (e.key.to_string(), held, problems, parsed)
        })
        .collect();
    let mut references = References::default();
    for (key, held, problems, parsed) in built {
        references.pages.insert(key, held);
        references.diagnostics.extend(problems);
        match parsed {
            true => references.stats.parsed += 1,
            false => references.stats.reused += 1,
        }
    }
    references
}

/// One entity's reference and problems: taken from `cache`, or parsed and kept there. Gives
/// whether the definition was parsed.
fn cached(
    cache: &RenderCache,
    e: &Entity,
    format: Format,
    drawn: bool,
) -> (Held, Vec<Diagnostic>, bool) {
    let (reference_key, problems_key) = keys(cache, e, drawn);
    if cache.retain(&reference_key) {
        let kept = cache.read(&problems_key);
        if let Some(problems) = kept.and_then(|bytes| problems_from(&bytes)) {
            return (Held::Kept(reference_key), problems, false);
        }
    }
    let (reference, problems) = reference_of(e, format, drawn);
    let (Ok(json), Ok(listed)) = (
        serde_json::to_vec(&reference),
        serde_json::to_vec(&problems.iter().map(Stored::from).collect::<Vec<_>>()),
    ) else {
        return (Held::Built(Box::new(reference)), problems, true);
    };
    cache.put(REFERENCE_KIND, &reference_key, &json);
    cache.put(PROBLEMS_KIND, &problems_key, &listed);
    let held = match cache.holds(&reference_key) && cache.holds(&problems_key) {
        true => Held::Kept(reference_key),
        // A cache another build holds keeps nothing: the reference stays in memory.
        false => Held::Built(Box::new(reference)),
    };
    (held, problems, true)
}

/// The reference of `e` as [`build`] makes it, its schema trees drawn when `drawn`.
fn reference_of(e: &Entity, format: Format, drawn: bool) -> (Reference, Vec<Diagnostic>) {
    let (mut reference, problems) = build(e, format);
    if drawn {
        super::schema_html::draw_all(&mut reference);
    }
    (reference, problems)
}

/// The keys of an entity's reference and problems: hashes of everything [`build`] reads of it,
/// which are its ref (in messages), spec.type, the definition, and where it was written (the
/// lines and files problems name), and of whether its schema trees are drawn.
fn keys(cache: &RenderCache, e: &Entity, drawn: bool) -> (Key, Key) {
    let text = e.definition_text();
    // A mapping is hashed as JSON, marked apart from a text that reads the same.
    let tree = text.is_none().then(|| {
        let definition = e.definition().unwrap_or(Value::Null);
        serde_json::to_vec(&definition).unwrap_or_default()
    });
    let (form, body): (&[u8], &[u8]) = match (&text, &tree) {
        (Some(text), _) => (b"text", text.as_bytes()),
        (None, tree) => (b"tree", tree.as_deref().unwrap_or_default()),
    };
    let entity = e.key.to_string();
    let file = e.source.file.to_string();
    let first_line = e.source.first_line.to_le_bytes();
    let written = e.source.text();
    let parts: [&[u8]; 9] = [
        entity.as_bytes(),
        e.spec_str("type").unwrap_or("").as_bytes(),
        form,
        body,
        e.source.repo.as_bytes(),
        file.as_bytes(),
        &first_line,
        written.as_bytes(),
        &[u8::from(drawn)],
    ];
    let reference = cache.key(REFERENCE_KIND, &parts);
    // Made from the same inputs: the reference's key stands for them.
    (reference, cache.key(PROBLEMS_KIND, &[&reference.0]))
}

/// The problems of a kept entry; None when it is damaged or names a code this build does not
/// know (the definition is then parsed again).
fn problems_from(bytes: &[u8]) -> Option<Vec<Diagnostic>> {
    let kept: Vec<Stored> = serde_json::from_slice(bytes).ok()?;
    kept.into_iter().map(Stored::into_diagnostic).collect()
}

/// The reference of `e` as its page's template sees it: read back from the cache entry `key`,
/// or parsed again when the entry cannot be read.
pub fn read_back(
    cache: Option<&RenderCache>,
    key: &Key,
    (e, drawn): (&Entity, bool),
) -> Result<Value, String> {
    let kept = cache.and_then(|c| c.read(key));
    if let Some(value) = kept.and_then(|bytes| serde_json::from_slice(&bytes).ok()) {
        return Ok(value);
    }
    let format = format_of(e).ok_or("the entity has no API definition")?;
    serde_json::to_value(reference_of(e, format, drawn).0).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_problems_read_back_as_they_were() {
        let d = Diagnostic::error("api/invalid-definition", "cannot be read")
            .repo("payments")
            .file("catalog-info.yaml")
            .line(Some(12))
            .column(Some(3))
            .entity("api:default/ledger");
        let bytes = serde_json::to_vec(&vec![d.clone()]).unwrap();
        assert_eq!(problems_from(&bytes), Some(vec![d]));
        let unknown = String::from_utf8(bytes).unwrap().replace("api/", "nope/");
        assert_eq!(problems_from(unknown.as_bytes()), None);
    }
}
