//! The site stage: Catalog (+ diagnostics) in, every output file out, in memory. Pages render
//! in parallel (rayon) through tera, then pass through minify-html. Every internal link is
//! relative and names a file, and the same inputs give byte-identical files.

pub mod apidocs;
mod catalog_data;
pub mod feed;
pub mod kubernetes;
pub mod model;
mod owners_data;
mod repository;
pub mod scorecards;
pub mod theme;

use crate::catalog::{Catalog, Entity};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::docs::DocSets;
use crate::render_cache::RenderCache;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Content-Security-Policy of every page: no inline script, nothing from another origin.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; object-src 'none'";

/// The response headers the portal wants on every file, which a bucket cannot set per object:
/// the pages' CSP (plus `frame-ancestors`, which only a header can carry) for every file, so
/// that an SVG or any other file opened directly runs nothing either; no MIME sniffing; no
/// referrer leaving the portal. README gives them for each CDN; `serve` sends them.
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
    pub files: BTreeMap<String, Vec<u8>>,
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
    Scorecards,
    /// "What changed": the change feed's history.
    Changes,
    Doc {
        site: usize,
        page: usize,
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
            Page::Scorecards => scorecards::PAGE.into(),
            Page::Changes => crate::site::feed::PAGE_PATH.into(),
            Page::Doc { site, page } => docs.sites[*site].pages[*page].out.clone(),
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
    summaries: Vec<crate::catalog::summary::EntitySummary>,
    /// Root-relative path of the catalog page's data file.
    catalog_data: String,
    /// Root-relative path of the owner index, when `[sso] userinfo_url` is set.
    owners_data: Option<String>,
    /// None when `[scorecards] enabled = false`.
    scorecards: Option<crate::scorecard::Scorecards>,
    changes: &'a crate::changes::Outcome,
    /// API reference pages, by entity ref.
    apis: HashMap<String, apidocs::Reference>,
    cache: Option<&'a RenderCache>,
    /// A hash of every template, part of each page's cache key.
    templates_fingerprint: Vec<u8>,
}

/// Renders the whole portal.
pub fn render_site(
    config: &Config,
    catalog: &Catalog,
    docs: &DocSets,
    snapshot: Option<&crate::cluster::model::Snapshot>,
    changes: &crate::changes::Outcome,
    diagnostics: &Diagnostics,
    cache: Option<&RenderCache>,
) -> Result<(Site, Diagnostics), String> {
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
    let (apis, api_problems) = apidocs::build_all(catalog);
    for problem in api_problems {
        stage.push(problem);
    }
    let mut all: Vec<Diagnostic> = diagnostics.iter().cloned().collect();
    all.extend(stage.iter().cloned());
    let mut by_entity: HashMap<String, Vec<Diagnostic>> = HashMap::new();
    for d in &all {
        if let Some(e) = &d.entity {
            by_entity.entry(e.clone()).or_default().push(d.clone());
        }
    }
    let summaries: Vec<crate::catalog::summary::EntitySummary> = catalog
        .entities
        .iter()
        .map(|e| crate::catalog::summary::summary(catalog, e))
        .collect();
    let scorecards = config.scorecards.enabled.then(|| {
        use crate::scorecard::{evaluate, ClusterData, Inputs};
        let clusters = match (kubernetes::enabled(config), snapshot) {
            (false, _) => ClusterData::NotConfigured,
            (true, None) => ClusterData::Missing,
            (true, Some(s)) => ClusterData::Snapshot(s),
        };
        evaluate(
            &Inputs::new(catalog, docs, clusters, &all),
            &config.scorecards,
        )
    });
    let data = catalog_data::script(&summaries);
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
    let shared = Shared {
        config,
        catalog,
        docs,
        tera,
        assets: assets.paths,
        summaries,
        catalog_data: data_path.clone(),
        owners_data: owners_path.clone(),
        counts: crate::diagnostics::Counts::of(&all),
        diagnostics: all,
        by_entity,
        scorecards,
        changes,
        apis,
        cache,
        templates_fingerprint: theme::templates_fingerprint(config.templates_dir.as_deref()),
    };
    let mut pages = vec![
        Page::Home,
        Page::Catalog,
        Page::Teams,
        Page::Issues,
        Page::Search,
        Page::NotFound,
        Page::Changes,
    ];
    pages.extend(catalog.entities.iter().map(Page::Entity));
    if shared.scorecards.is_some() {
        pages.push(Page::Scorecards);
    }
    let with_reference = catalog
        .entities
        .iter()
        .filter(|e| shared.apis.contains_key(&e.key.to_string()));
    pages.extend(with_reference.map(Page::Api));
    if kubernetes::enabled(config) {
        pages.push(Page::Clusters);
        let with_view = catalog.entities.iter().filter(|e| kubernetes::has_view(e));
        pages.extend(with_view.map(Page::Kubernetes));
    }
    for (i, site) in docs.sites.iter().enumerate() {
        pages.extend((0..site.pages.len()).map(|p| Page::Doc { site: i, page: p }));
    }
    // The search index builds beside the pages; timed, before them, so its time is its own.
    let (rendered, search) = if std::env::var_os(TIMINGS).is_some() {
        let search = search_index(catalog, &shared.summaries, docs);
        (render_pages(&shared, &pages), search)
    } else {
        rayon::join(
            || render_pages(&shared, &pages),
            || search_index(catalog, &shared.summaries, docs),
        )
    };
    let mut site = Site {
        files: assets.files,
        pages: rendered.len(),
    };
    site.files.insert(data_path, data);
    if let (Some(path), Some(bytes)) = (owners_path, owners) {
        site.files.insert(path, bytes);
    }
    site.files.extend(search);
    for doc_site in &docs.sites {
        for (path, bytes) in &doc_site.files {
            site.files.insert(path.clone(), bytes.clone());
        }
        site.files.insert(
            format!("{}/techdocs_metadata.json", doc_site.base),
            techdocs_metadata(doc_site),
        );
    }
    if kubernetes::enabled(config) {
        let (files, problems) = kubernetes::status_files(&shared.tera, catalog, snapshot);
        site.files.extend(files);
        stage.extend(problems);
    }
    for (path, bytes, problem) in rendered {
        site.files.insert(path, bytes);
        if let Some(p) = problem {
            stage.push(p);
        }
    }
    Ok((site, stage))
}

