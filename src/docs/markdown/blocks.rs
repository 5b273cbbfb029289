//! Admonitions (`!!! note "Title"`), collapsible details (`??? note`, `???+ note`) and tabs
//! (`=== "Tab"`), whose bodies are indented by 4 columns.
//!
//! `extract` replaces each head line with a marker comment `<!--pb:N-->` at the head's
//! indent, dedents the body by 4 columns (so lists, fences and nested blocks inside it parse
//! as usual, and a block inside a list item stays inside it), and adds a closing marker after
//! the body. Marker `N` is an index into the returned table, which also records the output
//! line the marker sits on: the renderer trusts a comment only when both agree, so text a page
//! writes itself can never pose as a marker. `open_html` / `close_html` write the
//! Python-Markdown / pymdownx markup for each marker.

use super::lines::{indent_cols, is_blank, split_indent, strip_cols, Fence, Line};
use crate::highlight::escape;
use std::borrow::Cow;

/// Blocks nested deeper than this stay as they are written (indented text).
const MAX_DEPTH: usize = 32;

/// A block a marker opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Block {
    /// `<div class="admonition note">`; `title: None` means no title paragraph.
    Admonition {
        classes: Vec<String>,
        title: Option<String>,
    },
    /// `<details class="note">`, open with `???+`.
    Details {
        classes: Vec<String>,
        title: Option<String>,
        open: bool,
    },
    /// A set of consecutive tabs with their labels and the initially selected one.
    TabSet {
        labels: Vec<String>,
        selected: usize,
    },
    /// One tab's body inside a `TabSet`.
    Tab,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Marker {
    Open(Block),
    /// Closes the block opened by the marker with this index.
    Close(usize),
}

/// A marker and the output line (0-based) it was written on.
#[derive(Clone, Debug)]
pub(super) struct MarkerAt {
    pub marker: Marker,
    pub out_line: usize,
}

/// The text of marker `index`'s line, without indentation.
pub(super) fn marker_text(index: usize) -> String {
    format!("<!--pb:{index}-->")
}

/// The marker index a (trimmed) comment names, if it looks like a marker.
pub(super) fn parse_marker_text(text: &str) -> Option<usize> {
    text.trim()
        .strip_prefix("<!--pb:")?
        .strip_suffix("-->")?
        .parse()
        .ok()
}

/// A parsed head line.
struct Head {
    kind: HeadKind,
    classes: Vec<String>,
    title: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum HeadKind {
    Admonition,
    Details { open: bool },
    Tab { new_set: bool, select: bool },
}

/// The lines and markers written so far.
struct Out<'a> {
    lines: Vec<Line<'a>>,
    markers: Vec<MarkerAt>,
    /// Source line of the first block left as text for nesting too deeply.
    too_deep: Option<u32>,
}

impl<'a> Out<'a> {
    /// Writes a marker line at `indent` and returns the marker's index.
    fn marker(&mut self, indent: usize, marker: Marker, src: u32) -> usize {
        let index = self.markers.len();
        self.markers.push(MarkerAt {
            marker,
            out_line: self.lines.len(),
        });
        let text = format!("{}{}", " ".repeat(indent), marker_text(index));
        self.lines.push(Line {
            text: Cow::Owned(text),
            src,
        });
        index
    }
}

/// Replaces every block by markers and dedented bodies; see the module docs.
/// Also returns a problem when blocks nested deeper than the limit were left as text.
pub(super) fn extract(
    lines: Vec<Line<'_>>,
) -> (Vec<Line<'_>>, Vec<MarkerAt>, Option<(u32, String)>) {
    let mut out = Out {
        lines: Vec::with_capacity(lines.len() + 8),
        markers: Vec::new(),
        too_deep: None,
    };
    walk(lines, 0, &mut out);
    let problem = out.too_deep.map(|line| {
        (
            line,
            format!("admonitions, details and tabs nest deeper than {MAX_DEPTH} levels; the deeper ones are shown as written"),
        )
    });
    (out.lines, out.markers, problem)
}

