//! Schema trees written as HTML here instead of by `api_macros.html`: the markup of the
//! built-in macros `root` and `node`, byte for byte. Drawn by the macros, an API reference page
//! cost as much as 25 docs pages (three macro calls and some 25 look-ups per node). Used only
//! while the built-in templates are in effect: a site with templates of its own gets the
//! trees, to draw as its templates say. A test draws every demo API both ways.

use super::schema::{SchemaNode, Stop};
use super::Reference;
use crate::highlight::escape;
use std::fmt::Write;

/// What the `root` macro writes for `node`.
fn root(node: &SchemaNode) -> String {
    let mut out = String::new();
    out.push_str("<div class=\"schema\"");
    anchor(&mut out, node);
    out.push('>');
    line(&mut out, node);
    body(&mut out, node, 0);
    out.push_str("</div>");
    out
}

/// What the `node` macro writes for `node` at `depth`.
fn node(node: &SchemaNode, depth: usize) -> String {
    let mut out = String::new();
    write_node(&mut out, node, depth);
    out
}

fn write_node(out: &mut String, node: &SchemaNode, depth: usize) {
    if node.has_children() {
        out.push_str("<details class=\"schema-node\"");
        anchor(out, node);
        if depth < 2 {
            out.push_str(" open");
        }
        out.push_str("><summary>");
        line(out, node);
        out.push_str("</summary>");
        body(out, node, depth);
        out.push_str("</details>");
    } else {
        out.push_str("<div class=\"schema-node\">");
        line(out, node);
        body(out, node, depth);
        out.push_str("</div>");
    }
}

/// ` id="…"` on an expansion that later uses link to.
fn anchor(out: &mut String, node: &SchemaNode) {
    if !node.anchor.is_empty() && node.stop != Stop::Shown {
        let _ = write!(out, " id=\"{}\"", escape(&node.anchor));
    }
}

/// The `line` macro: name, type, component, flags and why the node stops.
fn line(out: &mut String, node: &SchemaNode) {
    out.push_str("<span class=\"schema-line\">");
    if !node.name.is_empty() {
        let _ = write!(
            out,
            "<code class=\"schema-name\">{}</code>",
            escape(&node.name)
        );
    }
    if !node.kind.is_empty() {
        let _ = write!(out, " <span class=\"schema-type\">{}", escape(&node.kind));
        if !node.format.is_empty() {
            let format = escape(&node.format);
            let _ = write!(out, " <span class=\"schema-format\">({format})</span>");
        }
        out.push_str("</span>");
    }
    if !node.ref_name.is_empty() {
        let _ = write!(
            out,
            " <span class=\"schema-ref\">{}</span>",
            escape(&node.ref_name)
        );
    }
    if node.required {
        out.push_str(" <span class=\"badge badge-required\">required</span>");
    }
    if node.deprecated {
        out.push_str(" <span class=\"badge badge-deprecated\">deprecated</span>");
    }
    let _ = match node.stop {
        Stop::None => Ok(()),
        Stop::Cycle => write!(
            out,
            " <span class=\"schema-stop schema-cycle\">recursive: {} is expanded above</span>",
            escape(&node.ref_name)
        ),
        Stop::Unresolved => write!(
            out,
            " <span class=\"schema-stop schema-unresolved\">unresolved <code>{}</code></span>",
            escape(&node.reference)
        ),
        Stop::Depth => write!(
            out,
            " <span class=\"schema-stop\">nested deeper than shown</span>"
        ),
        Stop::Budget => write!(
            out,
            " <span class=\"schema-stop\">not expanded: the page's schema limit is reached</span>"
        ),
        Stop::Shown => write!(
            out,
            " <a class=\"schema-stop\" href=\"#{}\">expanded at its first use on this page</a>",
            escape(&node.anchor)
        ),
    };
    out.push_str("</span>");
}

/// The `body` macro: description, constraints and nested nodes.
fn body(out: &mut String, node: &SchemaNode, depth: usize) {
    if !node.description.is_empty() {
        let _ = write!(out, "<div class=\"schema-desc\">{}</div>", node.description);
    }
    if !node.facts.is_empty() || !node.enum_values.is_empty() {
        out.push_str("\n<p class=\"schema-facts\">");
        for fact in &node.facts {
            let _ = write!(out, "<span class=\"schema-fact\">{}</span>", escape(fact));
        }
        if !node.enum_values.is_empty() {
            out.push_str("<span class=\"schema-enum\">one of ");
            let values: Vec<String> = node
                .enum_values
                .iter()
                .map(|v| format!("<code>{}</code>", escape(v)))
                .collect();
            out.push_str(&values.join(", "));
            if node.enum_more > 0 {
                let _ = write!(out, " and {} more", node.enum_more);
            }
            out.push_str("</span>");
        }
        out.push_str("</p>");
    }
    if !node.properties.is_empty() {
        out.push_str("\n<ul class=\"schema-tree\">");
        for property in &node.properties {
            out.push_str("<li>");
            write_node(out, property, depth + 1);
            out.push_str("</li>");
        }
        out.push_str("\n</ul>");
    }
    for child in [&node.items, &node.additional].into_iter().flatten() {
        out.push_str("\n<ul class=\"schema-tree\"><li>");
        write_node(out, child, depth + 1);
        out.push_str("</li></ul>");
    }
    for variant in &node.variants {
        let label = match variant.keyword {
            "allOf" => "all of",
            "oneOf" => "one of",
            _ => "any of",
        };
        let _ = write!(
            out,
            "\n<p class=\"schema-variant\">{label}</p>\n<ul class=\"schema-tree\">"
        );
        for option in &variant.options {
            out.push_str("<li>");
            write_node(out, option, depth + 1);
            out.push_str("</li>");
        }
        out.push_str("\n</ul>");
    }
}

/// Replaces every schema tree of `reference` with its drawing, as `api_macros.html` draws it:
/// a request or response body's and a message's as a root, a parameter's as a node at depth 2.
pub(super) fn draw_all(reference: &mut Reference) {
    let draw = |slot: &mut Option<SchemaNode>, depth: Option<usize>| {
        if let Some(tree) = slot {
            *tree = drawn(tree, depth);
        }
    };
    let operations = reference.openapi.iter_mut().flat_map(|o| &mut o.groups);
    for operation in operations.flat_map(|g| &mut g.operations) {
        for parameter in &mut operation.parameters {
            draw(&mut parameter.schema, Some(2));
        }
        for content in operation.request.iter_mut().flat_map(|b| &mut b.contents) {
            draw(&mut content.schema, None);
        }
        for response in &mut operation.responses {
            for header in &mut response.headers {
                draw(&mut header.schema, Some(2));
            }
            for content in &mut response.contents {
                draw(&mut content.schema, None);
            }
        }
    }
    for channel in reference.asyncapi.iter_mut().flat_map(|a| &mut a.channels) {
        let used = channel.operations.iter_mut().flat_map(|o| &mut o.messages);
        for message in used.chain(&mut channel.messages) {
            draw(&mut message.payload, None);
            draw(&mut message.headers, None);
        }
    }
}

/// `tree` as the markup the built-in macros draw of it, and nothing else: as a schema's root
/// (`depth` None), or nested at `depth`.
fn drawn(tree: &SchemaNode, depth: Option<usize>) -> SchemaNode {
    let html = match depth {
        None => root(tree),
        Some(depth) => node(tree, depth),
    };
    SchemaNode {
        html: Some(html),
        ..SchemaNode::default()
    }
}
