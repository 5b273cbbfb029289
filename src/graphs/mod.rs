//! Relation pictures drawn at build time: an entity's neighbourhood and a system map, as
//! static SVG with the same relations as a list beside it (the text alternative). Catalog and
//! page facts go in (relations, health, tiers), a [`Picture`] comes out for a template to
//! place: selection (`select`), then layout (`layout`), then markup (`draw`).
//!
//! The layout is our own small layered one: layout-rs (which draws Graphviz fences) took
//! 24 ms for a 40-node picture, over the 20 ms budget, and writes links we could not keep.

/// The stage's settings, read with the rest of site.toml.
pub use crate::config::graphs as config;
mod draw;
pub mod layout;
pub mod select;

use crate::catalog::{Catalog, Entity, EntityRef};
pub use config::GraphsConfig;
use select::{Edge, Selection};
use serde::Serialize;

/// How healthy an entity is, for its box's colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Nothing known against it.
    Good,
    /// Failing scorecard checks or warnings.
    Failing,
    /// Errors in its definition or its workloads.
    Broken,
    /// Not in the catalog: a dangling reference.
    Missing,
}

impl Health {
    fn class(self) -> &'static str {
        match self {
            Health::Good => "health-ok",
            Health::Failing => "health-warn",
            Health::Broken => "health-bad",
            Health::Missing => "health-missing",
        }
    }
}

/// What a page knows that a picture shows.
pub struct Facts<'a> {
    pub catalog: &'a Catalog,
    pub config: &'a GraphsConfig,
    pub health: &'a (dyn Fn(&EntityRef) -> Health + Sync),
    /// `../` to the output root from the page.
    pub root: &'a str,
}

/// An entity as the list beside a picture names it; `url` is root-relative.
#[derive(Debug, Serialize)]
pub struct Named {
    pub title: String,
    pub url: Option<String>,
}

/// One relation of the picture, said from the entity it starts from: `phrase` `to`.
#[derive(Debug, Serialize)]
pub struct Told {
    pub phrase: &'static str,
    pub to: Named,
    /// A dependency on a less critical tier.
    pub warning: bool,
}

/// The relations of one entity, as the list beside a picture says them: `from`, then each
/// phrase and entity (the subject is not repeated on every line).
#[derive(Debug, Serialize)]
pub struct Said {
    pub from: Named,
    pub relations: Vec<Told>,
}

/// Bytes a page gives its pictures (markup and list): past it, a picture is drawn again with
/// fewer boxes, so that a page stays well inside its 100 KB.
const PICTURE_BUDGET: usize = 36_000;
/// What a line of the list costs, about, in bytes.
const LINE_BYTES: usize = 120;

/// A picture and its text alternative.
#[derive(Debug, Serialize)]
pub struct Picture {
    pub id: String,
    pub svg: String,
    /// Every drawn relation, by the entity it starts from.
    pub said: Vec<Said>,
    pub relations: usize,
    /// Entities the cap left out; the "+N more" box links to `more_url`.
    pub left_out: usize,
    pub more_url: String,
    pub nodes: usize,
    pub warnings: usize,
}

/// `subject`'s neighbourhood; None when it has no relation to draw or pictures are off.
pub fn neighbourhood(facts: &Facts<'_>, subject: &EntityRef, more_url: &str) -> Option<Picture> {
    within_budget(facts, |cap| {
        let selection = select::neighbourhood(facts.catalog, subject, cap);
        picture(
            facts,
            selection,
            Some(subject),
            "graph-near",
            more_url,
            false,
        )
    })
}

/// The map of `systems`' parts; None when they have no parts.
pub fn system_map(facts: &Facts<'_>, systems: &[EntityRef], more_url: &str) -> Option<Picture> {
    within_budget(facts, |cap| {
        let selection = select::system_map(facts.catalog, systems, cap);
        picture(
            facts,
            selection,
            None,
            "graph-map",
            more_url,
            systems.len() > 1,
        )
    })
}

/// The picture `draw` makes with the configured cap, or with fewer boxes when that one is
/// over [`PICTURE_BUDGET`] (one box is kept for "+N more").
fn within_budget(facts: &Facts<'_>, draw: impl Fn(usize) -> Option<Picture>) -> Option<Picture> {
    let mut cap = facts.config.max_nodes.max(3) - 1;
    loop {
        let picture = draw(cap)?;
        let bytes = picture.svg.len() + picture.relations * LINE_BYTES;
        if bytes <= PICTURE_BUDGET || cap <= 8 {
            return Some(picture);
        }
        cap = cap * 3 / 4;
    }
}

