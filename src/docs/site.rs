//! Builds one docs site: reads mkdocs.yml, lists the files under docs_dir, renders every page
//! in parallel, checks links and anchors once every page's headings are known, and assembles
//! the nav, titles, previous/next and edit links.

use super::markdown::{self, LinkKind, LinkResolution, RenderContext};
use super::mkdocs::{self, Mkdocs};
use super::{
    links, monorepo, nav, page_render, prebuilt, snippets, source, tree, DocPage, DocSite,
};
use crate::catalog::Entity;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::diagrams;
use crate::gather::Repo;
use crate::output::Key;
use crate::paths::RepoPath;
use crate::render_cache::RenderCache;
use crate::secrets::Finding;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What every step of one site's build needs.
struct SiteContext<'a> {
    entity: &'a Entity,
    repo: &'a Repo,
    config: &'a Config,
    cache: Option<&'a RenderCache>,
    /// The directory of mkdocs.yml, which snippets may not leave.
    snippet_base: &'a RepoPath,
}

impl SiteContext<'_> {
    /// A diagnostic about this site, placed at `file` when given.
    fn diag(&self, d: Diagnostic, file: Option<&RepoPath>) -> Diagnostic {
        let d = d
            .repo(self.repo.name.clone())
            .entity(self.entity.key.to_string());
        match file {
            Some(f) => d.file(f.to_string()),
            None => d,
        }
    }
}

/// A page after rendering, before titles and order are settled.
struct RenderedPage {
    source: String,
    rendered: markdown::Rendered,
    cross_anchors: Vec<links::CrossAnchor>,
    read_error: Option<String>,
    secrets: Vec<Finding>,
    /// The Markdown entry in the render cache that holds the body.
    body_key: Option<Key>,
    digest: String,
}

