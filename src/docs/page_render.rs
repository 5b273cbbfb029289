//! One docs page's Markdown rendering: its text redacted, rendered with its links resolved
//! against its site's files, a panic kept to that page, and the result kept in the render
//! cache, from which the page's body is read back when the page itself is rendered, and its
//! sections when the search index analyses them.

use super::links;
use super::markdown::{self, LinkKind, RenderContext};
use super::Section;
use crate::config::Config;
use crate::diagrams;
use crate::output::Key;
use crate::render_cache::RenderCache;
use crate::secrets::Finding;
use std::sync::Mutex;

use super::prebuilt::{self, PageRender};

/// What the cache keeps of a page but its body and sections: its rendering (those left
/// empty) and the secrets redacted from its text (rule id and line), which are reported again
/// whenever the entry is used. Kept as bincode: decoding JSON entries took most of an
/// unchanged build's docs stage.
type Kept = (
    markdown::Rendered,
    Vec<links::CrossAnchor>,
    Vec<(String, u32)>,
);

/// The render cache's kind for a page's Markdown rendering, and for its body and its sections,
/// entries of their own: the docs stage reads the first, only a page rendered anew reads its
/// body, and only a docs site analysed anew for the search index reads its pages' sections.
pub const MARKDOWN_KIND: &str = "markdown";
pub const BODY_KIND: &str = "markdown-body";
pub const SECTIONS_KIND: &str = "markdown-sections";

/// The entry of the sections of the page whose body entry is `body`: kept with the body, so
/// one key tells where both are.
pub(super) fn sections_key(cache: &RenderCache, body: &Key) -> Key {
    cache.key(SECTIONS_KIND, &[&body.0])
}

