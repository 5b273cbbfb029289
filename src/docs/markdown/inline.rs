//! Inline extensions applied to text (never to code): `==mark==` (pymdownx.mark), `H~2~O`
//! and `x^2^` inside words (pymdownx.tilde and caret; pulldown-cmark handles the rest), magic
//! links for bare `https://...` and `www.` URLs (pymdownx.magiclink), emoji shortcodes
//! (pymdownx.emoji), smart symbols (pymdownx.smartsymbols) and abbreviations (abbr).
//!
//! `Inline::write` takes one run of text as pulldown-cmark decoded it and writes escaped HTML
//! plus the plain text (for headings and search). Every scan moves forward only, so a run is
//! processed in linear time whatever it holds.

use super::emoji;
use crate::highlight::{escape, escape_into};
use std::collections::{HashMap, HashSet};

/// Abbreviations beyond this many are ignored (bounds the work per word).
const MAX_ABBREVIATIONS: usize = 500;

/// The page's abbreviations: looked up by the text at a word start, for each distinct length.
pub(super) struct Inline<'a> {
    abbreviations: HashMap<&'a str, &'a str>,
    first_chars: HashSet<char>,
    /// By byte, which matchers may start there ([`ALWAYS`], ...): asked of nearly every byte
    /// of a page's text, as one load and one test.
    starts: [u8; 256],
    /// Distinct abbreviation lengths in bytes, longest first.
    lengths: Vec<usize>,
}

/// What may start at a byte ([`Inline::starts`]), as bits. A smart symbol, an emoji, `~` or
/// `^`: wherever the byte is.
const ALWAYS: u8 = 1;
/// A byte of a non-ASCII character: decoded, and tried as any character is.
const NOT_ASCII: u8 = 2;
/// `c/o` or an abbreviation: only at a word's start.
const AT_WORD: u8 = 4;
/// A bare link: only at a word's start, outside a link.
const AT_LINK: u8 = 8;

/// What a matcher found: bytes consumed, HTML, plain text.
type Found = (usize, String, String);

impl<'a> Inline<'a> {
    pub(super) fn new(abbreviations: &'a [(String, String)]) -> Self {
        let mut map = HashMap::new();
        for (abbr, title) in abbreviations.iter().take(MAX_ABBREVIATIONS) {
            // A later definition replaces an earlier one, as in Python-Markdown.
            map.insert(abbr.as_str(), title.as_str());
        }
        let first_chars: HashSet<char> = map.keys().filter_map(|a| a.chars().next()).collect();
        let mut starts = [0; 256];
        for (b, start) in (0..=u8::MAX).zip(&mut starts) {
            *start = match b {
                b'h' | b'f' | b'w' => AT_LINK,
                // `c/o`, never inside a word.
                b'c' => AT_WORD,
                b':' | b'~' | b'^' | b'(' | b'+' | b'=' | b'<' | b'-' | b'0'..=b'9' => ALWAYS,
                128.. => NOT_ASCII,
                _ => 0,
            };
            if b.is_ascii() && first_chars.contains(&char::from(b)) {
                *start |= AT_WORD;
            }
        }
        let mut lengths: Vec<usize> = map.keys().map(|a| a.len()).collect();
        lengths.sort_unstable_by(|a, b| b.cmp(a));
        lengths.dedup();
        Inline {
            abbreviations: map,
            first_chars,
            starts,
            lengths,
        }
    }

    /// Writes `text` as HTML to `html` and as plain text to `plain`. `links` is false inside
    /// a link, where bare URLs must not become links again.
    pub(super) fn write(&self, text: &str, links: bool, html: &mut String, plain: &mut String) {
        let mut at = 0;
        for (open, close) in mark_pairs(text) {
            self.write_segment(&text[at..open], links, html, plain);
            html.push_str("<mark>");
            self.write_segment(&text[open + 2..close], links, html, plain);
            html.push_str("</mark>");
            at = close + 2;
        }
        self.write_segment(&text[at..], links, html, plain);
    }

