//! BM25F: a document's frequency of a stem is the sum over its fields of the field's boost
//! times the count there, where counts in long fields (text, headings) are normalised by the
//! field's length against its average in the document's class (entities, docs sections), so a
//! long description never dilutes a match in a name. Saturated as BM25 does, times the idf and
//! the document's prior.
//!
//! Documents are analysed in parts (the entities, then each docs site's sections), each with
//! its own numbering of terms and stems, so that an unchanged site's part can be kept and
//! used again. A part's text is walked once, every occurrence numbered by its term; each term
//! is stemmed once. Weighing numbers the stems of all parts afresh.

use super::text::{for_each_term, is_stop_word, Stems};
use super::{Doc, Facet, Field, Index, Source};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// Postings kept per stem, the highest weights first: bounds what one query term loads.
pub(super) const MAX_POSTINGS: usize = 500;
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Weights are shipped as integers, so the browser and [`super::query`] add them up exactly.
const SCALE: f64 = 10.0;

/// A document's boosted frequency per stem (by number) in short and in long fields, and the
/// length of its long fields in terms. Boosts are whole numbers, so the sums are kept exactly
/// in integers: half the memory of floats, for every stem of every document.
#[derive(Serialize, Deserialize)]
struct Analysed {
    tf: Vec<(u32, u32, u32)>,
    len: u64,
}

/// Documents analysed together: what each shows, its prior and its counts, with the stems
/// numbered by their place in `stems`.
#[derive(Serialize, Deserialize)]
pub(super) struct Part {
    pub(super) docs: Vec<Doc>,
    priors: Vec<f64>,
    analysed: Vec<Analysed>,
    /// Every term of the part (stop words left out) and its stem's number.
    terms: Vec<(String, u32)>,
    stems: Vec<String>,
}

fn is_long(field: Field) -> bool {
    matches!(field, Field::Body | Field::Heading | Field::PageTitle)
}

thread_local! {
    /// Stems already computed on this thread: the sites of a portal share most of their words,
    /// which would otherwise be stemmed again for every site.
    static STEMS: RefCell<(Stems, HashMap<String, String>)> = RefCell::default();
}

/// Past this many remembered stems a thread starts again (a long `serve` sees many texts).
const MAX_REMEMBERED_STEMS: usize = 1 << 20;

fn stem(term: &str) -> String {
    STEMS.with_borrow_mut(|(stems, known)| {
        if let Some(stem) = known.get(term) {
            return stem.clone();
        }
        if known.len() >= MAX_REMEMBERED_STEMS {
            known.clear();
        }
        let stem = stems.stem(term);
        known.insert(term.to_string(), stem.clone());
        stem
    })
}

/// Words (a part's terms, or the stems of all parts) each numbered once as it is first met.
#[derive(Default)]
struct Terms {
    number: HashMap<String, u32>,
    names: Vec<String>,
}

impl Terms {
    fn number(&mut self, term: &str) -> u32 {
        if let Some(&n) = self.number.get(term) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(term.to_string());
        self.number.insert(term.to_string(), n);
        n
    }
}

/// One occurrence of a term: its number, and its field's boost, negative in a long field.
type Occurrence = (u32, i32);

/// Analyses documents as one part, walking each text once: every occurrence is numbered by
/// its term, then terms are stemmed once each and the counts summed by stem.
pub(super) fn analyse_part(sources: Vec<Source>) -> Part {
    let mut terms = Terms::default();
    let mut lens = Vec::with_capacity(sources.len());
    let occurrences: Vec<Vec<Occurrence>> = sources
        .iter()
        .map(|source| {
            let mut seen = Vec::new();
            let mut len = 0;
            for (field, text) in &source.fields {
                let long = is_long(*field);
                let boost = field.boost() as i32;
                for_each_term(text, |term| {
                    len += u64::from(long);
                    seen.push((terms.number(term), if long { -boost } else { boost }));
                });
            }
            lens.push(len);
            seen
        })
        .collect();
    // Stop words get no stem: they are counted in a field's length, never as a match.
    let mut stems = Terms::default();
    let stem_of: Vec<Option<u32>> = terms
        .names
        .iter()
        .map(|t| (!is_stop_word(t)).then(|| stems.number(&stem(t))))
        .collect();
    let analysed = occurrences
        .into_iter()
        .zip(lens)
        .map(|(seen, len)| Analysed {
            tf: counts(&seen, &stem_of),
            len,
        })
        .collect();
    let priors = sources.iter().map(|s| s.prior).collect();
    Part {
        docs: sources.into_iter().map(|s| s.doc).collect(),
        priors,
        analysed,
        terms: terms
            .names
            .into_iter()
            .zip(stem_of)
            .filter_map(|(t, s)| Some((t, s?)))
            .collect(),
        stems: stems.names,
    }
}

/// A document's boosted counts per stem, in short and in long fields, by stem number.
fn counts(seen: &[Occurrence], stem_of: &[Option<u32>]) -> Vec<(u32, u32, u32)> {
    let mut counts: Vec<(u32, u32, u32)> = seen
        .iter()
        .filter_map(|&(term, boost)| {
            let stem = stem_of[term as usize]?;
            let b = boost.unsigned_abs();
            Some(if boost < 0 {
                (stem, 0, b)
            } else {
                (stem, b, 0)
            })
        })
        .collect();
    counts.sort_unstable_by_key(|c| c.0);
    let mut tf: Vec<(u32, u32, u32)> = Vec::new();
    for (stem, short, long) in counts {
        match tf.last_mut() {
            Some(last) if last.0 == stem => {
                last.1 += short;
                last.2 += long;
            }
            _ => tf.push((stem, short, long)),
        }
    }
    tf
}

