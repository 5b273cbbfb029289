//! Refuses to publish a portal that contains a secret Playbill could read: the value of any
//! secret-bearing environment variable, raw or as a template would have escaped it. Values are
//! only ever compared, never printed.

use aho_corasick::AhoCorasick;

/// Shorter values match too much ordinary text to mean anything.
pub const MIN_SECRET_LEN: usize = 8;

/// A secret to look for: the variable's name (what reports show) and its value.
pub struct Secret {
    pub name: String,
    pub value: String,
}

/// The secrets among `names` that are set, long enough to search for, read from `lookup`
/// (the process environment in the binary, a map in tests).
pub fn collect(names: &[String], lookup: impl Fn(&str) -> Option<String>) -> Vec<Secret> {
    names
        .iter()
        .filter_map(|name| {
            let value = lookup(name)?;
            let value = value.trim().to_string();
            (value.len() >= MIN_SECRET_LEN).then(|| Secret {
                name: name.clone(),
                value,
            })
        })
        .collect()
}

/// Searches file contents for many secrets in one pass.
pub struct Scanner {
    matcher: Option<AhoCorasick>,
    /// Pattern index -> variable name.
    names: Vec<String>,
}

impl Scanner {
    pub fn new(secrets: &[Secret]) -> Scanner {
        let mut patterns = Vec::new();
        let mut names = Vec::new();
        for s in secrets {
            // Pages are HTML-escaped by the templates; data files are JSON.
            let mut forms = vec![
                s.value.clone(),
                html_escape(&s.value),
                json_escape(&s.value),
            ];
            forms.sort();
            forms.dedup();
            for form in forms {
                patterns.push(form);
                names.push(s.name.clone());
            }
        }
        let matcher = (!patterns.is_empty())
            .then(|| AhoCorasick::new(&patterns).ok())
            .flatten();
        Scanner { matcher, names }
    }

    /// The names of the variables whose values occur in `bytes`, sorted.
    pub fn find(&self, bytes: &[u8]) -> Vec<String> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let mut found: Vec<String> = matcher
            .find_overlapping_iter(bytes)
            .map(|m| self.names[m.pattern().as_usize()].clone())
            .collect();
        found.sort();
        found.dedup();
        found
    }
}

/// Tera's escaping, which the templates use.
fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2F;"),
            c => out.push(c),
        }
    }
    out
}

fn json_escape(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(&quoted)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(name: &str, value: &str) -> Secret {
        Secret {
            name: name.into(),
            value: value.into(),
        }
    }

    #[test]
    fn finds_raw_and_escaped_values_and_names_the_variable() {
        let s = Scanner::new(&[
            secret("AWS_SECRET_ACCESS_KEY", "wJalr/XUtnFEMI/K7MDENG"),
            secret("GITHUB_TOKEN", "ghp_abcdefghijkl"),
        ]);
        assert_eq!(
            s.find(b"key: wJalr/XUtnFEMI/K7MDENG"),
            ["AWS_SECRET_ACCESS_KEY"]
        );
        assert_eq!(
            s.find(b"<td>wJalr&#x2F;XUtnFEMI&#x2F;K7MDENG</td> ghp_abcdefghijkl"),
            ["AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN"]
        );
        assert!(s.find(b"nothing to see").is_empty());
    }

    #[test]
    fn short_and_unset_values_are_ignored() {
        let names = vec!["A".to_string(), "B".to_string(), "C".to_string()];
        let found = collect(&names, |n| match n {
            "A" => Some("short".into()),
            "B" => Some("long-enough-value".into()),
            _ => None,
        });
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "B");
        assert!(Scanner::new(&[]).find(b"anything").is_empty());
    }
}
