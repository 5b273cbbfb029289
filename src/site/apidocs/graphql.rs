//! GraphQL SDL as a reference page: the root operations (Query, Mutation, Subscription, or the
//! types a `schema { }` block names) first, then every other type by kind (object, input,
//! interface, union, enum, scalar) and name. `extend` blocks are merged into their type.

use super::{markdown, Anchors, Built, Invalid, Reference, TocEntry, MAX_ITEMS};
use graphql_parser::schema::{self as ast, Definition, TypeDefinition, TypeExtension};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Bracket nesting allowed before parsing: the parser recurses on nested lists and values.
const MAX_NESTING: usize = 64;
/// Kinds in display order, with their section titles.
const KINDS: [(&str, &str); 6] = [
    ("type", "Object types"),
    ("input", "Input types"),
    ("interface", "Interfaces"),
    ("union", "Unions"),
    ("enum", "Enums"),
    ("scalar", "Scalars"),
];

#[derive(Debug, Serialize)]
pub struct Schema {
    /// Query, Mutation and Subscription, those that exist.
    pub roots: Vec<Type>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Serialize)]
pub struct Section {
    pub id: String,
    pub title: &'static str,
    pub types: Vec<Type>,
}

#[derive(Debug, Default, Serialize)]
pub struct Type {
    pub id: String,
    /// `type`, `input`, `interface`, `union`, `enum`, `scalar`.
    pub kind: &'static str,
    pub name: String,
    pub description: String,
    pub implements: Vec<TypeRef>,
    pub fields: Vec<Field>,
    pub values: Vec<EnumValue>,
    pub members: Vec<TypeRef>,
}

#[derive(Debug, Serialize)]
pub struct Field {
    pub name: String,
    /// As written: `[Application!]!`.
    pub type_name: String,
    /// The anchor of the named type when it is defined in this schema.
    pub type_id: String,
    pub args: Vec<Field>,
    pub default: String,
    pub description: String,
    /// The reason of `@deprecated`, or `deprecated` without one; empty when not deprecated.
    pub deprecated: String,
}

#[derive(Debug, Serialize)]
pub struct EnumValue {
    pub name: String,
    pub description: String,
    pub deprecated: String,
}

#[derive(Debug, Serialize)]
pub struct TypeRef {
    pub name: String,
    pub id: String,
}

type Doc<'a> = ast::Document<'a, String>;

pub(super) fn build(text: &str) -> Result<Built, Invalid> {
    if nesting(text) > MAX_NESTING {
        return Err(Invalid::new(format!(
            "brackets nest deeper than {MAX_NESTING} levels"
        )));
    }
    let document: Doc<'_> = ast::parse_schema(text).map_err(|e| {
        let message = e.to_string();
        Invalid {
            line: error_line(&message),
            message: format!(
                "invalid GraphQL SDL: {}",
                message.lines().collect::<Vec<_>>().join("; ")
            ),
        }
    })?;
    let (types, roots) = collect_types(&document);
    if types.is_empty() {
        return Err(Invalid::new("the schema defines no types"));
    }
    let mut notes = Vec::new();
    if types.len() > MAX_ITEMS {
        notes.push(format!(
            "Only the first {MAX_ITEMS} types are shown; {} more are in the definition.",
            types.len() - MAX_ITEMS
        ));
    }
    let mut anchors = Anchors::default();
    let kept = linked_types(types, &mut anchors);
    let mut root_types = Vec::new();
    let mut buckets: Vec<Vec<Type>> = KINDS.iter().map(|_| Vec::new()).collect();
    for t in kept {
        if t.kind == "type" && roots.contains(&t.name) {
            root_types.push(t);
        } else if let Some(i) = KINDS.iter().position(|(k, _)| *k == t.kind) {
            buckets[i].push(t);
        }
    }
    root_types.sort_by_key(|t| roots.iter().position(|r| *r == t.name));
    let sections: Vec<Section> = KINDS
        .iter()
        .zip(buckets)
        .filter(|(_, types)| !types.is_empty())
        .map(|((_, title), types)| Section {
            id: anchors.id("kind", title),
            title,
            types,
        })
        .collect();
    let truncated = !notes.is_empty();
    let reference = Reference {
        format: "graphql",
        format_label: "GraphQL SDL".to_string(),
        toc: table_of_contents(&root_types, &sections),
        graphql: Some(Schema {
            roots: root_types,
            sections,
        }),
        notes,
        ..Reference::default()
    };
    Ok((reference, BTreeSet::new(), truncated))
}

