//! The search stage: catalog entities and docs sections in, a static index out. Every entity
//! and every section of a docs page is one document; its text is cut into terms (`text`),
//! weighted per stem with BM25 and field boosts (`weights`), and written as term-sharded classic
//! scripts (`emit`) that `static/search.js` loads on demand, over http and from `file://`
//! alike. `query` ranks the way the browser does, so ranking is tested here.

mod emit;
mod files;
pub mod query;
pub mod text;
mod typo;
mod weights;

use crate::catalog::summary::EntitySummary;
use crate::catalog::Catalog;
use crate::docs::{DocPage, DocSets, DocSite, Section};
use crate::held::{HeldText, Spill};
use crate::render_cache::RenderCache;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use emit::{
    emit_index, shard_file_key, shards_for, write_index, Emit, SearchFiles, CHUNK, MANIFEST,
};
pub use files::{index_files, put_index, IndexFile, FILE_KIND, LISTING_KIND};
pub use typo::TYPO_MANIFEST;

/// Field boosts: a word in an entity's name counts ten times a word in a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Name,
    Title,
    Tag,
    Owner,
    System,
    Kind,
    Heading,
    PageTitle,
    Body,
}

impl Field {
    /// Whole numbers, so a document's boosted counts add up exactly.
    pub fn boost(self) -> u32 {
        match self {
            Field::Name => 10,
            Field::Title => 8,
            Field::Tag | Field::Owner => 4,
            Field::System | Field::Kind | Field::Heading => 3,
            Field::PageTitle => 2,
            Field::Body => 1,
        }
    }
}

/// One search result as the browser shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    /// The entity's kind in lower case, or `docs` for a docs section.
    pub kind: String,
    /// The entity's name (exact-name matches rank first); empty for docs.
    pub name: String,
    pub title: String,
    /// Relative to the site root, with the section's `#anchor`.
    pub url: String,
    /// A line under the title: kind, type and owner, or the page and heading path.
    pub context: String,
    /// The start of the text, for a snippet.
    pub excerpt: String,
    /// The entity this document is (or documents): index into [`Index::entities`].
    pub entity: usize,
}

impl Doc {
    /// The row of the index's document tables the browser shows: kind, name, title, URL,
    /// context and excerpt, as a JSON array.
    fn row(&self) -> String {
        let fields = [
            &self.kind,
            &self.name,
            &self.title,
            &self.url,
            &self.context,
            &self.excerpt,
        ];
        serde_json::to_string(&fields).expect("strings serialize")
    }
}

/// A document as the index keeps it: what ranking and the filters need, and its table row
/// ([`Doc::row`]) held in the build's scratch file ([`crate::held`]). The rows of 20,000
/// docs pages' sections are tens of megabytes, read once, when the tables are written.
#[derive(Debug)]
pub struct IndexedDoc {
    /// The entity's name (exact-name matches rank first); empty for docs.
    pub name: String,
    /// A docs section, whose length is weighed against other sections' (not entities').
    pub is_section: bool,
    /// The entity this document is (or documents): index into [`Index::entities`].
    pub entity: usize,
    row: HeldText,
}

impl IndexedDoc {
    /// A part's documents, their rows held together.
    fn hold_all(docs: Vec<Doc>, spill: Option<&Arc<Spill>>) -> Vec<IndexedDoc> {
        let rows = HeldText::hold_all(docs.iter().map(Doc::row).collect(), spill);
        docs.into_iter()
            .zip(rows)
            .map(|(doc, row)| IndexedDoc {
                is_section: doc.kind == "docs",
                name: doc.name,
                entity: doc.entity,
                row,
            })
            .collect()
    }

