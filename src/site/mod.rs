//! The site stage: Catalog (+ diagnostics) in, every output file out, in memory. Pages render
//! in parallel (rayon) through tera and are written as tera renders them (not minified). Every
//! internal link is relative and names a file, and the same inputs give byte-identical files.

mod apart;
pub mod apidocs;
pub mod budget;
mod catalog_data;
mod docs_nav;
pub mod feed;
mod graphs;
mod heatmap;
mod incident;
pub mod kubernetes;
mod lists;
pub mod model;
mod owners_data;
mod ownership;
mod pages;
pub mod print;
mod repository;
pub mod scorecards;
mod sparkline;
pub mod theme;
mod timeline;
mod versions;

use crate::catalog::summary::EntitySummary;
use crate::catalog::{Catalog, Entity};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::docs::DocSets;
use crate::output::{InMemory, Key, PageSink};
use crate::render_cache::RenderCache;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Content-Security-Policy of every page: no inline script, nothing from another origin.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; object-src 'none'";

/// The response headers the portal wants on every file, which a bucket cannot set per object:
/// the pages' CSP (plus `frame-ancestors`, which only a header can carry) for every file, so
/// that an SVG or any other file opened directly runs nothing either; no MIME sniffing; no
/// referrer leaving the portal. docs/publishing.md gives them for each CDN; `serve` sends them.
pub fn response_headers() -> [(&'static str, String); 3] {
    [
        (
            "Content-Security-Policy",
            format!("{CSP}; frame-ancestors 'none'"),
        ),
        ("X-Content-Type-Options", "nosniff".to_string()),
        ("Referrer-Policy", "no-referrer".to_string()),
    ]
}

/// Every output file, by path relative to the output directory.
#[derive(Debug, Default)]
pub struct Site {
    /// The files held in memory: all of them, unless the pages went to a sink.
    pub files: BTreeMap<String, Vec<u8>>,
    /// The files given to the build's sink as they were rendered (pages, docs files).
    pub streamed: Vec<String>,
    pub pages: usize,
}

enum Page<'a> {
    Home,
    Catalog,
    Teams,
    Issues,
    Search,
    NotFound,
    Entity(&'a Entity),
    /// An entity's Kubernetes tab and the services × clusters page (cluster status in `kubernetes`).
    Kubernetes(&'a Entity),
    /// An API entity's reference page, built from its definition (in `apis`).
    Api(&'a Entity),
    Clusters,
    /// A part of the scorecards' ranking, from 0.
    Scorecards(usize),
    /// A page (from 0) of a list an entity page bounds: what a team owns, a system's parts.
    List(&'a Entity, lists::List, usize),
    /// A page (from 0) of "What changed": the change feed's history.
    Changes(usize),
    Doc {
        site: usize,
        page: usize,
    },
    /// A docs site's pages on one page, for printing.
    DocPrint {
        site: usize,
    },
}

impl Page<'_> {
    /// Where the page is written, relative to the output directory.
    fn path(&self, docs: &DocSets) -> String {
        match self {
            Page::Home => "index.html".into(),
            Page::Catalog => "catalog/index.html".into(),
            Page::Teams => "teams/index.html".into(),
            Page::Issues => "issues/index.html".into(),
            Page::Search => "search/index.html".into(),
            Page::NotFound => "404.html".into(),
            Page::Entity(e) => crate::catalog::summary::entity_url(&e.key),
            Page::Kubernetes(e) => format!("{}/index.html", kubernetes::page_dir(e)),
            Page::Api(e) => format!("{}/index.html", apidocs::page_dir(e)),
            Page::Clusters => "clusters/index.html".into(),
            Page::Scorecards(part) => scorecards::part_path(*part),
            Page::List(e, list, part) => lists::path(e, *list, *part),
            Page::Changes(part) => feed::part_path(*part),
            Page::Doc { site, page } => docs.sites[*site].pages[*page].out.clone(),
            Page::DocPrint { site } => print::path(&docs.sites[*site]),
        }
    }
}

/// `../` once per directory level of `path`.
pub fn root_prefix(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

#[derive(Serialize)]
struct Crumb {
    title: String,
    url: String,
}

struct Shared<'a> {
    config: &'a Config,
    catalog: &'a Catalog,
    docs: &'a DocSets,
    tera: tera::Tera,
    assets: BTreeMap<String, String>,
    diagnostics: Vec<Diagnostic>,
    by_entity: HashMap<String, Vec<Diagnostic>>,
    counts: crate::diagnostics::Counts,
    /// The catalog page's first rows and filters.
    catalog_page: catalog_data::FirstPaint,
    /// Root-relative path of the catalog page's data file.
    catalog_data: String,
    /// Root-relative path of the owner index, when `[sso] userinfo_url` is set.
    owners_data: Option<String>,
    /// None when `[scorecards] enabled = false`.
    scorecards: Option<crate::scorecard::Scorecards>,
    /// What the scorecards were judged from, to judge an entity again where a page shows
    /// its checks' reasons ([`scorecards::results`]); None without scorecards.
    score_inputs: Option<crate::scorecard::Inputs<'a>>,
    changes: &'a crate::changes::Outcome,
    /// The change state's trends, with the end of their window.
    trends: sparkline::Window<'a>,
    /// The scorecards' ranking of teams, made for the first part of its page that is rendered.
    ranking: std::sync::OnceLock<scorecards::Ranking>,
    /// API references (or their cache entries' keys), by entity ref.
    apis: HashMap<String, apidocs::Held>,
    cache: Option<&'a RenderCache>,
    /// A hash of every template, part of each page's cache key.
    templates_fingerprint: Vec<u8>,
    /// Each docs site's nav, hashed: what a docs page's context holds in place of its copy of
    /// the nav (which the page's path decides) until the page is rendered.
    nav_digests: Vec<String>,
    /// What every relation picture is drawn from, hashed ([`graphs::fingerprint`]); empty when
    /// no entity page is rendered.
    pictures_fingerprint: Vec<u8>,
    /// Each entity's health as its box in a picture shows it ([`graphs::healths`]); empty when
    /// no entity page is rendered or pictures are off.
    health: HashMap<crate::catalog::EntityRef, crate::graphs::Health>,
    /// Whether the site has templates of its own. Only those get a docs page's nav as entries
    /// (`docs.nav`) besides the markup (turning every page's nav into JSON cost a hundredth of
    /// a build) and an API's schema trees whole instead of drawn.
    own_templates: bool,
    /// Whether docs pages and print views are rendered with the built-in templates alone, so
    /// that the render cache keeps them [`apart`] from their bodies and navs.
    builtin_docs_templates: bool,
}

/// What the site stage renders from: the other stages' results.
pub struct SiteInputs<'a> {
    pub config: &'a Config,
    pub catalog: &'a Catalog,
    pub summaries: Vec<EntitySummary>,
    pub docs: &'a DocSets,
    pub snapshot: Option<&'a crate::cluster::model::Snapshot>,
    pub changes: &'a crate::changes::Outcome,
    /// Every diagnostic so far; the issues page and the entity pages show them.
    pub diagnostics: &'a Diagnostics,
    /// API references (or their cache entries' keys), by entity ref.
    pub apis: HashMap<String, apidocs::Held>,
    /// None when `[scorecards] enabled = false`.
    pub scorecards: Option<crate::scorecard::Scorecards>,
    pub cache: Option<&'a RenderCache>,
    pub scope: Scope,
    /// Where pages go as they are rendered; None keeps them in [`Site::files`].
    pub sink: Option<&'a dyn PageSink>,
}

/// Which of the portal's files a build renders: all of them, or its part of a sharded build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    /// A shard's: the pages and files of its docs sites.
    Docs,
    /// The assembly's: everything but the docs sites, which the shards rendered.
    AllButDocs,
}

/// Renders every page of the portal and the files beside them (search index aside).
///
/// Long on purpose: one call per kind of page, in the order their inputs become ready.
pub fn render_site(inputs: SiteInputs<'_>) -> Result<(Site, Diagnostics), String> {
    let SiteInputs {
        config,
        catalog,
        summaries,
        docs,
        snapshot,
        changes,
        diagnostics,
        apis,
        scorecards,
        cache,
        scope,
        sink,
    } = inputs;
    let mut stage = Diagnostics::new();
    let tera = match theme::templates(config.templates_dir.as_deref(), &mut stage) {
        Ok(t) => t,
        Err(e) => {
            stage.push(Diagnostic::error(
                "site/template",
                format!(
                    "the site's templates do not load ({e}); the built-in theme was used instead"
                ),
            ));
            theme::templates(None, &mut stage)?
        }
    };
    let assets = theme::assets(config.static_dir.as_deref(), &mut stage);
    let mut all: Vec<Diagnostic> = diagnostics.iter().cloned().collect();
    all.extend(stage.iter().cloned());
    let mut by_entity: HashMap<String, Vec<Diagnostic>> = HashMap::new();
    for d in &all {
        if let Some(e) = &d.entity {
            by_entity.entry(e.clone()).or_default().push(d.clone());
        }
    }
    let scores = catalog_data::scores(scorecards.as_ref());
    let data = catalog_data::script(&summaries, &scores);
    let data_path = format!(
        "catalog/{}",
        crate::output::hashed_name("entities.js", &data)
    );
    let owners = config
        .sso
        .userinfo_url
        .is_some()
        .then(|| owners_data::script(catalog, &by_entity));
    let owners_path = owners
        .as_ref()
        .map(|o| format!("catalog/{}", crate::output::hashed_name("owners.js", o)));
    let mut shared = Shared {
        config,
        catalog,
        docs,
        tera,
        assets: assets.paths,
        catalog_page: catalog_data::FirstPaint::of(summaries),
        catalog_data: data_path.clone(),
        owners_data: owners_path.clone(),
        counts: crate::diagnostics::Counts::of(&all),
        diagnostics: all,
        by_entity,
        score_inputs: scorecards.as_ref().map(|_| {
            let clusters = crate::scorecard::ClusterData::of(config, snapshot);
            crate::scorecard::Inputs::new(catalog, docs, clusters, diagnostics.iter())
        }),
        scorecards,
        changes,
        trends: sparkline::Window::of(&changes.state.trends),
        ranking: std::sync::OnceLock::new(),
        apis,
        cache,
        templates_fingerprint: theme::templates_fingerprint(config.templates_dir.as_deref()),
        nav_digests: docs
            .sites
            .iter()
            .map(|site| crate::output::hex(&crate::output::json_digest(&site.nav)))
            .collect(),
        pictures_fingerprint: Vec::new(),
        health: HashMap::new(),
        own_templates: config.templates_dir.is_some(),
        builtin_docs_templates: theme::builtin_docs_templates(config.templates_dir.as_deref()),
    };
    if scope != Scope::Docs {
        shared.health = graphs::healths(&shared);
        shared.pictures_fingerprint = graphs::fingerprint(&shared);
    }
    let pages = portal_pages(&shared, scope);
    let memory = InMemory::default();
    let out: &dyn PageSink = sink.unwrap_or(&memory);
    let mut site = Site {
        pages: pages.len(),
        ..Site::default()
    };
    if scope != Scope::AllButDocs {
        // Before the pages, so that a page wins over a copied file of the same name.
        site.streamed = put_docs_files(docs, out)?;
    }
    if scope != Scope::Docs {
        // Given now rather than held while the pages are rendered: megabytes in a large portal.
        out.put(&data_path, data)?;
        site.streamed.push(data_path);
    }
    let (paths, problems) = render_pages(&shared, &pages, out)?;
    site.streamed.extend(paths);
    if scope != Scope::Docs {
        site.files.extend(assets.files);
        site.streamed.extend(put_definition_files(catalog, out)?);
        site.files
            .insert(COUNTS_PATH.to_string(), counts_script(&shared.counts));
        if let (Some(path), Some(bytes)) = (owners_path, owners) {
            site.files.insert(path, bytes);
        }
        if kubernetes::enabled(config) {
            let (files, problems) = kubernetes::status_files(&shared.tera, catalog, snapshot);
            site.files.extend(files);
            stage.extend(problems);
        }
    }
    if sink.is_none() {
        site.files.extend(memory.into_files());
        site.streamed.clear();
    }
    if scope == Scope::Docs {
        // The theme's problems are the assembly's to report, once; a shard reports its pages'.
        stage = Diagnostics::new();
    }
    for problem in problems {
        stage.push(problem);
    }
    Ok((site, stage))
}

/// The files of the API definitions too long for their entity pages, given to `out` one by
/// one rather than copied and held until the end (tens of megabytes in a large portal); their
/// paths.
fn put_definition_files(catalog: &Catalog, out: &dyn PageSink) -> Result<Vec<String>, String> {
    let files: Vec<(String, &Entity)> = model::definition_files(catalog).collect();
    files
        .into_par_iter()
        .map(|(path, e)| {
            let text = e.definition_text().unwrap_or_default();
            out.put(&path, text.into_owned().into_bytes())
                .map(|()| path)
        })
        .collect()
}

/// Each docs site's copied files and its TechDocs metadata, given to `out`; their paths.
fn put_docs_files(docs: &DocSets, out: &dyn PageSink) -> Result<Vec<String>, String> {
    let mut paths = Vec::new();
    for doc_site in &docs.sites {
        for (path, bytes) in &doc_site.files {
            out.put(path, bytes.clone())?;
            paths.push(path.clone());
        }
        let metadata = format!("{}/techdocs_metadata.json", doc_site.base);
        out.put(&metadata, techdocs_metadata(doc_site))?;
        paths.push(metadata);
    }
    Ok(paths)
}

/// The pages `scope` renders.
fn portal_pages<'a>(shared: &Shared<'a>, scope: Scope) -> Vec<Page<'a>> {
    let mut pages = Vec::new();
    if scope != Scope::Docs {
        pages.extend([
            Page::Home,
            Page::Catalog,
            Page::Teams,
            Page::Issues,
            Page::Search,
            Page::NotFound,
        ]);
        let history = feed::parts(&shared.changes.state);
        pages.extend((0..history).map(Page::Changes));
        let catalog = shared.catalog;
        pages.extend(catalog.entities.iter().map(Page::Entity));
        let bounded = lists::pages(catalog).into_iter();
        pages.extend(bounded.map(|(e, list, part)| Page::List(e, list, part)));
        if let Some(cards) = &shared.scorecards {
            let parts = scorecards::parts(catalog, cards);
            pages.extend((0..parts).map(Page::Scorecards));
        }
        let with_reference = catalog
            .entities
            .iter()
            .filter(|e| shared.apis.contains_key(&e.key.to_string()));
        pages.extend(with_reference.map(Page::Api));
        if kubernetes::enabled(shared.config) {
            pages.push(Page::Clusters);
            let with_view = catalog
                .entities
                .iter()
                .filter(|e| crate::cluster::matching::names_workloads(e));
            pages.extend(with_view.map(Page::Kubernetes));
        }
    }
    if scope != Scope::AllButDocs {
        for (i, site) in shared.docs.sites.iter().enumerate() {
            pages.extend((0..site.pages.len()).map(|p| Page::Doc { site: i, page: p }));
            if print::available(site) {
                pages.push(Page::DocPrint { site: i });
            }
        }
    }
    pages
}