/// Set, the build says on stderr how long the search index took (for the benchmarks).
const TIMINGS: &str = "PLAYBILL_TIMINGS";

/// The search index files (and, with [`TIMINGS`], their time on stderr).
fn search_index(
    catalog: &Catalog,
    summaries: &[crate::catalog::summary::EntitySummary],
    docs: &DocSets,
) -> crate::search::SearchFiles {
    let started = std::time::Instant::now();
    let files = crate::search::write_index(&crate::search::build_index(catalog, summaries, docs));
    if std::env::var_os(TIMINGS).is_some() {
        let bytes: usize = files.values().map(Vec::len).sum();
        eprintln!(
            "timing: search index {:.3}s, {} files, {bytes} bytes",
            started.elapsed().as_secs_f64(),
            files.len()
        );
    }
    files
}

/// A page's path, its minified bytes, and the problem that replaced it with an error page.
type RenderedPage = (String, Vec<u8>, Option<Diagnostic>);

/// Every page, rendered and minified in parallel; a page that fails becomes an error page.
fn render_pages(shared: &Shared<'_>, pages: &[Page<'_>]) -> Vec<RenderedPage> {
    pages
        .par_iter()
        .map(|page| {
            let path = page.path(shared.docs);
            // A panic in one page (a bug, or a bound missed on hostile input) costs that page.
            let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                render_page(shared, page, &path)
            }))
            .unwrap_or_else(|panic| Err(crate::diagnostics::panic_message(&*panic)));
            match rendered {
                Ok(bytes) => (path, bytes, None),
                Err(e) => {
                    let html = format!("<!doctype html><title>Error</title><p>This page could not be rendered: {}</p>", crate::highlight::escape(&e));
                    let problem = Diagnostic::error("site/template", format!("{path}: {e}"));
                    (path, html.into_bytes(), Some(problem))
                }
            }
        })
        .collect()
}

