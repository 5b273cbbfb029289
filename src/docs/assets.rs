//! Files beside the docs pages are published on the portal's origin, behind the same sign-in
//! as every page, so one that a browser runs as a document would run its script with the
//! reader's session. HTML-like files are therefore never published (the page belongs in
//! Markdown), and SVG files are rewritten through `crate::svg`'s allow-list. Everything else
//! is served with a Content-Type by extension that browsers do not run (see `publish::plan`).

/// Extensions a browser opens as a document that can hold script: HTML, XHTML and XML (which
/// can pull in XSLT), their server-side and archive variants, and compressed SVG (which cannot
/// be rewritten without unpacking it).
const ACTIVE: &[&str] = &[
    "htm", "html", "xhtml", "xht", "shtml", "shtm", "xml", "xsl", "xslt", "mht", "mhtml", "hta",
    "svgz",
];

/// What happens to one copied file.
#[derive(Debug)]
pub(super) enum Verdict {
    Keep(Vec<u8>),
    /// Published after active parts were removed; the message says which.
    Cleaned(Vec<u8>, String),
    /// Not published; the message says why and what to do.
    Dropped(String),
}

/// Decides what to publish for the file at `rel` (relative to docs_dir).
pub(super) fn vet(rel: &str, bytes: Vec<u8>) -> Verdict {
    let extension = crate::paths::extension(rel).to_ascii_lowercase();
    if ACTIVE.contains(&extension.as_str()) {
        return Verdict::Dropped(format!(
            "a .{extension} file opens as a page that could run script on the portal; it was not published. Write the page in Markdown, or attach the file in an archive"
        ));
    }
    if extension != "svg" {
        return Verdict::Keep(bytes);
    }
    match crate::svg::clean(&bytes) {
        Ok(c) if c.removed.is_empty() => Verdict::Keep(c.bytes),
        Ok(c) => {
            let removed: Vec<&str> = c.removed.into_iter().collect();
            Verdict::Cleaned(
                c.bytes,
                format!(
                    "unsafe content removed from the published SVG: {}",
                    removed.join(", ")
                ),
            )
        }
        Err(crate::svg::Unusable(why)) => Verdict::Dropped(format!(
            "the SVG was not published: {why}. Export it again from the drawing tool as plain SVG"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_like_files_are_dropped_and_others_kept() {
        for name in [
            "a.html", "b/c.HTM", "x.xhtml", "feed.xml", "t.xsl", "d.svgz", "e.mhtml",
        ] {
            assert!(
                matches!(vet(name, b"<p>".to_vec()), Verdict::Dropped(_)),
                "{name}"
            );
        }
        for name in ["a.png", "b.txt", "html", "notes.html.md.txt", "c.pdf"] {
            assert!(
                matches!(vet(name, b"<p>".to_vec()), Verdict::Keep(_)),
                "{name}"
            );
        }
    }

    #[test]
    fn svg_files_are_cleaned_or_dropped() {
        let clean = br#"<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>"#;
        assert!(matches!(vet("d.svg", clean.to_vec()), Verdict::Keep(_)));
        let active = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>"#;
        match vet("d.SVG", active.to_vec()) {
            Verdict::Cleaned(bytes, message) => {
                assert!(!String::from_utf8(bytes).unwrap().contains("alert"));
                assert!(message.contains("event-handler attribute"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            vet("d.svg", b"<html><script>x</script></html>".to_vec()),
            Verdict::Dropped(_)
        ));
    }
}
