//! Kubernetes label selectors (`app=x,tier in (web,api),!legacy`), parsed as the API server
//! parses `?labelSelector=` and evaluated locally: Playbill lists every object once and
//! matches them to entities itself, so the selector of each entity runs here, not on the server.

use std::collections::BTreeMap;
use std::fmt;

/// A parsed selector: every requirement must hold. An empty selector matches everything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: Op,
    pub values: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

impl Selector {
    pub fn parse(text: &str) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        for part in split_top_level(text)? {
            let part = part.trim();
            if part.is_empty() {
                if text.trim().is_empty() {
                    continue;
                }
                return Err(format!("empty requirement in `{text}`"));
            }
            requirements.push(parse_requirement(part)?);
        }
        Ok(Selector { requirements })
    }

    /// `key=value`: the selector Backstage derives from `backstage.io/kubernetes-id`.
    pub fn equals(key: &str, value: &str) -> Selector {
        Selector {
            requirements: vec![Requirement {
                key: key.to_string(),
                op: Op::Equals,
                values: vec![value.to_string()],
            }],
        }
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }
}

impl Requirement {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.key);
        let number = |v: &str| v.parse::<i64>().ok();
        match self.op {
            Op::Equals | Op::In => value.is_some_and(|v| self.values.contains(v)),
            // As in Kubernetes: a missing key satisfies `!=` and `notin`.
            Op::NotEquals | Op::NotIn => value.is_none_or(|v| !self.values.contains(v)),
            Op::Exists => value.is_some(),
            Op::DoesNotExist => value.is_none(),
            Op::GreaterThan | Op::LessThan => {
                let (Some(have), Some(bound)) = (
                    value.and_then(|v| number(v)),
                    self.values.first().and_then(|v| number(v)),
                ) else {
                    return false;
                };
                if self.op == Op::GreaterThan {
                    have > bound
                } else {
                    have < bound
                }
            }
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .requirements
            .iter()
            .map(|r| match r.op {
                Op::Equals => format!("{}={}", r.key, r.values[0]),
                Op::NotEquals => format!("{}!={}", r.key, r.values[0]),
                Op::In => format!("{} in ({})", r.key, r.values.join(",")),
                Op::NotIn => format!("{} notin ({})", r.key, r.values.join(",")),
                Op::Exists => r.key.clone(),
                Op::DoesNotExist => format!("!{}", r.key),
                Op::GreaterThan => format!("{}>{}", r.key, r.values[0]),
                Op::LessThan => format!("{}<{}", r.key, r.values[0]),
            })
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// Splits at commas outside parentheses; unbalanced parentheses are an error.
fn split_top_level(text: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| format!("unbalanced `)` in `{text}`"))?
            }
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(format!("unclosed `(` in `{text}`"));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

fn parse_requirement(part: &str) -> Result<Requirement, String> {
    let requirement = |key: &str, op, values: Vec<String>| -> Result<Requirement, String> {
        check_key(key)?;
        for v in &values {
            check_value(v)?;
        }
        Ok(Requirement {
            key: key.to_string(),
            op,
            values,
        })
    };
    if let Some(key) = part.strip_prefix('!') {
        return requirement(key.trim(), Op::DoesNotExist, vec![]);
    }
    // Operators longest first, so `!=` and `==` are not read as `=`.
    for (token, op) in [
        ("!=", Op::NotEquals),
        ("==", Op::Equals),
        ("=", Op::Equals),
        (">", Op::GreaterThan),
        ("<", Op::LessThan),
    ] {
        if let Some((key, value)) = part.split_once(token) {
            let value = value.trim();
            if matches!(op, Op::GreaterThan | Op::LessThan) && value.parse::<i64>().is_err() {
                return Err(format!("`{part}`: `{token}` needs an integer"));
            }
            return requirement(key.trim(), op, vec![value.to_string()]);
        }
    }
    let words: Vec<&str> = part.splitn(2, char::is_whitespace).collect();
    if words.len() == 1 {
        return requirement(words[0], Op::Exists, vec![]);
    }
    let rest = words[1].trim_start();
    let (op, list) = if let Some(list) = rest.strip_prefix("notin") {
        (Op::NotIn, list)
    } else if let Some(list) = rest.strip_prefix("in") {
        (Op::In, list)
    } else {
        return Err(format!(
            "`{part}`: expected `=`, `!=`, `in`, `notin` or a bare key"
        ));
    };
    let list = list.trim();
    let inner = list
        .strip_prefix('(')
        .and_then(|l| l.strip_suffix(')'))
        .ok_or_else(|| format!("`{part}`: values must be in parentheses"))?;
    let values: Vec<String> = inner.split(',').map(|v| v.trim().to_string()).collect();
    if values.iter().all(String::is_empty) {
        return Err(format!("`{part}`: at least one value is needed"));
    }
    requirement(words[0], op, values)
}

