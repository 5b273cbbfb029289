//! YAML 1.1 as PyYAML reads it, for the files mkdocs reads (mkdocs.yml): `yes` is true and
//! `0777` octal there. `serde_yaml` types scalars this way; the catalog reads YAML 1.2 instead.

use serde_json::{Map, Number, Value};

/// Parses a text holding one YAML document.
pub fn parse(text: &str) -> Result<Value, String> {
    serde_yaml::from_str::<serde_yaml::Value>(text)
        .map(to_json)
        .map_err(|e| e.to_string())
}

/// YAML values as JSON, as mkdocs sees them: tags dropped, keys as strings.
pub fn to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                n.as_f64()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(to_json).collect()),
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(key_string(k), to_json(v));
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => to_json(tagged.value),
    }
}

fn key_string(key: serde_yaml::Value) -> String {
    match to_json(key) {
        Value::String(s) => s,
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}