/// Builds one docs site: mkdocs.yml, includes and the file tree, every page rendered, then
/// nav, titles, edit links and the site's assets.
///
/// Long on purpose: the steps run in this order and share the site's context; each is a call.
pub(super) fn build_site(
    entity: &Entity,
    src: &source::DocsSource<'_>,
    config: &Config,
    cache: Option<&RenderCache>,
    version: Option<&str>,
) -> (Option<DocSite>, Diagnostics) {
    let ctx = SiteContext {
        entity,
        repo: src.repo,
        config,
        cache,
        snippet_base: &src.dir,
    };
    let mut diagnostics = Diagnostics::new();
    let mut mk = read_mkdocs(&ctx, &src.dir, &mut diagnostics);
    let docs_dir = match src.dir.join(&mk.docs_dir) {
        Ok(d) => d,
        Err(e) => {
            diagnostics.push(ctx.diag(
                Diagnostic::error(
                    "docs/outside-repo",
                    format!("docs_dir \"{}\": {e}; no docs were built", mk.docs_dir),
                ),
                None,
            ));
            return (None, diagnostics);
        }
    };
    let base = super::site_base(&entity.key, version);
    let mounts = expand_includes(&ctx, &src.dir, &mut mk, &mut diagnostics);
    let place = |d: Diagnostic, file: Option<&RepoPath>| ctx.diag(d, file);
    let tree::Tree {
        pages: page_files,
        assets: asset_sources,
    } = tree::list_files(
        (ctx.repo, config),
        &docs_dir,
        &mounts,
        &place,
        &mut diagnostics,
    );
    let page_sources: Vec<String> = page_files.keys().cloned().collect();
    if page_sources.is_empty() {
        let dir = if docs_dir.as_str().is_empty() {
            "."
        } else {
            docs_dir.as_str()
        };
        diagnostics.push(ctx.diag(
            Diagnostic::error(
                "docs/no-pages",
                format!("no Markdown pages in {dir}; no docs were built"),
            ),
            None,
        ));
        return (None, diagnostics);
    }
    let pages: BTreeMap<String, String> = page_sources
        .iter()
        .map(|p| (p.clone(), format!("{base}/{}", links::page_output(p))))
        .collect();
    let assets: BTreeSet<String> = asset_sources.keys().cloned().collect();
    let files = links::SiteFiles {
        base: &base,
        pages: &pages,
        assets: &assets,
    };
    let (rendered, prebuilt) =
        render_pages(&ctx, &page_files, &files, &page_sources, &mut diagnostics);
    let titles = report_pages(&ctx, &page_files, &rendered, &mut diagnostics);

    let nav_items = mk
        .nav
        .clone()
        .unwrap_or_else(|| mkdocs::derive_nav(&page_sources));
    let (nav, missing) = nav::resolve(&nav_items, &pages, &titles);
    for m in missing {
        diagnostics.push(ctx.diag(
            Diagnostic::warning(
                "docs/nav-missing-page",
                format!("nav names \"{m}\", which is not a page in {docs_dir}"),
            ),
            None,
        ));
    }
    let edit_url = edit_urls((&mk, &src.dir), entity, &docs_dir, &mounts);
    let nav_titles = nav_titles(mk.nav.as_deref().unwrap_or_default());
    let home = format!("{base}/index.html");
    let mut doc_pages: Vec<DocPage> = rendered
        .into_iter()
        .map(|page| DocPage {
            out: pages[&page.source].clone(),
            // As Material titles a page: front matter, the site name on the home page, then
            // the nav's label, the first heading, the file name.
            title: page
                .rendered
                .front_matter_title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .or_else(|| {
                    (pages[&page.source] == home && !mk.site_name.trim().is_empty())
                        .then(|| mk.site_name.clone())
                })
                .or_else(|| nav_titles.get(&page.source).cloned())
                .unwrap_or_else(|| titles[&page.source].clone()),
            // Read back from the cache when the page is rendered: not held by every page at once.
            html: match page.body_key {
                Some(_) => String::new(),
                None => page.rendered.html,
            },
            body_key: page.body_key,
            headings: page.rendered.headings,
            sections: page.rendered.sections,
            // An older version's page is not edited: its source is a tag or an archive.
            edit_url: edit_url(&page.source, &page_files[&page.source])
                .filter(|_| version.is_none()),
            source: page.source,
            prev: None,
            next: None,
            digest: page.digest,
        })
        .collect();
    link_neighbours(&mut doc_pages, &nav::reading_order(&nav));
    let site = DocSite {
        entity: entity.key.clone(),
        site_name: if mk.site_name.trim().is_empty() {
            entity.title().to_string()
        } else {
            mk.site_name.clone()
        },
        site_description: mk.site_description.clone(),
        nav,
        pages: doc_pages,
        files: asset_sources
            .into_iter()
            .chain(
                prebuilt
                    .file
                    .map(|bytes| (super::prebuilt::FILE.to_string(), bytes)),
            )
            .map(|(p, bytes)| (format!("{base}/{p}"), bytes))
            .collect(),
        prebuilt_pages: prebuilt.taken,
        search_part: None,
        base,
        repo: ctx.repo.name.clone(),
        commit: ctx.repo.commit.clone(),
        commit_time: ctx.repo.commit_time,
        version: version.map(str::to_string),
        versions: Vec::new(),
    };
    (Some(site), diagnostics)
}

/// What a site's pages took from and left for a repository's CI (see `docs::prebuilt`).
struct Prebuilt {
    /// The file `docs build` writes beside the pages.
    file: Option<Vec<u8>>,
    /// Pages whose rendering was taken from the repository's CI.
    taken: usize,
}

