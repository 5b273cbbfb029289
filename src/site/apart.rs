//! A docs page kept in the render cache without its body and its nav. The cache holds the body
//! already (its own entry) and the nav follows from the site's nav and the page's path, so a
//! kept page is its frame alone, with a mark where each goes; the page is put together when it
//! is written. Most of a docs page's bytes are its body: keeping it twice made the cache half
//! as big again as the output.
//!
//! Only with the built-in docs page templates, which show both untouched (`| safe`) and no
//! other markup of the page's own: the marks start with `<`, which text in the frame shows
//! escaped, so a mark can come from the template alone.

use super::{docs_nav, Page, Shared};

/// Where the page's nav goes.
pub(super) const NAV_MARK: &str = "<!--playbill:docs-nav-->";
/// Where the page's body goes.
pub(super) const BODY_MARK: &str = "<!--playbill:docs-body-->";

/// Whether `page` is kept apart: a docs page whose body the cache holds, with the built-in
/// templates.
pub(super) fn applies(shared: &Shared<'_>, page: &Page<'_>) -> bool {
    match page {
        Page::Doc { site, page } => {
            shared.builtin_docs_page && shared.docs.sites[*site].pages[*page].body_key.is_some()
        }
        _ => false,
    }
}

/// Checks that `frame`, rendered with the marks in place of the nav and the body, holds each
/// once and the nav first, as [`put_together`] expects them.
pub(super) fn check(frame: &[u8]) -> Result<(), String> {
    let at = |mark: &str| {
        let mut found = memchr::memmem::find_iter(frame, mark.as_bytes());
        match (found.next(), found.next()) {
            (Some(at), None) => Ok(at),
            _ => Err(format!(
                "the docs page template shows {mark} other than once"
            )),
        }
    };
    if at(NAV_MARK)? > at(BODY_MARK)? {
        return Err("the docs page template shows the nav after the body".to_string());
    }
    Ok(())
}

/// The page at `path` whose frame is `frame`: its nav and its body put in at their marks.
pub(super) fn put_together(
    shared: &Shared<'_>,
    page: &Page<'_>,
    root: &str,
    frame: &[u8],
) -> Result<Vec<u8>, String> {
    let Page::Doc { site, page } = page else {
        return Ok(frame.to_vec());
    };
    let doc_site = &shared.docs.sites[*site];
    let doc = &doc_site.pages[*page];
    let nav = crate::docs::nav::for_page(&doc_site.nav, &doc.out);
    let nav = docs_nav::html(&nav, root);
    let body = doc.body(shared.cache)?;
    let (before_nav, rest) = split_once(frame, NAV_MARK)?;
    let (between, after_body) = split_once(rest, BODY_MARK)?;
    let mut out = Vec::with_capacity(frame.len() + nav.len() + body.len());
    for part in [
        before_nav,
        nav.as_bytes(),
        between,
        body.as_bytes(),
        after_body,
    ] {
        out.extend_from_slice(part);
    }
    Ok(out)
}

/// The bytes before and after the first `mark` in `bytes`.
fn split_once<'a>(bytes: &'a [u8], mark: &str) -> Result<(&'a [u8], &'a [u8]), String> {
    let at = memchr::memmem::find(bytes, mark.as_bytes())
        .ok_or_else(|| format!("a kept docs page lost its mark {mark}"))?;
    Ok((&bytes[..at], &bytes[at + mark.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_shows_each_mark_once_and_the_nav_first() {
        let frame = format!("<nav>{NAV_MARK}</nav><main>{BODY_MARK}</main>");
        assert_eq!(check(frame.as_bytes()), Ok(()));
        for wrong in [
            format!("{BODY_MARK}{NAV_MARK}"),
            format!("{NAV_MARK}{BODY_MARK}{BODY_MARK}"),
            format!("{NAV_MARK}{NAV_MARK}{BODY_MARK}"),
            NAV_MARK.to_string(),
        ] {
            assert!(check(wrong.as_bytes()).is_err(), "{wrong}");
        }
    }
}
