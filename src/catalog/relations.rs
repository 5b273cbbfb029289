//! Relations, both directions, from the spec fields of Backstage's built-in kinds. Targets
//! that are not in the catalog are kept (and reported), as Backstage keeps them.

use super::refs::EntityRef;
use super::yaml::Seg;
use super::Entity;
use crate::frozen::Fields;
use rustc_hash::FxHashMap;

/// One spec field that names other entities, and the relation pair it produces.
struct RelationField {
    kinds: &'static [&'static str],
    field: &'static str,
    default_kind: Option<&'static str>,
    forward: &'static str,
    reverse: &'static str,
}

const FIELDS: &[RelationField] = &[
    RelationField {
        kinds: &[
            "Component",
            "API",
            "Resource",
            "System",
            "Domain",
            "Template",
        ],
        field: "owner",
        default_kind: Some("Group"),
        forward: "ownedBy",
        reverse: "ownerOf",
    },
    RelationField {
        kinds: &["Component", "API", "Resource"],
        field: "system",
        default_kind: Some("System"),
        forward: "partOf",
        reverse: "hasPart",
    },
    RelationField {
        kinds: &["Component"],
        field: "subcomponentOf",
        default_kind: Some("Component"),
        forward: "partOf",
        reverse: "hasPart",
    },
    RelationField {
        kinds: &["System"],
        field: "domain",
        default_kind: Some("Domain"),
        forward: "partOf",
        reverse: "hasPart",
    },
    RelationField {
        kinds: &["Domain"],
        field: "subdomainOf",
        default_kind: Some("Domain"),
        forward: "partOf",
        reverse: "hasPart",
    },
    RelationField {
        kinds: &["Component"],
        field: "providesApis",
        default_kind: Some("API"),
        forward: "providesApi",
        reverse: "apiProvidedBy",
    },
    RelationField {
        kinds: &["Component"],
        field: "consumesApis",
        default_kind: Some("API"),
        forward: "consumesApi",
        reverse: "apiConsumedBy",
    },
    RelationField {
        kinds: &["Component", "Resource"],
        field: "dependsOn",
        default_kind: None,
        forward: "dependsOn",
        reverse: "dependencyOf",
    },
    RelationField {
        kinds: &["Component", "Resource"],
        field: "dependencyOf",
        default_kind: None,
        forward: "dependencyOf",
        reverse: "dependsOn",
    },
    RelationField {
        kinds: &["User"],
        field: "memberOf",
        default_kind: Some("Group"),
        forward: "memberOf",
        reverse: "hasMember",
    },
    RelationField {
        kinds: &["Group"],
        field: "parent",
        default_kind: Some("Group"),
        forward: "childOf",
        reverse: "parentOf",
    },
    RelationField {
        kinds: &["Group"],
        field: "children",
        default_kind: Some("Group"),
        forward: "parentOf",
        reverse: "childOf",
    },
    RelationField {
        kinds: &["Group"],
        field: "members",
        default_kind: Some("User"),
        forward: "hasMember",
        reverse: "memberOf",
    },
];

/// A directed relation from an entity (the one [`super::Catalog::relations_of`] was asked
/// about) to another: the other end's ref is borrowed from the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Relation<'a> {
    pub kind: &'static str,
    pub target: &'a EntityRef,
}

/// A relation as the catalog keeps it: its target as an [`End`]. A catalog of 10,000
/// repositories has some 160,000 relations; as refs, their targets were three strings each.
#[derive(Clone, Debug)]
pub(super) struct Kept {
    kind: &'static str,
    target: End,
}

/// A run of kept relations, read as [`Relation`]s.
#[derive(Clone)]
pub struct Relations<'a> {
    kept: std::slice::Iter<'a, Kept>,
    entities: &'a [Entity],
}

impl<'a> Relations<'a> {
    pub(super) fn new(kept: &'a [Kept], entities: &'a [Entity]) -> Self {
        Relations {
            kept: kept.iter(),
            entities,
        }
    }
}

impl<'a> Iterator for Relations<'a> {
    type Item = Relation<'a>;

    fn next(&mut self) -> Option<Relation<'a>> {
        let kept = self.kept.next()?;
        Some(Relation {
            kind: kept.kind,
            target: kept.target.key(self.entities),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.kept.size_hint()
    }
}

impl ExactSizeIterator for Relations<'_> {}

/// One end of a relation, as the relations are sorted and kept: an entity of the catalog by
/// its position, or a reference to one the catalog does not hold. A sixth of the size of a
/// reference, and no copy of its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum End {
    Held(u32),
    Dangling(Box<EntityRef>),
}

