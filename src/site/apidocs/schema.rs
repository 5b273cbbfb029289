//! JSON Schema (as OpenAPI, Swagger and AsyncAPI use it) turned into a tree a reader can
//! follow: one node per property, array items, additional properties and allOf/oneOf/anyOf
//! options. `$ref`s are expanded in place and keep their name; a reference to a schema that is
//! already being expanded (a cycle) stops with its name. Depth and the number of nodes per
//! page are bounded, so a hostile or huge definition still renders quickly and small.

use super::{compact, markdown, refs, Doc};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;

/// Levels of nesting shown below a schema's root.
pub(super) const MAX_DEPTH: usize = 10;
/// Enum values listed per schema; the rest are counted.
const MAX_ENUM: usize = 40;

/// Why a node is not expanded further.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stop {
    #[default]
    None,
    /// A `$ref` to a schema already being expanded above this node.
    Cycle,
    /// A `$ref` that names nothing in the document.
    Unresolved,
    /// Deeper than [`MAX_DEPTH`].
    Depth,
    /// The page's node budget ran out.
    Budget,
    /// A named schema expanded earlier on the page (see `link`).
    Shown,
}

#[derive(Debug, Default, Serialize)]
pub struct SchemaNode {
    /// The property name; empty at a schema's root, `[]` for array items.
    pub name: String,
    pub required: bool,
    /// The component the node came from (`Payment` for `#/components/schemas/Payment`), or
    /// the schema's title.
    pub ref_name: String,
    /// `object`, `array`, `string`, `integer | null`; empty when the schema does not say.
    pub kind: String,
    pub format: String,
    /// Sanitised HTML.
    pub description: String,
    /// Constraints and flags: `min 0`, `pattern ^[A-Z]{3}$`, `default "GBP"`, `read-only`.
    pub facts: Vec<String>,
    pub enum_values: Vec<String>,
    pub enum_more: usize,
    pub deprecated: bool,
    pub properties: Vec<SchemaNode>,
    pub items: Option<Box<SchemaNode>>,
    pub additional: Option<Box<SchemaNode>>,
    pub variants: Vec<Variant>,
    pub stop: Stop,
    /// The `$ref` as written, for unresolved references.
    pub reference: String,
    /// The id of this expansion, which later uses of the same schema link to; or, for a
    /// [`Stop::Shown`] node, the id it links to. Empty unless the page is large.
    pub anchor: String,
    /// The node drawn as HTML, standing for all of the above (see `schema_html::draw_all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

impl SchemaNode {
    pub(super) fn has_children(&self) -> bool {
        !self.properties.is_empty()
            || self.items.is_some()
            || self.additional.is_some()
            || !self.variants.is_empty()
    }
}

/// The options of an `allOf`, `oneOf` or `anyOf`.
#[derive(Debug, Serialize)]
pub struct Variant {
    pub keyword: &'static str,
    pub options: Vec<SchemaNode>,
}

/// Walks schemas of one document, remembering which references are being expanded.
#[derive(Default)]
pub(super) struct Walker {
    stack: Vec<String>,
}

impl Walker {
    /// The tree of `value`, named `name` in its parent.
    pub(super) fn node(
        &mut self,
        doc: &mut Doc<'_>,
        value: &Value,
        name: &str,
        depth: usize,
    ) -> SchemaNode {
        let mut node = SchemaNode {
            name: name.to_string(),
            ..SchemaNode::default()
        };
        if !doc.spend() {
            node.stop = Stop::Budget;
            return node;
        }
        if let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            node.ref_name = refs::name(reference);
            if self.stack.iter().any(|r| r == reference) {
                node.stop = Stop::Cycle;
                return node;
            }
            let Some(target) = doc.follow(reference) else {
                node.stop = Stop::Unresolved;
                node.reference = reference.to_string();
                return node;
            };
            if let Some(id) = doc.shown_at(reference) {
                node.stop = Stop::Shown;
                node.anchor = id;
                return node;
            }
            // OpenAPI 3.1 lets a description sit beside the `$ref`; it describes this use.
            let own_description = value.get("description").and_then(Value::as_str);
            self.stack.push(reference.to_string());
            self.fill(doc, target, &mut node, depth);
            self.stack.pop();
            if node.has_children() {
                node.anchor = doc.expanded(reference, &node.ref_name).unwrap_or_default();
            }
            if let Some(text) = own_description {
                node.description = markdown(text);
            }
            return node;
        }
        self.fill(doc, value, &mut node, depth);
        node
    }