fn picture(
    facts: &Facts<'_>,
    selection: Selection,
    subject: Option<&EntityRef>,
    id: &str,
    more_url: &str,
    by_system: bool,
) -> Option<Picture> {
    // Two boxes and a line say no more than the relations list below them.
    if !facts.config.enabled || selection.nodes.len() < 3 || selection.edges.is_empty() {
        return None;
    }
    let catalog = facts.catalog;
    let tiers: Vec<Option<u32>> = selection
        .nodes
        .iter()
        .map(|n| catalog.get(n).and_then(|e| tier(e, &facts.config.tier_key)))
        .collect();
    let warns = |e: &Edge| {
        matches!(e.kind, "dependsOn" | "consumesApi")
            && matches!((tiers[e.from], tiers[e.to]), (Some(a), Some(b)) if a < b)
    };
    let mut boxes: Vec<draw::Box> = selection
        .nodes
        .iter()
        .map(|n| node_box(facts, n, subject == Some(n), by_system))
        .collect();
    let mut lines: Vec<draw::Line> = selection
        .edges
        .iter()
        .map(|e| draw::Line {
            from: e.from,
            to: e.to,
            classes: format!(
                "edge-{}{}",
                e.kind,
                if warns(e) { " edge-warn" } else { "" }
            ),
        })
        .collect();
    let mut graph_edges: Vec<(usize, usize)> =
        selection.edges.iter().map(|e| (e.from, e.to)).collect();
    if selection.left_out > 0 {
        boxes.push(draw::Box {
            title: format!("+{} more", selection.left_out),
            subtitle: "see the full list".to_string(),
            href: Some(more_url.to_string()),
            classes: "node-more".to_string(),
        });
        // Beside the subject (or the first part), where the eye starts.
        let more = boxes.len() - 1;
        graph_edges.push((0, more));
        lines.push(draw::Line {
            from: 0,
            to: more,
            classes: "edge-more".to_string(),
        });
    }
    let laid = layout::layered(boxes.len(), &graph_edges);
    let sentences: Vec<(Named, Told)> = selection
        .edges
        .iter()
        .map(|e| sentence(catalog, &selection.nodes, e, warns(e)))
        .collect();
    let relations = sentences.len();
    Some(Picture {
        id: id.to_string(),
        svg: draw::svg(id, &boxes, &lines, &laid),
        said: group(sentences),
        relations,
        left_out: selection.left_out,
        more_url: more_url.to_string(),
        nodes: boxes.len(),
        warnings: selection.edges.iter().filter(|e| warns(e)).count(),
    })
}

fn node_box(facts: &Facts<'_>, key: &EntityRef, is_subject: bool, by_system: bool) -> draw::Box {
    let health = match facts.catalog.get(key) {
        Some(_) => (facts.health)(key),
        None => Health::Missing,
    };
    let mut classes = format!("kind-{} {}", key.kind, health.class());
    if is_subject {
        classes.push_str(" node-self");
    }
    let Some(e) = facts.catalog.get(key) else {
        return draw::Box {
            title: key.to_string(),
            subtitle: "not in the catalog".to_string(),
            href: None,
            classes,
        };
    };
    let catalog = facts.catalog;
    let detail = if by_system {
        let system = crate::catalog::summary::first_target(catalog, key, "partOf", None);
        system.map(|s| {
            catalog
                .get(s)
                .map_or(s.name.as_str(), |found| found.title())
        })
    } else {
        e.spec_str("type")
    };
    let subtitle = match detail {
        Some(d) if !d.is_empty() => format!("{} · {d}", e.kind),
        _ => e.kind.clone(),
    };
    let href = (!is_subject)
        .then(|| format!("{}{}", facts.root, crate::catalog::summary::entity_url(key)));
    draw::Box {
        title: e.title().to_string(),
        subtitle,
        href,
        classes,
    }
}

/// How the list beside a picture says an edge, and whether it reads against the arrow.
fn phrase(kind: &str) -> (&'static str, bool) {
    match kind {
        "dependsOn" => ("depends on", false),
        "consumesApi" => ("consumes", false),
        "providesApi" => ("provides", true),
        "partOf" => ("is part of", false),
        "childOf" => ("is a sub-team of", false),
        "ownedBy" => ("is owned by", false),
        _ => ("is related to", false),
    }
}

fn sentence(catalog: &Catalog, nodes: &[EntityRef], e: &Edge, warning: bool) -> (Named, Told) {
    let named = |key: &EntityRef| match catalog.get(key) {
        Some(entity) => Named {
            title: entity.title().to_string(),
            url: Some(crate::catalog::summary::entity_url(key)),
        },
        None => Named {
            title: key.to_string(),
            url: None,
        },
    };
    let (phrase, against) = phrase(e.kind);
    let (a, b) = if against {
        (e.to, e.from)
    } else {
        (e.from, e.to)
    };
    let told = Told {
        phrase,
        to: named(&nodes[b]),
        warning,
    };
    (named(&nodes[a]), told)
}

/// Sentences by the entity they start from, in the order of their first sentence.
fn group(sentences: Vec<(Named, Told)>) -> Vec<Said> {
    let mut said: Vec<Said> = Vec::new();
    for (from, told) in sentences {
        let same = |g: &&mut Said| g.from.title == from.title && g.from.url == from.url;
        match said.iter_mut().find(same) {
            Some(g) => g.relations.push(told),
            None => said.push(Said {
                from,
                relations: vec![told],
            }),
        }
    }
    said
}

/// The tier an entity's labels or annotations give, as a number ("1", "tier-2", "T3").
pub fn tier(e: &Entity, key: &str) -> Option<u32> {
    // `key` itself, or `key` after a prefix's slash.
    let names = |k: &str| {
        k.strip_suffix(key)
            .is_some_and(|prefix| prefix.is_empty() || prefix.ends_with('/'))
    };
    let metadata = e.value.get("metadata")?;
    ["labels", "annotations"].iter().find_map(|field| {
        let map = metadata.get(field)?.as_object()?;
        let (_, value) = map.iter().find(|(k, _)| names(k))?;
        let value = value.as_str()?;
        let digits = value.trim_start_matches(|c: char| !c.is_ascii_digit());
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        digits[..end].parse().ok()
    })
}

#[cfg(test)]
mod tests;
