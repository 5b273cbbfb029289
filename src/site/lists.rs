//! The full lists an entity page bounds: what a team owns and a system's parts. The entity page
//! shows the first [`SHOWN`] rows; the whole list has pages of its own beside it
//! (`<entity>/owned/index.html`, `owned/2/index.html`, …), [`ROWS_PER_PAGE`] rows each, so that
//! a team of hundreds of entities stays within the page budget and readable without script.

use crate::catalog::summary::{summary, EntitySummary};
use crate::catalog::{Catalog, Entity};
use serde_json::{json, Value};

/// Rows of a list on the entity page.
pub(super) const SHOWN: usize = 25;
/// Rows on each page of a full list.
const ROWS_PER_PAGE: usize = 80;

/// A list an entity page bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum List {
    /// What a Group or User owns (`ownerOf`).
    Owned,
    /// What is part of a System or Domain (`hasPart`).
    Parts,
}

impl List {
    fn relation(self) -> &'static str {
        match self {
            List::Owned => "ownerOf",
            List::Parts => "hasPart",
        }
    }

    fn dir(self) -> &'static str {
        match self {
            List::Owned => "owned",
            List::Parts => "parts",
        }
    }

    /// The list's title, as its page and the entity page's heading name it.
    pub(super) fn title(self, e: &Entity) -> &'static str {
        match (self, e.key.kind.as_str()) {
            (List::Owned, _) => "Owned entities",
            (List::Parts, "domain") => "Systems in this domain",
            (List::Parts, _) => "Parts of this system",
        }
    }
}

/// Every entity of `list`, in the catalog's relation order.
pub(super) fn entities(catalog: &Catalog, e: &Entity, list: List) -> Vec<EntitySummary> {
    crate::catalog::summary::targets(catalog, &e.key, list.relation())
        .into_iter()
        .filter_map(|t| catalog.get(t))
        .map(|t| summary(catalog, t))
        .collect()
}

/// Where page `part` (from 0) of `e`'s `list` is written.
pub(super) fn path(e: &Entity, list: List, part: usize) -> String {
    let dir = format!("{}/{}", e.key.page_dir(), list.dir());
    match part {
        0 => format!("{dir}/index.html"),
        n => format!("{dir}/{}/index.html", n + 1),
    }
}

/// The pages of full lists the catalog needs: (entity, list, part) for each list longer than
/// the entity page shows.
pub(super) fn pages(catalog: &Catalog) -> Vec<(&Entity, List, usize)> {
    let mut out = Vec::new();
    for e in &catalog.entities {
        for list in [List::Owned, List::Parts] {
            let n = crate::catalog::summary::targets(catalog, &e.key, list.relation()).len();
            if n > SHOWN {
                out.extend((0..n.div_ceil(ROWS_PER_PAGE)).map(|part| (e, list, part)));
            }
        }
    }
    out
}

/// The context of page `part` of `e`'s `list`: its rows, which rows they are, and the pages.
pub(super) fn context(catalog: &Catalog, e: &Entity, list: List, part: usize) -> Value {
    let all = entities(catalog, e, list);
    let total = all.len();
    let pages = total.div_ceil(ROWS_PER_PAGE);
    let rows: Vec<EntitySummary> = all
        .into_iter()
        .skip(part * ROWS_PER_PAGE)
        .take(ROWS_PER_PAGE)
        .collect();
    let last = part * ROWS_PER_PAGE + rows.len();
    let pager: Vec<Value> = (0..pages)
        .map(|n| json!({ "n": n + 1, "url": path(e, list, n), "current": n == part }))
        .collect();
    json!({
        "title": list.title(e),
        "kind": list.dir(),
        "entities": rows,
        "first": part * ROWS_PER_PAGE + 1,
        "last": last,
        "total": total,
        "pager": if pages > 1 { pager } else { Vec::new() },
    })
}