    fn write_segment(&self, text: &str, links: bool, html: &mut String, plain: &mut String) {
        let mut flushed = 0;
        let mut i = 0;
        let mut prev_word = false;
        // Which matchers can start, by whether a word character comes before.
        let link = if links { AT_LINK } else { 0 };
        let can_start = [ALWAYS | NOT_ASCII | AT_WORD | link, ALWAYS | NOT_ASCII];
        while i < text.len() {
            let b = text.as_bytes()[i];
            if self.starts[usize::from(b)] & can_start[usize::from(prev_word)] == 0 {
                prev_word = b.is_ascii_alphanumeric() || b == b'_';
                i += 1;
                continue;
            }
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            let found = match c {
                'h' | 'f' | 'w' if links && !prev_word => magic_link(text, i),
                ':' => emoji_at(text, i),
                '~' | '^' => sub_sup_at(text, i, c),
                '(' | '+' | '=' | '<' | '-' | 'c' | '0'..='9' => symbol_at(text, i, prev_word),
                _ => None,
            }
            .or_else(|| {
                if prev_word {
                    None
                } else {
                    self.abbreviation_at(text, i, c)
                }
            });
            match found {
                Some((len, h, p)) => {
                    push_text(&text[flushed..i], html, plain);
                    html.push_str(&h);
                    plain.push_str(&p);
                    i += len;
                    flushed = i;
                    prev_word = text[..i].chars().next_back().is_some_and(is_word);
                }
                None => {
                    prev_word = is_word(c);
                    i += c.len_utf8();
                }
            }
        }
        push_text(&text[flushed..], html, plain);
    }

    /// `<abbr title="...">ABBR</abbr>` when a defined abbreviation starts at `i` as a word.
    fn abbreviation_at(&self, text: &str, i: usize, c: char) -> Option<Found> {
        if self.lengths.is_empty() || !self.first_chars.contains(&c) {
            return None;
        }
        let rest = &text[i..];
        let (abbr, title) = self.lengths.iter().find_map(|len| {
            let (abbr, title) = self.abbreviations.get_key_value(rest.get(..*len)?)?;
            let joined = abbr.chars().next_back().is_some_and(is_word)
                && rest[*len..].chars().next().is_some_and(is_word);
            (!joined).then_some((*abbr, *title))
        })?;
        let html = format!("<abbr title=\"{}\">{}</abbr>", escape(title), escape(abbr));
        Some((abbr.len(), html, abbr.to_string()))
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn push_text(text: &str, html: &mut String, plain: &mut String) {
    escape_into(text, html);
    plain.push_str(text);
}

/// Byte offsets of paired `==` delimiters: an opener is followed by a non-space, a closer
/// follows a non-space; runs of three or more `=` are not delimiters.
fn mark_pairs(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut pairs = Vec::new();
    let mut opener: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|b| **b == b'=').count();
        if run == 2 {
            let after_space = bytes.get(i + 2).is_none_or(|b| b.is_ascii_whitespace());
            let before_space = i == 0 || bytes[i - 1].is_ascii_whitespace();
            match opener {
                Some(open) if !before_space && i > open + 2 => {
                    pairs.push((open, i));
                    opener = None;
                }
                _ if !after_space => opener = Some(i),
                _ => {}
            }
        }
        i += run;
    }
    pairs
}