/// Copies `lines` to `out`, expanding blocks; returns the fence still open at the end.
fn walk<'a>(mut lines: Vec<Line<'a>>, depth: usize, out: &mut Out<'a>) -> Option<Fence> {
    let mut fence: Option<Fence> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = std::mem::replace(&mut lines[i].text, Cow::Borrowed(""));
        let src = lines[i].src;
        if let Some(open) = &fence {
            if open.closed_by(&line) {
                fence = None;
            }
        } else if let Some(open) = Fence::open(split_indent(&line)) {
            fence = Some(open);
        } else if depth >= MAX_DEPTH && parse_head(split_indent(&line).1).is_some() {
            out.too_deep.get_or_insert(src);
        } else if let Some(head) = (depth < MAX_DEPTH)
            .then(|| parse_head(split_indent(&line).1))
            .flatten()
        {
            let indent = indent_cols(&line);
            lines[i].text = line;
            i = expand(&mut lines, i, indent, head, depth, out);
            continue;
        }
        out.lines.push(Line { text: line, src });
        i += 1;
    }
    fence
}

/// Expands the block whose head is `lines[start]`; returns the index after it.
fn expand<'a>(
    lines: &mut [Line<'a>],
    start: usize,
    indent: usize,
    head: Head,
    depth: usize,
    out: &mut Out<'a>,
) -> usize {
    let HeadKind::Tab { .. } = head.kind else {
        let end = body_end(lines, start, indent);
        let block = match head.kind {
            HeadKind::Details { open } => Block::Details {
                classes: head.classes,
                title: head.title,
                open,
            },
            _ => Block::Admonition {
                classes: head.classes,
                title: head.title,
            },
        };
        let open = out.marker(indent, Marker::Open(block), lines[start].src);
        let last_src = body(lines, start, end, depth, out);
        out.marker(indent, Marker::Close(open), last_src);
        return end;
    };
    // A set of tabs: this head and every following tab head at the same indent, separated
    // from the previous body only by blank lines, unless it starts a new set (`===!`).
    let mut tabs = vec![(start, head, body_end(lines, start, indent))];
    while let Some(j) = (tabs[tabs.len() - 1].2..lines.len()).find(|&j| !is_blank(&lines[j].text)) {
        if indent_cols(&lines[j].text) != indent {
            break;
        }
        match parse_head(split_indent(&lines[j].text).1) {
            Some(h) if matches!(h.kind, HeadKind::Tab { new_set: false, .. }) => {
                let end = body_end(lines, j, indent);
                tabs.push((j, h, end));
            }
            _ => break,
        }
    }
    let selected = tabs
        .iter()
        .rposition(|(_, h, _)| matches!(h.kind, HeadKind::Tab { select: true, .. }))
        .unwrap_or(0);
    let labels = tabs
        .iter()
        .map(|(_, h, _)| h.title.clone().unwrap_or_default())
        .collect();
    let set = out.marker(
        indent,
        Marker::Open(Block::TabSet { labels, selected }),
        lines[start].src,
    );
    let mut last_src = lines[start].src;
    for (head_at, _, end) in &tabs {
        let tab = out.marker(indent, Marker::Open(Block::Tab), lines[*head_at].src);
        last_src = body(lines, *head_at, *end, depth, out);
        out.marker(indent, Marker::Close(tab), last_src);
    }
    out.marker(indent, Marker::Close(set), last_src);
    tabs[tabs.len() - 1].2
}

