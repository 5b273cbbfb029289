//! The typo index: what `static/search.js` loads only when a query word reaches no term, to
//! correct one typo (`legder`, `setlement`) or split joined words (`paymentsledger`). It is
//! the index's vocabulary of words of 4 to [`MAX_CHARS`] letters, by first letter: a typo in
//! a word's first letter is rarely made, and words are looked up by it. Within a file, terms
//! are grouped by length and listed most frequent first, so the first match is the likeliest.
//! Separate files beside the index (`search/typo.js` names them); the index's own files do
//! not change.

use super::emit::{script_text, shard_file_key};
use super::text::is_stop_word;
use super::Index;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The fixed-name file that names the typo files.
pub const TYPO_MANIFEST: &str = "search/typo.js";
/// Shortest term kept: a five-letter word with a letter missing.
const MIN_CHARS: usize = 4;
/// Longest term kept: longer words are names and hashes, not what people mistype.
const MAX_CHARS: usize = 24;

/// Terms of one first letter by length, each with how many documents its stem has.
type ByLength<'a> = BTreeMap<usize, Vec<(usize, &'a str)>>;

/// The typo files: one per first letter, and the manifest naming them.
pub(super) fn files(index: &Index) -> BTreeMap<String, Vec<u8>> {
    let mut by_letter: BTreeMap<char, ByLength<'_>> = BTreeMap::new();
    for (term, stem) in &index.terms {
        let n = term.chars().count();
        let letters = term.chars().all(char::is_alphabetic);
        if !(MIN_CHARS..=MAX_CHARS).contains(&n) || !letters || is_stop_word(term) {
            continue;
        }
        let Some(first) = term.chars().next() else {
            continue;
        };
        let weight = index.postings.get(stem).map_or(0, Vec::len);
        by_letter
            .entry(first)
            .or_default()
            .entry(n)
            .or_default()
            .push((weight, term));
    }
    let mut out = BTreeMap::new();
    let mut names = Map::new();
    for (letter, lengths) in by_letter {
        let mut body = Map::new();
        for (n, mut terms) in lengths {
            // Most frequent first, then in term order: the same bytes on every build.
            terms.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            let list: Vec<&str> = terms.into_iter().map(|(_, t)| t).collect();
            body.insert(n.to_string(), json!(list.join(" ")));
        }
        let key = shard_file_key(&letter.to_string());
        let body = Value::Object(body).to_string();
        let text = script_text("typo", &json!(letter.to_string()), &body);
        let hash = super::emit::group_hash([&text]);
        out.insert(format!("search/typo-{key}.{hash}.js"), text.into_bytes());
        names.insert(letter.to_string(), json!(format!("typo-{key}.{hash}")));
    }
    out.insert(
        TYPO_MANIFEST.to_string(),
        format!("PlaybillSearch.typos({});\n", Value::Object(names)).into_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_group_by_first_letter_and_length_most_frequent_first() {
        let mut index = Index::default();
        for (term, docs) in [
            ("ledger", 3),
            ("lender", 5),
            ("list", 1),
            ("l2", 9),
            ("the", 9),
        ] {
            index.terms.insert(term.into(), term.into());
            index.postings.insert(term.into(), vec![(0, 1); docs]);
        }
        index.terms.insert("api".into(), "api".into());
        let files = files(&index);
        let manifest = String::from_utf8(files[TYPO_MANIFEST].clone()).unwrap();
        assert!(
            manifest.starts_with("PlaybillSearch.typos({\"l\":\"typo-l."),
            "{manifest}"
        );
        let (_, l) = files
            .iter()
            .find(|(k, _)| k.starts_with("search/typo-l."))
            .unwrap();
        let l = String::from_utf8(l.clone()).unwrap();
        assert!(
            l.contains("{\"4\":\"list\",\"6\":\"lender ledger\"}"),
            "{l}"
        );
        // Too short, digits, stop words: left out.
        assert!(!files.keys().any(|k| k.starts_with("search/typo-a.")));
        assert!(!l.contains("l2"));
    }
}