/// One page, minified: from the cache when its template set and everything it shows are
/// unchanged, else rendered through tera.
fn render_page(shared: &Shared<'_>, page: &Page<'_>, path: &str) -> Result<Vec<u8>, String> {
    let (template, ctx) = page_context(shared, page, path)?;
    let render = |ctx: &tera::Context| {
        shared
            .tera
            .render(template, ctx)
            .map(|html| minify(html.as_bytes()))
            .map_err(|e| crate::output::describe_tera_error(&e))
    };
    let Some(cache) = shared.cache else {
        return render(&ctx);
    };
    let shown = serde_json::to_vec(&ctx.clone().into_json()).map_err(|e| e.to_string())?;
    let parts: [&[u8]; 3] = [&shared.templates_fingerprint, template.as_bytes(), &shown];
    let mut failure = None;
    let bytes = cache.get_or_render("page", &parts, || {
        render(&ctx).map_err(|e| failure = Some(e)).ok()
    });
    match failure {
        Some(e) => Err(e),
        None => bytes.ok_or_else(|| "the page could not be rendered".to_string()),
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

fn minify(html: &[u8]) -> Vec<u8> {
    let cfg = minify_html::Cfg {
        do_not_minify_doctype: true,
        ensure_spec_compliant_unquoted_attribute_values: true,
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        keep_spaces_between_attributes: true,
        ..minify_html::Cfg::default()
    };
    minify_html::minify(html, &cfg)
}

/// Home › Catalog › the entity › `tab`: the trail of a page beside an entity's page.
fn tab_crumbs(e: &Entity, tab: &str) -> Vec<Crumb> {
    let crumb = |title: &str, url: String| Crumb {
        title: title.to_string(),
        url,
    };
    vec![
        crumb("Home", "index.html".into()),
        crumb("Catalog", "catalog/index.html".into()),
        crumb(e.title(), crate::catalog::summary::entity_url(&e.key)),
        crumb(tab, String::new()),
    ]
}

/// The template of a page and everything it shows.
fn page_context(
    shared: &Shared<'_>,
    page: &Page<'_>,
    path: &str,
) -> Result<(&'static str, tera::Context), String> {
    let mut ctx = tera::Context::new();
    let catalog = shared.catalog;
    let home = Crumb {
        title: "Home".into(),
        url: "index.html".into(),
    };
    let catalog_crumb = || Crumb {
        title: "Catalog".into(),
        url: "catalog/index.html".into(),
    };
    let (template, title, nav, crumbs) = match page {
        Page::Home => {
            let kinds = model::kind_counts(catalog);
            ctx.insert("kinds", &kinds);
            ctx.insert("total_entities", &catalog.entities.len());
            ctx.insert(
                "groups_count",
                &catalog
                    .entities
                    .iter()
                    .filter(|e| e.key.kind == "group")
                    .count(),
            );
            ctx.insert("problems", &problem_entities(shared));
            ctx.insert("recent", &recent_entities(shared));
            if let (Some(url), Some(data)) = (&shared.config.sso.userinfo_url, &shared.owners_data)
            {
                ctx.insert(
                    "my_services",
                    &serde_json::json!({ "userinfo_url": url, "data": data }),
                );
            }
            let changes = crate::site::feed::home_context(&shared.changes.state, catalog, 5);
            ctx.insert("latest_changes", &changes);
            ("home.html", shared.config.title.clone(), "home", vec![])
        }
        Page::Catalog => {
            let first = shared.summaries.len().min(catalog_data::FIRST_PAINT_ROWS);
            ctx.insert("entities", &shared.summaries[..first]);
            ctx.insert("total", &shared.summaries.len());
            ctx.insert("catalog_data", &shared.catalog_data);
            ctx.insert("facets", &model::facets(&shared.summaries));
            (
                "catalog.html",
                "Catalog".to_string(),
                "catalog",
                vec![
                    home,
                    Crumb {
                        title: "Catalog".into(),
                        url: String::new(),
                    },
                ],
            )
        }
        Page::Teams => {
            ctx.insert("groups", &model::team_tree(catalog));
            (
                "teams.html",
                "Teams".to_string(),
                "teams",
                vec![
                    home,
                    Crumb {
                        title: "Teams".into(),
                        url: String::new(),
                    },
                ],
            )
        }
        Page::Issues => {
            let (repos, codes) = model::issues_by_repo(&shared.diagnostics);
            ctx.insert("repos", &repos);
            ctx.insert("codes", &codes);
            ctx.insert("counts", &shared.counts);
            (
                "issues.html",
                "Issues".to_string(),
                "issues",
                vec![
                    home,
                    Crumb {
                        title: "Issues".into(),
                        url: String::new(),
                    },
                ],
            )
        }
        Page::Search => (
            "search.html",
            "Search".to_string(),
            "",
            vec![
                home,
                Crumb {
                    title: "Search".into(),
                    url: String::new(),
                },
            ],
        ),
        Page::NotFound => ("404.html", "Page not found".to_string(), "", vec![]),
        Page::Clusters => (
            "clusters.html",
            "Clusters".to_string(),
            "clusters",
            vec![
                home,
                Crumb {
                    title: "Clusters".into(),
                    url: String::new(),
                },
            ],
        ),
        Page::Scorecards => {
            if let Some(cards) = &shared.scorecards {
                ctx.insert("scorecards", &scorecards::page_context(catalog, cards));
            }
            (
                "scorecards.html",
                "Scorecards".to_string(),
                "scorecards",
                vec![
                    home,
                    Crumb {
                        title: "Scorecards".into(),
                        url: String::new(),
                    },
                ],
            )
        }
        Page::Changes => {
            let changes = &shared.changes;
            ctx.insert(
                "changes",
                &crate::site::feed::page_context(&changes.state, catalog, changes.compared),
            );
            (
                "changes.html",
                "What changed".to_string(),
                "changes",
                vec![
                    home,
                    Crumb {
                        title: "What changed".into(),
                        url: String::new(),
                    },
                ],
            )
        }
        Page::Kubernetes(e) => {
            ctx.insert("k8s", &kubernetes::page_context(e));
            ctx.insert("entity_title", e.title());
            (
                "kubernetes.html",
                format!("{} · Kubernetes", e.title()),
                "clusters",
                tab_crumbs(e, "Kubernetes"),
            )
        }
        Page::Api(e) => {
            let key = e.key.to_string();
            let problems: Vec<&Diagnostic> = shared
                .by_entity
                .get(&key)
                .into_iter()
                .flatten()
                .filter(|d| d.code.starts_with("api/"))
                .collect();
            ctx.insert("api", &shared.apis.get(&key));
            ctx.insert("api_problems", &problems);
            ctx.insert("entity_title", e.title());
            (
                "api.html",
                format!("{} · API reference", e.title()),
                "catalog",
                tab_crumbs(e, "API reference"),
            )
        }
        Page::Doc { site, page } => {
            let doc_site = &shared.docs.sites[*site];
            let doc = &doc_site.pages[*page];
            let owner = crate::catalog::summary::link(catalog, &doc_site.entity);
            let home_url = doc_site.home().map(|h| h.out.clone()).unwrap_or_default();
            let neighbour = |i: Option<usize>| {
                i.map(|i| serde_json::json!({ "title": doc_site.pages[i].title, "url": doc_site.pages[i].out }))
            };
            ctx.insert(
                "docs",
                &serde_json::json!({
                    "site_name": doc_site.site_name,
                    "site_description": doc_site.site_description,
                    "entity": owner,
                    "home_url": home_url,
                    "nav": crate::docs::nav::for_page(&doc_site.nav, &doc.out),
                    "commit": doc_site.commit,
                }),
            );
            let toc: Vec<serde_json::Value> = doc
                .headings
                .iter()
                .filter(|h| (2..=3).contains(&h.level))
                .map(|h| serde_json::json!({ "level": h.level, "id": h.id, "text": h.text }))
                .collect();
            ctx.insert(
                "doc",
                &serde_json::json!({
                    "title": doc.title,
                    "html": doc.html,
                    "has_h1": doc.headings.iter().any(|h| h.level == 1),
                    "toc": toc,
                    "prev": neighbour(doc.prev),
                    "next": neighbour(doc.next),
                    "edit_url": doc.edit_url,
                }),
            );
            let mut crumbs = vec![
                home,
                catalog_crumb(),
                Crumb {
                    title: owner.title.clone(),
                    url: owner.url.clone(),
                },
            ];
            if doc.out == home_url {
                crumbs.push(Crumb {
                    title: "Docs".into(),
                    url: String::new(),
                });
            } else {
                crumbs.push(Crumb {
                    title: "Docs".into(),
                    url: home_url.clone(),
                });
                crumbs.push(Crumb {
                    title: doc.title.clone(),
                    url: String::new(),
                });
            }
            (
                "docs.html",
                format!("{} · {}", doc.title, doc_site.site_name),
                "catalog",
                crumbs,
            )
        }
        Page::Entity(e) => {
            let diagnostics = shared
                .by_entity
                .get(&e.key.to_string())
                .cloned()
                .unwrap_or_default();
            let entity = model::entity_page(catalog, e, diagnostics);
            ctx.insert("entity", &entity);
            ctx.insert(
                "docs_link",
                &docs_link(shared.docs, &e.key, &shared.config.scorecards.runbook),
            );
            if let Some(cards) = &shared.scorecards {
                ctx.insert("scorecard", &scorecards::card(cards, &e.key));
            }
            if let Some(health) = catalog.repo_health.get(&e.source.repo) {
                ctx.insert("repository", &repository::card(health));
            }
            if kubernetes::enabled(shared.config) && kubernetes::has_view(e) {
                ctx.insert("k8s", &kubernetes::page_context(e));
            }
            ctx.insert(
                "api_reference",
                &shared.apis.contains_key(&e.key.to_string()),
            );
            let crumbs = vec![
                home,
                catalog_crumb(),
                Crumb {
                    title: e.kind.clone(),
                    url: format!("catalog/index.html?kind={}", e.key.kind),
                },
                Crumb {
                    title: e.title().to_string(),
                    url: String::new(),
                },
            ];
            ("entity.html", e.title().to_string(), "catalog", crumbs)
        }
    };
    ctx.insert("site", &serde_json::json!({ "title": shared.config.title }));
    ctx.insert("root", &root_prefix(path));
    ctx.insert("page", &serde_json::json!({ "title": title, "path": path }));
    ctx.insert("nav_active", nav);
    ctx.insert("csp", CSP);
    ctx.insert("assets", &shared.assets);
    ctx.insert("breadcrumbs", &crumbs);
    ctx.insert("diag_counts", &shared.counts);
    ctx.insert("clusters_enabled", &kubernetes::enabled(shared.config));
    ctx.insert("scorecards_enabled", &shared.scorecards.is_some());
    Ok((template, ctx))
}