/// Every part's documents in order, their stems numbered across all parts (in the order first
/// seen: the index sorts them by name when it is written).
#[derive(Default)]
struct Merged {
    docs: Vec<Doc>,
    priors: Vec<f64>,
    analysed: Vec<Analysed>,
    /// Term -> its stem's number.
    terms: HashMap<String, u32>,
    stems: Terms,
}

impl Merged {
    fn add(&mut self, part: Part) {
        let ids: Vec<u32> = part.stems.iter().map(|s| self.stems.number(s)).collect();
        for (term, stem) in part.terms {
            self.terms.entry(term).or_insert(ids[stem as usize]);
        }
        for mut a in part.analysed {
            for posting in &mut a.tf {
                posting.0 = ids[posting.0 as usize];
            }
            self.analysed.push(a);
        }
        self.docs.extend(part.docs);
        self.priors.extend(part.priors);
    }
}

/// Weighs the documents of `parts`, numbered in the order the parts come (each part is
/// merged and dropped as it comes, so its vocabulary is not held to the end).
pub(super) fn weigh(parts: impl Iterator<Item = Part>, entities: Vec<Facet>) -> Index {
    let mut merged = Merged::default();
    for part in parts {
        merged.add(part);
    }
    let postings = postings(
        &merged.docs,
        &merged.priors,
        merged.analysed,
        merged.stems.names.len(),
    );
    let Merged {
        docs, terms, stems, ..
    } = merged;
    let stems = stems.names;
    let terms: BTreeMap<String, String> = terms
        .into_iter()
        .map(|(t, s)| (t, stems[s as usize].clone()))
        .collect();
    Index {
        docs,
        entities,
        terms,
        postings: stems.into_iter().zip(postings).collect(),
    }
}

/// Each stem's postings `(doc, weight)` by doc, at most [`MAX_POSTINGS`] of the best.
fn postings(
    docs: &[Doc],
    priors: &[f64],
    analysed: Vec<Analysed>,
    stems: usize,
) -> Vec<Vec<(u32, u32)>> {
    let mut df = vec![0u32; stems];
    for a in &analysed {
        for &(stem, _, _) in &a.tf {
            df[stem as usize] += 1;
        }
    }
    let n = docs.len() as f64;
    let idf: Vec<f64> = df
        .iter()
        .map(|&d| (1.0 + (n - f64::from(d) + 0.5) / (f64::from(d) + 0.5)).ln())
        .collect();
    let is_docs: Vec<bool> = docs.iter().map(|d| d.kind == "docs").collect();
    let average = |docs: bool| {
        let lens: Vec<u64> = (0..analysed.len())
            .filter(|&i| is_docs[i] == docs)
            .map(|i| analysed[i].len)
            .collect();
        (lens.iter().sum::<u64>() as f64 / lens.len().max(1) as f64).max(1.0)
    };
    let (avg_entity, avg_docs) = (average(false), average(true));
    let mut postings: Vec<Vec<(u32, u32)>> = vec![Vec::new(); stems];
    // Each document's counts are dropped once weighed, and a list is cut back to its best
    // whenever it doubles: neither every count nor every posting is held at once.
    for (doc, a) in analysed.into_iter().enumerate() {
        let avg = if is_docs[doc] { avg_docs } else { avg_entity };
        let norm = 1.0 - B + B * a.len as f64 / avg;
        for (stem, short, long) in a.tf {
            let tf = f64::from(short) + f64::from(long) / norm;
            let w = (SCALE * priors[doc] * idf[stem as usize] * tf * (K1 + 1.0) / (tf + K1))
                .round()
                .max(1.0) as u32;
            let list = &mut postings[stem as usize];
            list.push((doc as u32, w));
            if list.len() == 2 * MAX_POSTINGS {
                keep_best(list);
            }
        }
    }
    postings.par_iter_mut().for_each(|list| {
        keep_best(list);
        list.sort_unstable();
    });
    postings
}

/// Cuts `list` to its [`MAX_POSTINGS`] heaviest postings (the earlier document first among
/// equal weights, so the cut is the same however often it is made).
fn keep_best(list: &mut Vec<(u32, u32)>) {
    if list.len() > MAX_POSTINGS {
        list.select_nth_unstable_by(MAX_POSTINGS - 1, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        list.truncate(MAX_POSTINGS);
    }
}

#[cfg(test)]
mod tests {
    use super::{keep_best, MAX_POSTINGS};

    #[test]
    fn cutting_as_a_list_grows_keeps_what_one_cut_at_the_end_keeps() {
        // Weights with many ties, so the order among equals decides.
        let all: Vec<(u32, u32)> = (0..5_000u32).map(|doc| (doc, (doc * 7919) % 97)).collect();
        let mut once = all.clone();
        once.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        once.truncate(MAX_POSTINGS);
        once.sort_unstable();
        let mut growing = Vec::new();
        for posting in all {
            growing.push(posting);
            if growing.len() == 2 * MAX_POSTINGS {
                keep_best(&mut growing);
            }
        }
        keep_best(&mut growing);
        growing.sort_unstable();
        assert_eq!(growing, once);
    }
}
