//! What each kind of page shows: one function per page kind fills the template context with
//! the page's own data and says which template renders it, its title, the active nav tab and its
//! breadcrumbs; `page_context` adds what every page shares.

use super::apidocs::{self, Held};
use super::{
    apart, catalog_data, docs_link, kubernetes, lists, model, problem_entities, recent_entities,
    repository, root_prefix, scorecards, Crumb, Page, Shared, CSP,
};
use crate::catalog::summary::{entity_url, link};
use crate::catalog::Entity;
use crate::diagnostics::Diagnostic;
use serde_json::json;
use tera::Context;

/// The frame of a page around its own data.
struct Frame {
    template: &'static str,
    title: String,
    /// The nav tab shown as active ("" for none).
    nav: &'static str,
    crumbs: Vec<Crumb>,
}

impl Frame {
    /// A page of the top nav: Home › `title`.
    fn top(template: &'static str, title: &str, nav: &'static str) -> Frame {
        Frame {
            template,
            title: title.to_string(),
            nav,
            crumbs: trail(&[("Home", "index.html"), (title, "")]),
        }
    }

    /// A page beside an entity's page: Home › Catalog › the entity › `tab`.
    fn tab(template: &'static str, e: &Entity, tab: &str, nav: &'static str) -> Frame {
        let entity = entity_url(&e.key);
        Frame {
            template,
            title: format!("{} · {tab}", e.title()),
            nav,
            crumbs: trail(&[
                ("Home", "index.html"),
                ("Catalog", "catalog/index.html"),
                (e.title(), &entity),
                (tab, ""),
            ]),
        }
    }
}

/// Breadcrumbs from (title, root-relative URL) pairs; the current page has no URL.
fn trail(steps: &[(&str, &str)]) -> Vec<Crumb> {
    steps
        .iter()
        .map(|(title, url)| Crumb {
            title: title.to_string(),
            url: url.to_string(),
        })
        .collect()
}

/// The 404 page's links start from the portal's root path (base_url's, else `/`): servers
/// deliver that page at the missing URL, at any depth, where page-relative links would fail.
fn not_found_root(config: &crate::config::Config) -> String {
    let path = config
        .base_url
        .as_deref()
        .and_then(|base| url::Url::parse(base).ok())
        .map(|url| url.path().to_string())
        .unwrap_or_default();
    if path.ends_with('/') {
        path
    } else {
        format!("{path}/")
    }
}

/// The template of a page and everything it shows.
pub(super) fn page_context(
    shared: &Shared<'_>,
    page: &Page<'_>,
    path: &str,
) -> Result<(&'static str, Context), String> {
    let mut ctx = Context::new();
    let frame = match page {
        Page::Home => home(shared, &mut ctx),
        Page::Catalog => catalog(shared, &mut ctx),
        Page::Teams => {
            ctx.insert("groups", &model::team_tree(shared.catalog));
            Frame::top("teams.html", "Teams", "teams")
        }
        Page::Issues => issues(shared, &mut ctx),
        Page::Search => Frame::top("search.html", "Search", ""),
        Page::NotFound => Frame {
            crumbs: Vec::new(),
            ..Frame::top("404.html", "Page not found", "")
        },
        Page::Clusters => Frame::top("clusters.html", "Clusters", "clusters"),
        Page::Scorecards(part) => {
            if let Some(cards) = &shared.scorecards {
                let ranking = shared.ranking.get_or_init(|| {
                    let levels = &shared.config.scorecards.levels;
                    scorecards::ranking(shared.catalog, cards, (levels, shared.trends))
                });
                ctx.insert("scorecards", &scorecards::page_context(ranking, *part));
            }
            Frame::top("scorecards.html", "Scorecards", "scorecards")
        }
        Page::Changes(part) => changes(shared, *part, &mut ctx),
        Page::Kubernetes(e) => {
            ctx.insert("k8s", &kubernetes::page_context(e));
            ctx.insert("entity_title", e.title());
            Frame::tab("kubernetes.html", e, "Kubernetes", "clusters")
        }
        Page::Api(e) => api(shared, e, &mut ctx),
        Page::Doc { site, page } => doc(shared, *site, *page, &mut ctx),
        Page::DocPrint { site } => doc_print(shared, *site, &mut ctx),
        Page::Entity(e) => entity(shared, e, &mut ctx),
        Page::List(e, list, part) => {
            ctx.insert("list", &lists::context(shared.catalog, e, *list, *part));
            ctx.insert("entity_title", e.title());
            ctx.insert("entity_ref", &e.key.to_string());
            ctx.insert("entity_url", &entity_url(&e.key));
            Frame::tab("entity_list.html", e, list.title(e), "catalog")
        }
    };
    ctx.insert("site", &json!({ "title": shared.config.title }));
    let root = match page {
        Page::NotFound => not_found_root(shared.config),
        _ => root_prefix(path),
    };
    ctx.insert("root", &root);
    ctx.insert("page", &json!({ "title": frame.title, "path": path }));
    ctx.insert("nav_active", frame.nav);
    ctx.insert("csp", CSP);
    ctx.insert("assets", &shared.assets);
    ctx.insert("breadcrumbs", &frame.crumbs);
    ctx.insert("clusters_enabled", &kubernetes::enabled(shared.config));
    ctx.insert("scorecards_enabled", &shared.config.scorecards.enabled);
    ctx.insert("preview", &shared.config.preview);
    Ok((frame.template, ctx))
}