/// Renders every page in parallel, rewriting links as it goes.
fn render_pages(
    ctx: &SiteContext<'_>,
    page_files: &BTreeMap<String, RepoPath>,
    files: &links::SiteFiles<'_>,
    sources: &[String],
    diagnostics: &mut Diagnostics,
) -> (Vec<RenderedPage>, Prebuilt) {
    let place = |d: Diagnostic, page: Option<&str>| ctx.diag(d, page.map(|p| &page_files[p]));
    let prebuilt = prebuilt::Site::open(ctx.config, files.base);
    // What every page's key shares, put together once for the site: its file list and the
    // settings that shape a rendering (diagram drawing, secret scanning).
    let site = (ctx.cache.is_some() || prebuilt.is_some()).then(|| {
        let mut key = files.fingerprint();
        for setting in [
            ctx.config.diagrams.fingerprint(),
            ctx.config.secrets.fingerprint(),
        ] {
            key.extend((setting.len() as u64).to_le_bytes());
            key.extend(setting.as_bytes());
        }
        key
    });
    let keys = (ctx.cache, site.as_deref());
    let rendered = sources
        .par_iter()
        .map(|page| {
            let text = match ctx
                .repo
                .read(&page_files[page], ctx.config.limits.max_file_bytes)
            {
                Ok(b) => b,
                Err(e) => {
                    let keep = |_: &str, _: LinkKind| LinkResolution::Keep;
                    return RenderedPage {
                        source: page.clone(),
                        rendered: markdown::render(
                            "",
                            &RenderContext {
                                resolve_link: &keep,
                                diagrams: &ctx.config.diagrams,
                            },
                        ),
                        cross_anchors: Vec::new(),
                        read_error: Some(format!("cannot read the page: {e}")),
                        body_key: None,
                        secrets: Vec::new(),
                        digest: String::new(),
                    };
                }
            };
            let text = String::from_utf8_lossy(&text);
            let limit = ctx.config.limits.max_file_bytes;
            let expanded = snippets::include(ctx.repo, ctx.snippet_base, &text, limit);
            let ((mut rendered, mut cross_anchors), secrets, body_key) = page_render::render_cached(
                keys,
                &prebuilt,
                (files, page),
                &expanded.text,
                ctx.config,
            );
            expanded.restore_lines(&mut rendered, &mut cross_anchors);
            RenderedPage {
                source: page.clone(),
                rendered,
                cross_anchors,
                read_error: None,
                secrets,
                body_key,
                digest: super::text_digest(&expanded.text),
            }
        })
        .collect();
    let (file, taken) = prebuilt.finish(&place, diagnostics);
    (rendered, Prebuilt { file, taken })
}

/// Reports each page's problems and broken anchors; returns each page's title.
fn report_pages(
    ctx: &SiteContext<'_>,
    page_files: &BTreeMap<String, RepoPath>,
    pages: &[RenderedPage],
    diagnostics: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let ids: HashMap<&str, BTreeSet<&str>> = pages
        .iter()
        .map(|p| {
            (
                p.source.as_str(),
                p.rendered.headings.iter().map(|h| h.id.as_str()).collect(),
            )
        })
        .collect();
    let mut titles = BTreeMap::new();
    for page in pages {
        let file = page_files.get(&page.source);
        let at = |d: Diagnostic| ctx.diag(d, file);
        if let Some(e) = &page.read_error {
            diagnostics.push(at(Diagnostic::error("docs/unreadable", e.clone())));
        }
        for finding in &page.secrets {
            diagnostics.push(at(finding.diagnostic()));
        }
        for (line, message) in &page.rendered.problems {
            diagnostics.push(at(problem_diagnostic(message)).line(Some(*line)));
        }
        let own = &ids[page.source.as_str()];
        for (anchor, line) in &page.rendered.anchors_used {
            if !own.contains(anchor.as_str()) {
                diagnostics.push(
                    at(Diagnostic::warning(
                        "docs/broken-link",
                        format!("link \"#{anchor}\" names no heading on this page"),
                    ))
                    .line(Some(*line)),
                );
            }
        }
        for c in &page.cross_anchors {
            if !ids
                .get(c.target_source.as_str())
                .is_some_and(|set| set.contains(c.anchor.as_str()))
            {
                diagnostics.push(
                    at(Diagnostic::warning(
                        "docs/broken-link",
                        format!(
                            "link \"{}\" names no heading \"#{}\" in {}",
                            c.written, c.anchor, c.target_source
                        ),
                    ))
                    .line(c.line),
                );
            }
        }
        let title = page_title(page);
        titles.insert(page.source.clone(), title);
    }
    titles
}

/// A renderer's problem as a diagnostic. Broken links are the resolver's messages
/// (docs/links.rs) and unsafe content the renderer's; each kind starts with its own prefix.
fn problem_diagnostic(message: &str) -> Diagnostic {
    let message = message.to_string();
    if message.starts_with(page_render::RENDER_FAILED_PREFIX) {
        Diagnostic::error(
            "docs/render-failed",
            format!("{message}; please report it with this page attached"),
        )
    } else if message.starts_with("link \"") {
        Diagnostic::warning("docs/broken-link", message)
    } else if message.starts_with("unsafe ") {
        Diagnostic::warning("docs/unsafe-content", message)
    } else if message.starts_with(diagrams::PROBLEM_PREFIX) {
        Diagnostic::warning("docs/diagram", message)
    } else if message.starts_with(snippets::PROBLEM_PREFIX) {
        Diagnostic::warning("docs/snippet", message)
    } else if message.starts_with(markdown::NESTING_PREFIX) {
        Diagnostic::warning("docs/too-deep", message)
    } else {
        Diagnostic::info("docs/markdown", message)
    }
}

