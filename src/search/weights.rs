//! BM25F: a document's frequency of a stem is the sum over its fields of the field's boost
//! times the count there, where counts in long fields (text, headings) are normalised by the
//! field's length against its average in the document's class (entities, docs sections), so a
//! long description never dilutes a match in a name. Saturated as BM25 does, times the idf and
//! the document's prior.

use super::text::{is_stop_word, terms, Stems};
use super::{Facet, Field, Index, Source};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Postings kept per stem, the highest weights first: bounds what one query term loads.
pub const MAX_POSTINGS: usize = 500;
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Weights are shipped as integers, so the browser and [`super::query`] add them up exactly.
const SCALE: f64 = 10.0;

/// A document's boosted frequency per term in short and in long fields, and the length of
/// its long fields in terms.
struct Analysed {
    tf: BTreeMap<String, (f64, f64)>,
    len: usize,
}

fn analyse(source: &Source) -> Analysed {
    let mut tf = BTreeMap::new();
    let mut len = 0;
    for (field, text) in &source.fields {
        let long = matches!(field, Field::Body | Field::Heading | Field::PageTitle);
        for term in terms(text) {
            len += usize::from(long);
            if !is_stop_word(&term) {
                let e: &mut (f64, f64) = tf.entry(term).or_insert((0.0, 0.0));
                if long {
                    e.1 += field.boost();
                } else {
                    e.0 += field.boost();
                }
            }
        }
    }
    Analysed { tf, len }
}

pub(super) fn weigh(sources: Vec<Source>, entities: Vec<Facet>) -> Index {
    let analysed: Vec<Analysed> = sources.par_iter().map(analyse).collect();
    // Distinct terms through a hash set (millions of inserts on a large portal), sorted once.
    let mut vocabulary: Vec<&str> = analysed
        .iter()
        .flat_map(|a| a.tf.keys().map(String::as_str))
        .collect::<HashSet<&str>>()
        .into_iter()
        .collect();
    vocabulary.sort_unstable();
    let stems: Vec<String> = vocabulary
        .par_iter()
        .map_init(Stems::default, |stems, t| stems.stem(t))
        .collect();
    let stem_of: HashMap<&str, &str> = vocabulary
        .iter()
        .zip(&stems)
        .map(|(t, s)| (*t, s.as_str()))
        .collect();
    // Per document: stem -> frequency.
    let by_stem: Vec<HashMap<&str, (f64, f64)>> = analysed
        .par_iter()
        .map(|a| {
            let mut m: HashMap<&str, (f64, f64)> = HashMap::new();
            for (t, (short, long)) in &a.tf {
                let e = m.entry(stem_of[t.as_str()]).or_insert((0.0, 0.0));
                e.0 += short;
                e.1 += long;
            }
            m
        })
        .collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for m in &by_stem {
        for s in m.keys() {
            *df.entry(s).or_insert(0) += 1;
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
    // Keyed by the borrowed stem: one String per stem, not per posting.
    let mut postings: HashMap<&str, Vec<(u32, u32)>> = HashMap::new();
    for (doc, m) in by_stem.iter().enumerate() {
        let avg = if is_docs[doc] { avg_docs } else { avg_entity };
        let norm = 1.0 - B + B * analysed[doc].len as f64 / avg;
        let prior = sources[doc].prior;
        let mut stems: Vec<(&&str, &(f64, f64))> = m.iter().collect();
        stems.sort_by(|a, b| a.0.cmp(b.0));
        for (stem, (short, long)) in stems {
            let tf = short + long / norm;
            let d = df[*stem] as f64;
            let idf = (1.0 + (n - d + 0.5) / (d + 0.5)).ln();
            let w = (SCALE * prior * idf * tf * (K1 + 1.0) / (tf + K1))
                .round()
                .max(1.0) as u32;
            postings.entry(stem).or_default().push((doc as u32, w));
        }
    }
    let postings: BTreeMap<String, Vec<(u32, u32)>> = postings
        .into_par_iter()
        .map(|(stem, mut list)| {
            if list.len() > MAX_POSTINGS {
                list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                list.truncate(MAX_POSTINGS);
                list.sort_unstable();
            }
            (stem.to_string(), list)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let terms: BTreeMap<String, String> = vocabulary
        .iter()
        .zip(&stems)
        .map(|(t, s)| (t.to_string(), s.clone()))
        .collect();
    Index {
        docs: sources.into_iter().map(|s| s.doc).collect(),
        entities,
        terms,
        postings,
    }
}
