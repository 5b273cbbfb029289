//! The relation pictures of an entity page: its neighbourhood, and on a System or Domain page
//! the map of the system's (or the domain's systems') parts. Boxes are coloured from what the
//! page already knows: errors in an entity's definition, warnings, failing scorecard checks
//! other than the one that reads the cluster snapshot (cluster health is in the heatmaps).
//!
//! Page budget: when a page's pictures together pass [`INLINE_SVG_MAX`] bytes of SVG, the
//! largest go to pages of their own (`<entity>/<picture id>/index.html`); the entity page keeps
//! a link and the picture's text alternative, the list of its relations.

use super::Shared;
use crate::catalog::summary::entity_url;
use crate::catalog::{Entity, EntityRef};
use crate::graphs::{Facts, Health, Picture};
use crate::scorecard::config::Check;
use serde::Serialize;

/// SVG bytes an entity page draws inline; past it the largest pictures move to their own page,
/// so that the page (its other cards, lists and the pictures' text) stays within 100 KB.
pub(super) const INLINE_SVG_MAX: usize = 40_000;

/// A picture as an entity page shows it: drawn, or as a link to its own page.
#[derive(Debug, Serialize)]
pub(super) struct Shown {
    #[serde(flatten)]
    picture: Picture,
    /// Page-relative link to the page drawing it, when it is not drawn here.
    own_page: Option<String>,
}

/// The pictures of `e`'s page, the largest moved out past [`INLINE_SVG_MAX`]; the moved ones
/// are noted in `shared` so their pages are rendered after the entity pages.
pub(super) fn shown(shared: &Shared<'_>, e: &Entity) -> Vec<Shown> {
    let pictures = pictures(shared, e, &super::root_prefix(&entity_url(&e.key)), "");
    let mut by_size: Vec<usize> = (0..pictures.len()).collect();
    by_size.sort_by_key(|&i| std::cmp::Reverse(pictures[i].svg.len()));
    let mut inline: usize = pictures.iter().map(|p| p.svg.len()).sum();
    let mut moved = vec![false; pictures.len()];
    for i in by_size {
        if inline <= INLINE_SVG_MAX {
            break;
        }
        inline -= pictures[i].svg.len();
        moved[i] = true;
    }
    pictures
        .into_iter()
        .zip(moved)
        .map(|(mut picture, moved)| {
            let own_page = moved.then(|| {
                if let Ok(mut list) = shared.moved_pictures.lock() {
                    list.push((e.key.clone(), picture.id.clone()));
                }
                picture.svg.clear();
                format!("{}/index.html", picture.id)
            });
            Shown { picture, own_page }
        })
        .collect()
}

/// Where a moved picture's page is written.
pub(super) fn own_page_path(e: &Entity, id: &str) -> String {
    let page = entity_url(&e.key);
    let dir = page.strip_suffix("/index.html").unwrap_or(&page);
    format!("{dir}/{id}/index.html")
}

/// The picture `id` of `e`, drawn for the page at `path` (its links start from there).
pub(super) fn own_page_picture(
    shared: &Shared<'_>,
    e: &Entity,
    id: &str,
    path: &str,
) -> Option<Picture> {
    // Its "+N more" box links to the lists on the entity page.
    let pictures = pictures(shared, e, &super::root_prefix(path), "../index.html");
    pictures.into_iter().find(|p| p.id == id)
}

/// The pictures `e`'s page shows, first the neighbourhood, their links starting from `root`
/// and their "+N more" links to the lists of the entity page at `page`; empty when there is
/// nothing to draw.
fn pictures(shared: &Shared<'_>, e: &Entity, root: &str, page: &str) -> Vec<Picture> {
    let health = |key: &EntityRef| health(shared, key);
    let facts = Facts {
        catalog: shared.catalog,
        config: &shared.config.graphs,
        health: &health,
        root,
    };
    let mut out = Vec::new();
    out.extend(crate::graphs::neighbourhood(
        &facts,
        &e.key,
        &format!("{page}#relations-title"),
    ));
    let systems: Vec<EntityRef> = match e.key.kind.as_str() {
        "system" => vec![e.key.clone()],
        "domain" => shared
            .catalog
            .relations_of(&e.key)
            .iter()
            .filter(|r| r.kind == "hasPart" && r.target.kind == "system")
            .map(|r| r.target.clone())
            .collect(),
        _ => Vec::new(),
    };
    if !systems.is_empty() {
        let more = format!("{page}#parts-title");
        out.extend(crate::graphs::system_map(&facts, &systems, &more));
    }
    out
}

fn health(shared: &Shared<'_>, key: &EntityRef) -> Health {
    let counts = shared
        .by_entity
        .get(&key.to_string())
        .map(|d| crate::diagnostics::Counts::of(d))
        .unwrap_or_default();
    if counts.errors > 0 {
        return Health::Broken;
    }
    // Cluster status is volatile and lives in status files; a check that reads it would make
    // every neighbour's page change with each snapshot.
    let volatile = [Check::RunningInCluster.id(), Check::HealthyInClusters.id()];
    let failing = shared
        .scorecards
        .as_ref()
        .and_then(|s| s.cards.get(key))
        .is_some_and(|card| {
            card.results.iter().any(|r| {
                r.outcome.status == crate::scorecard::Status::Fail && !volatile.contains(&r.id)
            })
        });
    if failing || counts.warnings > 0 {
        Health::Failing
    } else {
        Health::Good
    }
}
