//! Text to index terms, the same way on both sides: the build (here) and the browser
//! (`static/search.js`, which mirrors [`normalize`] and [`terms`] line for line). Stems are
//! computed only here, at build time, and shipped in the shards, so the browser never stems.

use crate::words::for_each_ascii_run;
use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Words too common to index. Shipped in the manifest, so the browser drops the same ones.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on",
    "or", "that", "the", "this", "to", "with",
];

/// Lower-cased, compatibility-decomposed, diacritics dropped: `Zürich` -> `zurich`. Lower-case
/// first: lower-casing can itself produce combining marks (`İ` -> `i̇`).
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        // Nothing to decompose: the common case, and much faster.
        return text.to_ascii_lowercase();
    }
    text.to_lowercase()
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect()
}

/// The terms of a text in order: normalised runs of letters and digits, stop words kept (the
/// caller decides; names like `the-one` still need them for exact matches).
pub fn terms(text: &str) -> Vec<String> {
    let mut all = Vec::new();
    for_each_term(text, |t| all.push(t.to_string()));
    all
}

/// [`terms`] without a String per term: what the index builder walks millions of times.
pub fn for_each_term(text: &str, mut visit: impl FnMut(&str)) {
    let text = normalize(text);
    if text.is_ascii() {
        // The common case, split by byte: on ASCII, `is_alphanumeric` is `is_ascii_alphanumeric`.
        for_each_ascii_run(&text, |b| b.is_ascii_alphanumeric(), visit);
        return;
    }
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .for_each(&mut visit);
}

pub fn is_stop_word(term: &str) -> bool {
    STOP_WORDS.binary_search(&term).is_ok()
}

/// English stems, computed once per distinct term.
pub struct Stems(Stemmer);

impl Default for Stems {
    fn default() -> Self {
        Stems(Stemmer::create(Algorithm::English))
    }
}

impl Stems {
    /// The Snowball (Porter 2) stem of a normalised term, or the term where it has none.
    pub fn stem(&self, term: &str) -> String {
        let stem = self.0.stem(term);
        if stem.is_empty() {
            term.to_string()
        } else {
            stem.into_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diacritics_and_case_fold() {
        assert_eq!(normalize("Zürich CAFÉ naïve"), "zurich cafe naive");
        assert_eq!(
            terms("Ångström-Sensor_v2 (ﬁle)"),
            ["angstrom", "sensor", "v2", "file"]
        );
        assert_eq!(terms("payments-ledger"), ["payments", "ledger"]);
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOP_WORDS);
        assert!(is_stop_word("the") && !is_stop_word("ledger"));
    }

    #[test]
    fn inflections_share_a_stem() {
        let s = Stems::default();
        assert_eq!(s.stem("deploying"), "deploy");
        assert_eq!(s.stem("deployments"), "deploy");
        assert_eq!(s.stem("ledgers"), "ledger");
        for t in ["a", "x1", "東京"] {
            assert_eq!(s.stem(t), t);
        }
    }
}