/// Every type by name, extensions merged in, and the names of the query, mutation and
/// subscription roots (the schema definition may rename them).
fn collect_types(document: &Doc<'_>) -> (BTreeMap<String, Type>, [String; 3]) {
    let mut types: BTreeMap<String, Type> = BTreeMap::new();
    let mut roots = [
        "Query".to_string(),
        "Mutation".to_string(),
        "Subscription".to_string(),
    ];
    for definition in &document.definitions {
        match definition {
            Definition::SchemaDefinition(s) => {
                for (slot, name) in roots
                    .iter_mut()
                    .zip([&s.query, &s.mutation, &s.subscription])
                {
                    if let Some(name) = name {
                        slot.clone_from(name);
                    }
                }
            }
            Definition::TypeDefinition(t) => merge(&mut types, definition_of(t)),
            Definition::TypeExtension(t) => merge(&mut types, extension_of(t)),
            Definition::DirectiveDefinition(_) => {}
        }
    }
    (types, roots)
}

/// The first `MAX_ITEMS` types, each with its anchor, and every type it names linked to that
/// type's anchor (types left out stay unlinked).
fn linked_types(types: BTreeMap<String, Type>, anchors: &mut Anchors) -> Vec<Type> {
    let ids: BTreeMap<String, String> = types
        .keys()
        .take(MAX_ITEMS)
        .map(|name| (name.clone(), anchors.id("type", name)))
        .collect();
    let id_of = |name: &str| ids.get(name).cloned().unwrap_or_default();
    let link = |name: &str| TypeRef {
        name: name.to_string(),
        id: id_of(name),
    };
    let mut kept: Vec<Type> = types.into_values().take(MAX_ITEMS).collect();
    for t in &mut kept {
        t.id = ids[&t.name].clone();
        for f in &mut t.fields {
            f.type_id = id_of(named(&f.type_name));
            for a in &mut f.args {
                a.type_id = id_of(named(&a.type_name));
            }
        }
        t.implements = t.implements.iter().map(|r| link(&r.name)).collect();
        t.members = t.members.iter().map(|r| link(&r.name)).collect();
    }
    kept
}

/// The roots first, then each kind's section with its types.
fn table_of_contents(root_types: &[Type], sections: &[Section]) -> Vec<TocEntry> {
    let entry = |id: &str, title: &str, children| TocEntry {
        id: id.to_string(),
        title: title.to_string(),
        children,
    };
    let mut toc: Vec<TocEntry> = root_types
        .iter()
        .map(|t| entry(&t.id, &t.name, Vec::new()))
        .collect();
    toc.extend(sections.iter().map(|s| {
        let children = s
            .types
            .iter()
            .map(|t| entry(&t.id, &t.name, Vec::new()))
            .collect();
        entry(&s.id, s.title, children)
    }));
    toc
}

