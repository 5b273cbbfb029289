//! Links, images and footnotes: destinations go through the caller's resolver (or are kept,
//! or dropped for unsafe schemes), footnotes are numbered in definition order and written at
//! the end in Python-Markdown's `<div class="footnote">` form.

use super::{ImageState, LinkKind, LinkResolution};
use super::{Target, Writer};
use crate::highlight::escape;
use pulldown_cmark::LinkType;

impl Writer<'_, '_> {
    /// Classifies a destination: `#anchor` (recorded), http(s)/mailto and `//host` (kept),
    /// other schemes (dropped, with a problem), everything else through `resolve_link`.
    fn target(&mut self, dest: &str, kind: LinkKind, line: u32) -> Target {
        // Browsers drop tabs and newlines anywhere in a URL and controls and spaces around
        // it, so `java&#9;script:` must be judged as `javascript:`.
        let cleaned: String;
        let dest = if dest.contains(['\t', '\n', '\r']) {
            cleaned = dest
                .chars()
                .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                .collect();
            &cleaned
        } else {
            dest
        };
        let dest = dest.trim_matches(|c: char| c <= ' ');
        if let Some(anchor) = dest.strip_prefix('#') {
            if kind == LinkKind::Link && !anchor.is_empty() {
                self.result.anchors_used.push((anchor.to_string(), line));
            }
            return Target::Href(dest.to_string());
        }
        if dest.is_empty() || dest.starts_with("//") {
            return Target::Href(dest.to_string());
        }
        if let Some(scheme) = scheme(dest) {
            if matches!(
                scheme.to_ascii_lowercase().as_str(),
                "http" | "https" | "mailto"
            ) {
                return Target::Href(dest.to_string());
            }
            self.result.problems.push((
                line,
                format!("unsafe link: `{scheme}:` URLs are not linked; shown as text"),
            ));
            return Target::Drop;
        }
        match (self.ctx.resolve_link)(dest, kind) {
            LinkResolution::Keep => Target::Href(dest.to_string()),
            LinkResolution::Rewrite(href) => Target::Href(href),
            LinkResolution::Broken(message) => {
                self.result.problems.push((line, message));
                Target::Broken
            }
        }
    }

    pub(super) fn start_link(&mut self, link_type: LinkType, dest: &str, title: &str, line: u32) {
        self.link_depth += 1;
        let target = match link_type {
            LinkType::Email => Target::Href(format!("mailto:{dest}")),
            _ => self.target(dest, LinkKind::Link, line),
        };
        let (open, close) = match target {
            Target::Href(href) => {
                let title = if title.is_empty() {
                    String::new()
                } else {
                    format!(" title=\"{}\"", escape(title))
                };
                (format!("<a href=\"{}\"{title}>", href_attr(&href)), "</a>")
            }
            Target::Broken => ("<span class=\"broken-link\">".to_string(), "</span>"),
            Target::Drop => (String::new(), ""),
        };
        let tag_at = (self.image.is_none() && close == "</a>").then_some(self.out.len() + 2);
        if self.image.is_none() {
            self.out.push_str(&open);
        }
        self.link_tags.push(tag_at);
        self.closers.push(close);
    }

    pub(super) fn start_image(&mut self, dest: &str, title: &str, line: u32) {
        self.image_depth += 1;
        if self.image_depth > 1 {
            return;
        }
        let target = self.target(dest, LinkKind::Image, line);
        self.image = Some(ImageState {
            target,
            title: title.to_string(),
            alt: String::new(),
        });
    }

    pub(super) fn end_image(&mut self) {
        self.image_depth = self.image_depth.saturating_sub(1);
        if self.image_depth > 0 {
            return;
        }
        let Some(image) = self.image.take() else {
            return;
        };
        let alt = escape(image.alt.trim());
        match image.target {
            Target::Href(src) => {
                let title = if image.title.is_empty() {
                    String::new()
                } else {
                    format!(" title=\"{}\"", escape(&image.title))
                };
                self.attr_target = Some(self.out.len() + 4);
                self.out.push_str(&format!(
                    "<img src=\"{}\" alt=\"{alt}\"{title}>",
                    href_attr(&src)
                ));
            }
            Target::Broken => self
                .out
                .push_str(&format!("<span class=\"broken-link\">{alt}</span>")),
            Target::Drop => self.out.push_str(&alt),
        }
        self.plain().push_str(&image.alt);
    }

