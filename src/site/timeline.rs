//! An entity's timeline: what the change history says happened to it (catalog edits, versions
//! per cluster, new problems, docs updates) and to what it depends on (`dependsOn`, marked as a dependency's),
//! newest first, at most [`MAX_ENTRIES`] with a link to the whole "What changed" page. Built from
//! the change history alone, so the page changes only when the history does.

use crate::catalog::{Catalog, Entity};
use crate::changes::{Change, State};
use serde::Serialize;
use std::collections::BTreeSet;

/// Entries shown on an entity page; the rest are on the "What changed" page.
pub(super) const MAX_ENTRIES: usize = 12;

#[derive(Debug, Serialize)]
pub(super) struct Timeline {
    pub entries: Vec<Entry>,
    /// Entries left out by the bound.
    pub more: usize,
}

#[derive(Debug, Serialize)]
pub(super) struct Entry {
    pub date: String,
    pub iso: String,
    /// The change kind's name (`version`) and label (`Version changed`).
    pub kind: &'static str,
    pub label: &'static str,
    /// `Deployment payments/ledger in prod-us: 2.9.8 → 2.10.5`; empty for added or removed.
    pub text: String,
    /// The dependency the change happened to; None for the entity's own changes.
    pub dependency: Option<Dependency>,
    /// The change set on the "What changed" page, root-relative.
    pub url: String,
}

#[derive(Debug, Serialize)]
pub(super) struct Dependency {
    pub title: String,
    pub url: String,
}

/// `e`'s timeline; None when the history holds nothing about it or its dependencies.
pub(super) fn timeline(catalog: &Catalog, state: &State, e: &Entity) -> Option<Timeline> {
    let own = e.key.to_string();
    let upstream: BTreeSet<String> = catalog
        .relations_of(&e.key)
        .filter(|r| r.kind == "dependsOn")
        .map(|r| r.target.to_string())
        .collect();
    let about = |c: &&Change| c.entity == own || upstream.contains(&c.entity);
    let parts = super::feed::parts_of(&state.history);
    let matching = state.history.iter().zip(parts).flat_map(|(set, part)| {
        let about_it = set.changes.iter().filter(about);
        about_it.map(move |c| (set, part, c))
    });
    let mut entries = Vec::new();
    let mut more = 0;
    for (set, part, c) in matching {
        if entries.len() == MAX_ENTRIES {
            more += 1;
            continue;
        }
        let dependency = (c.entity != own).then(|| {
            let key = crate::catalog::EntityRef::parse(&c.entity, None, "default").ok();
            let link = key.map(|k| crate::catalog::summary::link(catalog, &k));
            Dependency {
                title: c.title.clone(),
                // Empty for a dependency gone from the catalog: no page to link to.
                url: link
                    .filter(|l| l.resolved)
                    .map(|l| l.url)
                    .unwrap_or_default(),
            }
        });
        entries.push(Entry {
            date: crate::time::iso_date(set.at),
            iso: crate::time::iso_datetime(set.at),
            kind: c.change.name(),
            label: c.change.label(),
            text: super::feed::detail(c).unwrap_or_default(),
            dependency,
            url: super::feed::set_url(set, part),
        });
    }
    (!entries.is_empty()).then_some(Timeline { entries, more })
}