fn home(shared: &Shared<'_>, ctx: &mut Context) -> Frame {
    let catalog = shared.catalog;
    ctx.insert("kinds", &model::kind_counts(catalog));
    ctx.insert("total_entities", &catalog.entities.len());
    ctx.insert("diag_counts", &shared.counts);
    let groups = catalog.entities.iter().filter(|e| e.key.kind == "group");
    ctx.insert("groups_count", &groups.count());
    ctx.insert("problems", &problem_entities(shared));
    ctx.insert("recent", &recent_entities(shared));
    if let (Some(url), Some(data)) = (&shared.config.sso.userinfo_url, &shared.owners_data) {
        ctx.insert("my_services", &json!({ "userinfo_url": url, "data": data }));
    }
    let changes = super::feed::home_context(&shared.changes.state, catalog, 5);
    ctx.insert("latest_changes", &changes);
    Frame {
        crumbs: Vec::new(),
        ..Frame::top("home.html", &shared.config.title, "home")
    }
}

fn catalog(shared: &Shared<'_>, ctx: &mut Context) -> Frame {
    let page = &shared.catalog_page;
    ctx.insert("entities", &page.rows);
    let health =
        catalog_data::first_paint_health(shared.catalog, &page.rows, shared.scorecards.as_ref());
    ctx.insert("row_health", &health);
    ctx.insert("total", &page.total);
    ctx.insert("catalog_data", &shared.catalog_data);
    ctx.insert("facets", &page.facets);
    Frame::top("catalog.html", "Catalog", "catalog")
}

fn issues(shared: &Shared<'_>, ctx: &mut Context) -> Frame {
    let (repos, codes) = model::issues_by_repo(&shared.diagnostics);
    ctx.insert("repos", &repos);
    ctx.insert("codes", &codes);
    ctx.insert("counts", &shared.counts);
    Frame::top("issues.html", "Issues", "issues")
}

fn changes(shared: &Shared<'_>, part: usize, ctx: &mut Context) -> Frame {
    let changes = &shared.changes;
    let page = super::feed::page_context(&changes.state, shared.catalog, changes.compared, part);
    ctx.insert("changes", &page);
    Frame::top("changes.html", "What changed", "changes")
}

fn api(shared: &Shared<'_>, e: &Entity, ctx: &mut Context) -> Frame {
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
    Frame::tab("api.html", e, "API reference", "catalog")
}

