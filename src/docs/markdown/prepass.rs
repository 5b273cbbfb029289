//! The line-level pass before pulldown-cmark. In order: split lines (dropping `\r`), strip a
//! leading YAML front-matter block and read its `title:`, blank out abbreviation definitions
//! (`*[HTML]: ...`) and collect them, hand admonitions, details
//! and tabs to `blocks`, and re-indent lists nested by 2 spaces (mdx_truly_sane_lists) so that
//! CommonMark nests them too.
//!
//! Lines are never merged or split after front matter is removed, and every output line keeps
//! the number of the source line it came from, so events map back to source lines exactly.

use super::blocks::{self, MarkerAt};
use super::lines::{indent_cols, is_blank, split_indent, Fence, Line};
use super::pymarkdown;
use std::borrow::Cow;

/// Lists nested deeper than this are not re-indented further (bounds the work per line).
const MAX_LIST_DEPTH: usize = 64;

/// The pre-pass result: the text for pulldown-cmark plus what was taken out of it.
pub(super) struct Prepared {
    pub text: String,
    /// Byte offset in `text` where each output line starts.
    line_starts: Vec<usize>,
    /// Source line of each output line.
    src_lines: Vec<u32>,
    pub markers: Vec<MarkerAt>,
    /// (abbreviation, title), in definition order.
    pub abbreviations: Vec<(String, String)>,
    pub front_matter_title: Option<String>,
    pub problems: Vec<(u32, String)>,
}

impl Prepared {
    /// The output line (0-based) holding byte `offset` of `text`.
    pub(super) fn out_line(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|start| *start <= offset)
            .saturating_sub(1)
    }

    /// The 1-based source line of byte `offset` of `text`.
    pub(super) fn src_line(&self, offset: usize) -> u32 {
        self.src_lines
            .get(self.out_line(offset))
            .or(self.src_lines.last())
            .copied()
            .unwrap_or(1)
    }
}

/// Runs every line-level step over one page's source.
pub(super) fn prepare(source: &str) -> Prepared {
    let source = source.strip_prefix('\u{FEFF}').unwrap_or(source);
    let mut lines: Vec<Line<'_>> = source
        .split('\n')
        .enumerate()
        .map(|(i, text)| Line {
            text: Cow::Borrowed(text.strip_suffix('\r').unwrap_or(text)),
            src: u32::try_from(i + 1).unwrap_or(u32::MAX),
        })
        .collect();
    if source.ends_with('\n') {
        lines.pop();
    }
    let mut problems = Vec::new();
    let front_matter_title = strip_front_matter(&mut lines, &mut problems);
    let abbreviations = take_abbreviations(&mut lines);
    let lines = pymarkdown::markdown_in_html(lines);
    let (mut lines, markers, too_deep) = blocks::extract(lines);
    problems.extend(too_deep);
    pymarkdown::rewrite_lines(&mut lines);
    normalise_lists(&mut lines);

    let mut text = String::with_capacity(source.len() + 64);
    let mut line_starts = Vec::with_capacity(lines.len());
    let mut src_lines = Vec::with_capacity(lines.len());
    for line in &lines {
        line_starts.push(text.len());
        src_lines.push(line.src);
        text.push_str(&line.text);
        text.push('\n');
    }
    Prepared {
        text,
        line_starts,
        src_lines,
        markers,
        abbreviations,
        front_matter_title,
        problems,
    }
}