/// Redacts and renders one page, or takes both from the cache when its text, its site's files
/// (which decide how its links resolve) and the settings that shape them are what they were.
/// `cache` comes with what every page of the site shares in its key (files and settings). The
/// body's key comes back when the cache holds the body and the sections, which are then left
/// there: they are read back when needed instead of being held until then.
pub(super) fn render_cached(
    (cache, site): (Option<&RenderCache>, Option<&[u8]>),
    prebuilt: &prebuilt::Site,
    (files, page): (&links::SiteFiles<'_>, &str),
    text: &str,
    config: &Config,
) -> (PageRender, Vec<Finding>, Option<Key>) {
    let diagrams = &config.diagrams;
    // Rendered here unless the repository's CI rendered it from the same text and site.
    let fresh = || {
        if let Some(taken) = site.and_then(|site| prebuilt.take(site, page, text)) {
            return taken;
        }
        let redacted = config.secrets.redact(text);
        let render = render_markdown(files, page, &redacted.text, diagrams);
        // One that could not be rendered is left to the portal to try again.
        if let (Some(site), false) = (site, incomplete(&render.0)) {
            prebuilt.record(site, page, text, (&render, &redacted.findings));
        }
        (render, redacted.findings)
    };
    let (Some(cache), Some(site)) = (cache, site) else {
        let (render, findings) = fresh();
        return (render, findings, None);
    };
    let key = cache.key(MARKDOWN_KIND, &[site, page.as_bytes(), text.as_bytes()]);
    let body_key = cache.key(BODY_KIND, &[&key.0]);
    let sections_key = sections_key(cache, &body_key);
    // Rendered anew: the body and the sections are kept as entries of their own, the rest as
    // the page's entry.
    let render_and_keep = || {
        let ((mut rendered, cross), findings) = fresh();
        // A page that could not be rendered, or whose diagram missed its deadline, is
        // tried again next time.
        let failed = incomplete(&rendered);
        let ids = findings
            .iter()
            .map(|f| (f.rule.to_string(), f.line))
            .collect();
        let html = std::mem::take(&mut rendered.html);
        let sections = std::mem::take(&mut rendered.sections);
        let entry: Kept = (rendered, cross, ids);
        let bytes = (!failed).then(|| bincode::serialize(&entry).ok()).flatten();
        if let (Some(_), Ok(kept_sections)) = (&bytes, bincode::serialize(&sections)) {
            cache.put(BODY_KIND, &body_key, html.as_bytes());
            cache.put(SECTIONS_KIND, &sections_key, &kept_sections);
        }
        let (mut rendered, cross, _) = entry;
        // Held when the cache could not keep them (another build holds the cache).
        let held = cache.holds(&body_key) && cache.holds(&sections_key);
        if !held {
            rendered.html = html;
            rendered.sections = sections;
        }
        (
            ((rendered, cross), findings, held.then_some(body_key)),
            bytes,
        )
    };
    let mut made = None;
    let kept = cache.get_or_render_keyed(MARKDOWN_KIND, &key, || {
        let (page, bytes) = render_and_keep();
        made = Some(page);
        bytes
    });
    if let Some(page) = made {
        return page;
    }
    match kept.and_then(|bytes| from_entry(&bytes)) {
        Some((render, findings)) if cache.retain(&body_key) && cache.retain(&sections_key) => {
            (render, findings, Some(body_key))
        }
        // A damaged entry, or its body or sections lost: rendered and kept afresh.
        _ => render_and_keep().0,
    }
}

/// Whether a page could not be rendered, or a diagram of it missed its deadline: such a
/// rendering is not kept, to be tried again next time.
pub(super) fn incomplete(rendered: &markdown::Rendered) -> bool {
    rendered
        .problems
        .iter()
        .any(|(_, m)| m.starts_with(RENDER_FAILED_PREFIX) || m.ends_with(diagrams::TRANSIENT_MARK))
}

/// The body of the page whose body entry is `key`, read back from `cache`.
pub(super) fn cached_body(cache: &RenderCache, key: &Key) -> Option<String> {
    String::from_utf8(cache.read(key)?).ok()
}

/// The sections of the page whose body entry is `key`, read back from `cache`.
pub(super) fn cached_sections(cache: &RenderCache, key: &Key) -> Option<Vec<Section>> {
    bincode::deserialize(&cache.read(&sections_key(cache, key))?).ok()
}

/// A kept page, its body not read; None when the entry is damaged or names a rule this build
/// does not know.
fn from_entry(bytes: &[u8]) -> Option<(PageRender, Vec<Finding>)> {
    let (rendered, cross, ids): Kept = bincode::deserialize(bytes).ok()?;
    let findings = ids
        .iter()
        .map(|(rule, line)| Finding::of_rule(rule, *line))
        .collect::<Option<_>>()?;
    Some(((rendered, cross), findings))
}

/// Renders one page's Markdown, resolving its links against the site's files.
fn render_markdown(
    files: &links::SiteFiles<'_>,
    page: &str,
    text: &str,
    diagrams: &diagrams::Settings,
) -> PageRender {
    let cross = Mutex::new(Vec::new());
    let resolve = |dest: &str, _kind: LinkKind| {
        let (resolution, anchor) = links::resolve(files, page, dest);
        if let Some(mut a) = anchor {
            // The renderer knows lines only for links it drops; find this one's.
            a.line = text
                .find(dest)
                .map(|i| text[..i].matches('\n').count() as u32 + 1);
            cross.lock().expect("anchor list").push(a);
        }
        resolution
    };
    let rendered = guarded(|| {
        markdown::render(
            text,
            &RenderContext {
                resolve_link: &resolve,
                diagrams,
            },
        )
    });
    (rendered, cross.into_inner().unwrap_or_default())
}

/// Runs one page's render so that a panic in it (a bug, or a bound missed on hostile input)
/// costs that page, not the build: the page says it could not be rendered, with an error.
fn guarded(render: impl FnOnce() -> markdown::Rendered) -> markdown::Rendered {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(render)).unwrap_or_else(|panic| {
        markdown::Rendered {
            html: "<p class=\"render-failed\">This page could not be rendered. The build's issues page says why.</p>".into(),
            problems: vec![(1, format!("{RENDER_FAILED_PREFIX} {}", crate::diagnostics::panic_message(&*panic)))],
            ..markdown::Rendered::default()
        }
    })
}

/// How the problem of a page whose render panicked starts; reported as `docs/render-failed`.
pub(super) const RENDER_FAILED_PREFIX: &str = "the page could not be rendered:";
