//! Relations, both directions, from the spec fields of Backstage's built-in kinds. Targets
//! that are not in the catalog are kept (and reported), as Backstage keeps them.

use super::refs::EntityRef;
use super::yaml::Seg;
use super::Entity;
use crate::frozen::Fields;

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

/// A directed relation between two entities.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Relation {
    pub source: EntityRef,
    pub kind: &'static str,
    pub target: EntityRef,
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

/// Both directions of every valid reference, sorted and without repeats.
pub(super) fn relations(entities: &[Entity]) -> Vec<Relation> {
    // Sized before it is filled: a large catalog's relations are tens of megabytes, and a
    // vector grown by doubling holds both copies at once, at the catalog's peak of memory.
    let resolved = |e| outgoing(e).into_iter().filter(|o| o.target.is_ok());
    let count: usize = entities.iter().map(|e| resolved(e).count()).sum();
    let mut all = Vec::with_capacity(2 * count);
    for entity in entities {
        for o in outgoing(entity) {
            if let Ok(target) = o.target {
                all.push(Relation {
                    source: entity.key.clone(),
                    kind: o.forward,
                    target: target.clone(),
                });
                all.push(Relation {
                    source: target,
                    kind: o.reverse,
                    target: entity.key.clone(),
                });
            }
        }
    }
    // Equal relations are identical, so an unstable sort orders them as a stable one would,
    // without a scratch copy.
    all.sort_unstable();
    all.dedup();
    all.shrink_to_fit();
    all
}
