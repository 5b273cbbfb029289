//! BM25F: a document's frequency of a stem is the sum over its fields of the field's boost
//! times the count there, where counts in long fields (text, headings) are normalised by the
//! field's length against its average in the document's class (entities, docs sections), so a
//! long description never dilutes a match in a name. Saturated as BM25 does, times the idf and
//! the document's prior.
//!
//! A large portal has millions of words but a vocabulary of tens of thousands, so the text is
//! walked twice without keeping a String per word: once for the vocabulary, which is stemmed
//! and numbered, then once to count each document's stems by number.

use super::text::{for_each_term, is_stop_word, Stems};
use super::{Facet, Field, Index, Source};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Postings kept per stem, the highest weights first: bounds what one query term loads.
pub(super) const MAX_POSTINGS: usize = 500;
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Weights are shipped as integers, so the browser and [`super::query`] add them up exactly.
const SCALE: f64 = 10.0;

/// A document's boosted frequency per stem (by number, ascending) in short and in long
/// fields, and the length of its long fields in terms. Boosts are whole numbers, so the sums
/// are kept exactly in integers: half the memory of floats, for every stem of every document.
struct Analysed {
    tf: Vec<(u32, u32, u32)>,
    len: usize,
}

/// Every indexed term once, numbered by its stem: terms in order, their stems' numbers, and
/// the stems in order (a stem's number is its place there).
struct Vocabulary {
    terms: Vec<String>,
    stem_of: Vec<u32>,
    stems: Vec<String>,
}

fn is_long(field: Field) -> bool {
    matches!(field, Field::Body | Field::Heading | Field::PageTitle)
}

fn vocabulary(sources: &[Source]) -> Vocabulary {
    let seen: HashSet<String> = sources
        .par_iter()
        .fold(HashSet::new, |mut seen: HashSet<String>, source| {
            for (_, text) in &source.fields {
                for_each_term(text, |t| {
                    if !seen.contains(t) && !is_stop_word(t) {
                        seen.insert(t.to_string());
                    }
                });
            }
            seen
        })
        .reduce(HashSet::new, |mut a, b| {
            a.extend(b);
            a
        });
    let mut terms: Vec<String> = seen.into_iter().collect();
    terms.sort_unstable();
    let term_stems: Vec<String> = terms
        .par_iter()
        .map_init(Stems::default, |stems, t| stems.stem(t))
        .collect();
    let stems: Vec<String> = term_stems
        .iter()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let stem_of = term_stems
        .iter()
        .map(|s| stems.binary_search(s).unwrap_or_default() as u32)
        .collect();
    Vocabulary {
        terms,
        stem_of,
        stems,
    }
}

fn analyse(source: &Source, stem_of: &HashMap<&str, u32>) -> Analysed {
    let mut counts: Vec<(u32, u32, u32)> = Vec::new();
    let mut len = 0;
    for (field, text) in &source.fields {
        let long = is_long(*field);
        for_each_term(text, |term| {
            len += usize::from(long);
            // Stop words are the terms the vocabulary left out.
            if let Some(&stem) = stem_of.get(term) {
                let boost = field.boost();
                counts.push(if long {
                    (stem, 0, boost)
                } else {
                    (stem, boost, 0)
                });
            }
        });
    }
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
    Analysed { tf, len }
}

pub(super) fn weigh(sources: Vec<Source>, entities: Vec<Facet>) -> Index {
    let vocabulary = vocabulary(&sources);
    let stem_of: HashMap<&str, u32> = vocabulary
        .terms
        .iter()
        .map(String::as_str)
        .zip(vocabulary.stem_of.iter().copied())
        .collect();
    let analysed: Vec<Analysed> = sources.par_iter().map(|s| analyse(s, &stem_of)).collect();
    let mut df = vec![0u32; vocabulary.stems.len()];
    for a in &analysed {
        for &(stem, _, _) in &a.tf {
            df[stem as usize] += 1;
        }
    }
    let is_docs: Vec<bool> = sources.iter().map(|s| s.doc.kind == "docs").collect();
    let average = |docs: bool| {
        let lens: Vec<usize> = (0..analysed.len())
            .filter(|&i| is_docs[i] == docs)
            .map(|i| analysed[i].len)
            .collect();
        (lens.iter().sum::<usize>() as f64 / lens.len().max(1) as f64).max(1.0)
    };
    let (avg_entity, avg_docs) = (average(false), average(true));
    let n = sources.len() as f64;
    let mut postings: Vec<Vec<(u32, u32)>> = vec![Vec::new(); vocabulary.stems.len()];
    // Each document's counts are dropped once weighed, and a list is cut back to its best
    // whenever it doubles: neither every count nor every posting is held at once.
    for (doc, a) in analysed.into_iter().enumerate() {
        let avg = if is_docs[doc] { avg_docs } else { avg_entity };
        let norm = 1.0 - B + B * a.len as f64 / avg;
        let prior = sources[doc].prior;
        for (stem, short, long) in a.tf {
            let tf = f64::from(short) + f64::from(long) / norm;
            let d = f64::from(df[stem as usize]);
            let idf = (1.0 + (n - d + 0.5) / (d + 0.5)).ln();
            let w = (SCALE * prior * idf * tf * (K1 + 1.0) / (tf + K1))
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
    let Vocabulary {
        terms,
        stem_of,
        stems,
    } = vocabulary;
    let terms: BTreeMap<String, String> = terms
        .into_iter()
        .zip(stem_of)
        .map(|(t, s)| (t, stems[s as usize].clone()))
        .collect();
    Index {
        docs: sources.into_iter().map(|s| s.doc).collect(),
        entities,
        terms,
        postings: stems.into_iter().zip(postings).collect(),
    }
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
