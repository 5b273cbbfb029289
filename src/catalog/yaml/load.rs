//! One YAML document's text in, its JSON value out, built from the events of `saphyr-parser`
//! with every scalar typed as Backstage types it (see `scalar`).
//!
//! Why `saphyr-parser` took over from `serde_yaml` (deprecated upstream; its libyaml
//! translation `unsafe-libyaml` is archived):
//! - Backstage reads catalog files with YAML 1.2's core schema. A serde layer decides a
//!   scalar's type from its text alone (`serde_yaml`, `serde_yaml_ng` and `serde_norway` as
//!   YAML 1.1 does: `0777` octal, `0b101` binary; `serde-saphyr` reads `0b101` and `-0x1f` as
//!   numbers too), and only the events say whether a scalar was quoted and how it was tagged.
//! - It is the maintained YAML 1.2 parser of the `yaml-rust2`/`saphyr` line: pure Rust, no
//!   `unsafe`, it passes the YAML test suite, and its parser is a state machine, so deep
//!   nesting cannot overflow the stack; every event carries its span (line and column).
//! - Its bounds are ours and stated here: nesting depth, alias use (the `yaml` package's own
//!   rule, so an alias bomb is refused as Backstage refuses it) and nodes per document.

use super::scalar::{key_string, resolve};
use saphyr_parser::{Event, Marker, Parser};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// Collections nested deeper than this are refused (serde_yaml's bound, kept).
const MAX_DEPTH: usize = 128;
/// The `yaml` package's `maxAliasCount`: an anchor's uses times the aliases inside it.
const MAX_ALIAS_COUNT: u64 = 100;
/// Nodes one document may hold once its aliases are expanded.
const MAX_NODES: u64 = 1_000_000;

/// A document that cannot be read, with its 1-based line and column in the document's text.
#[derive(Debug)]
pub(super) struct LoadError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl LoadError {
    fn at(marker: Marker, message: impl Into<String>) -> LoadError {
        LoadError {
            message: message.into(),
            line: marker.line(),
            column: marker.col() + 1,
        }
    }
}

/// A value with what the bounds need to know of it.
struct Node {
    value: Value,
    /// Nodes inside it, itself included, aliases expanded.
    nodes: u64,
    /// The `yaml` package's alias count: 1 for a scalar, the largest of its items for a
    /// collection, uses times the alias count of the anchor for an alias.
    alias_count: u64,
}

struct Anchor {
    node: Node,
    uses: u64,
}

enum Open {
    Sequence(Vec<Value>),
    Mapping {
        map: Map<String, Value>,
        /// Keys as typed (`1` and `"1"` differ), to refuse a duplicate as Backstage does.
        seen: HashSet<String>,
        /// The key read, waiting for its value, and where it was written.
        key: Option<(Value, Marker)>,
    },
}

struct Frame {
    open: Open,
    anchor: usize,
    nodes: u64,
    alias_count: u64,
}

#[derive(Default)]
struct Loader {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchor>,
    nodes: u64,
    root: Option<Value>,
}

/// Loads one document (the text of one `Document`).
pub(super) fn load(text: &str) -> Result<Value, LoadError> {
    let mut loader = Loader::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| LoadError::at(*e.marker(), e.info()))?;
        loader.event(event, span.start)?;
    }
    Ok(loader.root.unwrap_or(Value::Null))
}