    /// The table row; one naming the failure as its title when the scratch file cannot be
    /// read back, so the table it is in stays a valid script.
    fn row(&self) -> Cow<'_, str> {
        self.row.read().unwrap_or_else(|reason| {
            let doc = Doc {
                kind: if self.is_section { "docs" } else { "" }.to_string(),
                name: self.name.clone(),
                title: reason,
                url: String::new(),
                context: String::new(),
                excerpt: String::new(),
                entity: self.entity,
            };
            Cow::Owned(doc.row())
        })
    }

    /// The document as the browser shows it, read back from its row.
    pub fn doc(&self) -> Doc {
        let fields: [String; 6] = serde_json::from_str(&self.row()).unwrap_or_default();
        let [kind, name, title, url, context, excerpt] = fields;
        Doc {
            kind,
            name,
            title,
            url,
            context,
            excerpt,
            entity: self.entity,
        }
    }
}

impl PartialEq for IndexedDoc {
    fn eq(&self, other: &Self) -> bool {
        (&self.name, self.is_section, self.entity) == (&other.name, other.is_section, other.entity)
            && self.row() == other.row()
    }
}

/// What the filters need per entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facet {
    pub kind: String,
    /// `(ref, title)` of the owner, if any.
    pub owner: Option<(String, String)>,
    /// `<ns>/<kind>/<name>` of the entity's docs site when it has sections in the index: what
    /// a docs page's search box names to search only its own site.
    pub docs_site: Option<String>,
}

/// The whole index in memory.
#[derive(Debug, Default, PartialEq)]
pub struct Index {
    /// Every entity in catalog order, then the sections of each entity's docs, entity by
    /// entity (so a section's entity is found from a table of where each entity's begin).
    pub docs: Vec<IndexedDoc>,
    pub entities: Vec<Facet>,
    /// Every normalised term (stop words left out) -> its stem.
    pub terms: BTreeMap<String, String>,
    /// Stem -> postings `(doc, weight)` by doc, at most [`weights::MAX_POSTINGS`] of the best.
    pub postings: BTreeMap<String, Vec<(u32, u32)>>,
}

/// A document before weighting: what it shows, and its text by field.
struct Source<'a> {
    doc: Doc,
    /// Borrowed where the text is the input's own: a large portal's body text is not copied.
    fields: Vec<(Field, Cow<'a, str>)>,
    /// Multiplies every weight of the document.
    prior: f64,
}

/// Longest excerpt kept per document, in characters.
const EXCERPT_CHARS: usize = 160;

