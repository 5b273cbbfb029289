//! Heading ids exactly as Python-Markdown's `toc` extension makes them: `slugify` turns a
//! heading's plain text into a slug, `Ids::unique` appends `_1`, `_2`, ... to repeats (and to
//! empty slugs), the way `markdown.extensions.toc.unique` does.

use std::collections::{HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;

/// Python's `\s` on ASCII text: space, `\t\n\v\f\r` and the separators `\x1c`-`\x1f`.
fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '\x1c'..='\x1f'
    )
}

/// Python-Markdown's `toc.slugify(value, '-')`: NFKD-normalise, drop non-ASCII, drop every
/// character that is not a word character, whitespace or `-`, strip, lower-case, and collapse
/// runs of whitespace and `-` into one `-`.
pub(super) fn slugify(text: &str) -> String {
    let kept: String = text
        .nfkd()
        .filter(|c| {
            c.is_ascii() && (c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || is_space(*c))
        })
        .collect();
    let trimmed = kept.trim_matches(is_space);
    let mut slug = String::with_capacity(trimmed.len());
    let mut in_run = false;
    for c in trimmed.chars() {
        if c == '-' || is_space(c) {
            if !in_run {
                slug.push('-');
            }
            in_run = true;
        } else {
            slug.push(c.to_ascii_lowercase());
            in_run = false;
        }
    }
    slug
}

/// The ids already used in one page.
#[derive(Default)]
pub(super) struct Ids {
    used: HashSet<String>,
    /// For a stem, an n such that `stem_1` .. `stem_{n-1}` are all used: lets a page with
    /// thousands of equal headings number them in linear time.
    next: HashMap<String, u64>,
}

impl Ids {
    /// Records an id given explicitly (`{#custom-id}`), so generated ids avoid it.
    pub(super) fn reserve(&mut self, id: &str) {
        self.used.insert(id.to_string());
    }

    /// Python-Markdown's `unique(id, ids)`: while the id is taken or empty, bump a trailing
    /// `_N` or append `_1` (so `x`, `x_1`, `x_2`; `v_1` becomes `v_2`).
    pub(super) fn unique(&mut self, id: &str) -> String {
        if !id.is_empty() && !self.used.contains(id) {
            self.used.insert(id.to_string());
            return id.to_string();
        }
        let (stem, start) = match split_count(id) {
            Some((stem, n)) => (stem, n.saturating_add(1)),
            None => (id, 1),
        };
        let taken = |used: &HashSet<String>, n: u64| used.contains(&format!("{stem}_{n}"));
        let next = self.next.entry(stem.to_string()).or_insert(1);
        while taken(&self.used, *next) {
            *next += 1;
        }
        // Python tries start, start + 1, ...; everything from start below `next` is taken.
        let mut n = start.max(*next);
        while taken(&self.used, n) {
            n += 1;
        }
        let id = format!("{stem}_{n}");
        self.used.insert(id.clone());
        id
    }
}

/// `^(.*)_([0-9]+)$`: the stem and the counter of an id like `intro_2`.
fn split_count(id: &str) -> Option<(&str, u64)> {
    let (stem, digits) = id.rsplit_once('_')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(|n| (stem, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_match_python_markdown_toc() {
        let cases = [
            ("Hello World", "hello-world"),
            ("Héllo Wörld", "hello-world"),
            ("  Spaces   and -- dashes  ", "spaces-and-dashes"),
            ("C++ & Rust!", "c-rust"),
            ("日本語", ""),
            ("FAQ: What's new?", "faq-whats-new"),
            ("under_score", "under_score"),
            ("1. Intro", "1-intro"),
            ("ﬁle ligature", "file-ligature"),
            ("-leading dash", "-leading-dash"),
            ("tab\tand\nnewline", "tab-and-newline"),
        ];
        for (text, slug) in cases {
            assert_eq!(slugify(text), slug, "slugify({text:?})");
        }
    }

    #[test]
    fn repeated_and_empty_ids_get_counters() {
        let mut ids = Ids::default();
        let got: Vec<String> = [
            "intro", "intro", "intro", "", "", "v_1", "v_1", "intro_5", "intro", "v",
        ]
        .iter()
        .map(|s| ids.unique(s))
        .collect();
        assert_eq!(
            got,
            ["intro", "intro_1", "intro_2", "_1", "_2", "v_1", "v_2", "intro_5", "intro_3", "v"]
        );

        let mut ids = Ids::default();
        ids.reserve("setup");
        assert_eq!(ids.unique("setup"), "setup_1");
    }
}