/// What every page of a docs site shows of the site (`docs` in the templates), its owner and
/// its landing page.
fn site_fields(
    shared: &Shared<'_>,
    doc_site: &crate::docs::DocSite,
) -> (
    serde_json::Value,
    crate::catalog::summary::EntityLink,
    String,
) {
    let owner = link(shared.catalog, &doc_site.entity);
    let home_url = doc_site.home().map(|h| h.out.clone()).unwrap_or_default();
    let fields = json!({
        "site_name": doc_site.site_name,
        "site_description": doc_site.site_description,
        "entity": owner,
        "home_url": home_url,
        "commit": doc_site.commit,
        "scope": super::versions::search_scope(doc_site),
        "print_url": super::print::available(doc_site).then(|| super::print::path(doc_site)),
    });
    (fields, owner, home_url)
}

fn doc(shared: &Shared<'_>, site: usize, page: usize, ctx: &mut Context) -> Frame {
    let doc_site = &shared.docs.sites[site];
    let doc = &doc_site.pages[page];
    let (mut fields, owner, home_url) = site_fields(shared, doc_site);
    let neighbour = |i: Option<usize>| {
        i.map(|i| json!({ "title": doc_site.pages[i].title, "url": doc_site.pages[i].out }))
    };
    // The site's nav stands in for the page's copy of it, which the page's path decides:
    // `fill_stand_ins` puts the copy in when the page is rendered.
    fields["nav"] = json!(shared.nav_digests[site]);
    fields["versions"] = json!(super::versions::switcher(shared.docs, doc_site, &doc.out));
    ctx.insert("docs", &fields);
    let toc: Vec<serde_json::Value> = doc
        .headings
        .iter()
        .filter(|h| (2..=3).contains(&h.level))
        .map(|h| json!({ "level": h.level, "id": h.id, "text": h.text }))
        .collect();
    // A body the render cache holds goes in as its entry's key; `fill_stand_ins` puts it in.
    let html = match &doc.body_key {
        Some(key) => crate::output::hex(&key.0),
        None => doc.html.clone(),
    };
    ctx.insert(
        "doc",
        &json!({
            "title": doc.title,
            "html": html,
            "has_h1": doc.headings.iter().any(|h| h.level == 1),
            "toc": toc,
            "prev": neighbour(doc.prev),
            "next": neighbour(doc.next),
            "edit_url": doc.edit_url,
        }),
    );
    let mut steps = vec![
        ("Home", "index.html"),
        ("Catalog", "catalog/index.html"),
        (owner.title.as_str(), owner.url.as_str()),
    ];
    if doc.out == home_url {
        steps.push(("Docs", ""));
    } else {
        steps.extend([("Docs", home_url.as_str()), (doc.title.as_str(), "")]);
    }
    Frame {
        template: "docs.html",
        title: if doc.title == doc_site.site_name {
            doc.title.clone()
        } else {
            format!("{} · {}", doc.title, doc_site.site_name)
        },
        nav: "catalog",
        crumbs: trail(&steps),
    }
}

