//! The docs stage: Workspace + Catalog in, DocSets out. Every entity with a
//! `backstage.io/techdocs-ref` gets a docs site built from its repository's mkdocs.yml and
//! Markdown: nav resolved, pages rendered in parallel (rayon) through the TechDocs dialect,
//! links rewritten to generated pages and checked, other files copied beside the pages.

mod assets;
pub mod links;
pub mod markdown;
pub mod mkdocs;
mod monorepo;
pub mod nav;
mod page_render;
pub mod prebuilt;
mod site;
mod snippets;
mod source;
pub mod standalone;
mod tree;
pub mod versions;

use crate::catalog::{Catalog, EntityRef};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::gather::Workspace;
use crate::render_cache::RenderCache;
use markdown::Heading;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::BTreeMap;

pub use page_render::{BODY_KIND, MARKDOWN_KIND, SECTIONS_KIND};
pub use source::{TECHDOCS_ENTITY, TECHDOCS_REF};

/// Every docs site of the portal.
#[derive(Default)]
pub struct DocSets {
    pub sites: Vec<DocSite>,
    /// Entity -> the site it shows: its own, or another entity's through techdocs-entity.
    pub by_entity: BTreeMap<EntityRef, usize>,
    /// An entity's own site and version name -> that older version's site.
    pub by_version: BTreeMap<(EntityRef, String), usize>,
}

impl DocSets {
    pub fn site_of(&self, key: &EntityRef) -> Option<&DocSite> {
        self.by_entity.get(key).map(|&i| &self.sites[i])
    }

    /// The older version `version` of the site of `key` (the entity that owns it).
    pub fn version_of(&self, key: &EntityRef, version: &str) -> Option<&DocSite> {
        let wanted = (key.clone(), version.to_string());
        self.by_version.get(&wanted).map(|&i| &self.sites[i])
    }
}

/// A shard's manifest carries its sites without their bytes: those are in the shard's output.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct DocSite {
    pub entity: EntityRef,
    /// Relative to the portal root: `docs/<namespace>/<kind>/<name>`.
    pub base: String,
    pub site_name: String,
    pub site_description: String,
    pub nav: Vec<nav::NavEntry>,
    pub pages: Vec<DocPage>,
    /// Copied files: output path (relative to the portal root) and bytes.
    #[serde(skip)]
    pub files: Vec<(String, Vec<u8>)>,
    pub repo: String,
    pub commit: Option<String>,
    pub commit_time: Option<i64>,
    /// The older version this site is (its base ends in `/v/<version>`); None for latest.
    #[serde(default)]
    pub version: Option<String>,
    /// Every older version of this docs site that was built, newest first: the switcher's
    /// entries besides latest, the same on latest and on each version.
    #[serde(default)]
    pub versions: Vec<String>,
    /// Pages whose rendering came from the repository's own CI (`docs::prebuilt`).
    #[serde(default)]
    pub prebuilt_pages: usize,
    /// For a site a shard rendered: the digest of the search-index part the shard made of its
    /// sections, which the assembly's render cache holds in their place.
    #[serde(skip)]
    pub search_part: Option<[u8; 32]>,
}

impl DocSite {
    /// The landing page: the root index page, else the first page in reading order.
    pub fn home(&self) -> Option<&DocPage> {
        let index = format!("{}/index.html", self.base);
        self.pages
            .iter()
            .find(|p| p.out == index)
            .or_else(|| self.pages.first())
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct DocPage {
    /// Markdown source, relative to docs_dir.
    pub source: String,
    /// Output file, relative to the portal root.
    pub out: String,
    pub title: String,
    /// The body; empty while [`body_key`](Self::body_key) says the render cache holds it.
    #[serde(skip)]
    pub html: String,
    /// The render cache's entry of the page's body; the cache then holds its sections too. A
    /// page read from a shard's manifest has neither: its body is in the shard's output, and
    /// its site's search-index part stands for its sections ([`DocSite::search_part`]).
    #[serde(skip)]
    pub body_key: Option<crate::output::Key>,
    pub headings: Vec<Heading>,
    /// Empty while [`body_key`](Self::body_key) says the render cache holds them.
    pub sections: Vec<Section>,
    pub edit_url: Option<String>,
    pub prev: Option<usize>,
    pub next: Option<usize>,
    /// A digest of the Markdown the page was rendered from (snippets included): what the
    /// change feed compares to tell that the docs were updated.
    #[serde(default)]
    pub digest: String,
}

/// A section of a page: its heading's id, the heading, and its text.
pub type Section = (String, String, String);

/// The digest a page's Markdown gets (16 hex digits).
pub(crate) fn text_digest(text: &str) -> String {
    use sha2::Digest;
    crate::output::hex(&sha2::Sha256::digest(text.as_bytes())[..8])
}

impl DocPage {
    /// The body HTML: held by the page, or read back from `cache` (a page's body is read when
    /// the page is rendered, so a large portal's bodies are not all in memory at once).
    pub fn body(&self, cache: Option<&RenderCache>) -> Result<Cow<'_, str>, String> {
        let Some(key) = &self.body_key else {
            return Ok(Cow::Borrowed(&self.html));
        };
        cache
            .and_then(|cache| page_render::cached_body(cache, key))
            .map(Cow::Owned)
            .ok_or_else(|| format!("{}: the render cache lost the page's body", self.out))
    }

    /// The sections, held by the page or read back from `cache` (wanted only where a site's
    /// sections are analysed for the search index, so they are not all held at once).
    pub fn sections(&self, cache: Option<&RenderCache>) -> Result<Cow<'_, [Section]>, String> {
        let key = match &self.body_key {
            Some(key) if self.sections.is_empty() => key,
            _ => return Ok(Cow::Borrowed(&self.sections)),
        };
        cache
            .and_then(|cache| page_render::cached_sections(cache, key))
            .map(Cow::Owned)
            .ok_or_else(|| format!("{}: the render cache lost the page's sections", self.out))
    }
}

