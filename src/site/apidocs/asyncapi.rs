//! AsyncAPI 2.x and 3.x documents as a reference page: servers, then one section per channel
//! with its operations (2.x `publish`/`subscribe`, 3.x `send`/`receive` operations that point
//! at the channel) and their messages, payload and headers expanded by `schema`.

use super::schema::{SchemaNode, Walker};
use super::{
    example, markdown, refs, str_at, Anchors, Doc, Example, Invalid, Reference, Server, TocEntry,
    MAX_ITEMS,
};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Serialize)]
pub struct Channels {
    pub channels: Vec<Channel>,
}

#[derive(Debug, Serialize)]
pub struct Channel {
    pub id: String,
    /// The address (3.x) or the channel's key (2.x).
    pub name: String,
    pub title: String,
    pub description: String,
    pub parameters: Vec<String>,
    pub operations: Vec<Operation>,
    /// Messages of a 3.x channel that no operation uses.
    pub messages: Vec<Message>,
}

#[derive(Debug, Serialize)]
pub struct Operation {
    pub id: String,
    /// `publish`, `subscribe` (2.x), `send`, `receive` (3.x).
    pub action: String,
    pub operation_id: String,
    pub summary: String,
    pub description: String,
    pub messages: Vec<Message>,
}

#[derive(Debug, Serialize)]
pub struct Message {
    pub name: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub content_type: String,
    pub payload: Option<SchemaNode>,
    pub headers: Option<SchemaNode>,
    pub examples: Vec<Example>,
}

pub(super) fn build(doc: &mut Doc<'_>) -> Result<Reference, Invalid> {
    let root = doc.root();
    let version = match root.get("asyncapi") {
        Some(Value::String(v)) => v.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let v3 = version.starts_with("3.");
    if !v3 && !version.starts_with("2.") {
        return Err(Invalid::new(format!(
            "AsyncAPI version \"{version}\" is not supported (2.x and 3.x are)"
        )));
    }
    let mut walker = Walker::default();
    let mut anchors = Anchors::default();
    let default_type = str_at(root, "defaultContentType");
    let mut reader = Reader {
        doc,
        walker: &mut walker,
        default_type,
    };
    let (channels, left_out) = if v3 {
        reader.channels_v3(root, &mut anchors)
    } else {
        reader.channels_v2(root, &mut anchors)
    };
    let mut notes = Vec::new();
    if left_out > 0 {
        notes.push(format!(
            "Only the first {MAX_ITEMS} channels and operations are shown; {left_out} more are in the definition."
        ));
    }
    let toc = channels
        .iter()
        .map(|c| TocEntry {
            id: c.id.clone(),
            title: c.name.clone(),
            children: c
                .operations
                .iter()
                .map(|o| TocEntry {
                    id: o.id.clone(),
                    title: format!(
                        "{} {}",
                        o.action,
                        if o.operation_id.is_empty() {
                            &c.name
                        } else {
                            &o.operation_id
                        }
                    ),
                    children: Vec::new(),
                })
                .collect(),
        })
        .collect();
    let info = root.get("info").unwrap_or(&Value::Null);
    Ok(Reference {
        format: "asyncapi",
        format_label: format!("AsyncAPI {version}"),
        title: str_at(info, "title"),
        version: str_at(info, "version"),
        description: markdown(&str_at(info, "description")),
        servers: servers(root, v3),
        toc,
        asyncapi: Some(Channels { channels }),
        notes,
        ..Reference::default()
    })
}

fn servers(root: &Value, v3: bool) -> Vec<Server> {
    let Some(map) = root.get("servers").and_then(Value::as_object) else {
        return Vec::new();
    };
    map.iter()
        .map(|(name, s)| {
            let url = if v3 {
                format!("{}{}", str_at(s, "host"), str_at(s, "pathname"))
            } else {
                str_at(s, "url")
            };
            let protocol = str_at(s, "protocol");
            let description = str_at(s, "description");
            let about: Vec<&str> = [name.as_str(), protocol.as_str(), description.as_str()]
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect();
            Server {
                url,
                description: about.join(" · "),
            }
        })
        .collect()
}

struct Reader<'d, 'a, 'w> {
    doc: &'d mut Doc<'a>,
    walker: &'w mut Walker,
    default_type: String,
}

impl<'a> Reader<'_, 'a, '_> {
    fn channels_v2(&mut self, root: &'a Value, anchors: &mut Anchors) -> (Vec<Channel>, usize) {
        let mut out = Vec::new();
        let (mut taken, mut left_out) = (0, 0);
        for (name, channel) in entries(root, "channels", &mut taken, &mut left_out) {
            let Some(channel) = self.doc.deref(channel) else {
                continue;
            };
            let mut operations = Vec::new();
            for action in ["publish", "subscribe"] {
                let Some(op) = channel.get(action).and_then(|o| self.doc.deref(o)) else {
                    continue;
                };
                let operation_id = str_at(op, "operationId");
                let anchor = if operation_id.is_empty() {
                    format!("{action} {name}")
                } else {
                    operation_id.clone()
                };
                let messages = match op.get("message") {
                    Some(m) => match m.get("oneOf").and_then(Value::as_array) {
                        Some(options) => {
                            options.iter().filter_map(|o| self.message(o, "")).collect()
                        }
                        None => self.message(m, "").into_iter().collect(),
                    },
                    None => Vec::new(),
                };
                operations.push(Operation {
                    id: anchors.id("op", &anchor),
                    action: action.to_string(),
                    operation_id,
                    summary: str_at(op, "summary"),
                    description: markdown(&str_at(op, "description")),
                    messages,
                });
            }
            out.push(Channel {
                id: anchors.id("channel", name),
                name: name.clone(),
                title: String::new(),
                description: markdown(&str_at(channel, "description")),
                parameters: parameter_names(channel),
                operations,
                messages: Vec::new(),
            });
        }
        (out, left_out)
    }