/// A bare URL starting at `i`: `http://`, `https://`, `ftp://`, `ftps://` or `www.`.
fn magic_link(text: &str, i: usize) -> Option<Found> {
    let rest = &text[i..];
    // Asked at most word starts with h, f or w: compared in place, nothing allocated.
    let prefix = ["https://", "http://", "ftps://", "ftp://", "www."]
        .into_iter()
        .find(|p| {
            let start = rest.as_bytes().get(..p.len());
            start.is_some_and(|start| start.eq_ignore_ascii_case(p.as_bytes()))
        })?;
    // Checked first, so a failed match costs nothing more.
    if !rest[prefix.len()..].starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
        .unwrap_or(rest.len());
    let mut url = &rest[..end];
    // Trailing punctuation is not part of the URL, nor is a `)` without its `(`.
    let (opens, mut closes) = (url.matches('(').count(), url.matches(')').count());
    while let Some(last) = url.chars().next_back() {
        if matches!(
            last,
            '.' | ',' | ':' | ';' | '!' | '?' | '*' | '_' | '~' | '\''
        ) {
            url = &url[..url.len() - 1];
        } else if last == ')' && closes > opens {
            url = &url[..url.len() - 1];
            closes -= 1;
        } else {
            break;
        }
    }
    if url.len() <= prefix.len() {
        return None;
    }
    let href = if prefix == "www." {
        format!("http://{url}")
    } else {
        url.to_string()
    };
    let html = format!("<a href=\"{}\">{}</a>", escape(&href), escape(url));
    Some((url.len(), html, url.to_string()))
}

/// `H~2~O` and `x^2^`: single-delimiter subscript and superscript inside a word, which
/// pulldown-cmark leaves as text (pymdownx.tilde and pymdownx.caret accept them). The content
/// has no whitespace.
fn sub_sup_at(text: &str, i: usize, delim: char) -> Option<Found> {
    let before = text[..i].chars().next_back();
    let rest = &text[i + 1..];
    if before == Some(delim) || rest.starts_with(delim) {
        return None;
    }
    let len = rest.find(|c: char| c == delim || c.is_whitespace())?;
    if len == 0 || !rest[len..].starts_with(delim) || rest[len + 1..].starts_with(delim) {
        return None;
    }
    let content = &rest[..len];
    let tag = if delim == '~' { "sub" } else { "sup" };
    Some((
        len + 2,
        format!("<{tag}>{}</{tag}>", escape(content)),
        content.to_string(),
    ))
}

/// `:name:` for a known emoji name.
fn emoji_at(text: &str, i: usize) -> Option<Found> {
    let rest = &text.as_bytes()[i + 1..];
    let len = rest
        .iter()
        .take(64)
        .take_while(|b| emoji::is_name_char(**b))
        .count();
    if len == 0 || rest.get(len) != Some(&b':') {
        return None;
    }
    let name = &text[i + 1..i + 1 + len];
    let emoji = emoji::lookup(name)?;
    Some((
        len + 2,
        format!("<span class=\"emoji\">{emoji}</span>"),
        emoji.to_string(),
    ))
}

/// pymdownx.smartsymbols at `i`: `(tm)`, `(c)`, `(r)`, `+/-`, `=/=`, `c/o`, arrows,
/// fractions and ordinal numbers (`1st` -> `1<sup>st</sup>`).
fn symbol_at(text: &str, i: usize, prev_word: bool) -> Option<Found> {
    let rest = &text[i..];
    let prev = || text[..i].chars().next_back();
    let next_is = |len: usize, f: fn(char) -> bool| rest[len..].chars().next().is_some_and(f);
    let simple = |len: usize, symbol: &str| Some((len, symbol.to_string(), symbol.to_string()));
    // Each symbol is tried only at its own first character: `c` and digits are common.
    match rest.as_bytes().first()? {
        b'(' => {
            let marks = [("(tm)", "\u{2122}"), ("(c)", "\u{a9}"), ("(r)", "\u{ae}")];
            let (mark, symbol) = marks.into_iter().find(|(mark, _)| rest.starts_with(mark))?;
            simple(mark.len(), symbol)
        }
        b'+' if rest.starts_with("+/-") => simple(3, "\u{b1}"),
        b'=' if rest.starts_with("=/=") => simple(3, "\u{2260}"),
        b'c' if rest.starts_with("c/o") && !prev_word && !next_is(3, is_word) => {
            simple(3, "\u{2105}")
        }
        b'<' if rest.starts_with("<-->") => simple(4, "\u{2194}"),
        b'<' if rest.starts_with("<--") && !next_is(3, |c| c == '-') => simple(3, "\u{2190}"),
        b'-' if rest.starts_with("-->") && prev() != Some('-') => simple(3, "\u{2192}"),
        b'0'..=b'9' if !prev().is_some_and(|c| c.is_ascii_digit()) => {
            fraction(rest).or_else(|| if prev_word { None } else { ordinal(rest) })
        }
        _ => None,
    }
}

