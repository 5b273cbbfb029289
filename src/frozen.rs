//! A JSON document frozen once it is validated: read-only, each container allocated at its
//! exact size, each mapping a slice sorted by key.
//!
//! The catalog keeps every entity's document until the portal is written. As a
//! `serde_json::Value`, each mapping is a B-tree whose smallest node holds room for eleven
//! entries, so a document of a few short mappings costs kilobytes; at 10,000 repositories the
//! trees were the largest part of the heap. A frozen document keeps the same content in a
//! fraction of that, reads the same way (`get`, `pointer`, `as_str`, ...) and serialises to
//! the same bytes: keys in the same sorted order, numbers as serde_json writes them.
//!
//! Hand-written rather than taken from a crate: the compact JSON crates keep mappings in
//! insertion order or as hash tables and read numbers their own way, while the portal's
//! hashes and files depend on serde_json's exact output.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Number, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Frozen {
    Null,
    Bool(bool),
    Number(Number),
    String(Box<str>),
    Array(Box<[Frozen]>),
    /// Sorted by key, each key once.
    Object(Box<[(Box<str>, Frozen)]>),
}

impl From<Value> for Frozen {
    fn from(value: Value) -> Frozen {
        match value {
            Value::Null => Frozen::Null,
            Value::Bool(b) => Frozen::Bool(b),
            Value::Number(n) => Frozen::Number(n),
            Value::String(s) => Frozen::String(s.into_boxed_str()),
            Value::Array(items) => Frozen::Array(items.into_iter().map(Frozen::from).collect()),
            // serde_json's map is a BTreeMap: it gives its entries sorted by key.
            Value::Object(map) => Frozen::Object(
                map.into_iter()
                    .map(|(k, v)| (k.into_boxed_str(), Frozen::from(v)))
                    .collect(),
            ),
        }
    }
}

impl Frozen {
    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Frozen> {
        let entries = self.as_object()?;
        let at = entries.binary_search_by(|(k, _)| (**k).cmp(key)).ok()?;
        Some(&entries[at].1)
    }

    /// The value a JSON Pointer (RFC 6901) names, read as `serde_json::Value::pointer` reads
    /// it: `""` is the whole document, `~1` a slash and `~0` a tilde in a key.
    pub fn pointer(&self, pointer: &str) -> Option<&Frozen> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |node, token| {
            let token = token.replace("~1", "/").replace("~0", "~");
            match node {
                Frozen::Object(_) => node.get(&token),
                Frozen::Array(items) => items.get(array_index(&token)?),
                _ => None,
            }
        })
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Frozen::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Frozen]> {
        match self {
            Frozen::Array(items) => Some(items),
            _ => None,
        }
    }

    /// A mapping's entries, sorted by key.
    pub fn as_object(&self) -> Option<&[(Box<str>, Frozen)]> {
        match self {
            Frozen::Object(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Frozen::Object(_))
    }

    /// The document as a `serde_json::Value` again, for what takes one (templates, webhooks).
    pub fn to_value(&self) -> Value {
        match self {
            Frozen::Null => Value::Null,
            Frozen::Bool(b) => Value::Bool(*b),
            Frozen::Number(n) => Value::Number(n.clone()),
            Frozen::String(s) => Value::String(s.to_string()),
            Frozen::Array(items) => Value::Array(items.iter().map(Frozen::to_value).collect()),
            Frozen::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect::<Map<_, _>>(),
            ),
        }
    }
}

/// An array index as serde_json's pointer reads one: digits only, no leading zero.
fn array_index(token: &str) -> Option<usize> {
    if token.starts_with('+') || (token.starts_with('0') && token.len() > 1) {
        return None;
    }
    token.parse().ok()
}

