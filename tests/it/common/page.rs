//! Page snapshots: the `<main>` element of a rendered page, laid out one block element per
//! line and indented, so that a snapshot reads like the page and its diff shows what moved.
//! Content hashes in asset names are redacted; a change of CSS or JS does not touch a
//! snapshot. `assert_main_snapshot!(name, html)` compares with
//! `snapshots/it__<module>__<name>.snap` beside the test module; bless with
//! `INSTA_UPDATE=always` or `cargo insta review`.

/// Elements that start a line of their own; everything else stays inline with its text.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements without an end tag.
const VOID: &[&str] = &[
    "area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr",
];

/// The settings page snapshots are taken with: asset hashes redacted.
pub(crate) fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        r"\.[0-9a-f]{10}\.(css|js|svg|png|webp|woff2|ico)\b",
        ".[hash].$1",
    );
    settings.set_prepend_module_to_snapshot(true);
    settings
}

/// Compares the `<main>` of a page with its snapshot beside the calling test module.
macro_rules! assert_main_snapshot {
    ($name:expr, $html:expr) => {
        $crate::common::page::settings().bind(|| {
            insta::assert_snapshot!(
                $name,
                $crate::common::page::main($html),
                concat!("<main> of ", stringify!($html))
            );
        })
    };
}
pub(crate) use assert_main_snapshot;

/// The page's `<main>` element, one block element per line, indented by nesting.
pub(crate) fn main(html: &str) -> String {
    let start = html
        .find("<main")
        .unwrap_or_else(|| panic!("no <main> in the page:\n{html}"));
    let end = html[start..]
        .find("</main>")
        .map_or(html.len(), |n| start + n + "</main>".len());
    layout(&html[start..end])
}

/// One block tag per line, inline tags and text kept together, `<pre>` kept verbatim; a block
/// element that holds only inline content stays on one line.
fn layout(html: &str) -> String {
    let mut out = Lines::default();
    // Open block elements, and whether the innermost one has had a block child yet.
    let mut depth = 0usize;
    let mut just_opened = false;
    let mut i = 0;
    while i < html.len() {
        let Some(off) = html[i..].find('<') else {
            out.push(depth, &html[i..]);
            break;
        };
        out.push(depth, &html[i..i + off]);
        i += off;
        let end = tag_end(html, i);
        let tag = &html[i..end];
        i = end;
        let name = tag_name(tag);
        if !BLOCKS.contains(&name.as_str()) {
            out.push(depth, tag);
        } else if tag.starts_with("</") {
            if !just_opened {
                out.flush();
            }
            depth = depth.saturating_sub(1);
            out.push(depth, tag);
            out.flush();
            just_opened = false;
        } else if name == "pre" {
            // Whitespace is content here: the whole element as it is.
            let close = html[i..].find("</pre>").map_or(html.len(), |n| i + n + 6);
            out.flush();
            out.push(depth, tag);
            out.push(depth, &html[i..close]);
            out.flush();
            i = close;
            just_opened = false;
        } else {
            out.flush();
            out.push(depth, tag);
            if VOID.contains(&name.as_str()) || tag.ends_with("/>") {
                out.flush();
                just_opened = false;
            } else {
                depth += 1;
                just_opened = true;
            }
        }
    }
    out.flush();
    out.text
}

/// Output lines, each indented by the depth it started at.
#[derive(Default)]
struct Lines {
    text: String,
    line: String,
    indent: usize,
}

impl Lines {
    fn push(&mut self, depth: usize, piece: &str) {
        if self.line.trim().is_empty() {
            self.line.clear();
            self.indent = depth;
        }
        self.line.push_str(piece);
    }

    fn flush(&mut self) {
        let line = self.line.trim();
        if !line.is_empty() {
            self.text.push_str(&"  ".repeat(self.indent));
            self.text.push_str(line);
            self.text.push('\n');
        }
        self.line.clear();
    }
}

/// The end (exclusive) of the tag or comment that starts at `start`; quoted attribute values
/// may hold `>`.
fn tag_end(html: &str, start: usize) -> usize {
    if html[start..].starts_with("<!--") {
        return html[start..]
            .find("-->")
            .map_or(html.len(), |n| start + n + 3);
    }
    let bytes = html.as_bytes();
    let mut quote = None;
    for (j, &b) in bytes.iter().enumerate().skip(start + 1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return j + 1,
            _ => {}
        }
    }
    html.len()
}

/// The lower-cased element name of a start or end tag; empty for comments and doctypes.
fn tag_name(tag: &str) -> String {
    let name = tag.trim_start_matches('<').trim_start_matches('/');
    if name.starts_with('!') {
        return String::new();
    }
    name.split(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}