    fn channels_v3(&mut self, root: &'a Value, anchors: &mut Anchors) -> (Vec<Channel>, usize) {
        let mut out = Vec::new();
        let mut keys = Vec::new();
        let (mut taken, mut left_out) = (0, 0);
        for (key, channel) in entries(root, "channels", &mut taken, &mut left_out) {
            let Some(channel) = self.doc.deref(channel) else {
                continue;
            };
            let address = str_at(channel, "address");
            let name = if address.is_empty() {
                key.clone()
            } else {
                address
            };
            keys.push((
                format!("#/channels/{}", key.replace('~', "~0").replace('/', "~1")),
                channel,
            ));
            out.push(Channel {
                id: anchors.id("channel", &name),
                name,
                title: str_at(channel, "title"),
                description: markdown(&str_at(channel, "description")),
                parameters: parameter_names(channel),
                operations: Vec::new(),
                messages: Vec::new(),
            });
        }
        for (op_id, op) in entries(root, "operations", &mut taken, &mut left_out) {
            let Some(op) = self.doc.deref(op) else {
                continue;
            };
            let channel_ref = op
                .pointer("/channel/$ref")
                .and_then(Value::as_str)
                .unwrap_or("");
            let Some(index) = keys.iter().position(|(r, _)| r == channel_ref) else {
                if !channel_ref.is_empty() {
                    self.doc.unresolved.insert(channel_ref.to_string());
                }
                continue;
            };
            let listed = op.get("messages").and_then(Value::as_array);
            let messages = match listed {
                Some(list) => list.iter().filter_map(|m| self.message(m, "")).collect(),
                None => self.channel_messages(keys[index].1),
            };
            let title = str_at(op, "title");
            out[index].operations.push(Operation {
                id: anchors.id("op", op_id),
                action: str_at(op, "action"),
                operation_id: op_id.clone(),
                summary: if title.is_empty() {
                    str_at(op, "summary")
                } else {
                    title
                },
                description: markdown(&str_at(op, "description")),
                messages,
            });
        }
        for (channel, raw) in out.iter_mut().zip(keys.iter().map(|(_, raw)| *raw)) {
            if channel.operations.is_empty() {
                channel.messages = self.channel_messages(raw);
            }
        }
        (out, left_out)
    }

    fn channel_messages(&mut self, channel: &'a Value) -> Vec<Message> {
        channel
            .get("messages")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(key, m)| self.message(m, key))
            .collect()
    }

    /// A message (or a `$ref` to one); `key` names it when it has no name of its own.
    fn message(&mut self, m: &'a Value, key: &str) -> Option<Message> {
        let ref_name = m.get("$ref").and_then(Value::as_str).map(refs::name);
        let m = self.doc.deref(m)?;
        let name = [
            str_at(m, "name"),
            ref_name.unwrap_or_default(),
            key.to_string(),
        ]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| "message".to_string());
        let content_type = str_at(m, "contentType");
        let payload = m.get("payload").map(|p| {
            // 3.x may wrap the schema in a multi-format object ({ schemaFormat, schema }).
            let schema = p.get("schemaFormat").and(p.get("schema")).unwrap_or(p);
            self.walker.node(self.doc, schema, "", 0)
        });
        let headers = m
            .get("headers")
            .map(|h| self.walker.node(self.doc, h, "", 0));
        let examples = m
            .get("examples")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|ex| {
                let value = ex.get("payload")?;
                let label = [str_at(ex, "name"), str_at(ex, "summary")].join(" ");
                Some(example(label.trim(), value))
            })
            .collect();
        Some(Message {
            name,
            title: str_at(m, "title"),
            summary: str_at(m, "summary"),
            description: markdown(&str_at(m, "description")),
            content_type: if content_type.is_empty() {
                self.default_type.clone()
            } else {
                content_type
            },
            payload,
            headers,
            examples,
        })
    }
}

/// The entries of the mapping at `key`, while fewer than [`MAX_ITEMS`] were taken (`taken`
/// counts across calls); `left_out` counts the rest.
fn entries<'v>(
    root: &'v Value,
    key: &str,
    taken: &mut usize,
    left_out: &mut usize,
) -> Vec<(&'v String, &'v Value)> {
    let mut out = Vec::new();
    for entry in root
        .get(key)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if *taken < MAX_ITEMS {
            *taken += 1;
            out.push(entry);
        } else {
            *left_out += 1;
        }
    }
    out
}

fn parameter_names(channel: &Value) -> Vec<String> {
    channel
        .get("parameters")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}
