//! The allow-list for pages that contain raw HTML. Such a page is cleaned as a whole, so the
//! list holds every element and attribute this stage generates (admonitions, details, tabs
//! with radio inputs and labels, code lines with `data-linenos`, headerlinks, task-list
//! checkboxes, footnotes) on top of ammonia's defaults, plus `class` and `id` everywhere.
//! Scripts, styles, frames, objects, forms, `on*` attributes and non-http(s)/mailto URLs go.
//! Pages without raw HTML skip this step: everything else is escaped as it is written.

use ammonia::Builder;
use std::borrow::Cow;
use std::sync::OnceLock;

pub(super) use crate::html_hazards::dangerous;

pub(super) fn builder() -> &'static Builder<'static> {
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
pub(super) fn clean(html: &str) -> String {
    builder().clean(html).to_string()
}

/// Raw HTML nested deeper than this is shown as text: the HTML parser's cost grows with the
/// square of the nesting depth.
const MAX_DEPTH: usize = 1000;

/// Tracks how deeply a page's raw HTML fragments nest, roughly: every start tag that is not
/// void or self-closing opens a level, every end tag closes one.
#[derive(Default)]
pub(super) struct Depth {
    depth: usize,
    exceeded: bool,
}

impl Depth {
    /// Adds one fragment; false once the page's raw HTML has nested too deeply.
    pub(super) fn add(&mut self, html: &str) -> bool {
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
