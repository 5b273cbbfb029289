//! OpenAPI 3.0/3.1 and Swagger 2.0 documents as a reference page: info and servers, then
//! operations grouped by tag (the document's `tags` order first, untagged last), each with its
//! parameters, request body and responses per media type, schemas expanded by `schema`.

use super::schema::{SchemaNode, Walker};
use super::{
    example, markdown, str_at, Anchors, Doc, Example, Invalid, Reference, Server, TocEntry,
    MAX_ITEMS,
};
use serde::Serialize;
use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
const UNTAGGED: &str = "Other operations";

#[derive(Debug, Serialize)]
pub struct Operations {
    pub groups: Vec<TagGroup>,
}

#[derive(Debug, Serialize)]
pub struct TagGroup {
    pub id: String,
    pub name: String,
    pub description: String,
    pub operations: Vec<Operation>,
}

#[derive(Debug, Serialize)]
pub struct Operation {
    pub id: String,
    pub method: String,
    pub path: String,
    pub summary: String,
    pub description: String,
    pub operation_id: String,
    pub deprecated: bool,
    pub parameters: Vec<Parameter>,
    pub request: Option<Body>,
    pub responses: Vec<Response>,
}

#[derive(Debug, Serialize)]
pub struct Parameter {
    pub name: String,
    /// `path`, `query`, `header`, `cookie` (`formData` in Swagger 2).
    pub location: String,
    pub required: bool,
    pub deprecated: bool,
    pub description: String,
    pub schema: Option<SchemaNode>,
}

#[derive(Debug, Serialize)]
pub struct Body {
    pub description: String,
    pub required: bool,
    pub contents: Vec<Content>,
}

#[derive(Debug, Serialize)]
pub struct Content {
    pub media_type: String,
    pub schema: Option<SchemaNode>,
    pub examples: Vec<Example>,
}

#[derive(Debug, Serialize)]
pub struct Response {
    pub status: String,
    pub description: String,
    pub headers: Vec<Parameter>,
    pub contents: Vec<Content>,
}

/// What the operations of a document share.
struct Ctx<'d, 'a> {
    doc: &'d mut Doc<'a>,
    walker: Walker,
    swagger: bool,
    /// Swagger 2 media types of bodies and responses (`consumes`, `produces`).
    consumes: Vec<String>,
    produces: Vec<String>,
}