/// Puts into `shown`, the context [`page_context`] made with stand-ins, what they stand for:
/// the docs bodies and API references the render cache holds (standing in as their entries'
/// keys), a docs page's copy of its site's nav (as the nav's hash) and an entity page's
/// relation pictures (as a hash of what they are drawn from). A stand-in is all the page's
/// own key needs. A page kept [`apart`] gets its marks instead of its nav and bodies.
pub(super) fn fill_stand_ins(
    shared: &Shared<'_>,
    page: &Page<'_>,
    shown: &mut serde_json::Value,
    kept_apart: bool,
) -> Result<(), String> {
    match page {
        _ if kept_apart => {
            apart::put_marks(shared, page, shown);
            Ok(())
        }
        Page::Doc { site, page } => {
            let doc_site = &shared.docs.sites[*site];
            let doc = &doc_site.pages[*page];
            let nav = crate::docs::nav::for_page(&doc_site.nav, &doc.out);
            let root = shown["root"].as_str().unwrap_or_default();
            shown["docs"]["nav_html"] = super::docs_nav::html(&nav, root).into();
            if shared.own_templates {
                shown["docs"]["nav"] = json!(nav);
            } else if let Some(docs) = shown["docs"].as_object_mut() {
                docs.remove("nav");
            }
            if doc.body_key.is_some() {
                shown["doc"]["html"] = doc.body(shared.cache)?.into_owned().into();
            }
            Ok(())
        }
        Page::DocPrint { site } => match shown["docs"]["pages"].as_array_mut() {
            Some(sections) => super::print::fill(&shared.docs.sites[*site], sections, shared.cache),
            None => Ok(()),
        },
        Page::Entity(e) => {
            shown["pictures"] = json!(super::graphs::pictures(shared, e));
            Ok(())
        }
        Page::Api(e) => {
            if let Some(Held::Kept(key)) = shared.apis.get(&e.key.to_string()) {
                let drawn = !shared.own_templates;
                shown["api"] = apidocs::kept::read_back(shared.cache, key, (e, drawn))?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A docs site's print view: every page in reading order, under its site's name.
fn doc_print(shared: &Shared<'_>, site: usize, ctx: &mut Context) -> Frame {
    let doc_site = &shared.docs.sites[site];
    let (mut fields, owner, home_url) = site_fields(shared, doc_site);
    fields["pages"] = json!(super::print::sections(doc_site));
    ctx.insert("docs", &fields);
    Frame {
        template: "docs_print.html",
        title: format!("{} · Print view", doc_site.site_name),
        nav: "catalog",
        crumbs: trail(&[
            ("Home", "index.html"),
            ("Catalog", "catalog/index.html"),
            (owner.title.as_str(), owner.url.as_str()),
            ("Docs", home_url.as_str()),
            ("Print view", ""),
        ]),
    }
}

fn entity(shared: &Shared<'_>, e: &Entity, ctx: &mut Context) -> Frame {
    let key = e.key.to_string();
    let diagnostics = shared.by_entity.get(&key).cloned().unwrap_or_default();
    ctx.insert(
        "entity",
        &model::entity_page(shared.catalog, e, diagnostics),
    );
    let runbook = &shared.config.scorecards.runbook;
    ctx.insert("docs_link", &docs_link(shared.docs, &e.key, runbook));
    if let Some(cards) = &shared.scorecards {
        let results = scorecards::results(shared, e);
        let card = scorecards::card(cards, &e.key, results, shared.trends);
        ctx.insert("scorecard", &card);
    }
    if let Some(health) = shared.catalog.repo_health.get(&e.source.repo) {
        ctx.insert("repository", &repository::card(health));
    }
    if kubernetes::enabled(shared.config) && crate::cluster::matching::names_workloads(e) {
        ctx.insert("k8s", &kubernetes::page_context(e));
    }
    ctx.insert("api_reference", &shared.apis.contains_key(&key));
    let trends = shared.trends;
    let problems = super::sparkline::of(
        trends,
        &trends.trends.problems,
        &key,
        super::sparkline::PROBLEMS,
    );
    ctx.insert("problem_trend", &problems);
    let timeline = super::timeline::timeline(shared.catalog, &shared.changes.state, e);
    ctx.insert("timeline", &timeline);
    // Drawn when the page is rendered (`fill_stand_ins`).
    ctx.insert("pictures", &super::graphs::stand_in(shared, e));
    let heatmap = kubernetes::enabled(shared.config) && super::heatmap::has_heatmap(e);
    ctx.insert("heatmap", &heatmap);
    ctx.insert("ownership", &super::ownership::roll_up(shared, e));
    let incident = super::incident::card(
        shared.catalog,
        shared.docs,
        e,
        runbook,
        &shared.config.oncall,
        &shared.changes.state,
    );
    ctx.insert("incident", &incident);
    let kind_filter = format!("catalog/index.html?kind={}", e.key.kind);
    Frame {
        template: "entity.html",
        title: e.title().to_string(),
        nav: "catalog",
        crumbs: trail(&[
            ("Home", "index.html"),
            ("Catalog", "catalog/index.html"),
            (e.kind.as_str(), &kind_filter),
            (e.title(), ""),
        ]),
    }
}
