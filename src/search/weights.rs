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
use super::{Doc, Facet, Field, Index, IndexedDoc, Source};
use crate::held::Spill;
use bincode::Options;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Postings kept per stem, the highest weights first: bounds what one query term loads.
pub(super) const MAX_POSTINGS: usize = 500;
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Weights are shipped as integers, so the browser and [`super::query`] add them up exactly.
const SCALE: f64 = 10.0;

/// What weighing needs of a part's documents before their counts: what each shows, its prior
/// and length, and in how many of them each stem appears, with the stems numbered by their
/// place in `stems`.
#[derive(Serialize, Deserialize)]
pub(super) struct Head {
    pub(super) docs: Vec<Doc>,
    priors: Vec<f64>,
    /// Each document's length of its long fields, in terms.
    lens: Vec<u64>,
    /// By stem number: how many of the part's documents hold the stem.
    df: Vec<u32>,
    /// Every term of the part (stop words left out) and its stem's number.
    terms: Vec<(String, u32)>,
    stems: Vec<String>,
}

/// Each document's boosted frequency per stem (by its part's number) in short and in long
/// fields. Boosts are whole numbers, so the sums are kept exactly, in integers.
pub(super) type Counts = Vec<Vec<(u32, u32, u32)>>;

/// A part as the render cache keeps it: its head, then its counts, so that the head can be
/// read without the counts. Integers are written in as few bytes as they need: most stem
/// numbers and boosts fit in one or two, where fixed-width ones took twelve bytes a count and
/// made these entries a fifth of a cold build's cache.
pub(super) fn encode(head: &Head, counts: &Counts) -> Option<Vec<u8>> {
    let head = compact().serialize(head).ok()?;
    let mut bytes = (head.len() as u64).to_le_bytes().to_vec();
    bytes.extend(head);
    compact().serialize_into(&mut bytes, counts).ok()?;
    Some(bytes)
}

fn compact() -> impl bincode::Options {
    bincode::DefaultOptions::new()
}

fn split(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = bytes.split_first_chunk::<8>()?;
    let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
    (len <= rest.len()).then(|| rest.split_at(len))
}

/// The head of a part [`encode`] made.
pub(super) fn head_of(bytes: &[u8]) -> Option<Head> {
    compact().deserialize(split(bytes)?.0).ok()
}

/// The counts of a part [`encode`] made.
pub(super) fn counts_of(bytes: &[u8]) -> Option<Counts> {
    compact().deserialize(split(bytes)?.1).ok()
}

fn is_long(field: Field) -> bool {
    matches!(field, Field::Body | Field::Heading | Field::PageTitle)
}

thread_local! {
    /// Stems already computed on this thread: the sites of a portal share most of their words,
    /// which would otherwise be stemmed again for every site.
    static STEMS: RefCell<(Stems, FxHashMap<String, String>)> = RefCell::default();
}

/// Past this many remembered stems a thread starts again (a long `serve` sees many texts).
const MAX_REMEMBERED_STEMS: usize = 1 << 20;

/// Gives `use_stem` the stem of `term`, stemmed once per thread.
fn with_stem<T>(term: &str, use_stem: impl FnOnce(&str) -> T) -> T {
    STEMS.with_borrow_mut(|(stems, known)| {
        if let Some(stem) = known.get(term) {
            return use_stem(stem);
        }
        if known.len() >= MAX_REMEMBERED_STEMS {
            known.clear();
        }
        let stem = stems.stem(term);
        let used = use_stem(&stem);
        known.insert(term.to_string(), stem);
        used
    })
}

/// Words (a part's terms, or the stems of all parts) each numbered once as it is first met.
/// The map alone owns each word: [`Terms::into_names`] lists them by number at the end.
#[derive(Default)]
struct Terms(FxHashMap<String, u32>);

