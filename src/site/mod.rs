//! The site stage: Catalog (+ diagnostics) in, every output file out, in memory. Pages render
//! in parallel (rayon) through tera, then pass through minify-html. Every internal link is
//! relative and names a file, and the same inputs give byte-identical files.

pub mod model;
pub mod theme;

use crate::catalog::{Catalog, Entity};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Content-Security-Policy of every page: no inline script, nothing from another origin.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; object-src 'none'";

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
    NotFound,
    Entity(&'a Entity),
}

impl Page<'_> {
    fn path(&self) -> String {
        match self {
            Page::Home => "index.html".into(),
            Page::Catalog => "catalog/index.html".into(),
            Page::Teams => "teams/index.html".into(),
            Page::Issues => "issues/index.html".into(),
            Page::NotFound => "404.html".into(),
            Page::Entity(e) => model::entity_url(&e.key),
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
    tera: tera::Tera,
    assets: BTreeMap<String, String>,
    diagnostics: Vec<Diagnostic>,
    by_entity: HashMap<String, Vec<Diagnostic>>,
    counts: crate::diagnostics::Counts,
    summaries: Vec<model::EntitySummary>,
}

/// Renders the whole portal.
pub fn render_site(
    config: &Config,
    catalog: &Catalog,
    diagnostics: &Diagnostics,
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
    let mut all: Vec<Diagnostic> = diagnostics.iter().cloned().collect();
    all.extend(stage.iter().cloned());
    let mut by_entity: HashMap<String, Vec<Diagnostic>> = HashMap::new();
    for d in &all {
        if let Some(e) = &d.entity {
            by_entity.entry(e.clone()).or_default().push(d.clone());
        }
    }
    let shared = Shared {
        config,
        catalog,
        tera,
        assets: assets.paths,
        summaries: catalog
            .entities
            .iter()
            .map(|e| model::summary(catalog, e))
            .collect(),
        counts: all.iter().cloned().collect::<Diagnostics>().counts(),
        diagnostics: all,
        by_entity,
    };
    let mut pages = vec![
        Page::Home,
        Page::Catalog,
        Page::Teams,
        Page::Issues,
        Page::NotFound,
    ];
    pages.extend(catalog.entities.iter().map(Page::Entity));
    let rendered: Vec<(String, Vec<u8>, Option<Diagnostic>)> = pages
        .par_iter()
        .map(|page| {
            let path = page.path();
            let (html, problem) = match render_page(&shared, page, &path) {
                Ok(html) => (html, None),
                Err(e) => (
                    format!("<!doctype html><title>Error</title><p>This page could not be rendered: {}</p>", crate::highlight::escape(&e)),
                    Some(Diagnostic::error("site/template", format!("{path}: {e}"))),
                ),
            };
            (path, minify(html.as_bytes()), problem)
        })
        .collect();
    let mut site = Site {
        files: assets.files,
        pages: rendered.len(),
    };
    for (path, bytes, problem) in rendered {
        site.files.insert(path, bytes);
        if let Some(p) = problem {
            stage.push(p);
        }
    }
    Ok((site, stage))
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

fn render_page(shared: &Shared<'_>, page: &Page<'_>, path: &str) -> Result<String, String> {
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
            ("home.html", shared.config.title.clone(), "home", vec![])
        }
        Page::Catalog => {
            ctx.insert("entities", &shared.summaries);
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
        Page::NotFound => ("404.html", "Page not found".to_string(), "", vec![]),
        Page::Entity(e) => {
            let diagnostics = shared
                .by_entity
                .get(&e.key.to_string())
                .cloned()
                .unwrap_or_default();
            let entity = model::entity_page(catalog, e, diagnostics);
            ctx.insert("entity", &entity);
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
    shared
        .tera
        .render(template, &ctx)
        .map_err(|e| theme::describe_tera_error(&e))
}
