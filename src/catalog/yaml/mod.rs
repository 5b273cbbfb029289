//! YAML in, JSON values out. Files are split into documents at `---` / `...` markers first, so a
//! syntax error in one document never hides the others and every document knows its first line.
//! Each document is loaded with YAML 1.2's core schema, as Backstage reads it (`load`, which
//! says why its parser was chosen). `locate` finds the line of a field in a document's text,
//! for diagnostics. mkdocs.yml is read with YAML 1.1, as PyYAML reads it (`yaml11`).

mod load;
mod scalar;
pub mod yaml11;

use serde_json::Value;

/// One YAML document of a file: its position (empty documents counted) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document<'a> {
    pub index: usize,
    /// 1-based line of the file on which `text` starts.
    pub first_line: u32,
    pub text: &'a str,
}

impl Document<'_> {
    /// True when the document holds nothing but blank lines and comments.
    pub fn is_empty(&self) -> bool {
        !has_content(self.text)
    }
}

/// A YAML syntax error, with its place in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

fn has_content(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#') && !t.starts_with('%')
    })
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
}

/// Splits a file into documents. `---` at the start of a line always starts a document (YAML
/// forbids it inside content); text before the first marker is a document only when it has
/// content, as YAML parsers count them.
pub fn split_documents(text: &str) -> Vec<Document<'_>> {
    let mut docs = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    // Whether the current segment was opened by an explicit `---`.
    let mut explicit = false;
    let mut offset = 0usize;
    for (line_no, line) in (1u32..).zip(text.split_inclusive('\n')) {
        let bare = line.trim_end_matches(['\n', '\r']);
        if is_marker(bare, "---") || is_marker(bare, "...") {
            let segment = &text[start..offset];
            if explicit || has_content(segment) {
                docs.push(Document {
                    index: docs.len(),
                    first_line: start_line,
                    text: segment,
                });
            }
            if is_marker(bare, "---") {
                // Content may follow the marker on the same line (`--- {a: 1}`).
                start = offset + 3;
                start_line = line_no;
                explicit = true;
            } else {
                start = offset + line.len();
                start_line = line_no + 1;
                explicit = false;
            }
        }
        offset += line.len();
    }
    let segment = &text[start..];
    if explicit || has_content(segment) {
        docs.push(Document {
            index: docs.len(),
            first_line: start_line,
            text: segment,
        });
    }
    docs
}

/// Parses one document into a JSON value (`Value::Null` for an empty one). The loader bounds
/// nesting depth and alias use, so hostile input fails here instead of exhausting memory.
pub fn parse_document(doc: &Document<'_>) -> Result<Value, SyntaxError> {
    if doc.is_empty() {
        return Ok(Value::Null);
    }
    load::load(doc.text).map_err(|e| {
        // An error found at the end of the stream belongs to the document's last line.
        let last_line = doc.first_line + doc.text.lines().count().max(1) as u32 - 1;
        SyntaxError {
            message: e.message,
            line: Some((doc.first_line + e.line.max(1) as u32 - 1).min(last_line)),
            column: Some(e.column as u32),
        }
    })
}

/// Parses a whole text that must hold exactly one document (the `$yaml` placeholder).
pub fn parse_single(text: &str) -> Result<Value, String> {
    let docs = split_documents(text);
    if docs.len() != 1 {
        return Err(format!(
            "expected a single YAML document but found {}",
            docs.len()
        ));
    }
    parse_document(&docs[0]).map_err(|e| match e.line {
        Some(line) => format!("{} (line {line})", e.message),
        None => e.message,
    })
}

/// One step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl Seg {
    pub fn key(k: &str) -> Seg {
        Seg::Key(k.to_string())
    }
}

/// The path of `metadata.annotations.<key>`, to place a diagnostic about an annotation.
pub fn annotation_path(key: &str) -> [Seg; 3] {
    [Seg::key("metadata"), Seg::key("annotations"), Seg::key(key)]
}

