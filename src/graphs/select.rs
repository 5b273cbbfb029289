//! Which entities and relations a picture shows: an entity's neighbourhood (its own relations,
//! then the dependency and API relations of its components, APIs and resources) or a system
//! map (the parts of one or more systems and what they depend on). Nodes are ranked — nearest
//! and most telling relation first, then by ref — and cut at the cap, so the choice is
//! deterministic; edges are turned to one direction per relation and transitive ones reduced.

use crate::catalog::{Catalog, EntityRef};
use std::collections::{BTreeSet, HashMap, HashSet};

/// Relations a neighbourhood follows from the entity itself, most telling first, each with
/// the direction it is drawn in: `true` when the picture's edge runs from target to source.
const NEAR: &[(&str, &str, bool)] = &[
    ("dependsOn", "dependsOn", false),
    ("dependencyOf", "dependsOn", true),
    ("consumesApi", "consumesApi", false),
    ("apiConsumedBy", "consumesApi", true),
    // An API points at its provider, so that a picture reads consumer → API → provider.
    ("providesApi", "providesApi", true),
    ("apiProvidedBy", "providesApi", false),
    ("partOf", "partOf", false),
    ("hasPart", "partOf", true),
    ("childOf", "childOf", false),
    ("parentOf", "childOf", true),
    ("ownedBy", "ownedBy", false),
    ("ownerOf", "ownedBy", true),
];

/// Relations followed on the second hop: dependencies and APIs only, so that a team or a
/// system met on the first hop does not pull in everything it owns.
const FAR: &[&str] = &[
    "dependsOn",
    "dependencyOf",
    "consumesApi",
    "apiConsumedBy",
    "providesApi",
    "apiProvidedBy",
];

/// Kinds whose dependencies are followed on the second hop.
const FOLLOWED: &[&str] = &["component", "api", "resource"];

/// One directed edge of a picture, by node index, with its relation's forward name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: &'static str,
}

/// What a picture shows, before layout: its nodes (the subject first, when it has one) and
/// edges, and how many candidates the cap left out.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub nodes: Vec<EntityRef>,
    pub edges: Vec<Edge>,
    pub left_out: usize,
}

/// The drawn name and direction of a catalog relation, if pictures show it.
fn drawn(kind: &str) -> Option<(&'static str, bool)> {
    NEAR.iter()
        .find(|(k, _, _)| *k == kind)
        .map(|&(_, name, turned)| (name, turned))
}

fn rank_of(kind: &str) -> usize {
    NEAR.iter()
        .position(|(k, _, _)| *k == kind)
        .unwrap_or(NEAR.len())
}

/// `subject`'s neighbourhood over two hops, at most `cap` nodes.
pub fn neighbourhood(catalog: &Catalog, subject: &EntityRef, cap: usize) -> Selection {
    let first = catalog.relations_of(subject);
    let first = first.filter(|r| drawn(r.kind).is_some() && r.target != subject);
    let mut seen: HashSet<&EntityRef> = HashSet::from([subject]);
    // The whole first hop: the second starts from every node of it.
    let (near, _) = nearest(
        first.map(|r| (rank_of(r.kind), r.target)),
        &seen,
        usize::MAX,
    );
    let mut order: Vec<&EntityRef> = vec![subject];
    order.extend(near);
    seen.extend(order.iter().copied());
    let mut second = Vec::new();
    for near in &order[1..] {
        if !FOLLOWED.contains(&near.kind.as_str()) {
            continue;
        }
        let onward = catalog.relations_of(near);
        let onward = onward.filter(|r| FAR.contains(&r.kind) && !seen.contains(&r.target));
        second.extend(onward.map(|r| (rank_of(r.kind), r.target)));
    }
    let room = cap.saturating_sub(order.len());
    let (far, candidates) = nearest(second.into_iter(), &seen, room);
    let left_out = (order.len() + candidates).saturating_sub(cap);
    order.extend(far);
    let mut selection = finish(catalog, order, cap);
    selection.left_out = left_out;
    // Ownership and membership of the other boxes would tie each one to the team and the
    // system; the page's entity's own are the ones worth a line.
    selection
        .edges
        .retain(|e| FAR.contains(&e.kind) || e.from == 0 || e.to == 0);
    selection
}

