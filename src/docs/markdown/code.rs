//! Code blocks as pymdownx.highlight writes them with techdocs-core's settings (line numbers
//! on): `<div class="highlight">`, an optional `<span class="filename">` title, then one line
//! per source line, each led by `<span class="linenos" data-linenos="N ">` (the number comes
//! from CSS `attr()`, so copying the code never copies numbers) and wrapped in
//! `<span class="hll">` when `hl_lines` names it. Highlighting is `crate::highlight`'s;
//! this module only parses the fence's info string and splits the highlighted HTML into lines.
//! Diagram fences (Mermaid, Graphviz, PlantUML) are drawn by `crate::diagrams`; one that cannot
//! be drawn is shown as code, with the reason as the block's problem.

use crate::diagrams;
use crate::highlight::{escape, highlight};

/// Highlight ranges beyond this many are ignored (bounds the work per line).
const MAX_HL_RANGES: usize = 256;

/// What a fence's info string asks for: `python hl_lines="2 4-5" linenums="10" title="a.py"`
/// or the attribute form `{.python hl_lines="2"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct FenceInfo {
    pub lang: String,
    /// Inclusive line ranges, counted from the block's first line (1).
    pub hl_lines: Vec<(u32, u32)>,
    /// The number shown on the first line.
    pub start: u32,
    pub title: Option<String>,
}

/// Parses a fence's info string.
pub(super) fn parse_info(info: &str) -> FenceInfo {
    let info = info.trim();
    let info = info
        .strip_prefix('{')
        .map_or(info, |s| s.strip_suffix('}').unwrap_or(s));
    let mut parsed = FenceInfo {
        start: 1,
        ..FenceInfo::default()
    };
    for token in tokens(info) {
        match token.split_once('=') {
            Some(("hl_lines", value)) => parsed.hl_lines = parse_ranges(value),
            Some(("linenums", value)) => {
                let first = value.split_whitespace().next().unwrap_or("1");
                parsed.start = first.parse().unwrap_or(1).max(1);
            }
            Some(("title", value)) if !value.is_empty() => parsed.title = Some(value.to_string()),
            Some(_) => {}
            None if parsed.lang.is_empty() && !token.starts_with('#') => {
                parsed.lang = token.trim_start_matches('.').to_ascii_lowercase();
            }
            None => {}
        }
    }
    parsed
}

