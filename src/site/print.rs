//! The print view of a docs site: every page in the nav's reading order on one page
//! (`<base>/print/index.html`), for reading end to end or saving as PDF from the browser. Each page's
//! HTML is taken as rendered; its ids get the page's prefix (`p3-`) so they stay unique, links
//! between the site's pages become in-page anchors, and every other relative link or image is
//! re-based from the page's directory to the print view's.

use crate::docs::links::relative_href;
use crate::docs::DocSite;
use regex::{Captures, Regex};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Where a site's print view is written, relative to the portal root.
pub fn path(site: &DocSite) -> String {
    format!("{}/print/index.html", site.base)
}

/// Whether the site has a print view: it has pages, and none of them is `print.md` (which
/// would be generated where the print view goes; the page wins).
pub fn available(site: &DocSite) -> bool {
    let path = path(site);
    !site.pages.is_empty() && site.pages.iter().all(|p| p.out != path)
}

/// Attributes that hold a URL, and those that hold ids (one or a space-separated list).
/// Rendered pages are sanitised output, so every attribute value is double-quoted.
fn attributes() -> &'static Regex {
    static ATTR: OnceLock<Regex> = OnceLock::new();
    ATTR.get_or_init(|| {
        Regex::new(r#"\s(href|src|xlink:href|id|for|aria-labelledby|aria-describedby|aria-controls)="([^"]*)""#)
            .expect("valid regex")
    })
}

/// `url(#id)` references inside inline SVG (markers, gradients, clip paths).
fn url_refs() -> &'static Regex {
    static REF: OnceLock<Regex> = OnceLock::new();
    REF.get_or_init(|| Regex::new(r"url\(#([^)\s]+)\)").expect("valid regex"))
}

/// The site's pages in reading order (pages outside the nav after them, in source order), each
/// as `{anchor, title, has_h1, html}` with its HTML rewritten for the print view. A body the
/// render cache holds is left as a stand-in naming its entry and page (what the page's cache
/// key needs), and [`fill`] puts it in when the print view is rendered.
pub fn sections(site: &DocSite) -> Vec<Value> {
    let order = Order::of(site);
    order
        .pages
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let page = &site.pages[i];
            let html = match &page.body_key {
                Some(key) => format!("{} {}", crate::output::hex(&key.0), page.out),
                None => rewrite(&page.html, n, &page.out, &order.print, &order.position),
            };
            json!({
                "anchor": format!("p{n}"),
                "title": page.title,
                "has_h1": page.headings.iter().any(|h| h.level == 1),
                "html": html,
            })
        })
        .collect()
}

/// Replaces the stand-ins [`sections`] left in `sections` with the pages' bodies from `cache`.
pub fn fill(
    site: &DocSite,
    sections: &mut [Value],
    cache: Option<&crate::render_cache::RenderCache>,
) -> Result<(), String> {
    for (n, html) in kept_bodies(site, cache)? {
        sections[n]["html"] = Value::String(html);
    }
    Ok(())
}

/// Where [`sections`] left stand-ins: the places in print order of the pages whose bodies the
/// render cache holds.
pub fn kept_places(site: &DocSite) -> Vec<usize> {
    let order = Order::of(site);
    let kept = order
        .pages
        .iter()
        .map(|&i| site.pages[i].body_key.is_some());
    kept.enumerate()
        .filter(|(_, kept)| *kept)
        .map(|(n, _)| n)
        .collect()
}

/// The bodies [`sections`] left stand-ins for, read from `cache` and rewritten for the print
/// view, with their places in print order.
pub fn kept_bodies(
    site: &DocSite,
    cache: Option<&crate::render_cache::RenderCache>,
) -> Result<Vec<(usize, String)>, String> {
    let order = Order::of(site);
    let mut bodies = Vec::new();
    for (n, &i) in order.pages.iter().enumerate() {
        let page = &site.pages[i];
        if page.body_key.is_some() {
            let body = page.body(cache)?;
            bodies.push((
                n,
                rewrite(&body, n, &page.out, &order.print, &order.position),
            ));
        }
    }
    Ok(bodies)
}

/// The print view's page order, where each page lands in it, and where it is written.
struct Order<'a> {
    /// Indexes into the site's pages, in print order.
    pages: Vec<usize>,
    /// Page output path -> its place in print order.
    position: HashMap<&'a str, usize>,
    print: String,
}

