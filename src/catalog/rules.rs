//! `[catalog] rules`: Backstage's `catalog.rules` allow-list. No rules: every built-in kind is
//! allowed. With rules, an entity is accepted when any rule allows its kind (case-insensitive,
//! optionally its spec.type) and, when the rule names locations, its location.

use crate::config::Rule;

/// `location_target` is `repo/path` of the file that declared the entity; its type is `file`.
pub(super) fn allowed(
    rules: Option<&[Rule]>,
    kind: &str,
    spec_type: Option<&str>,
    location_target: &str,
) -> bool {
    let Some(rules) = rules else { return true };
    rules.iter().any(|rule| {
        let kind_ok = rule.allow.iter().any(|a| {
            a.kind().eq_ignore_ascii_case(kind)
                && a.spec_type()
                    .is_none_or(|t| spec_type.is_some_and(|s| s.eq_ignore_ascii_case(t)))
        });
        let location_ok = rule.locations.as_ref().is_none_or(|matchers| {
            matchers.iter().any(|m| {
                m.kind == "file"
                    && (m.exact.as_deref() == Some(location_target)
                        || m.pattern.as_deref().is_some_and(|p| {
                            globset::Glob::new(p)
                                .is_ok_and(|g| g.compile_matcher().is_match(location_target))
                        }))
            })
        });
        kind_ok && location_ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AllowEntry, LocationMatcher};

    fn rule(kinds: &[&str]) -> Rule {
        Rule {
            allow: kinds
                .iter()
                .map(|k| AllowEntry::Kind(k.to_string()))
                .collect(),
            locations: None,
        }
    }

    #[test]
    fn no_rules_allow_everything() {
        assert!(allowed(None, "Group", None, "org/x.yaml"));
    }

    #[test]
    fn kinds_match_case_insensitively() {
        let rules = [rule(&["component", "API"])];
        assert!(allowed(Some(&rules), "Component", None, "a/b"));
        assert!(allowed(Some(&rules), "API", None, "a/b"));
        assert!(!allowed(Some(&rules), "Group", None, "a/b"));
    }

    #[test]
    fn spec_type_and_locations_narrow_a_rule() {
        let rules = [
            Rule {
                allow: vec![AllowEntry::KindAndType {
                    kind: "Resource".into(),
                    spec_type: Some("database".into()),
                }],
                locations: None,
            },
            Rule {
                allow: vec![
                    AllowEntry::Kind("Group".into()),
                    AllowEntry::Kind("User".into()),
                ],
                locations: Some(vec![LocationMatcher {
                    kind: "file".into(),
                    exact: None,
                    pattern: Some("org/**".into()),
                }]),
            },
        ];
        assert!(allowed(Some(&rules), "Resource", Some("database"), "x/y"));
        assert!(!allowed(Some(&rules), "Resource", Some("queue"), "x/y"));
        assert!(allowed(Some(&rules), "Group", None, "org/groups.yaml"));
        assert!(!allowed(
            Some(&rules),
            "Group",
            None,
            "payments/catalog-info.yaml"
        ));
    }
}
