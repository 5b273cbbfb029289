//! Snippets (`--8<--`), as `pymdownx.snippets` includes them for techdocs-core: before any
//! Markdown is read, a line `--8<-- "file"` (or each path line of a `--8<--` ... `--8<--`
//! block) is replaced by that file's lines, indented as the marker line was; `file:2:5` picks
//! lines, `file:name` the section between `--8<-- [start:name]` and `--8<-- [end:name]`.
//! Included files may include others; a file already being included is skipped.
//!
//! techdocs-core sets `restrict_base_path`, so paths are resolved against the directory of
//! mkdocs.yml and may not leave it. mkdocs drops a line whose file is missing or outside that
//! directory without a word; Playbill drops it too and reports it at the page's line.

use super::links::CrossAnchor;
use super::markdown::Rendered;
use crate::gather::{ReadError, Repo};
use crate::paths::RepoPath;
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

/// How every problem of this module starts (the docs stage gives them their own code).
pub(super) const PROBLEM_PREFIX: &str = "snippet \"";

/// Snippets included inside snippets, at most this deep.
const MAX_DEPTH: usize = 16;

static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^([ \t]*)(;*)(?:(-+8<-+[ \t]+)("(?:\\"|[^"\n\r])+?"|'(?:\\'|[^'\n\r])+?')|-+8<-+)\r?$"#,
    )
    .unwrap()
});
static SECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(.*?)(;*)(-+8<-+[ \t]+)(\[[ \t]*(start|end)[ \t]*:[ \t]*([a-z][-_0-9a-z]*)[ \t]*\])(.*?)$")
        .unwrap()
});
static FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(.*?)(?:((?::-?[0-9]*){1,2}(?:,-?[0-9]*(?::-?[0-9]*)?)*)|(:[a-z][-_0-9a-z]*))?$",
    )
    .unwrap()
});

/// A page with its snippets included.
pub(super) struct Expanded {
    pub text: String,
    /// For each line of `text`, the 1-based page line it comes from (an included line: the
    /// line of its marker). None when the page includes nothing.
    pub origin: Option<Vec<u32>>,
    /// Snippets that could not be included, at their page line.
    pub problems: Vec<(u32, String)>,
}

impl Expanded {
    /// Moves the lines of a rendering of `text` back to the page's lines, and adds the
    /// snippets' own problems.
    pub(super) fn restore_lines(&self, rendered: &mut Rendered, cross: &mut [CrossAnchor]) {
        if self.origin.is_some() {
            for (line, _) in &mut rendered.problems {
                *line = self.page_line(*line);
            }
            for (_, line) in &mut rendered.anchors_used {
                *line = self.page_line(*line);
            }
            for anchor in cross.iter_mut() {
                anchor.line = anchor.line.map(|l| self.page_line(l));
            }
        }
        rendered.problems.extend(self.problems.iter().cloned());
        rendered.problems.sort_by_key(|(line, _)| *line);
    }

    /// The page line of a line of `text`.
    pub(super) fn page_line(&self, line: u32) -> u32 {
        match &self.origin {
            Some(origin) => origin
                .get(line.saturating_sub(1) as usize)
                .or(origin.last())
                .copied()
                .unwrap_or(line),
            None => line,
        }
    }
}

/// Includes the snippets of one page of `repo`, whose mkdocs.yml is in `base`.
pub(super) fn include(repo: &Repo, base: &RepoPath, page: &str, max_bytes: u64) -> Expanded {
    let read = |written: &str| {
        let path = base
            .join(written)
            .map_err(|e| format!("cannot be read ({e})"))?;
        let under_base =
            base.as_str().is_empty() || path.as_str().starts_with(&format!("{}/", base.as_str()));
        if !under_base {
            let dir = if base.as_str().is_empty() {
                "."
            } else {
                base.as_str()
            };
            return Err(format!(
                "is outside {dir}, the directory of mkdocs.yml, where techdocs-core keeps snippets"
            ));
        }
        match repo.read(&path, max_bytes) {
            Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
            Err(ReadError::NotFound) => Err(format!("was not found ({path} does not exist)")),
            Err(e) => Err(format!("cannot be read ({e})")),
        }
    };
    expand(
        page,
        &read,
        usize::try_from(max_bytes).unwrap_or(usize::MAX),
    )
}

/// Reads a snippet by the path written in the page: its text, or why it cannot be included.
pub(super) type Reader<'a> = dyn Fn(&str) -> Result<String, String> + 'a;

