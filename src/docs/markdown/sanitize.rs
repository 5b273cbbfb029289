//! The allow-list for pages that contain raw HTML. Such a page is cleaned as a whole, so the
//! list holds every element and attribute this stage generates (admonitions, details, tabs
//! with radio inputs and labels, code lines with `data-linenos`, headerlinks, task-list
//! checkboxes, footnotes) on top of ammonia's defaults, plus `class` and `id` everywhere.
//! Scripts, styles, frames, objects, forms, `on*` attributes and non-http(s)/mailto URLs go.
//! Pages without raw HTML skip this step: everything else is escaped as it is written.

use ammonia::Builder;
use std::borrow::Cow;
use std::sync::OnceLock;

fn builder() -> &'static Builder<'static> {
    static BUILDER: OnceLock<Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = Builder::default();
        b.add_tags(["input", "label"])
            .add_clean_content_tags([
                "iframe", "object", "embed", "template", "noscript", "textarea", "select", "svg",
                "math",
            ])
            .add_generic_attributes(["class", "id"])
            .add_tag_attributes("details", ["open"])
            .add_tag_attributes(
                "input",
                ["type", "name", "checked", "disabled", "aria-label"],
            )
            .add_tag_attributes("label", ["for"])
            .add_tag_attributes("span", ["data-linenos"])
            .add_tag_attributes("div", ["data-tabs"])
            .add_tag_attributes("th", ["align"])
            .add_tag_attributes("a", ["title"])
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .link_rel(None)
            .attribute_filter(|element, attribute, value| match (element, attribute) {
                ("input", "type") if !matches!(value, "checkbox" | "radio") => None,
                _ => Some(Cow::Borrowed(value)),
            });
        b
    })
}

/// Cleans one page's HTML.
pub fn clean(html: &str) -> String {
    builder().clean(html).to_string()
}

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

/// Raw HTML nested deeper than this is shown as text: the HTML parser's cost grows with the
/// square of the nesting depth.
const MAX_DEPTH: usize = 1000;

/// Tracks how deeply a page's raw HTML fragments nest, roughly: every start tag that is not
/// void or self-closing opens a level, every end tag closes one.
#[derive(Default)]
pub struct Depth {
    depth: usize,
    exceeded: bool,
}

impl Depth {
    /// Adds one fragment; false once the page's raw HTML has nested too deeply.
    pub fn add(&mut self, html: &str) -> bool {
        if self.exceeded {
            return false;
        }
        let mut rest = html;
        while let Some(lt) = rest.find('<') {
            rest = &rest[lt + 1..];
            if rest.starts_with('/') {
                self.depth = self.depth.saturating_sub(1);
                continue;
            }
            let name_len = rest.bytes().take_while(u8::is_ascii_alphanumeric).count();
            if name_len == 0 {
                continue;
            }
            let name = rest[..name_len].to_ascii_lowercase();
            let self_closing = rest.find('>').is_some_and(|gt| rest[..gt].ends_with('/'));
            if !self_closing && !is_void(&name) {
                self.depth += 1;
                // The peak counts, not the balance at the end of the fragment.
                if self.depth > MAX_DEPTH {
                    self.exceeded = true;
                    return false;
                }
            }
        }
        if self.depth > MAX_DEPTH {
            self.exceeded = true;
        }
        !self.exceeded
    }
}

fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
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