impl Terms {
    fn number(&mut self, term: &str) -> u32 {
        if let Some(&n) = self.0.get(term) {
            return n;
        }
        let n = self.0.len() as u32;
        self.0.insert(term.to_string(), n);
        n
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// The words, by number.
    fn into_names(self) -> Vec<String> {
        let mut names = vec![String::new(); self.0.len()];
        for (name, n) in self.0 {
            names[n as usize] = name;
        }
        names
    }
}

/// One occurrence of a term: its number, and its field's boost, negative in a long field.
type Occurrence = (u32, i32);

/// Analyses documents as one part, walking each text once: every occurrence is numbered by
/// its term, then terms are stemmed once each and the counts summed by stem.
pub(super) fn analyse_part(sources: Vec<Source>) -> (Head, Counts) {
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
    let terms = terms.into_names();
    let mut stems = Terms::default();
    let stem_of: Vec<Option<u32>> = terms
        .iter()
        .map(|t| (!is_stop_word(t)).then(|| with_stem(t, |stem| stems.number(stem))))
        .collect();
    let counts: Counts = occurrences
        .iter()
        .map(|seen| counts(seen, &stem_of))
        .collect();
    let mut df = vec![0; stems.len()];
    for &(stem, _, _) in counts.iter().flatten() {
        df[stem as usize] += 1;
    }
    let priors = sources.iter().map(|s| s.prior).collect();
    let head = Head {
        docs: sources.into_iter().map(|s| s.doc).collect(),
        priors,
        lens,
        df,
        terms: terms
            .into_iter()
            .zip(stem_of)
            .filter_map(|(t, s)| Some((t, s?)))
            .collect(),
        stems: stems.into_names(),
    };
    (head, counts)
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
    counts.dedup_by(|next, kept| {
        let same = next.0 == kept.0;
        if same {
            kept.1 += next.1;
            kept.2 += next.2;
        }
        same
    });
    counts.shrink_to_fit();
    counts
}

/// Every part's head in order, their stems numbered across all parts (in the order first
/// seen: the index sorts them by name when it is written).
#[derive(Default)]
struct Merged {
    docs: Vec<IndexedDoc>,
    /// Where the documents' rows are held; None when no scratch file can be made.
    spill: Option<Arc<Spill>>,
    priors: Vec<f64>,
    lens: Vec<u64>,
    df: Vec<u32>,
    /// Term -> its stem's number.
    terms: FxHashMap<String, u32>,
    stems: Terms,
}

impl Merged {
    /// Adds a part's head; gives the numbers its stems have across all parts.
    fn add(&mut self, head: Head) -> Vec<u32> {
        let ids: Vec<u32> = head.stems.iter().map(|s| self.stems.number(s)).collect();
        self.df.resize(self.stems.len(), 0);
        for (&id, df) in ids.iter().zip(head.df) {
            self.df[id as usize] += df;
        }
        for (term, stem) in head.terms {
            self.terms.entry(term).or_insert(ids[stem as usize]);
        }
        self.docs
            .extend(IndexedDoc::hold_all(head.docs, self.spill.as_ref()));
        self.priors.extend(head.priors);
        self.lens.extend(head.lens);
        ids
    }
}

/// A part whose head is merged, waiting for its counts to be weighed.
struct Waiting<C> {
    /// The number of the part's first document across all parts.
    first: usize,
    /// The part's stem numbers across all parts, by its own.
    ids: Vec<u32>,
    counts: C,
}

/// Parts whose counts are weighed at once, in parallel; their weights are added in order.
const PARTS_AT_ONCE: usize = 32;

/// Weighs the documents of `parts` (a few at a time), numbered in the order the parts come,
/// in two passes: every head first (the document frequencies and average lengths of all parts
/// decide each weight), then each part's counts, which `counts` gives only then. So a portal's
/// counts are never all held at once: a part whose counts the render cache holds is read back.
pub(super) fn weigh<C: Send>(
    mut parts: impl Iterator<Item = Vec<(Head, C)>> + Send,
    counts: impl Fn(C) -> Counts + Sync,
    entities: Vec<Facet>,
) -> Index {
    let mut merged = Merged {
        spill: Spill::new(),
        ..Merged::default()
    };
    let mut waiting: Vec<Waiting<C>> = Vec::new();
    let mut next = parts.next();
    while let Some(made) = next {
        // One thread merges these heads while the others make the next few parts.
        next = rayon::join(
            || parts.next(),
            || {
                for (head, counts) in made {
                    let first = merged.docs.len();
                    let ids = merged.add(head);
                    waiting.push(Waiting { first, ids, counts });
                }
            },
        )
        .0;
    }
    let scale = Scale::of(&merged);
    let mut postings: Vec<Best> = vec![Best::default(); merged.stems.len()];
    let mut waiting = waiting.into_iter();
    let mut weighed: Vec<Vec<(u32, u32, u32)>> = Vec::new();
    loop {
        let chunk: Vec<Waiting<C>> = waiting.by_ref().take(PARTS_AT_ONCE).collect();
        if chunk.is_empty() {
            add_postings(&mut postings, weighed);
            break;
        }
        // One thread files the last chunk's postings while the others weigh this one.
        let last = std::mem::take(&mut weighed);
        weighed = rayon::join(
            || {
                chunk
                    .into_par_iter()
                    .map(|part| scale.weigh(part.first, &part.ids, counts(part.counts)))
                    .collect()
            },
            || add_postings(&mut postings, last),
        )
        .0;
    }
    let postings: Vec<Vec<(u32, u32)>> = postings.into_par_iter().map(Best::by_doc).collect();
    let Merged {
        docs, terms, stems, ..
    } = merged;
    let stems = stems.into_names();
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

/// What turns a document's counts into weights: each stem's idf, each document's prior and
/// length against the average of its class (entities, docs sections).
struct Scale<'a> {
    idf: Vec<f64>,
    priors: &'a [f64],
    lens: &'a [u64],
    /// Per document: the average length of its class.
    average: Vec<f64>,
}

impl Scale<'_> {
    fn of(merged: &Merged) -> Scale<'_> {
        let n = merged.docs.len() as f64;
        let idf = merged
            .df
            .iter()
            .map(|&d| (1.0 + (n - f64::from(d) + 0.5) / (f64::from(d) + 0.5)).ln())
            .collect();
        let is_docs: Vec<bool> = merged.docs.iter().map(|d| d.is_section).collect();
        let average_of = |docs: bool| {
            let (sum, count) = merged
                .lens
                .iter()
                .zip(&is_docs)
                .filter(|(_, &is)| is == docs)
                .fold((0u64, 0usize), |(sum, count), (len, _)| {
                    (sum + len, count + 1)
                });
            (sum as f64 / count.max(1) as f64).max(1.0)
        };
        let (entity, docs) = (average_of(false), average_of(true));
        Scale {
            idf,
            priors: &merged.priors,
            lens: &merged.lens,
            average: is_docs
                .iter()
                .map(|&is| if is { docs } else { entity })
                .collect(),
        }
    }

    /// `(stem, doc, weight)` of each count of a part whose first document is `first` and whose
    /// stems are `ids` across all parts.
    fn weigh(&self, first: usize, ids: &[u32], counts: Counts) -> Vec<(u32, u32, u32)> {
        let mut weighed = Vec::with_capacity(counts.iter().map(Vec::len).sum());
        for (doc, tf) in (first..).zip(counts) {
            let norm = 1.0 - B + B * self.lens[doc] as f64 / self.average[doc];
            for (stem, short, long) in tf {
                let stem = ids[stem as usize];
                let tf = f64::from(short) + f64::from(long) / norm;
                let w = (SCALE * self.priors[doc] * self.idf[stem as usize] * tf * (K1 + 1.0)
                    / (tf + K1))
                    .round()
                    .max(1.0) as u32;
                weighed.push((stem, doc as u32, w));
            }
        }
        weighed
    }
}