fn fraction(rest: &str) -> Option<Found> {
    const FRACTIONS: [(&str, &str); 15] = [
        ("1/4", "\u{bc}"),
        ("1/2", "\u{bd}"),
        ("3/4", "\u{be}"),
        ("1/3", "\u{2153}"),
        ("2/3", "\u{2154}"),
        ("1/5", "\u{2155}"),
        ("2/5", "\u{2156}"),
        ("3/5", "\u{2157}"),
        ("4/5", "\u{2158}"),
        ("1/6", "\u{2159}"),
        ("5/6", "\u{215a}"),
        ("1/8", "\u{215b}"),
        ("3/8", "\u{215c}"),
        ("5/8", "\u{215d}"),
        ("7/8", "\u{215e}"),
    ];
    let (_, symbol) = FRACTIONS.iter().find(|(f, _)| rest.starts_with(f))?;
    if rest[3..].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some((3, symbol.to_string(), symbol.to_string()))
}

/// `21st`, `2nd`, `3rd`, `11th`, `4th` as words: the suffix in `<sup>`.
fn ordinal(rest: &str) -> Option<Found> {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let number = &rest[..digits];
    let suffix = rest.get(digits..digits + 2)?;
    if (number.len() > 1 && number.starts_with('0')) || rest[digits + 2..].starts_with(is_word) {
        return None;
    }
    let last = number.as_bytes()[digits - 1];
    let teen = digits > 1 && number.as_bytes()[digits - 2] == b'1' && matches!(last, b'1'..=b'3');
    let ok = match suffix {
        "st" => last == b'1',
        "nd" => last == b'2',
        "rd" => last == b'3',
        "th" => teen || matches!(last, b'0' | b'4'..=b'9'),
        _ => false,
    };
    ok.then(|| {
        (
            digits + 2,
            format!("{number}<sup>{suffix}</sup>"),
            format!("{number}{suffix}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn write(text: &str) -> (String, String) {
        let (mut html, mut plain) = (String::new(), String::new());
        Inline::new(&[]).write(text, true, &mut html, &mut plain);
        (html, plain)
    }

    /// Every word starting with h, f or w is a possible link; its prefix is compared in place.
    /// It used to be copied in lower case, with the whole rest of the run whenever the
    /// prefix's eighth byte fell inside a character: a long line of such words took time in
    /// the square of its length (a 1 MB line, 5 s of a release build).
    #[test]
    fn a_long_run_of_possible_links_takes_linear_time() {
        // Every eighth byte after a `w` is inside an `é`.
        let text = "w é ".repeat(250_000);
        let started = Instant::now();
        let (html, plain) = write(&text);
        let took = started.elapsed();
        assert!(took < Duration::from_secs(10), "took {took:?}");
        assert_eq!(
            (html.as_str(), plain.as_str()),
            (text.as_str(), text.as_str())
        );
    }

    /// A link starts at a lower-case h, f or w; the rest of its prefix may be in any case.
    #[test]
    fn link_prefixes_match_in_any_case_after_their_first_letter() {
        let (html, _) = write("see hTTPS://Example.org and wWW.example.com, not fTpx://a");
        assert!(html.contains("<a href=\"hTTPS://Example.org\""), "{html}");
        assert!(html.contains(">wWW.example.com</a>,"), "{html}");
        assert!(!html.contains("fTpx://a</a>"), "{html}");
    }
}