/// The deepest nesting of `[`, `(` and `{` in `text` (strings and comments counted too: a
/// cheap upper bound is all this guards).
fn nesting(text: &str) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0;
    for b in text.bytes() {
        match b {
            b'[' | b'(' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b')' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The line of graphql-parser's `Parse error at 3:5`.
fn error_line(message: &str) -> Option<u32> {
    let at = message.find(" at ")? + 4;
    let position = message[at..].split_whitespace().next()?;
    position.split(':').next()?.parse().ok()
}

/// Adds a definition or extension to the type of the same name.
fn merge(types: &mut BTreeMap<String, Type>, t: Type) {
    match types.get_mut(&t.name) {
        Some(existing) => {
            if existing.description.is_empty() {
                existing.description = t.description;
            }
            if existing.kind.is_empty() {
                existing.kind = t.kind;
            }
            existing.implements.extend(t.implements);
            existing.fields.extend(t.fields);
            existing.values.extend(t.values);
            existing.members.extend(t.members);
        }
        None => {
            types.insert(t.name.clone(), t);
        }
    }
}

fn refs(names: &[String]) -> Vec<TypeRef> {
    names
        .iter()
        .map(|n| TypeRef {
            name: n.clone(),
            id: String::new(),
        })
        .collect()
}

fn describe(description: &Option<String>) -> String {
    description.as_deref().map(markdown).unwrap_or_default()
}

fn definition_of(t: &TypeDefinition<'_, String>) -> Type {
    let base = |kind, name: &String, description| Type {
        kind,
        name: name.clone(),
        description: describe(description),
        ..Type::default()
    };
    match t {
        TypeDefinition::Scalar(s) => base("scalar", &s.name, &s.description),
        TypeDefinition::Object(o) => Type {
            implements: refs(&o.implements_interfaces),
            fields: o.fields.iter().map(field).collect(),
            ..base("type", &o.name, &o.description)
        },
        TypeDefinition::Interface(i) => Type {
            implements: refs(&i.implements_interfaces),
            fields: i.fields.iter().map(field).collect(),
            ..base("interface", &i.name, &i.description)
        },
        TypeDefinition::Union(u) => Type {
            members: refs(&u.types),
            ..base("union", &u.name, &u.description)
        },
        TypeDefinition::Enum(e) => Type {
            values: e.values.iter().map(enum_value).collect(),
            ..base("enum", &e.name, &e.description)
        },
        TypeDefinition::InputObject(i) => Type {
            fields: i.fields.iter().map(input).collect(),
            ..base("input", &i.name, &i.description)
        },
    }
}

/// An `extend` block; its kind only matters when the base type is missing.
fn extension_of(t: &TypeExtension<'_, String>) -> Type {
    let base = |kind, name: &String| Type {
        kind,
        name: name.clone(),
        ..Type::default()
    };
    match t {
        TypeExtension::Scalar(s) => base("scalar", &s.name),
        TypeExtension::Object(o) => Type {
            implements: refs(&o.implements_interfaces),
            fields: o.fields.iter().map(field).collect(),
            ..base("type", &o.name)
        },
        TypeExtension::Interface(i) => Type {
            implements: refs(&i.implements_interfaces),
            fields: i.fields.iter().map(field).collect(),
            ..base("interface", &i.name)
        },
        TypeExtension::Union(u) => Type {
            members: refs(&u.types),
            ..base("union", &u.name)
        },
        TypeExtension::Enum(e) => Type {
            values: e.values.iter().map(enum_value).collect(),
            ..base("enum", &e.name)
        },
        TypeExtension::InputObject(i) => Type {
            fields: i.fields.iter().map(input).collect(),
            ..base("input", &i.name)
        },
    }
}

fn field(f: &ast::Field<'_, String>) -> Field {
    Field {
        name: f.name.clone(),
        type_name: type_string(&f.field_type),
        type_id: String::new(),
        args: f.arguments.iter().map(input).collect(),
        default: String::new(),
        description: describe(&f.description),
        deprecated: deprecated(&f.directives),
    }
}

fn input(v: &ast::InputValue<'_, String>) -> Field {
    Field {
        name: v.name.clone(),
        type_name: type_string(&v.value_type),
        type_id: String::new(),
        args: Vec::new(),
        default: v
            .default_value
            .as_ref()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        description: describe(&v.description),
        deprecated: deprecated(&v.directives),
    }
}

fn enum_value(v: &ast::EnumValue<'_, String>) -> EnumValue {
    EnumValue {
        name: v.name.clone(),
        description: describe(&v.description),
        deprecated: deprecated(&v.directives),
    }
}

fn type_string(t: &ast::Type<'_, String>) -> String {
    match t {
        ast::Type::NamedType(name) => name.clone(),
        ast::Type::ListType(inner) => format!("[{}]", type_string(inner)),
        ast::Type::NonNullType(inner) => format!("{}!", type_string(inner)),
    }
}

/// The named type inside `[Foo!]!`.
fn named(type_name: &str) -> &str {
    type_name.trim_matches(|c| matches!(c, '[' | ']' | '!'))
}

fn deprecated(directives: &[ast::Directive<'_, String>]) -> String {
    let Some(d) = directives.iter().find(|d| d.name == "deprecated") else {
        return String::new();
    };
    d.arguments
        .iter()
        .find(|(name, _)| name == "reason")
        .and_then(|(_, v)| match v {
            ast::Value::String(reason) => Some(reason.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "deprecated".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_first_then_types_by_kind_with_extensions_merged() {
        let sdl = r#"
            """A payment."""
            type Payment implements Node { id: ID! amount(currency: String = "GBP"): Int @deprecated(reason: "use money") }
            interface Node { id: ID! }
            type Query { payment(id: ID!): Payment payments: [Payment!]! }
            extend type Query { health: String }
            enum Status { OK FAILED @deprecated }
            union Result = Payment
            scalar DateTime
            input Filter { status: Status }
        "#;
        let (reference, _, truncated) = build(sdl).expect("parses");
        assert!(!truncated);
        let schema = reference.graphql.expect("graphql");
        let roots: Vec<&str> = schema.roots.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(roots, ["Query"]);
        let query_fields: Vec<&str> = schema.roots[0]
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(query_fields, ["payment", "payments", "health"]);
        assert_eq!(schema.roots[0].fields[1].type_name, "[Payment!]!");
        assert_eq!(schema.roots[0].fields[1].type_id, "type-payment");
        let kinds: Vec<&str> = schema.sections.iter().map(|s| s.title).collect();
        assert_eq!(
            kinds,
            [
                "Object types",
                "Input types",
                "Interfaces",
                "Unions",
                "Enums",
                "Scalars"
            ]
        );
        let payment = &schema.sections[0].types[0];
        assert_eq!(payment.implements[0].id, "type-node");
        assert_eq!(payment.fields[1].args[0].default, "\"GBP\"");
        assert_eq!(payment.fields[1].deprecated, "use money");
        assert!(payment.description.contains("A payment."));
        assert_eq!(
            schema.sections[4].types[0].values[1].deprecated,
            "deprecated"
        );
    }

    #[test]
    fn syntax_errors_carry_their_line() {
        let invalid = build("type Query {\n  ok: String\n  broken(: Int\n}\n").expect_err("fails");
        assert_eq!(invalid.line, Some(3));
        assert!(invalid.message.starts_with("invalid GraphQL SDL"));
        let deep = format!(
            "type Query {{ a: {}Int{} }}",
            "[".repeat(200),
            "]".repeat(200)
        );
        assert!(build(&deep)
            .expect_err("refused")
            .message
            .contains("nest deeper"));
    }
}