/// Where a docs site's pages go, relative to the portal root: `docs/<ns>/<kind>/<name>`, and
/// an older version's below it in `v/<version>`.
pub fn site_base(key: &EntityRef, version: Option<&str>) -> String {
    let base = format!("docs/{}/{}/{}", key.namespace, key.kind, key.name);
    match version {
        Some(version) => format!("{base}/v/{version}"),
        None => base,
    }
}

/// Builds every docs site; with a cache, pages whose text and site are unchanged are not
/// rendered again.
pub fn build_docs(
    workspace: &Workspace,
    catalog: &Catalog,
    config: &Config,
    cache: Option<&RenderCache>,
) -> (DocSets, Diagnostics) {
    let (mut sets, mut diagnostics) = build_sites(workspace, catalog, config, cache, &|_| true);
    link_entities(&mut sets, catalog, &mut diagnostics);
    (sets, diagnostics)
}

/// The entities with docs sites of their own, with their `techdocs-ref`: those with a
/// `techdocs-entity` show another entity's.
pub fn with_own_docs(catalog: &Catalog) -> impl Iterator<Item = (&crate::catalog::Entity, &str)> {
    let own = catalog.entities.iter();
    let own = own.filter(|e| e.annotation(TECHDOCS_ENTITY).is_none());
    own.filter_map(|e| Some((e, e.annotation(TECHDOCS_REF)?)))
}

/// The docs sites of the entities `wanted` picks (from repositories of one shard, say), in
/// catalog order.
pub fn build_sites(
    workspace: &Workspace,
    catalog: &Catalog,
    config: &Config,
    cache: Option<&RenderCache>,
    wanted: &(dyn Fn(&crate::catalog::Entity) -> bool + Sync),
) -> (DocSets, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let mut jobs = Vec::new();
    for (entity, reference) in with_own_docs(catalog).filter(|(e, _)| wanted(e)) {
        match source::resolve(workspace, entity, reference) {
            Ok(src) => jobs.push((entity, src)),
            Err(d) => diagnostics.push(*d),
        }
    }
    let built: Vec<(Vec<DocSite>, Diagnostics)> = jobs
        .par_iter()
        .map(|(entity, src)| {
            let (latest, mut diags) = site::build_site(entity, src, config, cache, None);
            let Some(latest) = latest else {
                return (Vec::new(), diags);
            };
            let (older, older_diags) = versions::build(entity, src, config, cache);
            diags.extend(older_diags);
            (versions::link(latest, older), diags)
        })
        .collect();
    let mut sites = Vec::new();
    for (built, diags) in built {
        diagnostics.extend(diags);
        sites.extend(built);
    }
    versions::report_unavailable_once(&mut diagnostics);
    (DocSets::of_sites(sites), diagnostics)
}

impl DocSets {
    /// The sets of `sites` (each entity's own), in the order given; an entity shows its latest
    /// version.
    pub fn of_sites(sites: Vec<DocSite>) -> DocSets {
        let by_entity = sites
            .iter()
            .enumerate()
            .filter(|(_, s)| s.version.is_none())
            .map(|(i, s)| (s.entity.clone(), i))
            .collect();
        let by_version = sites
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some(((s.entity.clone(), s.version.clone()?), i)))
            .collect();
        DocSets {
            sites,
            by_entity,
            by_version,
        }
    }
}

/// Points each entity with `backstage.io/techdocs-entity` at the site of the entity it names.
pub fn link_entities(sets: &mut DocSets, catalog: &Catalog, diagnostics: &mut Diagnostics) {
    for entity in &catalog.entities {
        let Some(other) = entity.annotation(TECHDOCS_ENTITY) else {
            continue;
        };
        let path = crate::catalog::yaml::annotation_path(TECHDOCS_ENTITY);
        match EntityRef::parse(other, Some(&entity.kind), &entity.namespace) {
            Ok(target) => match sets.by_entity.get(&target) {
                Some(&i) => {
                    sets.by_entity.insert(entity.key.clone(), i);
                }
                None => diagnostics.push(entity.diagnostic(
                    Diagnostic::warning(
                        "docs/ref-not-resolved",
                        format!("{TECHDOCS_ENTITY} names {target}, which has no docs"),
                    ),
                    &path,
                )),
            },
            Err(e) => diagnostics.push(entity.diagnostic(
                Diagnostic::warning("docs/ref-not-resolved", format!("{TECHDOCS_ENTITY}: {e}")),
                &path,
            )),
        }
    }
}