/// The front matter's title, else the first heading, else one made from the file name.
fn page_title(page: &RenderedPage) -> String {
    let name = page.source.rsplit('/').next().unwrap_or(&page.source);
    page.rendered
        .front_matter_title
        .clone()
        .or_else(|| page.rendered.title.clone())
        .unwrap_or_else(|| {
            if page.source == "index.md" || page.source == "README.md" {
                "Home".to_string()
            } else {
                mkdocs::title_from_name(name)
            }
        })
}

/// Previous and next page, in the nav's reading order.
fn link_neighbours(pages: &mut [DocPage], order: &[String]) {
    let position: HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(n, url)| (url.as_str(), n))
        .collect();
    let index: HashMap<String, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.out.clone(), i))
        .collect();
    for page in pages.iter_mut() {
        let Some(&n) = position.get(page.out.as_str()) else {
            continue;
        };
        page.prev = n.checked_sub(1).and_then(|p| index.get(&order[p]).copied());
        page.next = order.get(n + 1).and_then(|u| index.get(u).copied());
    }
}

/// Reads mkdocs.yaml (which wins) or mkdocs.yml; a missing or broken file is a diagnostic and
/// the defaults are used, so the docs still render.
fn read_mkdocs(ctx: &SiteContext<'_>, dir: &RepoPath, diagnostics: &mut Diagnostics) -> Mkdocs {
    let (repo, config) = (ctx.repo, ctx.config);
    let diag = |d: Diagnostic, file: Option<&RepoPath>| ctx.diag(d, file);
    let defaults = Mkdocs {
        docs_dir: "docs".into(),
        ..Mkdocs::default()
    };
    for name in ["mkdocs.yaml", "mkdocs.yml"] {
        let Ok(file) = dir.join(name) else { continue };
        let bytes = match repo.read(&file, config.limits.max_file_bytes) {
            Ok(b) => b,
            Err(crate::gather::ReadError::NotFound) => continue,
            Err(e) => {
                diagnostics.push(diag(
                    Diagnostic::error("docs/mkdocs-invalid", format!("cannot read {name}: {e}")),
                    Some(&file),
                ));
                return defaults;
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        let redacted = config.secrets.redact(&text);
        for finding in &redacted.findings {
            diagnostics.push(diag(finding.diagnostic(), Some(&file)));
        }
        return match mkdocs::parse(&redacted.text) {
            Ok((m, warnings)) => {
                for w in warnings {
                    diagnostics.push(diag(
                        Diagnostic::warning("docs/mkdocs-invalid", w),
                        Some(&file),
                    ));
                }
                for ext in m
                    .markdown_extensions
                    .iter()
                    .filter(|e| !mkdocs::SUPPORTED_EXTENSIONS.contains(&e.as_str()))
                {
                    diagnostics.push(diag(Diagnostic::warning("docs/unsupported", format!("markdown extension \"{ext}\" is not supported; its syntax renders as plain Markdown")), Some(&file)));
                }
                for plugin in m
                    .plugins
                    .iter()
                    .filter(|p| !mkdocs::SUPPORTED_PLUGINS.contains(&p.as_str()))
                {
                    diagnostics.push(diag(
                        Diagnostic::warning(
                            "docs/unsupported",
                            format!("mkdocs plugin \"{plugin}\" is not supported and was ignored"),
                        ),
                        Some(&file),
                    ));
                }
                m
            }
            Err(e) => {
                diagnostics.push(diag(Diagnostic::error("docs/mkdocs-invalid", format!("{name} does not parse ({e}); the docs were rendered with default settings")), Some(&file)));
                defaults
            }
        };
    }
    diagnostics.push(diag(
        Diagnostic::warning(
            "docs/mkdocs-missing",
            format!(
                "no mkdocs.yml in {}; the docs were rendered with default settings",
                if dir.as_str().is_empty() {
                    "the repository root"
                } else {
                    dir.as_str()
                }
            ),
        ),
        None,
    ));
    defaults
}

/// Expands the nav's includes in place (monorepo.rs), reporting each one left out at its line
/// of mkdocs.yml; returns the sub-projects the site mounts.
fn expand_includes(
    ctx: &SiteContext<'_>,
    dir: &RepoPath,
    mk: &mut Mkdocs,
    diagnostics: &mut Diagnostics,
) -> Vec<monorepo::Mount> {
    let Some(nav) = &mk.nav else {
        return Vec::new();
    };
    let files = tree::RepoFiles {
        repo: ctx.repo,
        max_bytes: ctx.config.limits.max_file_bytes,
    };
    let expanded = monorepo::expand(nav, dir, &files);
    let mkdocs_file = ["mkdocs.yaml", "mkdocs.yml"]
        .iter()
        .filter_map(|name| dir.join(name).ok())
        .find(|f| ctx.repo.check_file(f).is_ok());
    for problem in expanded.problems {
        let d = Diagnostic::error("docs/include", problem.message);
        diagnostics.push(ctx.diag(d, mkdocs_file.as_ref()).line(problem.line));
    }
    mk.nav = Some(expanded.nav);
    expanded.mounts
}

/// Titles written in the nav, by page.
fn nav_titles(items: &[mkdocs::NavItem]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for item in items {
        match item {
            mkdocs::NavItem::Page {
                title: Some(t),
                path,
            } => {
                out.insert(path.clone(), t.clone());
            }
            mkdocs::NavItem::Section { children, .. } => out.extend(nav_titles(children)),
            _ => {}
        }
    }
    out
}

/// A page's "Edit this page" address, by its path in the site and its file: an included
/// project's pages use that project's settings (monorepo::edit_settings).
fn edit_urls<'a>(
    (mk, config_dir): (&Mkdocs, &RepoPath),
    entity: &'a Entity,
    docs_dir: &'a RepoPath,
    mounts: &'a [monorepo::Mount],
) -> impl Fn(&str, &RepoPath) -> Option<String> + 'a {
    let root = edit_base(mk, entity, docs_dir);
    let included: Vec<Option<String>> = mounts
        .iter()
        .map(|m| {
            edit_base(
                &monorepo::edit_settings(mk, config_dir, m),
                entity,
                &m.docs_dir,
            )
        })
        .collect();
    move |page, file| {
        // The project whose docs_dir the page's file came from.
        let from = |m: &monorepo::Mount| {
            let rel = page.strip_prefix(&m.alias)?.strip_prefix('/')?;
            (m.docs_dir.join(rel).ok().as_ref() == Some(file)).then_some(rel)
        };
        match mounts
            .iter()
            .enumerate()
            .rev()
            .find_map(|(i, m)| Some((i, from(m)?)))
        {
            Some((i, rel)) => included[i].as_ref().map(|b| format!("{b}{rel}")),
            None => root.as_ref().map(|b| format!("{b}{page}")),
        }
    }
}