/// Splits on whitespace outside double or single quotes and removes the quotes.
fn tokens(info: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in info.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            (None, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `"2 4-5"` -> [(2, 2), (4, 5)]; malformed parts are skipped.
fn parse_ranges(value: &str) -> Vec<(u32, u32)> {
    value
        .split([' ', ','])
        .filter_map(|part| {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let (a, b) = (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?);
            Some((a.min(b), a.max(b)))
        })
        .take(MAX_HL_RANGES)
        .collect()
}

/// Fence languages shown as plain text without a warning.
fn is_plain(lang: &str) -> bool {
    matches!(
        lang,
        "" | "text" | "txt" | "plain" | "plaintext" | "none" | "nohighlight" | "output"
    )
}

/// Common fence names syntect's default grammars know under another name.
fn alias(lang: &str) -> &str {
    match lang {
        "sh" | "shell" | "zsh" | "console" | "shell-session" | "shellsession" | "bash" => "bash",
        "py" | "py3" | "python3" | "pycon" => "python",
        "js" | "javascript" | "jsx" | "mjs" | "cjs" | "ts" | "typescript" | "tsx" => "js",
        "yml" => "yaml",
        "jsonc" | "json5" => "json",
        "golang" => "go",
        "rs" => "rust",
        "c++" | "cxx" | "hpp" => "cpp",
        "csharp" | "c#" => "cs",
        "rb" => "ruby",
        "md" | "markdown" => "md",
        "make" | "makefile" => "makefile",
        "patch" | "udiff" => "diff",
        other => other,
    }
}

/// A page's drawn diagrams. The page's HTML holds a placeholder for each (the raw-HTML
/// sanitiser would remove inline SVG); [`Diagrams::insert`] puts them in after it ran.
#[derive(Default)]
pub(super) struct Diagrams<'a> {
    settings: Option<&'a diagrams::Settings>,
    drawn: Vec<String>,
}

/// Brackets a diagram's number in the page: two noncharacters, which no text needs.
pub(super) const PLACEHOLDER: (char, char) = ('\u{FDD0}', '\u{FDD1}');

impl<'a> Diagrams<'a> {
    pub(super) fn new(settings: &'a diagrams::Settings) -> Self {
        Diagrams {
            settings: Some(settings),
            drawn: Vec::new(),
        }
    }

    /// Draws a diagram fence into `out`: None when `lang` names no diagram, else the problem
    /// when it could not be drawn (then nothing was written).
    fn draw(&mut self, out: &mut String, code: &str, lang: &str) -> Option<Option<String>> {
        let kind = diagrams::Kind::of(lang)?;
        let default = diagrams::Settings::default();
        let settings = self.settings.unwrap_or(&default);
        match diagrams::draw(kind, code, settings, self.drawn.len()) {
            Ok(drawn) => {
                let (open, close) = PLACEHOLDER;
                out.push_str(&format!("{open}{}{close}\n", self.drawn.len()));
                self.drawn.push(format!(
                    "<figure class=\"diagram diagram-{lang}\">{}<details class=\"diagram-source\"><summary>Diagram source</summary><pre><code>{}</code></pre></details></figure>",
                    drawn.svg,
                    escape(code)
                ));
                Some(None)
            }
            Err(problem) => Some(Some(problem)),
        }
    }

    /// Replaces the placeholders in `html` with the drawn diagrams.
    pub(super) fn insert(&self, html: String) -> String {
        if self.drawn.is_empty() {
            return html;
        }
        let (open, close) = PLACEHOLDER;
        let mut out =
            String::with_capacity(html.len() + self.drawn.iter().map(String::len).sum::<usize>());
        let mut rest = html.as_str();
        while let Some(start) = rest.find(open) {
            out.push_str(&rest[..start]);
            let after = &rest[start + open.len_utf8()..];
            let number = after
                .find(close)
                .and_then(|end| Some((after[..end].parse::<usize>().ok()?, end)));
            match number.and_then(|(n, end)| Some((self.drawn.get(n)?, end))) {
                Some((svg, end)) => {
                    out.push_str(svg);
                    rest = &after[end + close.len_utf8()..];
                }
                // Cannot happen: the page's own such characters were replaced before rendering.
                None => rest = after,
            }
        }
        out.push_str(rest);
        out
    }
}

/// Writes one code block; returns a problem when its language cannot be shown as asked.
pub(super) fn write_block(
    out: &mut String,
    code: &str,
    info: &FenceInfo,
    diagrams: &mut Diagrams<'_>,
) -> Option<String> {
    let lang = info.lang.as_str();
    let diagram_problem = match diagrams.draw(out, code, lang) {
        Some(None) => return None,
        Some(Some(problem)) => Some(problem),
        None => None,
    };
    // Pygments drops the blank lines at either end of a block (`stripnl`); so does mkdocs.
    let trimmed = code.trim_matches('\n');
    let stripped = format!("{trimmed}\n");
    let code = if trimmed.is_empty() { code } else { &stripped };
    let (body, problem) = if diagram_problem.is_some() || is_plain(lang) {
        (escape(code), diagram_problem)
    } else {
        let (html, found) = highlight(code, alias(lang));
        match (found, inner_body(&html)) {
            (true, Some(body)) => (body.to_string(), None),
            _ => (
                escape(code),
                Some(format!(
                    "unknown code block language `{lang}`; shown without highlighting"
                )),
            ),
        }
    };
    out.push_str("<div class=\"highlight\">");
    if let Some(title) = &info.title {
        out.push_str(&format!(
            "<span class=\"filename\">{}</span>",
            escape(title)
        ));
    }
    if lang.is_empty() {
        out.push_str("<pre><code>");
    } else {
        out.push_str(&format!("<pre><code class=\"language-{}\">", escape(lang)));
    }
    push_lines(out, &body, info);
    out.push_str("</code></pre></div>\n");
    problem
}

/// The inside of `crate::highlight`'s `<pre class="code"><code class="...">...</code></pre>`.
fn inner_body(html: &str) -> Option<&str> {
    let rest = html.strip_prefix("<pre class=\"code\"><code")?;
    let start = rest.find('>')? + 1;
    rest[start..].strip_suffix("</code></pre>")
}

/// Writes highlighted HTML line by line with numbers and highlights. Spans open at a line's
/// end are closed there and reopened on the next line, so every line is balanced.
fn push_lines(out: &mut String, body: &str, info: &FenceInfo) {
    // The highlighter may leave empty spans after the last newline: not a line of its own.
    let body = match body.rsplit_once('\n') {
        Some((head, tail)) if tags_only(tail) => head,
        _ => body,
    };
    if body.is_empty() {
        return;
    }
    let count = body.matches('\n').count() as u64 + 1;
    let last = u64::from(info.start) + count - 1;
    let width = last.to_string().len();
    let mut open: Vec<&str> = Vec::new();
    for (i, line) in body.split('\n').enumerate() {
        let index = i as u64 + 1;
        let number = u64::from(info.start) + i as u64;
        let marked = info
            .hl_lines
            .iter()
            .any(|(a, b)| u64::from(*a) <= index && index <= u64::from(*b));
        out.push_str(&format!(
            "<span class=\"linenos\" data-linenos=\"{number:>width$} \"></span>"
        ));
        if marked {
            out.push_str("<span class=\"hll\">");
        }
        for tag in &open {
            out.push_str(tag);
        }
        out.push_str(line);
        track_spans(line, &mut open);
        for _ in &open {
            out.push_str("</span>");
        }
        out.push('\n');
        if marked {
            out.push_str("</span>");
        }
    }
}

/// Whether `html` holds tags but no text.
fn tags_only(html: &str) -> bool {
    let mut in_tag = false;
    html.chars().all(|c| {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if in_tag => {}
            _ => return false,
        }
        true
    })
}

/// Updates the stack of open `<span ...>` tags after `line` (highlighter output only holds
/// spans and escaped text).
fn track_spans<'a>(line: &'a str, open: &mut Vec<&'a str>) {
    let mut rest = line;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt..];
        if rest.starts_with("</") {
            open.pop();
        }
        let end = rest.find('>').map_or(rest.len(), |gt| gt + 1);
        if !rest.starts_with("</") {
            open.push(&rest[..end]);
        }
        rest = &rest[end..];
    }
}