    /// `<sup id="fnref:x"><a class="footnote-ref" href="#fn:x">1</a></sup>`; later references
    /// to the same footnote get `fnref2:x`, `fnref3:x`, ...
    pub(super) fn footnote_reference(&mut self, label: &str) {
        let Some(&number) = self.footnote_numbers.get(label) else {
            let text = format!("[^{label}]");
            self.text(&text);
            return;
        };
        let count = self.footnote_refs.entry(label.to_string()).or_insert(0);
        *count += 1;
        let id = ref_id(label, *count);
        if self.image.is_none() {
            self.out.push_str(&format!(
                "<sup id=\"{}\"><a class=\"footnote-ref\" href=\"#fn:{}\">{number}</a></sup>",
                escape(&id),
                escape(label)
            ));
        }
    }

    pub(super) fn end_footnote(&mut self) {
        let body = std::mem::replace(&mut self.out, self.saved.pop().unwrap_or_default());
        let label = self.footnote_open.pop().unwrap_or_default();
        self.footnotes.push((label, body));
    }

    /// `<div class="footnote"><hr><ol><li id="fn:x">...&#160;<a class="footnote-backref" ...>`.
    pub(super) fn write_footnotes(&mut self) {
        if self.footnotes.is_empty() {
            return;
        }
        self.out.push_str("<div class=\"footnote\">\n<hr>\n<ol>\n");
        for (label, body) in std::mem::take(&mut self.footnotes) {
            let number = self.footnote_numbers.get(&label).copied().unwrap_or(0);
            let refs = self.footnote_refs.get(&label).copied().unwrap_or(0);
            let backrefs: String = (1..=refs)
                .map(|k| {
                    format!(
                        "&#160;<a class=\"footnote-backref\" href=\"#{}\" title=\"Jump back to footnote {number} in the text\">&#8617;</a>",
                        escape(&ref_id(&label, k))
                    )
                })
                .collect();
            let body = body.trim_end();
            let body = match body.strip_suffix("</p>") {
                Some(head) => format!("{head}{backrefs}</p>"),
                None if backrefs.is_empty() => body.to_string(),
                None => format!("{body}\n<p>{backrefs}</p>"),
            };
            self.out.push_str(&format!(
                "<li id=\"fn:{}\">\n{body}\n</li>\n",
                escape(&label)
            ));
        }
        self.out.push_str("</ol>\n</div>\n");
    }
}

impl Writer<'_, '_> {
    /// attr_list after a link or image (`[Go](x){ .md-button }`, `![a](b){: #fig }`): adds the
    /// classes and id to the tag written at `at` and returns the text after the list. Other
    /// attributes are dropped; text that is not an attribute list is returned whole.
    pub(super) fn attr_list<'t>(&mut self, at: usize, text: &'t str) -> &'t str {
        let Some((len, attrs)) = parse_attr_list(text) else {
            return text;
        };
        if at <= self.out.len() && self.out.is_char_boundary(at) {
            self.out.insert_str(at, &attrs);
        }
        &text[len..]
    }
}

/// `{: .a .b #id key="v" }` at the start of `text`: its length and the attributes to write.
fn parse_attr_list(text: &str) -> Option<(usize, String)> {
    let close = text.get(..256).unwrap_or(text).find('}')?;
    let inner = text.strip_prefix('{')?.get(..close - 1)?;
    let inner = inner.strip_prefix(':').unwrap_or(inner);
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':'))
    };
    let (mut classes, mut id) = (Vec::new(), None);
    let mut tokens = 0;
    for token in inner.split_whitespace() {
        tokens += 1;
        if let Some(class) = token.strip_prefix('.').filter(|c| valid(c)) {
            classes.push(class);
        } else if let Some(name) = token.strip_prefix('#').filter(|c| valid(c)) {
            id = Some(name);
        } else if !token.contains('=') {
            return None;
        }
    }
    if tokens == 0 {
        return None;
    }
    let mut attrs = String::new();
    if let Some(id) = id {
        attrs.push_str(&format!(" id=\"{}\"", escape(id)));
    }
    if !classes.is_empty() {
        attrs.push_str(&format!(" class=\"{}\"", escape(&classes.join(" "))));
    }
    Some((close + 1, attrs))
}

fn ref_id(label: &str, count: usize) -> String {
    if count == 1 {
        format!("fnref:{label}")
    } else {
        format!("fnref{count}:{label}")
    }
}

/// The scheme of an absolute URL (`[A-Za-z][A-Za-z0-9+.-]*:`), if it has one.
fn scheme(dest: &str) -> Option<&str> {
    let (scheme, _) = dest.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
    .then_some(scheme)
}

/// An href or src for an attribute: spaces percent-encoded, HTML-escaped.
fn href_attr(href: &str) -> String {
    escape(&href.replace(' ', "%20"))
}
