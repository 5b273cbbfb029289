//! Line rewrites that make pulldown-cmark read a page the way Python-Markdown and its
//! techdocs-core extensions do, where CommonMark differs:
//!
//! - ATX headings: `#Title` needs no space, closing `#`s go even without a space before them
//!   (`C#` reads as `C`), and a trailing `{...}` is an attribute list only after a space
//!   (attr_list), so `GET /profiles/{id}` keeps its `{id}`.
//! - md_in_html: the body of `<div markdown>` (and other block tags with a `markdown`
//!   attribute) is Markdown; the attribute is dropped.
//! - Critic marks (pymdownx.critic, view mode): `{++ins++}`, `{--del--}`, `{~~old~>new~~}`,
//!   `{==mark==}`, `{>>comment<<}` become the same inline tags and classes.
//!
//! Code fences are left alone. The HTML written here goes through the page's sanitiser like
//! any other raw HTML.

use super::lines::{is_blank, split_indent, Fence, Line};
use std::borrow::Cow;

/// Applies `rewrite` to every line outside code fences.
fn outside_fences(lines: &mut [Line<'_>], mut rewrite: impl FnMut(&mut Line<'_>)) {
    let mut fence: Option<Fence> = None;
    for line in lines.iter_mut() {
        if let Some(open) = &fence {
            if open.closed_by(&line.text) {
                fence = None;
            }
            continue;
        }
        if let Some(open) = Fence::open(split_indent(&line.text)) {
            fence = Some(open);
            continue;
        }
        rewrite(line);
    }
}