/// The header badge's figures, a fixed name every page loads: a diagnostic somewhere changes
/// this file, not every page.
const COUNTS_PATH: &str = "issues/counts.js";

fn counts_script(counts: &crate::diagnostics::Counts) -> Vec<u8> {
    let json = serde_json::to_string(counts).unwrap_or_default();
    format!("window.PlaybillCounts = {json};\n").into_bytes()
}

/// Every page, rendered in parallel and given to `out` at once; a page that
/// fails becomes an error page. Gives the pages' paths and the problems of those that failed.
fn render_pages(
    shared: &Shared<'_>,
    pages: &[Page<'_>],
    out: &dyn PageSink,
) -> Result<(Vec<String>, Vec<Diagnostic>), String> {
    let outcomes: Vec<Result<PageOutcome, String>> = pages
        .par_iter()
        .map(|page| {
            let path = page.path(shared.docs);
            // A panic in one page (a bug, or a bound missed on hostile input) costs that page.
            let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                render_page(shared, page, &path, out)
            }))
            .unwrap_or_else(|panic| Err(crate::diagnostics::panic_message(&*panic)));
            let problem = match rendered {
                Ok(PageOutput::Bytes(bytes)) => out.put(&path, bytes).map(|()| None)?,
                Ok(PageOutput::Keyed(bytes, key)) => {
                    out.put_keyed(&path, bytes, &key).map(|()| None)?
                }
                Ok(PageOutput::InPlace) => None,
                Err(e) => {
                    let html = format!("<!doctype html><title>Error</title><p>This page could not be rendered: {}</p>", crate::highlight::escape(&e));
                    out.put(&path, html.into_bytes())?;
                    let problem = Diagnostic::error("site/template", format!("{path}: {e}"));
                    Some(Box::new(problem))
                }
            };
            Ok((path, problem))
        })
        .collect();
    let mut paths = Vec::with_capacity(outcomes.len());
    let mut problems = Vec::new();
    for outcome in outcomes {
        let (path, problem) = outcome?;
        paths.push(path);
        problems.extend(problem.map(|p| *p));
    }
    Ok((paths, problems))
}