struct Expansion<'a> {
    read: &'a Reader<'a>,
    /// Files being included, to skip one that includes itself.
    open: HashSet<String>,
    lines: Vec<String>,
    origin: Vec<u32>,
    problems: Vec<(u32, String)>,
    bytes: usize,
    max_bytes: usize,
}

/// Includes every snippet of `page`. The result holds at most about `max_bytes`.
pub(super) fn expand(page: &str, read: &Reader<'_>, max_bytes: usize) -> Expanded {
    if !page.contains("8<-") {
        return Expanded {
            text: page.to_string(),
            origin: None,
            problems: Vec::new(),
        };
    }
    let mut expansion = Expansion {
        read,
        open: HashSet::new(),
        lines: Vec::new(),
        origin: Vec::new(),
        problems: Vec::new(),
        bytes: 0,
        max_bytes,
    };
    let lines: Vec<String> = page.split('\n').map(str::to_string).collect();
    expansion.walk(&lines, None, "", false, 0);
    Expanded {
        text: expansion.lines.join("\n"),
        origin: Some(expansion.origin),
        problems: expansion.problems,
    }
}

impl Expansion<'_> {
    fn push(&mut self, line: String, page_line: u32) {
        self.bytes += line.len() + 1;
        self.lines.push(line);
        self.origin.push(page_line);
    }

    /// Copies `lines` with `indent` before each, including snippets. `at` is the page line of
    /// the marker that included them (None for the page itself).
    fn walk(
        &mut self,
        lines: &[String],
        at: Option<u32>,
        indent: &str,
        in_section: bool,
        depth: usize,
    ) {
        let mut block = false;
        for (n, line) in (1u32..).zip(lines) {
            let page_line = at.unwrap_or(n);
            let Some(m) = MARKER.captures(line) else {
                if block {
                    let path = line.trim();
                    if path.is_empty() {
                        self.push(indent.to_string(), page_line);
                    } else if !path.starts_with(';') {
                        let space =
                            line[..line.len() - line.trim_start().len()].replace('\t', "    ");
                        self.include(path, page_line, &format!("{indent}{space}"), depth);
                    }
                    continue;
                }
                match SECTION.captures(line) {
                    // An escaped section marker loses one `;`; others are not content.
                    Some(s) if !in_section && !s[2].is_empty() => {
                        self.push(format!("{indent}{}", unescape_section(&s)), page_line)
                    }
                    Some(_) if !in_section => {}
                    _ => self.push(format!("{indent}{line}"), page_line),
                }
                continue;
            };
            if !m[2].is_empty() {
                self.push(format!("{indent}{}", line.replacen(';', "", 1)), page_line);
            } else if let Some(quoted) = m.get(4) {
                if !block {
                    let path = quoted.as_str()[1..quoted.len() - 1].trim();
                    let space = m[1].replace('\t', "    ");
                    self.include(path, page_line, &format!("{indent}{space}"), depth);
                }
            } else {
                block = !block;
            }
        }
    }

    /// Includes one snippet written as `path` (with an optional line or section selector).
    fn include(&mut self, written: &str, page_line: u32, indent: &str, depth: usize) {
        let selector = FILE
            .captures(written)
            .expect("the pattern matches any text");
        let path = selector[1].trim();
        if path.is_empty() {
            return;
        }
        if depth >= MAX_DEPTH || self.bytes > self.max_bytes {
            let why = format!("snippet \"{path}\" not included: snippets nested more than {MAX_DEPTH} deep or the page is over {} bytes", self.max_bytes);
            self.problems.push((page_line, why));
            return;
        }
        if self.open.contains(path) {
            return;
        }
        let text = match (self.read)(path) {
            Ok(text) => text,
            Err(why) => {
                let message = format!(
                    "snippet \"{path}\" {why}; the line is left out, as mkdocs leaves it out"
                );
                self.problems.push((page_line, message));
                return;
            }
        };
        let mut lines: Vec<String> = text
            .split('\n')
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect();
        if text.is_empty() {
            lines.clear();
        }
        let section = selector.get(3).map(|s| &s.as_str()[1..]);
        if let Some(ranges) = selector.get(2) {
            lines = select_lines(&lines, &ranges.as_str()[1..]);
        } else if let Some(name) = section {
            lines = extract_section(&lines, name);
        }
        self.open.insert(path.to_string());
        self.walk(
            &lines,
            Some(page_line),
            indent,
            section.is_some(),
            depth + 1,
        );
        self.open.remove(path);
    }
}

