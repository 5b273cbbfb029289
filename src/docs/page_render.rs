//! One docs page's Markdown rendering: its text redacted, rendered with its links resolved
//! against its site's files, a panic kept to that page, and the result kept in the render
//! cache, from which the page's body is read back when the page itself is rendered.

use super::links;
use super::markdown::{self, LinkKind, RenderContext};
use crate::config::Config;
use crate::diagrams;
use crate::output::Key;
use crate::render_cache::RenderCache;
use crate::secrets::Finding;
use std::sync::Mutex;

/// A page's Markdown rendering and its links to other pages' anchors.
type PageRender = (markdown::Rendered, Vec<links::CrossAnchor>);

/// What the cache keeps of a page: its rendering, and the secrets redacted from its text
/// (rule id and line), which are reported again whenever the entry is used. Kept as bincode:
/// decoding JSON entries took most of an unchanged build's docs stage.
type Kept = (
    markdown::Rendered,
    Vec<links::CrossAnchor>,
    Vec<(String, u32)>,
);

/// Redacts and renders one page, or takes both from the cache when its text, its site's files
/// (which decide how its links resolve) and the settings that shape them are what they were.
/// `cache` comes with what every page of the site shares in its key (files and settings). The
/// key comes back when the cache holds the entry, so the body can be read back when its page
/// is rendered instead of being held until then.
pub(super) fn render_cached(
    cache: Option<(&RenderCache, &[u8])>,
    (files, page): (&links::SiteFiles<'_>, &str),
    text: &str,
    config: &Config,
) -> (PageRender, Vec<Finding>, Option<Key>) {
    let diagrams = &config.diagrams;
    let fresh = || {
        let redacted = config.secrets.redact(text);
        let render = render_markdown(files, page, &redacted.text, diagrams);
        (render, redacted.findings)
    };
    let Some((cache, site)) = cache else {
        let (render, findings) = fresh();
        return (render, findings, None);
    };
    let mut made = None;
    let key = cache.key("markdown", &[site, page.as_bytes(), text.as_bytes()]);
    let kept = cache.get_or_render_keyed("markdown", &key, || {
        let (out, findings) = fresh();
        // A page that could not be rendered, or whose diagram missed its deadline, is
        // tried again next time.
        let failed = out.0.problems.iter().any(|(_, m)| {
            m.starts_with(RENDER_FAILED_PREFIX) || m.ends_with(diagrams::TRANSIENT_MARK)
        });
        let ids = findings.iter().map(|f| (f.rule.to_string(), f.line));
        let entry: Kept = (out.0, out.1, ids.collect());
        let bytes = (!failed).then(|| bincode::serialize(&entry).ok()).flatten();
        made = Some(((entry.0, entry.1), findings));
        bytes
    });
    let (render, findings) = made
        .or_else(|| kept.and_then(|bytes| from_entry(&bytes)))
        .unwrap_or_else(fresh);
    (render, findings, cache.holds(&key).then_some(key))
}

/// The body of the page whose Markdown entry is `key`, read back from `cache`.
pub(super) fn cached_body(cache: &RenderCache, key: &Key) -> Option<String> {
    let ((rendered, _), _) = from_entry(&cache.read(key)?)?;
    Some(rendered.html)
}

/// A kept page; None when the entry is damaged or names a rule this build does not know.
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