/// A page's path, and its problem when it could not be rendered: boxed, as every page's
/// outcome is held until the last page is done.
type PageOutcome = (String, Option<Box<Diagnostic>>);

/// What rendering a page gave.
enum PageOutput {
    /// Rendered without a cache.
    Bytes(Vec<u8>),
    /// Rendered or taken from the cache, under this key.
    Keyed(Vec<u8>, Key),
    /// The output still holds the page as the last build put it there, under the same key.
    InPlace,
}

/// One page: left in place or taken from the cache when its template set and
/// everything it shows are unchanged, else rendered through tera.
fn render_page(
    shared: &Shared<'_>,
    page: &Page<'_>,
    path: &str,
    out: &dyn PageSink,
) -> Result<PageOutput, String> {
    let (template, ctx) = pages::page_context(shared, page, path)?;
    let render = |mut shown: serde_json::Value, kept_apart: bool| {
        pages::fill_stand_ins(shared, page, &mut shown, kept_apart)?;
        let ctx = tera::Context::from_value(shown).map_err(|e| e.to_string())?;
        shared
            .tera
            .render(template, &ctx)
            .map(String::into_bytes)
            .map_err(|e| crate::output::describe_tera_error(&e))
    };
    let shown = ctx.into_json();
    // A finished page is read back only by a later build: a scratch cache does not keep it.
    let Some(cache) = shared.cache.filter(|c| !c.is_scratch()) else {
        return render(shown, false).map(PageOutput::Bytes);
    };
    let kept_apart = apart::applies(shared, page);
    // The context is hashed as it is (docs bodies as their cache keys), then rendered from the
    // same value: no copy of either.
    let digest = crate::output::json_digest(&shown);
    let form: &[u8] = if kept_apart { b"apart" } else { b"whole" };
    let key = cache.key(
        "page",
        &[
            &shared.templates_fingerprint,
            template.as_bytes(),
            &digest,
            form,
        ],
    );
    if out.holds(path, &key) {
        cache.keep(&key);
        return Ok(PageOutput::InPlace);
    }
    let render_kept = || {
        let bytes = render(shown, kept_apart)?;
        if kept_apart {
            apart::check(shared, page, &bytes)?;
        }
        Ok(bytes)
    };
    let mut failure = None;
    let bytes = cache.get_or_render_keyed("page", &key, || {
        render_kept().map_err(|e| failure = Some(e)).ok()
    });
    match (failure, bytes) {
        (Some(e), _) => Err(e),
        (None, Some(frame)) if kept_apart => {
            let bytes = apart::put_together(shared, page, &root_prefix(path), &frame)?;
            Ok(PageOutput::Keyed(bytes, key))
        }
        (None, Some(bytes)) => Ok(PageOutput::Keyed(bytes, key)),
        (None, None) => Err("the page could not be rendered".to_string()),
    }
}