impl Loader {
    fn event(&mut self, event: Event<'_>, at: Marker) -> Result<(), LoadError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = resolve(&text, style, tag.as_deref());
                self.finish(value, anchor, 1, 1, at)
            }
            Event::SequenceStart(anchor, _) => self.open(Open::Sequence(Vec::new()), anchor, at),
            Event::MappingStart(anchor, _) => {
                let mapping = Open::Mapping {
                    map: Map::new(),
                    seen: HashSet::new(),
                    key: None,
                };
                self.open(mapping, anchor, at)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = self.stack.pop().expect("the parser balances collections");
                let value = match frame.open {
                    Open::Sequence(items) => Value::Array(items),
                    Open::Mapping { map, .. } => Value::Object(map),
                };
                self.finish(value, frame.anchor, frame.nodes, frame.alias_count, at)
            }
            Event::Alias(id) => self.alias(id, at),
            _ => Ok(()),
        }
    }

    fn open(&mut self, open: Open, anchor: usize, at: Marker) -> Result<(), LoadError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(LoadError::at(
                at,
                format!("collections nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.stack.push(Frame {
            open,
            anchor,
            nodes: 1,
            alias_count: 0,
        });
        Ok(())
    }

    fn alias(&mut self, id: usize, at: Marker) -> Result<(), LoadError> {
        let anchor = self
            .anchors
            .get_mut(&id)
            .ok_or_else(|| LoadError::at(at, "an alias to an anchor that is not defined"))?;
        anchor.uses += 1;
        let alias_count = anchor.uses * anchor.node.alias_count;
        if alias_count > MAX_ALIAS_COUNT {
            return Err(LoadError::at(
                at,
                "excessive alias count: an anchor is used too often (a guard against alias bombs)",
            ));
        }
        let (value, nodes) = (anchor.node.value.clone(), anchor.node.nodes);
        self.place(value, nodes, alias_count, at)
    }

    /// A complete node: remembered under its anchor, then placed in its parent.
    fn finish(
        &mut self,
        value: Value,
        anchor: usize,
        nodes: u64,
        alias_count: u64,
        at: Marker,
    ) -> Result<(), LoadError> {
        if anchor != 0 {
            let node = Node {
                value: value.clone(),
                nodes,
                alias_count,
            };
            self.anchors.insert(anchor, Anchor { node, uses: 1 });
        }
        self.place(value, nodes, alias_count, at)
    }

    fn place(
        &mut self,
        value: Value,
        nodes: u64,
        alias_count: u64,
        at: Marker,
    ) -> Result<(), LoadError> {
        self.nodes += nodes;
        if self.nodes > MAX_NODES {
            return Err(LoadError::at(
                at,
                format!("more than {MAX_NODES} values once aliases are expanded"),
            ));
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(value);
            return Ok(());
        };
        parent.nodes += nodes;
        parent.alias_count = parent.alias_count.max(alias_count);
        match &mut parent.open {
            Open::Sequence(items) => items.push(value),
            Open::Mapping {
                key: key @ None, ..
            } => *key = Some((value, at)),
            Open::Mapping { map, seen, key } => {
                let (key, key_at) = key.take().expect("matched Some above");
                if !seen.insert(key.to_string()) {
                    let name = key_string(&key);
                    return Err(LoadError::at(
                        key_at,
                        format!("duplicate key `{name}`: a mapping's keys must be unique"),
                    ));
                }
                map.insert(key_string(&key), value);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_nested_values_with_typed_scalars() {
        let v = load("a: [1, '2', 0777]\nb: {c: ~, +12: x}\n").unwrap();
        assert_eq!(
            v,
            serde_json::json!({"a": [1, "2", 777], "b": {"c": null, "12": "x"}})
        );
    }

    #[test]
    fn merge_keys_are_ordinary_keys() {
        let v = load("base: &b {x: 1}\nitem:\n  <<: *b\n").unwrap();
        assert_eq!(v["item"]["<<"]["x"], 1);
    }

    #[test]
    fn duplicate_keys_are_refused_at_their_line() {
        let e = load("a: 1\nb: 2\n0x61: 3\n97:\n  - 4\n").unwrap_err();
        assert_eq!(e.line, 4, "{e:?}");
        assert!(e.message.contains("duplicate key `97`"), "{e:?}");
        assert!(load("1: a\n'1': b\n").is_ok());
    }

    #[test]
    fn an_anchor_used_too_often_is_refused() {
        let mut text = String::from("a: &a x\nb: [");
        text.push_str(&["*a"; 99].join(", "));
        assert!(load(&format!("{text}]\n")).is_ok());
        assert!(load(&format!("{text}, *a, *a]\n")).is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(load(&deep).unwrap_err().message.contains("nested deeper"));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(load(&ok).is_ok());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = load("a: 1\nb: \"open\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
    }
}
