//! A scalar's value as Backstage's YAML reader (the `yaml` npm package, YAML 1.2 core schema,
//! YAML 1.1 tags such as `!!binary` still known) types it: a plain scalar by the core schema's
//! patterns, a quoted or block scalar as a string, an explicitly tagged one by its tag's
//! patterns only, and a tag nothing resolves as the string it holds.

use base64::Engine;
use regex::Regex;
use saphyr_parser::{ScalarStyle, Tag};
use serde_json::{Number, Value};
use std::sync::LazyLock;

/// The tag handle of the YAML core schema (`!!int` is this handle and `int`).
const CORE: &str = "tag:yaml.org,2002:";

/// One of the core schema's types, with the patterns that resolve a plain scalar to it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Type {
    Null,
    Bool,
    Int,
    Float,
}

static DECIMAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[-+]?[0-9]+$").unwrap());
static OCTAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^0o[0-7]+$").unwrap());
static HEX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^0x[0-9a-fA-F]+$").unwrap());
static FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$|^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$")
        .unwrap()
});
static NON_FINITE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$").unwrap());

/// The value of `text` as `ty`, if one of the type's patterns matches it.
fn resolve_as(ty: Type, text: &str) -> Option<Value> {
    match ty {
        Type::Null => matches!(text, "" | "~" | "null" | "Null" | "NULL").then_some(Value::Null),
        Type::Bool => match text {
            "true" | "True" | "TRUE" => Some(Value::Bool(true)),
            "false" | "False" | "FALSE" => Some(Value::Bool(false)),
            _ => None,
        },
        Type::Int => {
            let radix = if OCTAL.is_match(text) {
                8
            } else if HEX.is_match(text) {
                16
            } else if DECIMAL.is_match(text) {
                10
            } else {
                return None;
            };
            let digits = if radix == 10 { text } else { &text[2..] };
            Some(integer(digits, radix))
        }
        // JavaScript's NaN and Infinity have no JSON form; like `JSON.stringify`, null.
        Type::Float if NON_FINITE.is_match(text) => Some(Value::Null),
        Type::Float if FLOAT.is_match(text) => Some(float(text.parse().ok())),
        Type::Float => None,
    }
}

/// An integer as JavaScript's `parseInt` gives it: exact while it fits, a float past that.
fn integer(digits: &str, radix: u32) -> Value {
    if let Ok(i) = i64::from_str_radix(digits, radix) {
        return Value::Number(i.into());
    }
    let unsigned = digits.strip_prefix('+').unwrap_or(digits);
    if let Ok(u) = u64::from_str_radix(unsigned, radix) {
        return Value::Number(u.into());
    }
    let magnitude = unsigned
        .trim_start_matches('-')
        .chars()
        .filter_map(|c| c.to_digit(radix))
        .fold(0f64, |acc, d| acc * f64::from(radix) + f64::from(d));
    float(Some(if digits.starts_with('-') {
        -magnitude
    } else {
        magnitude
    }))
}

fn float(value: Option<f64>) -> Value {
    value
        .and_then(Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// The type a core-schema tag names (`!!int`), or None for any other tag.
fn tagged_type(tag: &Tag) -> Option<Type> {
    match tag.suffix.as_str() {
        "null" => Some(Type::Null),
        "bool" => Some(Type::Bool),
        "int" => Some(Type::Int),
        "float" => Some(Type::Float),
        _ => None,
    }
}

/// `!!binary` as Node's `Buffer` serialises to JSON: an object, never a string. Like
/// `Buffer.from(text, "base64")`, line breaks and missing padding are forgiven.
fn binary(text: &str) -> Value {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = LENIENT.decode(compact).unwrap_or_default();
    serde_json::json!({ "type": "Buffer", "data": bytes })
}

/// The value of one scalar as written: its text, style and tag.
pub(super) fn resolve(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    match tag {
        Some(tag) if tag.handle == CORE => {
            if tag.suffix == "binary" {
                return binary(text);
            }
            tagged_type(tag)
                .and_then(|ty| resolve_as(ty, text))
                .unwrap_or_else(|| Value::String(text.to_string()))
        }
        // The non-specific `!` and application tags (`!ENV`) keep the text.
        Some(_) => Value::String(text.to_string()),
        None if style == ScalarStyle::Plain => [Type::Null, Type::Bool, Type::Int, Type::Float]
            .into_iter()
            .find_map(|ty| resolve_as(ty, text))
            .unwrap_or_else(|| Value::String(text.to_string())),
        None => Value::String(text.to_string()),
    }
}

/// A mapping key as JavaScript makes a property name of it (`String(key)`; null is "").
pub(super) fn key_string(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) => match n.as_f64() {
            // Integral floats print without a fraction in JavaScript (`1.0` is "1").
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Value {
        resolve(text, ScalarStyle::Plain, None)
    }

    fn core(suffix: &str) -> Tag {
        Tag {
            handle: CORE.to_string(),
            suffix: suffix.to_string(),
        }
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        let cases: &[(&str, Value)] = &[
            ("0777", 777.into()),
            ("+12", 12.into()),
            ("-007", (-7).into()),
            ("0o17", 15.into()),
            ("0x1f", 31.into()),
            ("0b101", "0b101".into()),
            ("-0x1f", "-0x1f".into()),
            ("1_000", "1_000".into()),
            ("1.5", 1.5.into()),
            ("1.", 1.0.into()),
            ("2e3", 2000.0.into()),
            (".inf", Value::Null),
            ("-.nan", "-.nan".into()),
            ("yes", "yes".into()),
            ("on", "on".into()),
            ("True", true.into()),
            ("~", Value::Null),
            ("", Value::Null),
            ("2024-01-01", "2024-01-01".into()),
            ("18446744073709551615", u64::MAX.into()),
        ];
        for (text, want) in cases {
            assert_eq!(&plain(text), want, "{text}");
        }
    }

    #[test]
    fn quoted_and_block_scalars_are_strings() {
        for style in [
            ScalarStyle::SingleQuoted,
            ScalarStyle::DoubleQuoted,
            ScalarStyle::Literal,
            ScalarStyle::Folded,
        ] {
            assert_eq!(resolve("12", style, None), "12");
        }
    }

    #[test]
    fn tags_resolve_by_their_own_patterns_only() {
        let quoted = ScalarStyle::DoubleQuoted;
        assert_eq!(resolve("12", quoted, Some(&core("int"))), 12);
        assert_eq!(resolve("", quoted, Some(&core("null"))), Value::Null);
        assert_eq!(resolve("1", ScalarStyle::Plain, Some(&core("float"))), "1");
        assert_eq!(resolve("12", ScalarStyle::Plain, Some(&core("str"))), "12");
        let env = Tag {
            handle: "!".into(),
            suffix: "ENV".into(),
        };
        assert_eq!(resolve("true", ScalarStyle::Plain, Some(&env)), "true");
        let bytes = resolve("aGk=", ScalarStyle::Plain, Some(&core("binary")));
        assert_eq!(bytes["data"], serde_json::json!([104, 105]));
    }

    #[test]
    fn keys_are_property_names() {
        assert_eq!(key_string(&Value::Null), "");
        assert_eq!(key_string(&1.0.into()), "1");
        assert_eq!(key_string(&1.5.into()), "1.5");
        assert_eq!(key_string(&true.into()), "true");
    }
}