/// Entities whose definitions have errors or warnings, most errors first (at most ten): what
/// an owner should fix first, one click from the home page.
fn problem_entities(shared: &Shared<'_>) -> Vec<serde_json::Value> {
    let mut rows: Vec<(usize, usize, &crate::catalog::Entity)> = shared
        .catalog
        .entities
        .iter()
        .filter_map(|e| {
            let counts = crate::diagnostics::Counts::of(shared.by_entity.get(&e.key.to_string())?);
            (counts.errors + counts.warnings > 0).then_some((counts.errors, counts.warnings, e))
        })
        .collect();
    rows.sort_by(|a, b| {
        (b.0, b.1)
            .cmp(&(a.0, a.1))
            .then_with(|| a.2.key.cmp(&b.2.key))
    });
    rows.into_iter()
        .take(10)
        .map(|(errors, warnings, e)| {
            serde_json::json!({ "title": e.title(), "ref": e.key.to_string(), "url": crate::catalog::summary::entity_url(&e.key), "errors": errors, "warnings": warnings })
        })
        .collect()
}

/// Services and APIs whose repository changed most recently (at most eight): what an on-call
/// engineer checks first after "what changed?". Empty when no commit times are known.
fn recent_entities(shared: &Shared<'_>) -> Vec<serde_json::Value> {
    let mut rows: Vec<(i64, &crate::catalog::Entity)> = shared
        .catalog
        .entities
        .iter()
        .filter(|e| matches!(e.key.kind.as_str(), "component" | "api"))
        .filter_map(|e| Some((*shared.catalog.commit_times.get(&e.source.repo)?, e)))
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.key.cmp(&b.1.key)));
    rows.into_iter()
        .take(8)
        .map(|(time, e)| {
            let summary = crate::catalog::summary::summary(shared.catalog, e);
            serde_json::json!({ "entity": summary, "date": crate::time::iso_date(time), "repo": e.source.repo })
        })
        .collect()
}