/// Where "Edit this page" points: mkdocs' repo_url + edit_uri, else the entity's
/// source-location (a `tree` URL becomes an `edit` URL).
fn edit_base(mk: &Mkdocs, entity: &Entity, docs_dir: &RepoPath) -> Option<String> {
    if let Some(repo_url) = mk
        .repo_url
        .as_deref()
        .and_then(crate::catalog::summary::safe_url)
    {
        let edit_uri = mk.edit_uri.clone().unwrap_or_else(|| {
            if repo_url.contains("github.com") {
                "edit/master/docs/".into()
            } else {
                String::new()
            }
        });
        if edit_uri.is_empty() {
            return None;
        }
        if let Some(absolute) = crate::catalog::summary::safe_url(&edit_uri) {
            return Some(format!("{}/", absolute.trim_end_matches('/')));
        }
        return Some(format!(
            "{}/{}/",
            repo_url.trim_end_matches('/'),
            edit_uri.trim_matches('/')
        ));
    }
    let location = entity
        .annotation("backstage.io/source-location")?
        .strip_prefix("url:")?;
    let location = crate::catalog::summary::safe_url(location)?;
    let (before, after) = location.split_once("/tree/")?;
    let (branch, _) = after.split_once('/').unwrap_or((after, ""));
    Some(format!(
        "{before}/edit/{branch}/{}{}",
        docs_dir,
        if docs_dir.as_str().is_empty() {
            ""
        } else {
            "/"
        }
    ))
}