/// The index after the body of the head at `start`: the following lines that are blank or
/// indented at least 4 columns past the head, without trailing blank lines.
fn body_end(lines: &[Line<'_>], start: usize, indent: usize) -> usize {
    let mut end = start + 1;
    let mut j = start + 1;
    while j < lines.len() {
        let text = &lines[j].text;
        if !is_blank(text) {
            if indent_cols(text) < indent + 4 {
                break;
            }
            end = j + 1;
        }
        j += 1;
    }
    end
}

/// Walks the dedented body `lines[start + 1..end]` into `out`, closing a fence left open so it
/// cannot swallow the closing marker. Returns the source line of the body's last line.
fn body<'a>(
    lines: &mut [Line<'a>],
    start: usize,
    end: usize,
    depth: usize,
    out: &mut Out<'a>,
) -> u32 {
    let last_src = lines[end - 1].src;
    let dedented: Vec<Line<'a>> = lines[start + 1..end]
        .iter_mut()
        .map(|l| {
            let text = std::mem::replace(&mut l.text, Cow::Borrowed(""));
            Line {
                text: strip_cols(&text, 4),
                src: l.src,
            }
        })
        .collect();
    if let Some(open) = walk(dedented, depth + 1, out) {
        out.lines.push(Line {
            text: Cow::Owned(open.closing_line()),
            src: last_src,
        });
    }
    last_src
}

/// Parses `!!! type "Title"`, `??? type`, `???+ type "Title"` and `===[!+] "Label"` (the
/// line without its indentation).
fn parse_head(rest: &str) -> Option<Head> {
    let rest = rest.trim_end();
    if let Some(r) = rest.strip_prefix("!!!") {
        return classes_and_title(r, HeadKind::Admonition);
    }
    if let Some(r) = rest.strip_prefix("???+") {
        return classes_and_title(r, HeadKind::Details { open: true });
    }
    if let Some(r) = rest.strip_prefix("???") {
        return classes_and_title(r, HeadKind::Details { open: false });
    }
    let r = rest.strip_prefix("===")?;
    let flags = r.len() - r.trim_start_matches(['!', '+']).len();
    if flags > 2 {
        return None;
    }
    let (flag_chars, after) = r.split_at(flags);
    let label = after
        .strip_prefix([' ', '\t'])?
        .trim_start()
        .strip_prefix('"')?
        .strip_suffix('"')?;
    Some(Head {
        kind: HeadKind::Tab {
            new_set: flag_chars.contains('!'),
            select: flag_chars.contains('+'),
        },
        classes: Vec::new(),
        title: Some(label.to_string()),
    })
}

/// `note extra "Title"` after an admonition or details marker. Admonitions need a type;
/// details may have only a title. A missing title is the capitalised type; `""` is no title.
fn classes_and_title(rest: &str, kind: HeadKind) -> Option<Head> {
    if rest.starts_with(|c: char| !(c == ' ' || c == '"' || is_word(c))) {
        return None;
    }
    let (classes_part, title) = match rest.find('"') {
        Some(q) => {
            let quoted = &rest[q..];
            if quoted.len() < 2 || !quoted.ends_with('"') {
                return None;
            }
            (&rest[..q], Some(quoted[1..quoted.len() - 1].to_string()))
        }
        None => (rest, None),
    };
    let classes: Vec<String> = classes_part
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if classes.iter().any(|c| !c.chars().all(is_word)) {
        return None;
    }
    if classes.is_empty() && (kind == HeadKind::Admonition || title.is_none()) {
        return None;
    }
    let title = match title {
        None => Some(capitalize(&classes[0])),
        Some(t) if t.is_empty() => None,
        Some(t) => Some(t),
    };
    Some(Head {
        kind,
        classes,
        title,
    })
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// Python's `str.capitalize`: the first character upper-cased, the rest lower-cased.
fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// Writes the opening markup of `block`; `set` numbers tab sets within the page (1-based).
pub(super) fn open_html(block: &Block, set: usize, out: &mut String) {
    match block {
        Block::Admonition { classes, title } => {
            out.push_str(&format!(
                "<div class=\"admonition {}\">\n",
                escape(&classes.join(" "))
            ));
            if let Some(title) = title {
                out.push_str(&format!(
                    "<p class=\"admonition-title\">{}</p>\n",
                    escape(title)
                ));
            }
        }
        Block::Details {
            classes,
            title,
            open,
        } => {
            let open = if *open { " open" } else { "" };
            out.push_str(&format!(
                "<details class=\"{}\"{open}>\n",
                escape(&classes.join(" "))
            ));
            if let Some(title) = title {
                out.push_str(&format!("<summary>{}</summary>\n", escape(title)));
            }
        }
        Block::TabSet { labels, selected } => {
            out.push_str(&format!(
                "<div class=\"tabbed-set tabbed-alternate\" data-tabs=\"{set}:{}\">",
                labels.len()
            ));
            for i in 1..=labels.len() {
                let checked = if i == selected + 1 { " checked" } else { "" };
                out.push_str(&format!(
                    "<input{checked} id=\"__tabbed_{set}_{i}\" name=\"__tabbed_{set}\" type=\"radio\">"
                ));
            }
            out.push_str("<div class=\"tabbed-labels\">");
            for (i, label) in labels.iter().enumerate() {
                out.push_str(&format!(
                    "<label for=\"__tabbed_{set}_{}\">{}</label>",
                    i + 1,
                    escape(label)
                ));
            }
            out.push_str("</div>\n<div class=\"tabbed-content\">\n");
        }
        Block::Tab => out.push_str("<div class=\"tabbed-block\">\n"),
    }
}

/// Writes the closing markup of `block`.
pub(super) fn close_html(block: &Block, out: &mut String) {
    out.push_str(match block {
        Block::Admonition { .. } | Block::Tab => "</div>\n",
        Block::Details { .. } => "</details>\n",
        Block::TabSet { .. } => "</div>\n</div>\n",
    });
}