/// A label key: optional `prefix/` (DNS subdomain) and a name of at most 63 characters.
fn check_key(key: &str) -> Result<(), String> {
    let name = match key.split_once('/') {
        Some((prefix, name)) => {
            let ok = !prefix.is_empty()
                && prefix.len() <= 253
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
            if !ok {
                return Err(format!("invalid label key prefix in `{key}`"));
            }
            name
        }
        None => key,
    };
    if name.is_empty() || !is_name(name) {
        return Err(format!("invalid label key `{key}`"));
    }
    Ok(())
}

fn check_value(value: &str) -> Result<(), String> {
    if value.is_empty() || is_name(value) {
        Ok(())
    } else {
        Err(format!("invalid label value `{value}`"))
    }
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, at most 63 characters.
fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() <= 63
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_every_operator() {
        let s = Selector::parse(
            "app=web, tier==api,env!=dev,zone in (a, b),track notin (canary),team,!legacy,gen>2,gen<9",
        )
        .unwrap();
        let ops: Vec<Op> = s.requirements.iter().map(|r| r.op).collect();
        assert_eq!(
            ops,
            vec![
                Op::Equals,
                Op::Equals,
                Op::NotEquals,
                Op::In,
                Op::NotIn,
                Op::Exists,
                Op::DoesNotExist,
                Op::GreaterThan,
                Op::LessThan
            ]
        );
        assert_eq!(s.requirements[3].values, vec!["a", "b"]);
        assert_eq!(
            s.to_string(),
            "app=web,tier=api,env!=dev,zone in (a,b),track notin (canary),team,!legacy,gen>2,gen<9"
        );
    }

    #[test]
    fn matching_follows_kubernetes() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], bool);
        let table: &[Case] = &[
            ("app=web", &[("app", "web")], true),
            ("app=web", &[("app", "api")], false),
            ("app=web", &[], false),
            ("app!=web", &[], true),
            ("app!=web", &[("app", "web")], false),
            ("env in (prod,staging)", &[("env", "prod")], true),
            ("env in (prod,staging)", &[("env", "dev")], false),
            ("env in (prod,staging)", &[], false),
            ("env notin (dev)", &[], true),
            ("env notin (dev)", &[("env", "dev")], false),
            ("team", &[("team", "")], true),
            ("team", &[], false),
            ("!legacy", &[("legacy", "true")], false),
            ("!legacy", &[("app", "x")], true),
            ("gen>2", &[("gen", "3")], true),
            ("gen>2", &[("gen", "x")], false),
            ("gen<2", &[("gen", "1")], true),
            ("", &[("anything", "x")], true),
            (
                "app.kubernetes.io/name=ledger,app.kubernetes.io/part-of in (payments)",
                &[
                    ("app.kubernetes.io/name", "ledger"),
                    ("app.kubernetes.io/part-of", "payments"),
                ],
                true,
            ),
        ];
        for (selector, pairs, expected) in table {
            let s = Selector::parse(selector).unwrap();
            assert_eq!(
                s.matches(&labels(pairs)),
                *expected,
                "{selector} on {pairs:?}"
            );
        }
    }

    #[test]
    fn rejects_malformed_selectors() {
        for bad in [
            "app=web,",
            "env in prod",
            "env in (prod",
            "env in ()",
            "env)",
            "=web",
            "app=we b",
            "app=-web",
            "Bad_Prefix/x=1",
            "gen>two",
            "env maybe (x)",
        ] {
            assert!(Selector::parse(bad).is_err(), "{bad} should not parse");
        }
    }
}
