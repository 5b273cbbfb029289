//! Entity references: `[kind:][namespace/]name`, parsed exactly as Backstage does, compared
//! case-insensitively (the canonical form is lower-case).

use std::fmt;

pub const DEFAULT_NAMESPACE: &str = "default";

/// A canonical, lower-case entity reference.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl EntityRef {
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        EntityRef {
            kind: kind.to_lowercase(),
            namespace: namespace.to_lowercase(),
            name: name.to_lowercase(),
        }
    }

    /// Parses a reference written in a spec field. A missing kind takes `default_kind` (an
    /// error when the field has none); a missing namespace takes the referring entity's.
    pub fn parse(
        text: &str,
        default_kind: Option<&str>,
        default_namespace: &str,
    ) -> Result<EntityRef, String> {
        let malformed = || {
            format!("entity reference \"{text}\" is not of the form [<kind>:][<namespace>/]<name>")
        };
        let slash = text.find('/');
        let mut colon = text.find(':');
        // A `/` before the first `:` means the `:` is part of the name: there is no kind.
        if let (Some(s), Some(c)) = (slash, colon) {
            if s < c {
                colon = None;
            }
        }
        let kind = colon.map(|c| &text[..c]);
        let namespace = slash.map(|s| &text[colon.map_or(0, |c| c + 1)..s]);
        let name_start = colon.map_or(0, |c| c + 1).max(slash.map_or(0, |s| s + 1));
        let name = &text[name_start..];
        if kind == Some("") || namespace == Some("") || name.is_empty() {
            return Err(malformed());
        }
        let kind = match kind.or(default_kind) {
            Some(k) => k,
            None => {
                return Err(format!(
                    "entity reference \"{text}\" has no kind, and this field has no default kind; write it as <kind>:[<namespace>/]<name>"
                ))
            }
        };
        Ok(EntityRef::new(
            kind,
            namespace.unwrap_or(default_namespace),
            name,
        ))
    }

    /// The page of this entity, relative to the site root.
    pub fn page_dir(&self) -> String {
        format!("catalog/{}/{}/{}", self.namespace, self.kind, self.name)
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

/// Written as its canonical text, `kind:namespace/name` (a shard's manifest carries them).
impl serde::Serialize for EntityRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for EntityRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        EntityRef::parse(&text, None, "default").map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, kind: Option<&str>) -> Result<String, String> {
        EntityRef::parse(text, kind, "team-ns").map(|r| r.to_string())
    }

    #[test]
    fn defaults_fill_missing_parts() {
        assert_eq!(
            parse("payments", Some("Group")).unwrap(),
            "group:team-ns/payments"
        );
        assert_eq!(
            parse("default/payments", Some("Group")).unwrap(),
            "group:default/payments"
        );
        assert_eq!(
            parse("user:jane", Some("Group")).unwrap(),
            "user:team-ns/jane"
        );
        assert_eq!(
            parse("User:Default/Jane", None).unwrap(),
            "user:default/jane"
        );
    }

    #[test]
    fn a_slash_before_the_colon_means_no_kind() {
        assert_eq!(parse("ns/a:b", Some("API")).unwrap(), "api:ns/a:b");
    }

    #[test]
    fn empty_parts_and_missing_kinds_are_errors() {
        assert!(parse(":x", Some("Group")).is_err());
        assert!(parse("group:/x", Some("Group")).is_err());
        assert!(parse("group:ns/", Some("Group")).is_err());
        assert!(parse("", Some("Group")).is_err());
        assert!(parse("db", None).unwrap_err().contains("no kind"));
    }
}