/// The docs of an entity as its page links to them: the landing page and any runbook pages
/// (as the scorecards' runbook check recognises them).
fn docs_link(
    docs: &DocSets,
    key: &crate::catalog::EntityRef,
    runbook: &crate::scorecard::config::RunbookPattern,
) -> Option<serde_json::Value> {
    let site = docs.site_of(key)?;
    let home = site.home()?;
    let runbooks: Vec<serde_json::Value> = site
        .pages
        .iter()
        .filter(|p| runbook.matches(&p.source, &p.title))
        .take(3)
        .map(|p| serde_json::json!({ "title": p.title, "url": p.out }))
        .collect();
    Some(serde_json::json!({ "url": home.out, "site_name": site.site_name, "runbooks": runbooks }))
}

/// What TechDocs publishes beside a site, so the bucket holds the same layout.
fn techdocs_metadata(site: &crate::docs::DocSite) -> Vec<u8> {
    let prefix = format!("{}/", site.base);
    let mut files: Vec<String> = site
        .pages
        .iter()
        .map(|p| p.out.clone())
        .chain(site.files.iter().map(|(p, _)| p.clone()))
        .filter_map(|p| p.strip_prefix(&prefix).map(str::to_string))
        .collect();
    files.push("techdocs_metadata.json".to_string());
    files.sort();
    let value = serde_json::json!({
        "site_name": site.site_name,
        "site_description": site.site_description,
        "etag": site.commit.clone().unwrap_or_default(),
        // The commit's time, not the clock's: the output stays byte-identical on a rebuild.
        "build_timestamp": site.commit_time.unwrap_or(0),
        "files": files,
    });
    serde_json::to_vec_pretty(&value).unwrap_or_default()
}