    fn fill(&mut self, doc: &mut Doc<'_>, schema: &Value, node: &mut SchemaNode, depth: usize) {
        let Some(map) = schema.as_object() else {
            // `true`/`false` schemas and garbage: nothing to describe.
            return;
        };
        if node.ref_name.is_empty() {
            node.ref_name = text(schema, "title");
        }
        node.kind = kind(schema);
        node.format = text(schema, "format");
        node.description = map
            .get("description")
            .and_then(Value::as_str)
            .map(markdown)
            .unwrap_or_default();
        node.deprecated = schema.get("deprecated") == Some(&Value::Bool(true));
        node.facts = facts(schema);
        if let Some(values) = map.get("enum").and_then(Value::as_array) {
            node.enum_values = values
                .iter()
                .take(MAX_ENUM)
                .map(|v| compact(v, 60))
                .collect();
            node.enum_more = values.len().saturating_sub(MAX_ENUM);
        }
        let nested = map.contains_key("properties")
            || map.contains_key("items")
            || map
                .get("additionalProperties")
                .is_some_and(Value::is_object)
            || ["allOf", "oneOf", "anyOf"]
                .iter()
                .any(|k| map.contains_key(*k));
        if nested && depth >= MAX_DEPTH {
            node.stop = Stop::Depth;
            return;
        }
        if let Some(props) = map.get("properties").and_then(Value::as_object) {
            let required: HashSet<&str> = map
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for (name, prop) in props {
                let mut child = self.node(doc, prop, name, depth + 1);
                child.required = required.contains(name.as_str());
                node.properties.push(child);
            }
        }
        if let Some(items) = map.get("items").filter(|i| i.is_object()) {
            node.items = Some(Box::new(self.node(doc, items, "[]", depth + 1)));
        }
        if let Some(extra) = map.get("additionalProperties").filter(|a| a.is_object()) {
            node.additional = Some(Box::new(self.node(doc, extra, "{key}", depth + 1)));
        }
        for keyword in ["allOf", "oneOf", "anyOf"] {
            if let Some(options) = map.get(keyword).and_then(Value::as_array) {
                let options = options
                    .iter()
                    .map(|o| self.node(doc, o, "", depth + 1))
                    .collect();
                node.variants.push(Variant { keyword, options });
            }
        }
        if node.kind.is_empty() && !node.properties.is_empty() {
            node.kind = "object".to_string();
        }
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// `string`, `integer | null` (3.1 type lists, 3.0 `nullable`), `array`, or what is implied.
fn kind(schema: &Value) -> String {
    let mut kinds: Vec<String> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ if schema.get("items").is_some() => vec!["array".to_string()],
        _ => Vec::new(),
    };
    if schema.get("nullable") == Some(&Value::Bool(true)) && !kinds.iter().any(|k| k == "null") {
        kinds.push("null".to_string());
    }
    kinds.join(" | ")
}

/// Constraints and flags worth a reader's eye, in a fixed order.
fn facts(schema: &Value) -> Vec<String> {
    const LABELS: &[(&str, &str)] = &[
        ("minimum", "min"),
        ("exclusiveMinimum", "greater than"),
        ("maximum", "max"),
        ("exclusiveMaximum", "less than"),
        ("multipleOf", "multiple of"),
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("pattern", "pattern"),
        ("minItems", "min items"),
        ("maxItems", "max items"),
        ("const", "always"),
        ("default", "default"),
        ("example", "example"),
    ];
    let mut out = Vec::new();
    for (key, label) in LABELS {
        match schema.get(*key) {
            // Swagger 2 and OpenAPI 3.0 write exclusive bounds as flags beside min/max.
            Some(Value::Bool(_)) | None => {}
            Some(v) => out.push(format!("{label} {}", compact(v, 80))),
        }
    }
    for (key, label) in [
        ("uniqueItems", "unique items"),
        ("readOnly", "read-only"),
        ("writeOnly", "write-only"),
    ] {
        if schema.get(key) == Some(&Value::Bool(true)) {
            out.push(label.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn walk(root: &Value, schema: &Value) -> (SchemaNode, Vec<String>) {
        let mut doc = Doc::new(root);
        let node = Walker::default().node(&mut doc, schema, "", 0);
        (node, doc.unresolved.into_iter().collect())
    }

    #[test]
    fn expands_refs_and_marks_cycles_by_name() {
        let root = json!({ "components": { "schemas": {
            "Node": { "type": "object", "required": ["id"], "properties": {
                "id": { "type": "string", "format": "uuid" },
                "children": { "type": "array", "items": { "$ref": "#/components/schemas/Node" } }
            } }
        } } });
        let (node, unresolved) = walk(&root, &json!({ "$ref": "#/components/schemas/Node" }));
        assert!(unresolved.is_empty());
        assert_eq!(node.ref_name, "Node");
        assert_eq!(node.kind, "object");
        let names: Vec<&str> = node.properties.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["children", "id"]);
        assert!(node.properties[1].required && !node.properties[0].required);
        assert_eq!(node.properties[1].format, "uuid");
        let items = node.properties[0].items.as_ref().expect("items");
        assert_eq!((items.stop, items.ref_name.as_str()), (Stop::Cycle, "Node"));
    }

    #[test]
    fn unresolved_refs_are_marked_and_collected() {
        let root = json!({});
        let (node, unresolved) = walk(&root, &json!({ "$ref": "#/components/schemas/Gone" }));
        assert_eq!(node.stop, Stop::Unresolved);
        assert_eq!(node.reference, "#/components/schemas/Gone");
        assert_eq!(unresolved, ["#/components/schemas/Gone"]);
    }

    #[test]
    fn depth_is_bounded() {
        let mut schema = json!({ "type": "string" });
        for _ in 0..(MAX_DEPTH + 5) {
            schema = json!({ "type": "object", "properties": { "next": schema } });
        }
        let (mut node, _) = walk(&json!({}), &schema);
        let mut levels = 0;
        while let Some(next) = node.properties.pop() {
            node = next;
            levels += 1;
        }
        assert_eq!(levels, MAX_DEPTH);
        assert_eq!(node.stop, Stop::Depth);
    }

    #[test]
    fn shared_refs_cannot_blow_up_the_page() {
        // Each level refers to the next one ten times: 10^7 nodes if expanded naively.
        let mut schemas = serde_json::Map::new();
        for level in 0..7 {
            let props: serde_json::Map<String, Value> = (0..10)
                .map(|i| {
                    (
                        format!("p{i}"),
                        json!({ "$ref": format!("#/components/schemas/L{}", level + 1) }),
                    )
                })
                .collect();
            schemas.insert(
                format!("L{level}"),
                json!({ "type": "object", "properties": props }),
            );
        }
        schemas.insert("L7".into(), json!({ "type": "string" }));
        let root = json!({ "components": { "schemas": schemas } });
        let mut doc = Doc::new(&root);
        Walker::default().node(
            &mut doc,
            &json!({ "$ref": "#/components/schemas/L0" }),
            "",
            0,
        );
        assert!(doc.exhausted());
    }

    #[test]
    fn on_a_large_page_a_named_schema_is_expanded_once_and_linked_after() {
        let root = json!({ "components": { "schemas": {
            "Payment": { "type": "object", "properties": { "id": { "type": "string" } } }
        } } });
        let use_it = json!({ "$ref": "#/components/schemas/Payment" });
        let mut doc = Doc::new(&root);
        doc.shown = Some(Default::default());
        let mut walker = Walker::default();
        let first = walker.node(&mut doc, &use_it, "", 0);
        let second = walker.node(&mut doc, &use_it, "", 0);
        assert_eq!(
            (first.stop, first.anchor.as_str()),
            (Stop::None, "schema-payment")
        );
        assert_eq!(first.properties.len(), 1);
        assert_eq!(
            (second.stop, second.anchor.as_str()),
            (Stop::Shown, "schema-payment")
        );
        assert!(second.properties.is_empty());
        // A small page expands it at every use.
        let (again, _) = walk(&root, &use_it);
        assert_eq!((again.stop, again.anchor.as_str()), (Stop::None, ""));
    }

    #[test]
    fn composition_enums_and_facts() {
        let schema = json!({
            "oneOf": [ { "type": "string", "enum": ["GBP", "EUR"] }, { "type": "integer", "minimum": 0, "nullable": true } ],
            "description": "A **currency** <script>alert(1)</script>"
        });
        let (node, _) = walk(&json!({}), &schema);
        assert_eq!(node.variants[0].keyword, "oneOf");
        assert_eq!(node.variants[0].options[0].enum_values, ["GBP", "EUR"]);
        assert_eq!(node.variants[0].options[1].kind, "integer | null");
        assert_eq!(node.variants[0].options[1].facts, ["min 0"]);
        assert!(node.description.contains("<strong>currency</strong>"));
        assert!(!node.description.contains("<script"));
    }
}
