//! Markup that must never become active, named for the person who wrote it: the portal shows
//! catalog text and docs HTML inertly, and says what it left out. Shared by the catalog stage
//! (titles and descriptions) and the docs stage (raw HTML in Markdown).

/// What the cleaner will remove from a raw HTML fragment that an author should hear about:
/// script, frames and styles, event handlers, script URLs. Other dropped markup (unknown
/// attributes, say) is routine and not reported.
pub fn dangerous(html: &str) -> Option<&'static str> {
    let lower = html.to_ascii_lowercase();
    for (needle, what) in [
        ("<script", "a <script> element"),
        ("<iframe", "an <iframe>"),
        ("<object", "an <object>"),
        ("<embed", "an <embed>"),
        ("<style", "a <style> element"),
        ("<form", "a <form>"),
        ("<meta", "a <meta> element"),
        ("<base", "a <base> element"),
        ("javascript:", "a javascript: URL"),
        ("vbscript:", "a vbscript: URL"),
        ("data:text/html", "a data:text/html URL"),
    ] {
        if lower.contains(needle) {
            return Some(what);
        }
    }
    has_event_handler(&lower).then_some("an event-handler attribute (on...=)")
}

/// ` onerror=`, `/onload =` ...: an `on` attribute name after whitespace or `/` inside a tag.
fn has_event_handler(lower: &str) -> bool {
    let bytes = lower.as_bytes();
    let mut in_tag = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'<' => in_tag = true,
            b'>' => in_tag = false,
            b'o' if in_tag
                && i > 0
                && (bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b'/')
                && bytes.get(i + 1) == Some(&b'n') =>
            {
                let name_end = bytes[i + 2..]
                    .iter()
                    .position(|c| !c.is_ascii_alphabetic())
                    .map_or(bytes.len(), |n| i + 2 + n);
                let rest = lower[name_end..].trim_start();
                if name_end > i + 2 && rest.starts_with('=') {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::dangerous;

    #[test]
    fn dangerous_markup_is_named_and_plain_markup_is_not() {
        for (html, what) in [
            ("<SCRIPT>x</SCRIPT>", "a <script> element"),
            (
                "<img src=x onerror=alert(1)>",
                "an event-handler attribute (on...=)",
            ),
            (
                "<svg/onload =alert(1)>",
                "an event-handler attribute (on...=)",
            ),
            ("<a href=\"JavaScript:x\">", "a javascript: URL"),
            ("<iframe src=//x>", "an <iframe>"),
        ] {
            assert_eq!(dangerous(html), Some(what), "{html}");
        }
        for html in [
            "<div class=\"note\">online</div>",
            "<p>turn on = off</p>",
            "<span data-on=\"x\">",
            "<details open>",
        ] {
            assert_eq!(dangerous(html), None, "{html}");
        }
    }
}