/// `2:5,8` of `file:2:5,8`: the lines pymdownx picks (1-based, inclusive; negative from the end).
fn select_lines(lines: &[String], ranges: &str) -> Vec<String> {
    let total = lines.len() as i64;
    let number = |s: &str| s.parse::<i64>().ok();
    let mut picked = Vec::new();
    for range in ranges.split(',') {
        let mut parts = range.split(':');
        let start = parts.next().and_then(number);
        let end = parts.next().and_then(number);
        let from = match start {
            Some(s) if s < 0 => (total + s).clamp(0, total),
            Some(s) => (s - 1).max(0),
            None => 0,
        };
        let to = match end {
            Some(e) if e < 0 => (total + 1 + e).clamp(0, total),
            Some(e) => e.min(total),
            None => total,
        };
        if from < to {
            picked.extend_from_slice(&lines[from as usize..to as usize]);
        }
    }
    picked
}

/// A section marker written with `;` before it, which stays as text less one `;`.
fn unescape_section(m: &regex::Captures<'_>) -> String {
    format!("{}{}{}{}{}", &m[1], &m[2][1..], &m[3], &m[4], &m[7])
}

/// The lines between `--8<-- [start:name]` and `--8<-- [end:name]`, other markers left out.
fn extract_section(lines: &[String], name: &str) -> Vec<String> {
    let mut inside = false;
    let mut picked = Vec::new();
    for line in lines {
        match SECTION.captures(line) {
            Some(m) if inside && !m[2].is_empty() => picked.push(unescape_section(&m)),
            // A second start is ignored; an end, or an end before any start, closes.
            Some(m) if &m[6] == name => match (inside, &m[5] == "start") {
                (false, true) => inside = true,
                (true, true) => {}
                _ => break,
            },
            Some(_) => {}
            None if inside => picked.push(line.clone()),
            None => {}
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn expand_with(page: &str, files: &[(&str, &str)]) -> Expanded {
        let files: HashMap<&str, &str> = files.iter().copied().collect();
        let read = |path: &str| {
            files
                .get(path)
                .map(|t| t.to_string())
                .ok_or_else(|| "was not found".to_string())
        };
        expand(page, &read, 1 << 20)
    }

    #[test]
    fn includes_files_indented_as_the_marker() {
        let e = expand_with("a\n  --8<-- \"x.md\"\nb", &[("x.md", "one\ntwo\n")]);
        assert_eq!(e.text, "a\n  one\n  two\n  \nb");
        assert_eq!(e.origin.as_deref(), Some(&[1, 2, 2, 2, 3][..]));
    }

    #[test]
    fn block_markers_list_paths() {
        let e = expand_with(
            "--8<--\nx.md\n\n;y.md\ny.md\n--8<--\n",
            &[("x.md", "X"), ("y.md", "Y")],
        );
        assert_eq!(e.text, "X\n\nY\n");
    }

    #[test]
    fn lines_and_sections_are_selected() {
        let file = "1\n2\n3\n4\n# --8<-- [start:s]\nin\n# --8<-- [end:s]\n";
        let e = expand_with(
            "--8<-- \"f:2:3\"\n--8<-- \"f:-2\"\n--8<-- \"f:s\"",
            &[("f", file)],
        );
        // The last two lines are the end marker, which is not content, and the final newline.
        assert_eq!(e.text, "2\n3\n\nin");
    }

    #[test]
    fn escaped_markers_stay_as_text() {
        let e = expand_with(";--8<-- \"x.md\"\n", &[]);
        assert_eq!(e.text, "--8<-- \"x.md\"\n");
        assert!(e.problems.is_empty());
    }

    #[test]
    fn missing_snippets_are_left_out_and_reported_at_their_line() {
        let e = expand_with("a\n\n--8<-- \"gone.md\"\nb", &[]);
        assert_eq!(e.text, "a\n\nb");
        assert_eq!(e.problems.len(), 1);
        assert_eq!(e.problems[0].0, 3);
        assert!(e.problems[0].1.contains("gone.md"), "{:?}", e.problems);
        assert_eq!(e.page_line(3), 4);
    }

    #[test]
    fn a_file_including_itself_stops() {
        let e = expand_with("--8<-- \"x.md\"", &[("x.md", "x\n--8<-- \"x.md\"")]);
        assert_eq!(e.text, "x");
    }
}