/// Removes a leading `---` ... `---` (or `...`) block and returns its `title:`. As in mkdocs,
/// a block that is not a YAML mapping is not front matter and stays in the page (it may be a
/// rule and a setext heading); invalid YAML is also reported.
fn strip_front_matter(
    lines: &mut Vec<Line<'_>>,
    problems: &mut Vec<(u32, String)>,
) -> Option<String> {
    if lines.first().map(|l| l.text.trim_end()) != Some("---") {
        return None;
    }
    let end = lines
        .iter()
        .skip(1)
        .position(|l| matches!(l.text.trim_end(), "---" | "..."))?
        + 1;
    let yaml: String = lines[1..end]
        .iter()
        .map(|l| format!("{}\n", l.text))
        .collect();
    let value = match serde_yaml::from_str::<serde_yaml::Value>(&yaml) {
        Ok(value @ serde_yaml::Value::Mapping(_)) => value,
        Ok(_) => return None,
        Err(e) => {
            let message = format!("front matter is not valid YAML, shown as text: {e}");
            problems.push((1, message));
            return None;
        }
    };
    lines.drain(..=end);
    match value.get("title") {
        Some(serde_yaml::Value::String(s)) => Some(s.clone()),
        Some(serde_yaml::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// Collects `*[ABBR]: Title` definitions (outside code fences) and blanks their lines.
fn take_abbreviations(lines: &mut [Line<'_>]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut fence: Option<Fence> = None;
    for line in lines.iter_mut() {
        let (indent, rest) = split_indent(&line.text);
        if let Some(open) = &fence {
            if open.closed_by(&line.text) {
                fence = None;
            }
            continue;
        }
        if let Some(open) = Fence::open((indent, rest)) {
            fence = Some(open);
            continue;
        }
        if indent > 3 {
            continue;
        }
        if let Some((abbr, title)) = parse_abbreviation(rest) {
            found.push((abbr.to_string(), title.to_string()));
            line.text = Cow::Borrowed("");
        }
    }
    found
}

/// `*[HTML]: Hyper Text Markup Language` -> ("HTML", "Hyper Text Markup Language").
fn parse_abbreviation(rest: &str) -> Option<(&str, &str)> {
    let inner = rest.strip_prefix("*[")?;
    let close = inner.find("]:")?;
    let abbr = &inner[..close];
    if abbr.trim().is_empty() || abbr.contains('\\') {
        return None;
    }
    Some((abbr, inner[close + 2..].trim()))
}

/// For a line (after its indent) that starts a list item: the columns from the marker to the
/// item's content, as CommonMark counts them.
fn list_item_width(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let width = match bytes.first()? {
        b'-' | b'*' | b'+' => 1,
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            match bytes.get(digits) {
                Some(b'.' | b')') if digits <= 9 => digits + 1,
                _ => return None,
            }
        }
        _ => return None,
    };
    let after = &rest[width..];
    if is_blank(after) {
        return Some(width + 1);
    }
    let spaces = indent_cols(after);
    match spaces {
        0 => None,
        1..=4 => Some(width + spaces),
        _ => Some(width + 1),
    }
}

/// `5. x` -> `1. x`, `12. x` -> `01. x`: an ordered item numbered 1 in as many digits.
fn numbered_one(rest: &str) -> String {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    format!("{:0>digits$}{}", 1, &rest[digits..])
}

/// `- x` -> `\\- x`, `3. x` -> `3\\. x`: a list marker read as text.
fn escape_marker(rest: &str) -> String {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    format!("{}\\{}", &rest[..digits], &rest[digits..])
}

/// One open list item: where its marker and content sit in the source and in the output.
struct Frame {
    marker: usize,
    content: usize,
    new_content: usize,
    /// A list is nested in the item already.
    nests: bool,
}

/// mdx_truly_sane_lists: a line indented at least 2 columns past its item's marker belongs to
/// the item, even when CommonMark would need more (`1.` needs 3). Such lines, and everything
/// nested in them, are shifted right so pulldown-cmark nests them. Only spaces are added, and
/// a first number that would keep CommonMark from nesting a list is made 1.
/// A marker 4 or more columns past the item's own, on the line after it, is no nested item
/// there (Python-Markdown reads it as more text of the item): its marker is escaped.
pub(super) fn normalise_lists(lines: &mut [Line<'_>]) {
    let mut stack: Vec<Frame> = Vec::new();
    let mut fence: Option<(Fence, usize)> = None;
    let mut prev_blank = true;
    for line in lines.iter_mut() {
        let after_blank = std::mem::replace(&mut prev_blank, is_blank(&line.text));
        if let Some((open, shift)) = &fence {
            let closes = open.closed_by(&line.text);
            if *shift > 0 {
                line.text = Cow::Owned(format!("{}{}", " ".repeat(*shift), line.text));
            }
            if closes {
                fence = None;
            }
            continue;
        }
        if is_blank(&line.text) {
            continue;
        }
        let (indent, rest) = split_indent(&line.text);
        while stack.last().is_some_and(|top| indent < top.marker + 2) {
            stack.pop();
        }
        let new_indent = match stack.last() {
            None => indent,
            Some(top) if indent >= top.content => indent + (top.new_content - top.content),
            Some(top) => top.new_content,
        };
        let lazy = !after_blank && stack.last().is_some_and(|top| indent >= top.marker + 4);
        if lazy && list_item_width(rest).is_some() {
            line.text = Cow::Owned(format!("{}{}", " ".repeat(new_indent), escape_marker(rest)));
            continue;
        }
        let mut rest = Cow::Borrowed(rest);
        if let Some(width) = list_item_width(&rest) {
            // The first list nested right under an item's text, when ordered: Python-Markdown
            // nests it whatever its number, CommonMark only when it is 1 (Python-Markdown
            // keeps no number there: it writes no `start`). A later one stays text in both.
            let ordered = rest.starts_with(|c: char| c.is_ascii_digit());
            if let Some(parent) = stack.last_mut() {
                let first = !std::mem::replace(&mut parent.nests, true);
                if ordered && first && !after_blank {
                    rest = Cow::Owned(numbered_one(&rest));
                }
            }
            if stack.len() < MAX_LIST_DEPTH {
                stack.push(Frame {
                    marker: indent,
                    content: indent + width,
                    new_content: new_indent + width,
                    nests: false,
                });
            }
        }
        if let Some(open) = Fence::open((indent, &rest)) {
            fence = Some((open, new_indent - indent));
        }
        if new_indent != indent || matches!(rest, Cow::Owned(_)) {
            line.text = Cow::Owned(format!("{}{rest}", " ".repeat(new_indent)));
        }
    }
}