/// Files each weighed posting under its stem's best.
fn add_postings(postings: &mut [Best], weighed: Vec<Vec<(u32, u32, u32)>>) {
    for (stem, doc, w) in weighed.into_iter().flatten() {
        postings[stem as usize].add(doc, w);
    }
}

/// A posting as [`Best`] orders it: the greater the better, the heavier and, among equal
/// weights, the earlier document. The weight above the complement of the document in one
/// integer, so that each of the millions of comparisons is one instruction.
type Ranked = u64;

fn ranked(doc: u32, weight: u32) -> Ranked {
    (u64::from(weight) << 32) | u64::from(!doc)
}

/// `(doc, weight)` of a [`ranked`] posting.
fn posting(ranked: Ranked) -> (u32, u32) {
    (!(ranked as u32), (ranked >> 32) as u32)
}

/// Postings a stem holds before it is cut back to its [`MAX_POSTINGS`] best: an eighth more,
/// so that a common stem's list stays small and each cut is paid for by many appends.
const CUT_AT: usize = MAX_POSTINGS + MAX_POSTINGS / 8;

/// A stem's [`MAX_POSTINGS`] heaviest postings so far (the earlier document first among equal
/// weights), with room for an eighth more before they are cut back. Appending keeps a stem's
/// postings together in memory; a heap of the best, updated for each posting, spent most of
/// its time waiting for memory as it was re-ordered.
#[derive(Clone, Default)]
struct Best {
    list: Vec<Ranked>,
    /// The worst posting kept at the last cut: no posting that does not beat it can be kept.
    floor: Option<Ranked>,
}

impl Best {
    fn add(&mut self, doc: u32, weight: u32) {
        let posting = ranked(doc, weight);
        if self.floor.is_some_and(|floor| posting <= floor) {
            return;
        }
        if self.list.len() == self.list.capacity() {
            // Grown as a vector grows, but never past the cut.
            let room = (self.list.len() * 2).clamp(4, CUT_AT);
            self.list.reserve_exact(room - self.list.len());
        }
        self.list.push(posting);
        if self.list.len() >= CUT_AT {
            self.cut();
        }
    }

    /// Keeps the [`MAX_POSTINGS`] best.
    fn cut(&mut self) {
        if self.list.len() <= MAX_POSTINGS {
            return;
        }
        let (_, &mut worst, _) = self
            .list
            .select_nth_unstable_by(MAX_POSTINGS - 1, |a, b| b.cmp(a));
        self.list.truncate(MAX_POSTINGS);
        self.floor = Some(worst);
    }

    /// The postings `(doc, weight)` in document order.
    fn by_doc(mut self) -> Vec<(u32, u32)> {
        self.cut();
        let mut list: Vec<(u32, u32)> = self.list.into_iter().map(posting).collect();
        list.sort_unstable();
        list
    }
}

#[cfg(test)]
mod tests {
    use super::{Best, CUT_AT, MAX_POSTINGS};

    #[test]
    fn the_best_kept_while_adding_are_the_best_of_all() {
        // Weights with many ties, so the order among equals decides; documents in any order.
        let all: Vec<(u32, u32)> = (0..5_000u32)
            .map(|i| ((i * 7_919) % 5_000, (i * 31) % 97))
            .collect();
        let mut once = all.clone();
        once.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        once.truncate(MAX_POSTINGS);
        once.sort_unstable();
        let mut best = Best::default();
        for &(doc, w) in &all {
            best.add(doc, w);
        }
        assert!(best.list.capacity() <= CUT_AT);
        assert_eq!(best.by_doc(), once);
    }
}
