//! `$ref`s inside one API definition: a local JSON pointer (`#/components/schemas/Payment`,
//! `#/definitions/Pet`) resolved against the document's root. `~1` and `~0` escape `/` and `~`
//! (RFC 6901) and the fragment may be percent-encoded. References to other files or URLs are not
//! followed: the definition reaches Playbill as one document.

use serde_json::Value;

/// A `$ref` that could not be resolved, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefError {
    /// Points outside the document (`other.yaml#/...`, `https://...`).
    External,
    /// A local pointer that names nothing in the document.
    Missing,
}

/// The value `reference` points at inside `root`, following chains of `$ref`s (bounded, so a
/// ref to itself fails instead of looping).
pub fn resolve<'a>(root: &'a Value, reference: &str) -> Result<&'a Value, RefError> {
    let mut target = pointer(root, reference)?;
    for _ in 0..MAX_CHAIN {
        match target.get("$ref").and_then(Value::as_str) {
            Some(next) => target = pointer(root, next)?,
            None => return Ok(target),
        }
    }
    Err(RefError::Missing)
}

/// How many `$ref`s to `$ref`s are followed before giving up.
const MAX_CHAIN: usize = 16;

fn pointer<'a>(root: &'a Value, reference: &str) -> Result<&'a Value, RefError> {
    let fragment = reference.strip_prefix('#').ok_or(RefError::External)?;
    let fragment = crate::paths::percent_decode(fragment).ok_or(RefError::Missing)?;
    if fragment.is_empty() {
        return Ok(root);
    }
    let path = fragment.strip_prefix('/').ok_or(RefError::Missing)?;
    let mut current = root;
    for token in path.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        current = match current {
            Value::Object(map) => map.get(&token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
        .ok_or(RefError::Missing)?;
    }
    Ok(current)
}

/// The name a reader knows a reference by: its last pointer segment, unescaped
/// (`#/components/schemas/Payment` -> `Payment`).
pub fn name(reference: &str) -> String {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let decoded = crate::paths::percent_decode(last).unwrap_or_else(|| last.to_string());
    decoded.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "components": {
                "schemas": {
                    "Payment": { "type": "object" },
                    "Alias": { "$ref": "#/components/schemas/Payment" },
                    "Loop": { "$ref": "#/components/schemas/Loop" },
                    "a/b~c": { "type": "string" },
                    "with space": { "type": "integer" }
                }
            },
            "definitions": { "Pet": { "type": "object", "title": "Pet" } },
            "list": [ { "x": 1 }, { "x": 2 } ]
        })
    }

    #[test]
    fn resolves_local_pointers_in_both_openapi_layouts() {
        let d = doc();
        for (reference, expected) in [
            ("#/components/schemas/Payment", json!({ "type": "object" })),
            (
                "#/definitions/Pet",
                json!({ "type": "object", "title": "Pet" }),
            ),
            ("#/components/schemas/a~1b~0c", json!({ "type": "string" })),
            (
                "#/components/schemas/with%20space",
                json!({ "type": "integer" }),
            ),
            ("#/list/1", json!({ "x": 2 })),
            ("#/components/schemas/Alias", json!({ "type": "object" })),
        ] {
            assert_eq!(resolve(&d, reference), Ok(&expected), "{reference}");
        }
    }

    #[test]
    fn reports_missing_external_and_looping_refs() {
        let d = doc();
        for (reference, expected) in [
            ("#/components/schemas/Nope", RefError::Missing),
            ("#/list/7", RefError::Missing),
            ("#/list/x", RefError::Missing),
            ("#components", RefError::Missing),
            ("#/components/schemas/Loop", RefError::Missing),
            ("common.yaml#/Payment", RefError::External),
            ("https://example.com/schema.json", RefError::External),
        ] {
            assert_eq!(resolve(&d, reference), Err(expected), "{reference}");
        }
    }

    #[test]
    fn names_a_reference_by_its_last_segment() {
        assert_eq!(name("#/components/schemas/Payment"), "Payment");
        assert_eq!(name("#/components/schemas/a~1b~0c"), "a/b~c");
        assert_eq!(name("#/definitions/with%20space"), "with space");
    }
}