impl End {
    fn of(target: EntityRef, index: &FxHashMap<EntityRef, usize>) -> End {
        match index.get(&target) {
            Some(&i) => End::Held(i as u32),
            None => End::Dangling(Box::new(target)),
        }
    }

    pub(super) fn key<'a>(&'a self, entities: &'a [Entity]) -> &'a EntityRef {
        match self {
            End::Held(i) => &entities[*i as usize].key,
            End::Dangling(key) => key,
        }
    }
}

/// Every relation, sorted by source, then kind, then target, without repeats: the relations
/// themselves, and each source with where its run of them ends.
pub(super) struct Sorted {
    pub relations: Vec<Kept>,
    pub sources: Vec<(End, u32)>,
}

/// A reference an entity writes in its spec, before it is looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Outgoing {
    pub field: &'static str,
    pub path: Vec<Seg>,
    pub forward: &'static str,
    pub reverse: &'static str,
    pub target: Result<EntityRef, String>,
}

/// Every reference in an entity's spec, in field order.
pub(super) fn outgoing(entity: &Entity) -> Vec<Outgoing> {
    outgoing_of(&entity.kind, &entity.namespace, &entity.value)
}

/// Every reference in the spec of a document of `kind` in `namespace`, in field order.
pub(super) fn outgoing_of<T: Fields>(kind: &str, namespace: &str, document: &T) -> Vec<Outgoing> {
    let spec = document.field("spec");
    let mut out = Vec::new();
    for f in FIELDS.iter().filter(|f| f.kinds.contains(&kind)) {
        let Some(value) = spec.and_then(|s| s.field(f.field)) else {
            continue;
        };
        let mut push = |text: &str, path: Vec<Seg>| {
            out.push(Outgoing {
                field: f.field,
                path,
                forward: f.forward,
                reverse: f.reverse,
                target: EntityRef::parse(text, f.default_kind, namespace),
            });
        };
        let base = vec![Seg::key("spec"), Seg::key(f.field)];
        if let Some(s) = value.text() {
            // Backstage skips a field whose value is falsy: an empty string names nothing.
            if !s.is_empty() {
                push(s, base);
            }
        } else if let Some(items) = value.items() {
            for (i, item) in items.iter().enumerate() {
                if let Some(s) = item.text() {
                    let mut path = base.clone();
                    path.push(Seg::Index(i));
                    push(s, path);
                }
            }
        }
    }
    out
}

/// Both directions of every valid reference, sorted and without repeats. `index` gives each
/// entity's position by its ref.
pub(super) fn relations(entities: &[Entity], index: &FxHashMap<EntityRef, usize>) -> Sorted {
    // Sorted as ends, not refs: a large catalog's relations are tens of megabytes as refs.
    let mut all: Vec<(End, &'static str, End)> = Vec::new();
    for (i, entity) in entities.iter().enumerate() {
        for o in outgoing(entity) {
            if let Ok(target) = o.target {
                let (source, target) = (End::Held(i as u32), End::of(target, index));
                all.push((source.clone(), o.forward, target.clone()));
                all.push((target, o.reverse, source));
            }
        }
    }
    // Equal relations are identical, so an unstable sort orders them as a stable one would,
    // without a scratch copy.
    all.sort_unstable_by(|a, b| {
        let (a_source, b_source) = (a.0.key(entities), b.0.key(entities));
        let (a_target, b_target) = (a.2.key(entities), b.2.key(entities));
        (a_source, a.1, a_target).cmp(&(b_source, b.1, b_target))
    });
    all.dedup();
    // Given back before the relations kept are made: both are alive until the loop ends.
    all.shrink_to_fit();
    let mut sorted = Sorted {
        relations: Vec::with_capacity(all.len()),
        sources: Vec::new(),
    };
    for (source, kind, target) in all {
        sorted.relations.push(Kept { kind, target });
        let end = sorted.relations.len() as u32;
        match sorted.sources.last_mut() {
            Some((last, run_end)) if *last == source => *run_end = end,
            _ => sorted.sources.push((source, end)),
        }
    }
    sorted.sources.shrink_to_fit();
    sorted
}
