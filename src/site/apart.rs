//! Docs pages and print views kept in the render cache without the docs bodies they show. The
//! cache holds each body already (an entry of its own), and a docs page's nav follows from its
//! site's nav and its path, so a kept page is its frame alone, with a mark where each of these
//! goes; the page is put together when it is written. Most of a docs page's bytes are its body,
//! and a print view is its site's bodies: keeping them whole held every body three times.
//!
//! Only with the built-in docs templates, which show bodies and navs untouched (`| safe`) and no
//! other markup of the page's own: the marks start with `<`, which text in the frame shows
//! escaped, so a mark can come from the template alone.

use super::{docs_nav, print, Page, Shared};

/// Where a docs page's nav goes.
const NAV_MARK: &str = "<!--playbill:docs-nav-->";
/// Where a docs page's body goes.
const BODY_MARK: &str = "<!--playbill:docs-body-->";

/// Where the body of the `n`th page of a print view goes.
fn print_mark(n: usize) -> String {
    format!("<!--playbill:print-page-{n}-->")
}

/// Whether `page` is kept apart: with the built-in docs templates, a docs page whose body the
/// cache holds, or a print view of a site with such pages.
pub(super) fn applies(shared: &Shared<'_>, page: &Page<'_>) -> bool {
    shared.builtin_docs_templates
        && match page {
            Page::Doc { site, page } => shared.docs.sites[*site].pages[*page].body_key.is_some(),
            Page::DocPrint { site } => shared.docs.sites[*site]
                .pages
                .iter()
                .any(|p| p.body_key.is_some()),
            _ => false,
        }
}

/// The marks of a page kept apart, in the order its template shows them.
fn marks(shared: &Shared<'_>, page: &Page<'_>) -> Vec<String> {
    match page {
        Page::Doc { .. } => vec![NAV_MARK.to_string(), BODY_MARK.to_string()],
        Page::DocPrint { site } => print::kept_places(&shared.docs.sites[*site])
            .into_iter()
            .map(print_mark)
            .collect(),
        _ => Vec::new(),
    }
}

/// Puts the marks into `shown`, the page's context, where the nav and the bodies would go.
pub(super) fn put_marks(shared: &Shared<'_>, page: &Page<'_>, shown: &mut serde_json::Value) {
    match page {
        Page::Doc { .. } => {
            shown["docs"]["nav_html"] = NAV_MARK.into();
            shown["doc"]["html"] = BODY_MARK.into();
            if let Some(docs) = shown["docs"].as_object_mut() {
                docs.remove("nav");
            }
        }
        Page::DocPrint { site } => {
            if let Some(sections) = shown["docs"]["pages"].as_array_mut() {
                for n in print::kept_places(&shared.docs.sites[*site]) {
                    sections[n]["html"] = print_mark(n).into();
                }
            }
        }
        _ => {}
    }
}

/// Checks that `frame`, rendered with the marks in place, shows each once and in order, as
/// [`put_together`] expects them.
pub(super) fn check(shared: &Shared<'_>, page: &Page<'_>, frame: &[u8]) -> Result<(), String> {
    shows_in_order(frame, &marks(shared, page))
}

fn shows_in_order(frame: &[u8], marks: &[String]) -> Result<(), String> {
    let mut from = 0;
    for mark in marks {
        let mut found = memchr::memmem::find_iter(frame, mark.as_bytes());
        match (found.next(), found.next()) {
            (Some(at), None) if at >= from => from = at + mark.len(),
            _ => {
                return Err(format!(
                    "the template shows {mark} other than once, in order"
                ))
            }
        }
    }
    Ok(())
}

/// Each of `page`'s marks with what goes in there, in the order the template shows them: a
/// docs page's nav and body, a print view's bodies as it shows them.
fn fillers(
    shared: &Shared<'_>,
    page: &Page<'_>,
    root: &str,
) -> Result<Vec<(String, String)>, String> {
    match page {
        Page::Doc { site, page } => {
            let doc_site = &shared.docs.sites[*site];
            let doc = &doc_site.pages[*page];
            let nav = crate::docs::nav::for_page(&doc_site.nav, &doc.out);
            let body = doc.body(shared.cache)?.into_owned();
            Ok(vec![
                (NAV_MARK.to_string(), docs_nav::html(&nav, root)),
                (BODY_MARK.to_string(), body),
            ])
        }
        Page::DocPrint { site } => {
            let bodies = print::kept_bodies(&shared.docs.sites[*site], shared.cache)?;
            Ok(bodies
                .into_iter()
                .map(|(n, html)| (print_mark(n), html))
                .collect())
        }
        _ => Ok(Vec::new()),
    }
}

/// The page at `path` whose frame is `frame`, with what goes at each mark put in.
pub(super) fn put_together(
    shared: &Shared<'_>,
    page: &Page<'_>,
    root: &str,
    frame: &[u8],
) -> Result<Vec<u8>, String> {
    let fillers = fillers(shared, page, root)?;
    let filled: usize = fillers.iter().map(|(_, filler)| filler.len()).sum();
    let mut out = Vec::with_capacity(frame.len() + filled);
    let mut rest = frame;
    for (mark, filler) in &fillers {
        let at = memchr::memmem::find(rest, mark.as_bytes())
            .ok_or_else(|| format!("a kept docs page lost its mark {mark}"))?;
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(filler.as_bytes());
        rest = &rest[at + mark.len()..];
    }
    out.extend_from_slice(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_shows_each_mark_once_and_in_order() {
        let marks = [NAV_MARK, BODY_MARK].map(str::to_string);
        let frame = format!("<nav>{NAV_MARK}</nav><main>{BODY_MARK}</main>");
        assert_eq!(shows_in_order(frame.as_bytes(), &marks), Ok(()));
        for wrong in [
            format!("{BODY_MARK}{NAV_MARK}"),
            format!("{NAV_MARK}{BODY_MARK}{BODY_MARK}"),
            format!("{NAV_MARK}{NAV_MARK}{BODY_MARK}"),
            NAV_MARK.to_string(),
        ] {
            assert!(shows_in_order(wrong.as_bytes(), &marks).is_err(), "{wrong}");
        }
        let pages: Vec<String> = (0..12).map(print_mark).collect();
        assert_eq!(shows_in_order(pages.concat().as_bytes(), &pages), Ok(()));
        assert!(shows_in_order(pages[..11].concat().as_bytes(), &pages).is_err());
    }
}