/// Headings and critic marks, line by line.
pub(super) fn rewrite_lines(lines: &mut [Line<'_>]) {
    outside_fences(lines, |line| {
        if let Some(heading) = python_heading(&line.text) {
            line.text = Cow::Owned(heading);
        }
        if line.text.contains('{') {
            if let Some(marked) = critic(&line.text) {
                line.text = Cow::Owned(marked);
            }
        }
    });
}

/// A line Python-Markdown reads as an ATX heading, written the way pulldown-cmark reads it
/// the same: level, one space, the text without closing `#`s, a brace group that is not an
/// attribute list escaped.
fn python_heading(text: &str) -> Option<String> {
    let level = text.bytes().take_while(|&b| b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let body = &text[level..];
    let mut header = body.trim_end_matches('#');
    // `\#` before the closing run is an escaped hash: the header keeps it.
    if header.len() < body.len() && header.ends_with('\\') {
        header = &body[..header.len() + 1];
    }
    let mut header = header.trim().to_string();
    if header.ends_with('}') {
        if let Some(open) = header.rfind('{') {
            if !header[..open].ends_with([' ', '\t']) {
                header.replace_range(open..=open, "&#123;");
            }
        }
    }
    Some(format!("{} {header}", "#".repeat(level)))
}

/// The critic marks of one line as HTML; None when it holds none.
fn critic(text: &str) -> Option<String> {
    const MARKS: [(&str, &str); 5] = [
        ("{++", "++}"),
        ("{--", "--}"),
        ("{~~", "~~}"),
        ("{==", "==}"),
        ("{>>", "<<}"),
    ];
    let mut out = String::new();
    let mut rest = text;
    let mut found = false;
    while let Some(start) = rest.find('{') {
        let tail = &rest[start..];
        let Some((open, close)) = MARKS.iter().find(|(open, _)| tail.starts_with(open)) else {
            out.push_str(&rest[..=start]);
            rest = &rest[start + 1..];
            continue;
        };
        let Some(end) = tail[3..].find(close) else {
            out.push_str(&rest[..=start]);
            rest = &rest[start + 1..];
            continue;
        };
        let inner = &tail[3..3 + end];
        out.push_str(&rest[..start]);
        out.push_str(&critic_html(open, inner));
        rest = &tail[3 + end + 3..];
        found = true;
    }
    out.push_str(rest);
    found.then_some(out)
}

fn critic_html(open: &str, inner: &str) -> String {
    match open {
        "{++" => format!("<ins class=\"critic\">{inner}</ins>"),
        "{--" => format!("<del class=\"critic\">{inner}</del>"),
        "{==" => format!("<mark class=\"critic\">{inner}</mark>"),
        "{>>" => format!("<span class=\"critic comment\">{inner}</span>"),
        _ => match inner.split_once("~>") {
            Some((old, new)) => {
                format!("<del class=\"critic\">{old}</del><ins class=\"critic\">{new}</ins>")
            }
            None => format!("<del class=\"critic\">{inner}</del>"),
        },
    }
}

/// Block tags whose body md_in_html parses as Markdown when they carry `markdown`.
const MD_BLOCK_TAGS: &[&str] = &[
    "div",
    "section",
    "article",
    "aside",
    "details",
    "header",
    "footer",
    "main",
    "nav",
    "figure",
    "blockquote",
];

/// md_in_html: an opening tag alone on its line with a `markdown` attribute loses the
/// attribute and gets a blank line after it, and its closing tag (alone on a line) a blank
/// line before it, so the body between is read as Markdown.
pub(super) fn markdown_in_html<'a>(lines: Vec<Line<'a>>) -> Vec<Line<'a>> {
    let mut out = Vec::with_capacity(lines.len());
    // Tag names of the open md_in_html elements, and how many same-named tags each holds.
    let mut open: Vec<(&'static str, usize)> = Vec::new();
    let mut fence: Option<Fence> = None;
    for line in lines {
        if let Some(f) = &fence {
            if f.closed_by(&line.text) {
                fence = None;
            }
            out.push(line);
            continue;
        }
        let (indent, rest) = split_indent(&line.text);
        fence = Fence::open((indent, rest));
        let trimmed = rest.trim_end();
        if let Some((tag, opening)) = markdown_open_tag(trimmed) {
            let src = line.src;
            out.push(Line {
                text: Cow::Owned(format!("{}{opening}", " ".repeat(indent))),
                src,
            });
            out.push(Line {
                text: Cow::Borrowed(""),
                src,
            });
            open.push((tag, 0));
            continue;
        }
        if let Some((tag, depth)) = open.last_mut() {
            if trimmed == format!("</{tag}>") && *depth == 0 {
                if !out.last().is_some_and(|l: &Line<'_>| is_blank(&l.text)) {
                    out.push(Line {
                        text: Cow::Borrowed(""),
                        src: line.src,
                    });
                }
                open.pop();
            } else {
                *depth += trimmed.matches(&format!("<{tag}")).count();
                *depth = depth.saturating_sub(trimmed.matches(&format!("</{tag}>")).count());
            }
        }
        out.push(line);
    }
    out
}

/// `<div class="x" markdown="1">` -> (`div`, `<div class="x">`).
fn markdown_open_tag(text: &str) -> Option<(&'static str, String)> {
    let inner = text.strip_prefix('<')?.strip_suffix('>')?;
    let name_len = inner
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let tag = MD_BLOCK_TAGS
        .iter()
        .find(|t| t.eq_ignore_ascii_case(&inner[..name_len]))?;
    let attrs = &inner[name_len..];
    if attrs.contains(['<', '>']) || attrs.ends_with('/') {
        return None;
    }
    let mut kept = Vec::new();
    let mut markdown = false;
    for attr in attribute_words(attrs) {
        let name = attr.split('=').next().unwrap_or_default();
        if name.eq_ignore_ascii_case("markdown") {
            let value = attr[name.len()..]
                .trim_start_matches('=')
                .trim_matches(['"', '\'']);
            markdown = matches!(value, "" | "1" | "block");
        } else {
            kept.push(attr);
        }
    }
    if !markdown {
        return None;
    }
    let mut opening = format!("<{tag}");
    for attr in kept {
        opening.push(' ');
        opening.push_str(attr);
    }
    opening.push('>');
    Some((tag, opening))
}

/// Splits an attribute string at spaces outside quotes.
fn attribute_words(attrs: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = None;
    let mut quote: Option<char> = None;
    for (i, c) in attrs.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (None, c) if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    words.push(&attrs[s..i]);
                }
            }
            (None, _) => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        words.push(&attrs[s..]);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_read_as_python_markdown_reads_them() {
        let h = |t: &str| python_heading(t);
        assert_eq!(
            h("## GET /profiles/{id}").unwrap(),
            "## GET /profiles/&#123;id}"
        );
        assert_eq!(h("## Avatar {#custom}").unwrap(), "## Avatar {#custom}");
        assert_eq!(h("## C++ and C#").unwrap(), "## C++ and C");
        assert_eq!(h("#Title ##").unwrap(), "# Title");
        assert_eq!(h("## Issue \\#").unwrap(), "## Issue \\#");
        assert_eq!(h("####### seven"), None);
        assert_eq!(h("not # a heading"), None);
    }

    #[test]
    fn critic_marks_become_tags() {
        assert_eq!(
            critic("a {++b++} {--c--} {~~d~>e~~} {==f==} {>>g<<}").unwrap(),
            "a <ins class=\"critic\">b</ins> <del class=\"critic\">c</del> <del class=\"critic\">d</del><ins class=\"critic\">e</ins> <mark class=\"critic\">f</mark> <span class=\"critic comment\">g</span>"
        );
        assert_eq!(critic("{++ open only"), None);
        assert_eq!(critic("{plain}"), None);
    }

    #[test]
    fn markdown_attribute_opens_a_markdown_body() {
        let lines: Vec<Line<'_>> = ["<div class=\"grid\" markdown>", "**x**", "</div>"]
            .iter()
            .enumerate()
            .map(|(i, t)| Line {
                text: Cow::Borrowed(t),
                src: i as u32 + 1,
            })
            .collect();
        let out: Vec<String> = markdown_in_html(lines)
            .iter()
            .map(|l| l.text.to_string())
            .collect();
        assert_eq!(out, ["<div class=\"grid\">", "", "**x**", "", "</div>"]);
        assert_eq!(markdown_open_tag("<div markdown=\"0\">"), None);
        assert_eq!(markdown_open_tag("<span markdown>"), None);
    }
}