/// `metadata.tags[2]`, for messages.
pub fn path_to_string(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The 1-based line (within `text`) of the deepest part of `path` that can be found in
/// block-style YAML. Flow-style values resolve to the line of their key.
pub fn locate(text: &str, path: &[Seg]) -> Option<u32> {
    let lines: Vec<&str> = text.lines().collect();
    let mut lo = 0usize;
    let mut hi = lines.len();
    let mut parent: Option<usize> = None;
    let mut best = None;
    for seg in path {
        match seg {
            Seg::Key(key) => {
                let found = (lo..hi).find(|&i| {
                    let (col, content) = key_content(lines[i]);
                    parent.is_none_or(|p| col > p) && key_matches(content, key)
                });
                let Some(i) = found else { break };
                let (col, _) = key_content(lines[i]);
                best = Some(i);
                lo = i + 1;
                hi = block_end(&lines, i, col, hi);
                parent = Some(col);
            }
            Seg::Index(n) => {
                let dash_indent = (lo..hi)
                    .filter(|&i| is_dash(lines[i]))
                    .map(|i| indent(lines[i]))
                    .next();
                let Some(dash_indent) = dash_indent else {
                    break;
                };
                let items: Vec<usize> = (lo..hi)
                    .filter(|&i| is_dash(lines[i]) && indent(lines[i]) == dash_indent)
                    .collect();
                let Some(&i) = items.get(*n) else { break };
                best = Some(i);
                lo = i;
                hi = items.get(n + 1).copied().unwrap_or(hi);
                parent = Some(dash_indent);
            }
        }
    }
    best.map(|i| i as u32 + 1)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_dash(line: &str) -> bool {
    let t = line.trim_start_matches(' ');
    t == "-" || t.starts_with("- ")
}

/// Column of the first key on a line and the text from there (`  - name: x` -> (4, "name: x")).
fn key_content(line: &str) -> (usize, &str) {
    let mut col = indent(line);
    let mut rest = &line[col..];
    while let Some(r) = rest.strip_prefix("- ") {
        let trimmed = r.trim_start_matches(' ');
        col += 2 + (r.len() - trimmed.len());
        rest = trimmed;
    }
    (col, rest)
}

fn key_matches(content: &str, key: &str) -> bool {
    let after = content
        .strip_prefix(key)
        .or_else(|| {
            content
                .strip_prefix('"')
                .and_then(|c| c.strip_prefix(key))
                .and_then(|c| c.strip_prefix('"'))
        })
        .or_else(|| {
            content
                .strip_prefix('\'')
                .and_then(|c| c.strip_prefix(key))
                .and_then(|c| c.strip_prefix('\''))
        });
    after.is_some_and(|a| a == ":" || a.starts_with(": ") || a.starts_with(":\t"))
}

/// Where the block under the key at `line` (column `col`) ends. A sequence may sit at the
/// key's own indentation (`tags:\n- a`), so dashes at `col` continue the block.
fn block_end(lines: &[&str], line: usize, col: usize, hi: usize) -> usize {
    for (i, l) in lines.iter().enumerate().take(hi).skip(line + 1) {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = indent(l);
        if ind < col || (ind == col && !is_dash(l)) {
            return i;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents_and_counts_empty_ones() {
        let docs = split_documents("a: 1\n---\n---\nb: 2\n");
        let view: Vec<_> = docs
            .iter()
            .map(|d| (d.index, d.first_line, d.is_empty()))
            .collect();
        assert_eq!(view, vec![(0, 1, false), (1, 2, true), (2, 3, false)]);
    }

    #[test]
    fn a_leading_marker_or_comment_does_not_make_a_document() {
        let docs = split_documents("# header\n---\nkind: A\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].first_line, 2);
        assert_eq!(parse_document(&docs[0]).unwrap()["kind"], "A");
    }

    #[test]
    fn a_trailing_marker_makes_an_empty_document() {
        let docs = split_documents("a: 1\n---\n");
        assert_eq!(docs.len(), 2);
        assert!(docs[1].is_empty());
    }

    #[test]
    fn content_on_the_marker_line_belongs_to_the_document() {
        let docs = split_documents("--- {a: 1}\n");
        assert_eq!(parse_document(&docs[0]).unwrap()["a"], 1);
    }

    #[test]
    fn indented_dashes_are_content() {
        let docs = split_documents("a: |\n  ---\n  x\n");
        assert_eq!(docs.len(), 1);
        assert_eq!(parse_document(&docs[0]).unwrap()["a"], "---\nx\n");
    }

    #[test]
    fn syntax_errors_carry_file_lines() {
        let text = "a: 1\n---\nkind: A\nmetadata:\n  name: \"unclosed\n";
        let docs = split_documents(text);
        assert!(parse_document(&docs[0]).is_ok());
        let err = parse_document(&docs[1]).unwrap_err();
        assert!(err.line.unwrap() >= 3, "{err:?}");
        assert!(!err.message.contains(" at line "));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let docs = split_documents(&text);
        assert!(parse_document(&docs[0]).is_err());
    }

    #[test]
    fn tags_are_dropped_and_keys_stringified() {
        let docs = split_documents("a: !ENV x\n1: true\n");
        let v = parse_document(&docs[0]).unwrap();
        assert_eq!(v["a"], "x");
        assert_eq!(v["1"], true);
    }

    #[test]
    fn locates_nested_keys_and_list_items() {
        let text = "apiVersion: v1\nkind: Component\nmetadata:\n  name: x\n  tags:\n    - a\n    - b\n  links:\n  - url: u\n    title: t\n  - url: v\nspec:\n  owner: me\n";
        let at = |p: &[Seg]| locate(text, p);
        assert_eq!(at(&[Seg::key("metadata"), Seg::key("name")]), Some(4));
        assert_eq!(
            at(&[Seg::key("metadata"), Seg::key("tags"), Seg::Index(1)]),
            Some(7)
        );
        assert_eq!(
            at(&[
                Seg::key("metadata"),
                Seg::key("links"),
                Seg::Index(1),
                Seg::key("url")
            ]),
            Some(11)
        );
        assert_eq!(
            at(&[
                Seg::key("metadata"),
                Seg::key("links"),
                Seg::Index(0),
                Seg::key("title")
            ]),
            Some(10)
        );
        assert_eq!(at(&[Seg::key("spec"), Seg::key("owner")]), Some(13));
        // Not found below `spec`: the line of the deepest part found.
        assert_eq!(at(&[Seg::key("spec"), Seg::key("type")]), Some(12));
        assert_eq!(at(&[Seg::key("nothing")]), None);
    }

    #[test]
    fn path_rendering() {
        assert_eq!(
            path_to_string(&[Seg::key("metadata"), Seg::key("tags"), Seg::Index(2)]),
            "metadata.tags[2]"
        );
    }
}