pub(super) fn build(doc: &mut Doc<'_>) -> Result<Reference, Invalid> {
    let root = doc.root();
    let swagger = root.get("swagger").is_some();
    let version = if swagger {
        str_of(root, "swagger")
    } else {
        str_of(root, "openapi")
    };
    let supported = if swagger {
        version == "2.0"
    } else {
        version.starts_with("3.")
    };
    if !supported {
        return Err(Invalid::new(format!(
            "{} version \"{version}\" is not supported (OpenAPI 3.x and Swagger 2.0 are)",
            if swagger { "Swagger" } else { "OpenAPI" }
        )));
    }
    let info = root.get("info").unwrap_or(&Value::Null);
    let media = |key: &str| -> Vec<String> {
        root.get(key)
            .and_then(Value::as_array)
            .map(|m| {
                m.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut ctx = Ctx {
        consumes: media("consumes"),
        produces: media("produces"),
        doc,
        walker: Walker::default(),
        swagger,
    };
    let mut anchors = Anchors::default();
    let (groups, left_out) = groups(&mut ctx, root, &mut anchors);
    let mut notes = Vec::new();
    if left_out > 0 {
        notes.push(format!("Only the first {MAX_ITEMS} operations are shown; {left_out} more are in the definition."));
    }
    let toc = groups
        .iter()
        .map(|g| TocEntry {
            id: g.id.clone(),
            title: g.name.clone(),
            children: g
                .operations
                .iter()
                .map(|o| TocEntry {
                    id: o.id.clone(),
                    title: format!("{} {}", o.method.to_ascii_uppercase(), o.path),
                    children: Vec::new(),
                })
                .collect(),
        })
        .collect();
    Ok(Reference {
        format: "openapi",
        format_label: format!("{} {version}", if swagger { "Swagger" } else { "OpenAPI" }),
        title: str_at(info, "title"),
        version: str_at(info, "version"),
        description: markdown(&str_at(info, "description")),
        servers: servers(root, swagger),
        toc,
        openapi: Some(Operations { groups }),
        notes,
        ..Reference::default()
    })
}

/// `openapi: 3.0.3` and `swagger: "2.0"` may be written as numbers in YAML.
fn str_of(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn servers(root: &Value, swagger: bool) -> Vec<Server> {
    if swagger {
        let host = str_at(root, "host");
        if host.is_empty() {
            return Vec::new();
        }
        let base = str_at(root, "basePath");
        let schemes: Vec<&str> = root
            .get("schemes")
            .and_then(Value::as_array)
            .map(|s| s.iter().filter_map(Value::as_str).collect())
            .unwrap_or_else(|| vec!["https"]);
        return schemes
            .into_iter()
            .map(|scheme| Server {
                url: format!("{scheme}://{host}{base}"),
                description: String::new(),
            })
            .collect();
    }
    root.get("servers")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|s| Server {
                    url: str_at(s, "url"),
                    description: str_at(s, "description"),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Operations grouped by tag, and how many were left out by [`MAX_ITEMS`].
fn groups<'a>(
    ctx: &mut Ctx<'_, 'a>,
    root: &'a Value,
    anchors: &mut Anchors,
) -> (Vec<TagGroup>, usize) {
    let mut groups: Vec<TagGroup> = Vec::new();
    for tag in root
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = str_at(tag, "name");
        if !name.is_empty() && !groups.iter().any(|g| g.name == name) {
            groups.push(TagGroup {
                id: anchors.id("tag", &name),
                description: markdown(&str_at(tag, "description")),
                name,
                operations: Vec::new(),
            });
        }
    }
    let mut untagged = Vec::new();
    let mut count = 0;
    let mut left_out = 0;
    let paths = root.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let Some(item) = ctx.doc.deref(item) else {
            continue;
        };
        for method in METHODS {
            let Some(op) = item.get(method).filter(|o| o.is_object()) else {
                continue;
            };
            count += 1;
            if count > MAX_ITEMS {
                left_out += 1;
                continue;
            }
            let operation = operation(ctx, path, method, item, op, anchors);
            let tag = op
                .get("tags")
                .and_then(Value::as_array)
                .and_then(|t| t.first())
                .and_then(Value::as_str);
            match tag {
                Some(tag) => match groups.iter_mut().find(|g| g.name == tag) {
                    Some(group) => group.operations.push(operation),
                    None => groups.push(TagGroup {
                        id: anchors.id("tag", tag),
                        name: tag.to_string(),
                        description: String::new(),
                        operations: vec![operation],
                    }),
                },
                None => untagged.push(operation),
            }
        }
    }
    groups.retain(|g| !g.operations.is_empty());
    if !untagged.is_empty() {
        groups.push(TagGroup {
            id: anchors.id("tag", "untagged"),
            name: UNTAGGED.to_string(),
            description: String::new(),
            operations: untagged,
        });
    }
    (groups, left_out)
}

fn operation<'a>(
    ctx: &mut Ctx<'_, 'a>,
    path: &str,
    method: &str,
    item: &'a Value,
    op: &'a Value,
    anchors: &mut Anchors,
) -> Operation {
    let operation_id = str_at(op, "operationId");
    let id = if operation_id.is_empty() {
        anchors.id("op", &format!("{method} {path}"))
    } else {
        anchors.id("op", &operation_id)
    };
    // Path-level parameters apply unless the operation redefines the same name and place.
    let mut raw: Vec<&Value> = Vec::new();
    for list in [op.get("parameters"), item.get("parameters")] {
        for p in list.and_then(Value::as_array).into_iter().flatten() {
            let Some(p) = ctx.doc.deref(p) else {
                continue;
            };
            let same = |q: &&Value| {
                str_at(q, "name") == str_at(p, "name") && str_at(q, "in") == str_at(p, "in")
            };
            if !raw.iter().any(same) {
                raw.push(p);
            }
        }
    }
    let mut parameters = Vec::new();
    let mut request = None;
    for p in raw {
        if ctx.swagger && str_at(p, "in") == "body" {
            request = Some(swagger_body(ctx, op, p));
        } else {
            parameters.push(parameter(ctx, p));
        }
    }
    if let Some(body) = op.get("requestBody").and_then(|b| ctx.doc.deref(b)) {
        request = Some(Body {
            description: markdown(&str_at(body, "description")),
            required: body.get("required") == Some(&Value::Bool(true)),
            contents: contents(ctx, body),
        });
    }
    let responses = op
        .get("responses")
        .and_then(Value::as_object)
        .map(|r| {
            r.iter()
                .map(|(status, resp)| response(ctx, op, status, resp))
                .collect()
        })
        .unwrap_or_default();
    Operation {
        id,
        method: method.to_string(),
        path: path.to_string(),
        summary: str_at(op, "summary"),
        description: markdown(&str_at(op, "description")),
        operation_id,
        deprecated: op.get("deprecated") == Some(&Value::Bool(true)),
        parameters,
        request,
        responses,
    }
}

fn parameter(ctx: &mut Ctx<'_, '_>, p: &Value) -> Parameter {
    // Swagger 2 (and header objects) put type, format and items on the parameter itself.
    let schema = match p.get("schema") {
        Some(s) => Some(ctx.walker.node(ctx.doc, s, "", 0)),
        None if p.get("type").is_some() => {
            let mut node = ctx.walker.node(ctx.doc, p, "", 0);
            node.description.clear();
            Some(node)
        }
        None => None,
    };
    Parameter {
        name: str_at(p, "name"),
        location: str_at(p, "in"),
        required: p.get("required") == Some(&Value::Bool(true)),
        deprecated: p.get("deprecated") == Some(&Value::Bool(true)),
        description: markdown(&str_at(p, "description")),
        schema,
    }
}

/// A Swagger 2 `in: body` parameter as a request body of the operation's `consumes` types.
fn swagger_body(ctx: &mut Ctx<'_, '_>, op: &Value, p: &Value) -> Body {
    let media = swagger_media(op, "consumes", &ctx.consumes);
    let schema = p.get("schema").map(|s| ctx.walker.node(ctx.doc, s, "", 0));
    Body {
        description: markdown(&str_at(p, "description")),
        required: p.get("required") == Some(&Value::Bool(true)),
        contents: vec![Content {
            media_type: media,
            schema,
            examples: Vec::new(),
        }],
    }
}

fn swagger_media(op: &Value, key: &str, global: &[String]) -> String {
    let own: Vec<&str> = op
        .get(key)
        .and_then(Value::as_array)
        .map(|m| m.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !own.is_empty() {
        own.join(", ")
    } else if !global.is_empty() {
        global.join(", ")
    } else {
        "application/json".to_string()
    }
}

fn response<'a>(ctx: &mut Ctx<'_, 'a>, op: &Value, status: &str, resp: &'a Value) -> Response {
    let Some(resp) = ctx.doc.deref(resp) else {
        return Response {
            status: status.to_string(),
            description: "Unresolved reference.".to_string(),
            headers: Vec::new(),
            contents: Vec::new(),
        };
    };
    let headers = resp
        .get("headers")
        .and_then(Value::as_object)
        .map(|h| {
            h.iter()
                .filter_map(|(name, header)| {
                    let header = ctx.doc.deref(header)?;
                    let mut p = parameter(ctx, header);
                    p.name = name.clone();
                    p.location = "header".to_string();
                    Some(p)
                })
                .collect()
        })
        .unwrap_or_default();
    let contents = if ctx.swagger {
        let schema = resp
            .get("schema")
            .map(|s| ctx.walker.node(ctx.doc, s, "", 0));
        let examples: Vec<Example> = resp
            .get("examples")
            .and_then(Value::as_object)
            .map(|e| e.iter().map(|(media, v)| example(media, v)).collect())
            .unwrap_or_default();
        if schema.is_some() || !examples.is_empty() {
            vec![Content {
                media_type: swagger_media(op, "produces", &ctx.produces),
                schema,
                examples,
            }]
        } else {
            Vec::new()
        }
    } else {
        contents(ctx, resp)
    };
    Response {
        status: status.to_string(),
        description: markdown(&str_at(resp, "description")),
        headers,
        contents,
    }
}

/// OpenAPI 3 `content`: one entry per media type, with its schema and examples.
fn contents<'a>(ctx: &mut Ctx<'_, 'a>, holder: &'a Value) -> Vec<Content> {
    let Some(content) = holder.get("content").and_then(Value::as_object) else {
        return Vec::new();
    };
    content
        .iter()
        .map(|(media_type, media)| {
            let schema = media
                .get("schema")
                .map(|s| ctx.walker.node(ctx.doc, s, "", 0));
            let mut examples = Vec::new();
            if let Some(v) = media.get("example") {
                examples.push(example("", v));
            }
            for (name, ex) in media
                .get("examples")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(v) = ctx.doc.deref(ex).and_then(|ex| ex.get("value")) {
                    examples.push(example(name, v));
                }
            }
            Content {
                media_type: media_type.clone(),
                schema,
                examples,
            }
        })
        .collect()
}