/// The first `limit` targets of `candidates` (rank, target) not in `seen`, each once, nearest
/// first (by their best rank, then by ref), and how many distinct targets there were. A hub's
/// second hop has thousands of candidates, of which a picture shows a few dozen: they are
/// hashed, and only those shown are sorted.
fn nearest<'a>(
    candidates: impl Iterator<Item = (usize, &'a EntityRef)>,
    seen: &HashSet<&EntityRef>,
    limit: usize,
) -> (Vec<&'a EntityRef>, usize) {
    let mut best: HashMap<&EntityRef, usize> = HashMap::new();
    for (rank, target) in candidates.filter(|(_, t)| !seen.contains(t)) {
        let kept = best.entry(target).or_insert(rank);
        *kept = (*kept).min(rank);
    }
    let total = best.len();
    let mut ranked: Vec<(usize, &EntityRef)> = best.into_iter().map(|(t, r)| (r, t)).collect();
    if limit < ranked.len() {
        if limit > 0 {
            ranked.select_nth_unstable(limit - 1);
        }
        ranked.truncate(limit);
    }
    ranked.sort_unstable();
    (ranked.into_iter().map(|(_, t)| t).collect(), total)
}

/// The parts of `systems` (components, APIs, resources) and the entities they depend on or
/// consume outside them, at most `cap` nodes; parts come first, grouped by system.
pub fn system_map(catalog: &Catalog, systems: &[EntityRef], cap: usize) -> Selection {
    let mut parts: Vec<&EntityRef> = Vec::new();
    for system in systems {
        let mut own: Vec<&EntityRef> = catalog
            .relations_of(system)
            .filter(|r| r.kind == "hasPart" && FOLLOWED.contains(&r.target.kind.as_str()))
            .map(|r| r.target)
            .collect();
        own.sort();
        parts.extend(own);
    }
    let mut seen: BTreeSet<&EntityRef> = BTreeSet::new();
    let mut order: Vec<&EntityRef> = parts.into_iter().filter(|p| seen.insert(p)).collect();
    let mut outside: Vec<&EntityRef> = Vec::new();
    for part in &order {
        let onward = catalog.relations_of(part);
        let onward = onward.filter(|r| matches!(r.kind, "dependsOn" | "consumesApi"));
        outside.extend(onward.map(|r| r.target).filter(|t| !seen.contains(t)));
    }
    outside.sort();
    order.extend(
        outside
            .into_iter()
            .filter(|t| seen.insert(t))
            .collect::<Vec<_>>(),
    );
    finish(catalog, order, cap)
}

/// The first `cap` nodes of `order` with the edges between them.
fn finish(catalog: &Catalog, order: Vec<&EntityRef>, cap: usize) -> Selection {
    let left_out = order.len().saturating_sub(cap);
    let nodes: Vec<EntityRef> = order.into_iter().take(cap).cloned().collect();
    let index: HashMap<&EntityRef, usize> = nodes.iter().enumerate().map(|(i, n)| (n, i)).collect();
    let mut edges = BTreeSet::new();
    for (i, node) in nodes.iter().enumerate() {
        for r in catalog.relations_of(node) {
            let (Some(&j), Some((kind, turned))) = (index.get(&r.target), drawn(r.kind)) else {
                continue;
            };
            if i == j {
                continue;
            }
            let (from, to) = if turned { (j, i) } else { (i, j) };
            edges.insert(Edge { from, to, kind });
        }
    }
    Selection {
        nodes,
        edges: reduce_transitive(edges.into_iter().collect()),
        left_out,
    }
}

/// Drops an edge when a longer path of the same relation joins its ends (a dependsOn b,
/// b dependsOn c: a dependsOn c adds nothing to the picture).
pub fn reduce_transitive(edges: Vec<Edge>) -> Vec<Edge> {
    let reachable_without = |skip: &Edge| -> bool {
        let mut stack = vec![skip.from];
        let mut visited = BTreeSet::from([skip.from]);
        while let Some(node) = stack.pop() {
            for e in edges
                .iter()
                .filter(|e| e.from == node && e.kind == skip.kind)
            {
                if e == skip {
                    continue;
                }
                if e.to == skip.to {
                    return true;
                }
                if visited.insert(e.to) {
                    stack.push(e.to);
                }
            }
        }
        false
    };
    edges
        .iter()
        .filter(|e| !reachable_without(e))
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(from: usize, to: usize) -> Edge {
        Edge {
            from,
            to,
            kind: "dependsOn",
        }
    }

    #[test]
    fn a_shortcut_of_the_same_relation_is_reduced() {
        let edges = vec![edge(0, 1), edge(1, 2), edge(0, 2), edge(2, 3)];
        assert_eq!(
            reduce_transitive(edges),
            vec![edge(0, 1), edge(1, 2), edge(2, 3)]
        );
    }

    #[test]
    fn a_path_of_another_relation_keeps_the_edge() {
        let owned = Edge {
            kind: "ownedBy",
            ..edge(0, 2)
        };
        let edges = vec![edge(0, 1), edge(1, 2), owned];
        assert_eq!(reduce_transitive(edges.clone()), edges);
    }

    #[test]
    fn a_cycle_keeps_its_edges() {
        let edges = vec![edge(0, 1), edge(1, 0)];
        assert_eq!(reduce_transitive(edges.clone()), edges);
    }
}
