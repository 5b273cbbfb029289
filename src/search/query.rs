//! Ranking, as `static/search.js` does it in the browser, so it can be tested here: the two
//! must agree (integer weights, the same candidate terms, the same order).
//!
//! Each query word matches the terms equal to it (full weight) and, from two characters on,
//! the terms it begins (half weight, at most [`MAX_EXPANSIONS`] of them in term order), both
//! through their stems. A document scores, per word, its best weight among that word's stems;
//! results order by the number of words matched, then the summed score, then document order.
//! Of the first [`TOP`], entities whose name is exactly the query move to the front.

use super::text::{is_stop_word, terms};
use super::Index;
use std::collections::{BTreeMap, HashMap};

pub const MAX_EXPANSIONS: usize = 50;
pub const TOP: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub doc: u32,
    pub matched: usize,
    pub score: u64,
    pub exact: bool,
}

/// The words of a query that are looked up: normalised, no stop words, each once.
pub fn words(q: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in terms(q) {
        if !is_stop_word(&t) && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The stems a word reaches: `true` for a full match, `false` for a prefix match. A word that
/// reaches none (an inflection the docs never use: stems are only known at build time) is
/// tried again without its last one, two or three characters ([`fallbacks`]).
pub fn candidates(index: &Index, word: &str) -> BTreeMap<String, bool> {
    for w in std::iter::once(word.to_string()).chain(fallbacks(word)) {
        let found = lookup(index, &w);
        if !found.is_empty() {
            return found;
        }
    }
    BTreeMap::new()
}

/// Shorter forms of a word of five or more characters, down to four characters.
pub fn fallbacks(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    if n < 5 {
        return vec![];
    }
    (n.saturating_sub(3).max(4)..n)
        .rev()
        .map(|k| chars[..k].iter().collect())
        .collect()
}

fn lookup(index: &Index, word: &str) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    if word.chars().count() >= 2 {
        for (_, stem) in index
            .terms
            .range(word.to_string()..)
            .take_while(|(t, _)| t.starts_with(word))
            .filter(|(t, _)| *t != word)
            .take(MAX_EXPANSIONS)
        {
            out.insert(stem.clone(), false);
        }
    }
    if let Some(stem) = index.terms.get(word) {
        out.insert(stem.clone(), true);
    }
    out
}

pub fn search(index: &Index, q: &str) -> Vec<Hit> {
    let mut hits: HashMap<u32, Hit> = HashMap::new();
    for word in words(q) {
        let mut best: HashMap<u32, u32> = HashMap::new();
        for (stem, full) in candidates(index, &word) {
            for &(doc, w) in index.postings.get(&stem).map(Vec::as_slice).unwrap_or(&[]) {
                let w = if full { w } else { w / 2 };
                let b = best.entry(doc).or_insert(0);
                *b = (*b).max(w);
            }
        }
        for (doc, w) in best {
            let hit = hits.entry(doc).or_insert(Hit {
                doc,
                matched: 0,
                score: 0,
                exact: false,
            });
            hit.matched += 1;
            hit.score += u64::from(w);
        }
    }
    let mut list: Vec<Hit> = hits.into_values().collect();
    list.sort_by(|a, b| {
        (b.matched, b.score)
            .cmp(&(a.matched, a.score))
            .then(a.doc.cmp(&b.doc))
    });
    let wanted = terms(q).join(" ");
    let top = list.len().min(TOP);
    for hit in &mut list[..top] {
        let doc = &index.docs[hit.doc as usize];
        hit.exact = !doc.name.is_empty() && terms(&doc.name).join(" ") == wanted;
    }
    list[..top].sort_by_key(|h| !h.exact);
    list
}