/// The entities an index is made of, in the catalog's order: their summaries as given, or
/// made from the catalog as each part of the index wants them, so that a large catalog's
/// summaries (24 MB at 10,000 repositories) are not all held while the index is made.
#[derive(Clone, Copy)]
pub enum Entities<'a> {
    Summarised(&'a [EntitySummary]),
    Of(&'a Catalog),
}

impl<'a> Entities<'a> {
    pub fn len(&self) -> usize {
        match self {
            Entities::Summarised(summaries) => summaries.len(),
            Entities::Of(catalog) => catalog.entities.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The summary of the entity at `i` (< [`len`](Self::len)).
    fn get(&self, i: usize) -> Cow<'a, EntitySummary> {
        match self {
            Entities::Summarised(summaries) => Cow::Borrowed(&summaries[i]),
            Entities::Of(catalog) => Cow::Owned(crate::catalog::summary::summary(
                catalog,
                &catalog.entities[i],
            )),
        }
    }
}

/// Builds the index: every entity (documents `0..entities`), then the sections of each
/// entity's own docs, entity by entity. With a cache, each docs site's analysed sections are
/// kept, and an unchanged site's are read back instead of its text being walked again.
pub fn build_index(
    catalog: &Catalog,
    entities: Entities<'_>,
    docs: &DocSets,
    cache: Option<&RenderCache>,
) -> Index {
    build_index_in_parts(catalog, entities, docs, cache, ENTITIES_PER_PART)
}

/// [`build_index`], with entities analysed `per_part` at a time: the index is the same
/// whatever the parts.
fn build_index_in_parts(
    catalog: &Catalog,
    entities: Entities<'_>,
    docs: &DocSets,
    cache: Option<&RenderCache>,
    per_part: usize,
) -> Index {
    let mut sites_of: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, site) in docs.sites.iter().enumerate() {
        sites_of.entry(site.base.as_str()).or_default().push(i);
    }
    let mut priors = Vec::with_capacity(entities.len());
    // (site, entity) in the order their sections are numbered.
    let mut sites = Vec::new();
    let mut facets = Vec::new();
    for i in 0..entities.len() {
        let e = entities.get(i);
        let site_key = format!("{}/{}/{}", e.namespace, e.kind_lc, e.name);
        let base = format!("docs/{site_key}");
        let own: &[usize] = sites_of.get(base.as_str()).map_or(&[], Vec::as_slice);
        facets.push(Facet {
            kind: e.kind_lc.clone(),
            owner: e
                .owner
                .as_ref()
                .map(|o| (o.entity_ref.clone(), o.title.clone())),
            docs_site: (!own.is_empty()).then_some(site_key),
        });
        let edges = catalog
            .entities
            .get(i)
            .map_or(0, |c| catalog.relations_of(&c.key).len());
        priors.push(prior(edges, !own.is_empty()));
        sites.extend(own.iter().map(|&s| (&docs.sites[s], i)));
    }
    // Entities in parts too, so that their texts and counts are never all held at once.
    let entity_part = |first: usize| {
        let end = entities.len().min(first.saturating_add(per_part));
        let part: Vec<Cow<EntitySummary>> = (first..end).map(|i| entities.get(i)).collect();
        let sources = (first..).zip(&part).map(|(i, e)| Source {
            prior: priors[i],
            ..entity_source(e, i)
        });
        let (head, counts) = weights::analyse_part(sources.collect());
        (head, Counted::Held(counts))
    };
    let firsts: Vec<usize> = (0..entities.len()).step_by(per_part).collect();
    let entity_parts = firsts
        .chunks(SITES_AT_ONCE)
        .map(|firsts| firsts.par_iter().map(|&first| entity_part(first)).collect());
    let site_parts = sites.chunks(SITES_AT_ONCE).map(|chunk| {
        chunk
            .par_iter()
            .map(|&(site, entity)| site_part(site, entity, cache))
            .collect()
    });
    weights::weigh(
        entity_parts.chain(site_parts),
        |counted| counted.counts(cache),
        facets,
    )
}

/// Docs sites, or parts of entities, analysed at once, in parallel; their heads are merged
/// in order.
const SITES_AT_ONCE: usize = 32;

/// Entities analysed as one part.
const ENTITIES_PER_PART: usize = 256;

/// The render cache's kind for one docs site's analysed sections.
pub const SITE_KIND: &str = "search-site";

/// Where a part's counts wait while the heads of all parts are merged.
enum Counted<'a> {
    Held(weights::Counts),
    /// In the render cache's entry `key`; analysed again should the entry not read back.
    Kept {
        key: crate::output::Key,
        site: &'a DocSite,
        entity: usize,
    },
}

impl Counted<'_> {
    fn counts(self, cache: Option<&RenderCache>) -> weights::Counts {
        match self {
            Counted::Held(counts) => counts,
            Counted::Kept { key, site, entity } => cache
                .and_then(|cache| cache.read(&key))
                .and_then(|bytes| weights::counts_of(&bytes))
                .unwrap_or_else(|| analyse_site(site, entity, cache).1),
        }
    }
}

/// A docs site's sections analysed as one part. A page whose sections the render cache lost
/// (it held them when the docs stage ran) is left out rather than failing the index.
fn analyse_site(
    site: &DocSite,
    entity: usize,
    cache: Option<&RenderCache>,
) -> (weights::Head, weights::Counts) {
    let sections: Vec<Cow<[Section]>> = site
        .pages
        .iter()
        .map(|page| page.sections(cache).unwrap_or_default())
        .collect();
    let sources = site.pages.iter().zip(&sections);
    let sources = sources
        .flat_map(|(page, sections)| section_sources(&site.site_name, (page, sections), entity));
    weights::analyse_part(sources.collect())
}