impl Serialize for Frozen {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Frozen::Null => serializer.serialize_unit(),
            Frozen::Bool(b) => serializer.serialize_bool(*b),
            Frozen::Number(n) => n.serialize(serializer),
            Frozen::String(s) => serializer.serialize_str(s),
            Frozen::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Frozen::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries.iter() {
                    map.serialize_entry(&**k, v)?;
                }
                map.end()
            }
        }
    }
}

/// What reading a field needs of a document, frozen or not: the catalog reads references
/// both in documents being checked and in accepted entities.
pub trait Fields: Sized {
    fn field(&self, key: &str) -> Option<&Self>;
    fn text(&self) -> Option<&str>;
    fn items(&self) -> Option<&[Self]>;
}

impl Fields for Value {
    fn field(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }

    fn text(&self) -> Option<&str> {
        self.as_str()
    }

    fn items(&self) -> Option<&[Value]> {
        self.as_array().map(Vec::as_slice)
    }
}

impl Fields for Frozen {
    fn field(&self, key: &str) -> Option<&Frozen> {
        self.get(key)
    }

    fn text(&self) -> Option<&str> {
        self.as_str()
    }

    fn items(&self) -> Option<&[Frozen]> {
        self.as_array()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document() -> Value {
        json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {
                "name": "payments-ledger",
                "annotations": {"a/b": "slash", "t~x": "tilde", "z": "last", "b": "first"},
                "tags": ["java", "payments"],
                "links": [{"url": "https://example.com", "title": "Home"}]
            },
            "spec": {"type": "service", "replicas": 3, "ratio": 0.25, "offset": -2,
                     "big": 18446744073709551615u64, "on": true, "none": null, "": "empty key"}
        })
    }

    #[test]
    fn serialises_to_the_same_bytes_as_the_value_it_froze() {
        let value = document();
        let frozen = Frozen::from(value.clone());
        assert_eq!(
            serde_json::to_string(&frozen).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
        assert_eq!(
            serde_json::to_string_pretty(&frozen).unwrap(),
            serde_json::to_string_pretty(&value).unwrap()
        );
        assert_eq!(frozen.to_value(), value);
    }

    #[test]
    fn reads_as_a_value_reads() {
        let value = document();
        let frozen = Frozen::from(value.clone());
        let pointers = [
            "",
            "/kind",
            "/metadata/name",
            "/metadata/annotations/a~1b",
            "/metadata/annotations/t~0x",
            "/metadata/annotations/b",
            "/metadata/annotations/z",
            "/metadata/tags/1",
            "/metadata/tags/01",
            "/metadata/tags/+1",
            "/metadata/tags/2",
            "/metadata/links/0/url",
            "/spec/replicas",
            "/spec/big",
            "/spec/none",
            "/spec/",
            "/spec/missing",
            "kind",
            "/kind/0",
            "/metadata/tags/x",
        ];
        for p in pointers {
            assert_eq!(
                frozen.pointer(p).map(Frozen::to_value).as_ref(),
                value.pointer(p),
                "{p}"
            );
        }
        for key in ["kind", "metadata", "spec", "apiVersion", "absent", ""] {
            assert_eq!(
                frozen.get(key).map(Frozen::to_value).as_ref(),
                value.get(key)
            );
        }
        assert_eq!(
            frozen.pointer("/metadata/name").and_then(Frozen::as_str),
            Some("payments-ledger")
        );
        assert_eq!(
            frozen
                .pointer("/metadata/tags")
                .and_then(Frozen::as_array)
                .map(<[_]>::len),
            Some(2)
        );
        let keys: Vec<&str> = frozen
            .pointer("/metadata/annotations")
            .and_then(Frozen::as_object)
            .unwrap()
            .iter()
            .map(|(k, _)| &**k)
            .collect();
        assert_eq!(keys, ["a/b", "b", "t~x", "z"]);
        assert!(frozen.is_object() && frozen.get("kind").and_then(Frozen::as_str).is_some());
        assert_eq!(frozen.get("kind").and_then(|k| k.get("x")), None);
    }
}