impl<'a> Order<'a> {
    fn of(site: &'a DocSite) -> Order<'a> {
        let index_of: HashMap<&str, usize> = site
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.out.as_str(), i))
            .collect();
        let mut order: Vec<usize> = crate::docs::nav::reading_order(&site.nav)
            .iter()
            .filter_map(|url| index_of.get(url.as_str()).copied())
            .collect();
        for i in 0..site.pages.len() {
            if !order.contains(&i) {
                order.push(i);
            }
        }
        // Anchors follow the print order: `p0` is the first page printed.
        let position = order
            .iter()
            .enumerate()
            .map(|(n, &i)| (site.pages[i].out.as_str(), n))
            .collect();
        Order {
            pages: order,
            position,
            print: path(site),
        }
    }
}

/// One page's HTML as part of the print view at `print`.
fn rewrite(
    html: &str,
    page: usize,
    from: &str,
    print: &str,
    pages: &HashMap<&str, usize>,
) -> String {
    let prefixed = |id: &str| format!("p{page}-{id}");
    let html = attributes().replace_all(html, |c: &Captures| {
        let (name, value) = (&c[1], &c[2]);
        let value = match name {
            "href" | "src" | "xlink:href" => link(value, page, from, print, pages),
            _ => value
                .split_whitespace()
                .map(prefixed)
                .collect::<Vec<_>>()
                .join(" "),
        };
        format!(" {name}=\"{value}\"")
    });
    url_refs()
        .replace_all(&html, |c: &Captures| format!("url(#{})", prefixed(&c[1])))
        .into_owned()
}

/// A URL of page `page` (at `from`) as the print view needs it.
fn link(value: &str, page: usize, from: &str, print: &str, pages: &HashMap<&str, usize>) -> String {
    if let Some(fragment) = value.strip_prefix('#') {
        return anchor(page, fragment);
    }
    let scheme = value
        .find(':')
        .is_some_and(|colon| !value[..colon].contains(['/', '?', '#']));
    if scheme || value.starts_with('/') || value.is_empty() {
        return value.to_string();
    }
    let (rest, fragment) = value.split_once('#').unwrap_or((value, ""));
    let (file, query) = rest.split_once('?').map_or((rest, ""), |(f, q)| (f, q));
    let Some(target) = resolve(from, file) else {
        return value.to_string();
    };
    let decoded = percent_encoding::percent_decode_str(&target).decode_utf8_lossy();
    if let Some(&other) = pages.get(decoded.as_ref()) {
        return anchor(other, fragment);
    }
    let mut out = relative_href(print, &target);
    if !query.is_empty() {
        out = format!("{out}?{query}");
    }
    if !fragment.is_empty() {
        out = format!("{out}#{fragment}");
    }
    out
}

/// The print view's anchor of page `page`, or of an id inside it.
fn anchor(page: usize, fragment: &str) -> String {
    if fragment.is_empty() {
        format!("#p{page}")
    } else {
        format!("#p{page}-{fragment}")
    }
}

/// `file` relative to the directory of `from`, as a path from the portal root; None when it
/// climbs above the root. A link to a directory names its `index.html`.
fn resolve(from: &str, file: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in file.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut out = parts.join("/");
    if file.ends_with('/') || file.is_empty() {
        out.push_str("/index.html");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages() -> HashMap<&'static str, usize> {
        HashMap::from([
            ("docs/d/c/x/index.html", 0),
            ("docs/d/c/x/ops/deploy/index.html", 1),
        ])
    }

    #[test]
    fn links_between_pages_become_anchors_and_the_rest_is_rebased() {
        let from = "docs/d/c/x/ops/deploy/index.html";
        let print = "docs/d/c/x/print/index.html";
        let html = r##"<h2 id="roll">Roll</h2><a href="#roll">here</a><a href="../../index.html#setup">home</a><a href="../../index.html">top</a><img src="../img/a.png" alt=""><a href="../../../y/index.html">other</a><a href="https://example.com/a">ext</a><a href="../../../../../../../etc">out</a><svg><path marker-end="url(#arrow)"/></svg><label for="f">F</label>"##;
        let out = rewrite(html, 1, from, print, &pages());
        assert_eq!(
            out,
            r##"<h2 id="p1-roll">Roll</h2><a href="#p1-roll">here</a><a href="#p0-setup">home</a><a href="#p0">top</a><img src="../ops/img/a.png" alt=""><a href="../../y/index.html">other</a><a href="https://example.com/a">ext</a><a href="../../../../../../../etc">out</a><svg><path marker-end="url(#p1-arrow)"/></svg><label for="p1-f">F</label>"##
        );
    }
}