/// One docs site's sections, analysed, as documents of `entity`. With a cache, the counts
/// are kept there and read back when they are weighed.
fn site_part<'a>(
    site: &'a DocSite,
    entity: usize,
    cache: Option<&RenderCache>,
) -> (weights::Head, Counted<'a>) {
    let (mut head, counted) = match cache {
        None => {
            let (head, counts) = analyse_site(site, entity, None);
            (head, Counted::Held(counts))
        }
        Some(cache) => {
            let key = part_key(cache, &site_digest(site));
            let (head, counts) = cache.get_or_make(
                (SITE_KIND, &key),
                || {
                    let (head, counts) = analyse_site(site, entity, Some(cache));
                    (head, Some(counts))
                },
                |(head, counts)| weights::encode(head, counts.as_ref()?),
                |bytes| Some((weights::head_of(bytes)?, None)),
            );
            match counts {
                Some(counts) if !cache.holds(&key) => (head, Counted::Held(counts)),
                _ => (head, Counted::Kept { key, site, entity }),
            }
        }
    };
    // A kept part may have been made when the site belonged to an entity numbered otherwise.
    for doc in &mut head.docs {
        doc.entity = entity;
    }
    (head, counted)
}

/// A docs site's search-index part: its sections analysed, as the render cache keeps them
/// (made here, or read from `cache`). A shard hands these to the assembly, so that docs text
/// is walked on the machine that rendered it.
pub fn site_part_bytes(site: &DocSite, cache: Option<&RenderCache>) -> Option<Vec<u8>> {
    // The entity is set again when the part is used (`site_part`).
    let make = || {
        let (head, counts) = analyse_site(site, 0, cache);
        weights::encode(&head, &counts)
    };
    match cache {
        None => make(),
        Some(cache) => {
            let key = part_key(cache, &site_digest(site));
            cache.get_or_render_keyed(SITE_KIND, &key, make)
        }
    }
}

/// Takes a site's part as [`site_part_bytes`] made it on another machine into `cache`, where
/// [`build_index`] finds it in place of the site's sections; an error when the cache cannot
/// keep it.
pub fn take_site_part(site: &mut DocSite, part: &[u8], cache: &RenderCache) -> Result<(), String> {
    let digest: [u8; 32] = Sha256::digest(part).into();
    let key = part_key(cache, &digest);
    if !cache.retain(&key) {
        cache.put(SITE_KIND, &key, part);
    }
    if !cache.holds(&key) {
        return Err(format!(
            "{}: the render cache cannot keep this site's search-index part",
            site.base
        ));
    }
    site.search_part = Some(digest);
    Ok(())
}

/// The render cache's key of the part of a site whose [`site_digest`] is `digest`.
fn part_key(cache: &RenderCache, digest: &[u8; 32]) -> crate::output::Key {
    cache.key(SITE_KIND, &[digest])
}

/// Whether a docs site's sections are in the index: only its latest version's are (the index
/// finds a site by its entity's base, which an older version's is below).
pub fn is_searched(site: &DocSite) -> bool {
    site.version.is_none()
}

/// A hash of what a docs site's sections are made from: its name and each page's path, title
/// and body entry in the render cache (whose key is made from its Markdown entry's, which
/// decides its headings and sections), or the headings and sections themselves when the cache
/// does not hold it. For a site a shard rendered, the digest of the part the shard made.
fn site_digest(site: &DocSite) -> [u8; 32] {
    if let Some(digest) = site.search_part {
        return digest;
    }
    let mut hasher = Sha256::new();
    let mut add = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    add(site.site_name.as_bytes());
    for page in &site.pages {
        add(page.out.as_bytes());
        add(page.title.as_bytes());
        if let Some(key) = &page.body_key {
            add(&key.0);
            continue;
        }
        for h in &page.headings {
            add(&[h.level]);
            add(h.id.as_bytes());
            add(h.text.as_bytes());
        }
        for (id, heading, text) in &page.sections {
            add(id.as_bytes());
            add(heading.as_bytes());
            add(text.as_bytes());
        }
    }
    hasher.finalize().into()
}

/// How much an entity's matches count against others matching as well: entities that more
/// of the catalog points at (dependencies, APIs, parts) and that have docs are what people
/// look for most often. 1 for none, about 1.5 for a hub with 20 relations and docs.
fn prior(relations: usize, has_docs: bool) -> f64 {
    1.0 + 0.1 * (1.0 + relations as f64).ln() + if has_docs { 0.2 } else { 0.0 }
}

fn entity_source(e: &EntitySummary, entity: usize) -> Source<'_> {
    let owner = e.owner.as_ref();
    let mut context = vec![e.kind.clone()];
    if !e.spec_type.is_empty() {
        context.push(e.spec_type.clone());
    }
    if let Some(o) = owner {
        context.push(o.title.clone());
    }
    let mut fields = vec![
        (Field::Name, Cow::from(&e.name)),
        (Field::Title, Cow::from(&e.title)),
        (Field::Tag, Cow::from(e.tags.join(" "))),
        (
            Field::Kind,
            Cow::from(format!("{} {}", e.kind, e.spec_type)),
        ),
        (Field::Body, Cow::from(&e.description)),
    ];
    if let Some(o) = owner {
        fields.push((Field::Owner, format!("{} {}", o.name, o.title).into()));
    }
    if let Some(s) = &e.system {
        fields.push((Field::System, format!("{} {}", s.name, s.title).into()));
    }
    Source {
        doc: Doc {
            kind: e.kind_lc.clone(),
            name: e.name.clone(),
            title: e.title.clone(),
            url: e.url.clone(),
            context: context.join(" · "),
            excerpt: excerpt(&e.description),
            entity,
        },
        fields,
        prior: 1.0,
    }
}

/// One document per section of a page; each heading's path (its parent headings) is indexed
/// with it and shown under the title.
fn section_sources<'a>(
    site_name: &str,
    (page, sections): (&'a DocPage, &'a [Section]),
    entity: usize,
) -> Vec<Source<'a>> {
    let mut path_of: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut stack: Vec<(u8, &str)> = Vec::new();
    for h in &page.headings {
        while stack.last().is_some_and(|(level, _)| *level >= h.level) {
            stack.pop();
        }
        path_of.insert(h.id.as_str(), stack.iter().map(|(_, text)| *text).collect());
        stack.push((h.level, h.text.as_str()));
    }
    sections
        .iter()
        .filter(|(_, _, text)| !text.is_empty())
        .map(|(id, heading, text)| {
            let parents = path_of.get(id.as_str()).cloned().unwrap_or_default();
            let intro = id.is_empty() || heading.is_empty();
            let mut context = vec![site_name];
            if !intro && *heading != page.title {
                context.push(&page.title);
            }
            context.extend(parents.iter().filter(|p| **p != page.title));
            let title = if intro { &page.title } else { heading };
            let url = if id.is_empty() {
                page.out.clone()
            } else {
                format!("{}#{id}", page.out)
            };
            Source {
                doc: Doc {
                    kind: "docs".into(),
                    name: String::new(),
                    title: title.clone(),
                    url,
                    context: context.join(" › "),
                    excerpt: excerpt(text),
                    entity,
                },
                fields: vec![
                    (Field::PageTitle, Cow::from(&page.title)),
                    (
                        Field::Heading,
                        format!("{heading} {}", parents.join(" ")).into(),
                    ),
                    (Field::Body, Cow::from(text)),
                ],
                prior: 1.0,
            }
        })
        .collect()
}

/// The first [`EXCERPT_CHARS`] characters, cut at a word boundary.
fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT_CHARS {
        return text.to_string();
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > EXCERPT_CHARS / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

#[cfg(test)]
mod tests;
