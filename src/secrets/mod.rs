//! Secret scanning: every text Playbill reads from a repository (catalog files, placeholder
//! targets, mkdocs.yml, docs pages and text files copied with them) passes through
//! `Scanner::redact` before anything parses it, so a credential committed by mistake is replaced
//! in every page, data file and search shard derived from it. A finding is reported with its
//! file and line and the kind of credential, never the value itself.
//!
//! Redaction keeps the text's line structure (a multi-line private key leaves its line breaks
//! behind), so the lines of every later diagnostic in the same file stay right, and it writes a
//! plain word (`REDACTED`) that stays a plain scalar in YAML and plain text in Markdown.

use crate::diagnostics::Diagnostic;
use aho_corasick::AhoCorasick;
use regex::{Regex, RegexBuilder};
use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

/// What replaces a secret in the output.
pub const REDACTED: &str = "REDACTED";

/// One kind of credential: a pattern, and which capture group holds the secret itself (0 when
/// the whole match is the secret; a group keeps the key name or URL around it readable).
struct Rule {
    id: &'static str,
    what: &'static str,
    pattern: &'static str,
    group: usize,
    check: Check,
    /// Lower-case words one of which every match holds (compared ignoring ASCII case): a rule
    /// runs only on a text that holds one, as gitleaks does.
    keywords: &'static [&'static str],
    /// The pattern cannot match a line break: the rule runs only on the lines that hold one of
    /// its keywords. Words like `token` are in most docs pages; their lines are few.
    one_line: bool,
}

/// Extra tests a match must pass: patterns with a fixed shape need none; loose ones (a value
/// after `password:`) must look random, or every `password: see-the-vault` would be flagged.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Check {
    None,
    NotExample,
    NotPlaceholder,
    HighEntropy,
}

/// The words of the generic rule's key names, spelt with each separator its pattern allows
/// (`token` stands for the access and auth tokens too).
const GENERIC_KEYWORDS: [&str; 19] = [
    "passwor",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "credential",
    "apikey",
    "api_key",
    "api.key",
    "api-key",
    "accesskey",
    "access_key",
    "access.key",
    "access-key",
    "privatekey",
    "private_key",
    "private.key",
    "private-key",
];

const RULES: &[Rule] = &[
    Rule {
        id: "private-key",
        what: "private key",
        // The END marker when there is one; otherwise the key body that follows BEGIN.
        pattern: r"-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\]*)",
        group: 0,
        check: Check::None,
        keywords: &["-----begin"],
        one_line: false,
    },
    Rule {
        id: "aws-access-key-id",
        what: "AWS access key id",
        pattern: r"\b((?:AKIA|ASIA|ABIA|ACCA|AROA|AIDA)[0-9A-Z]{16})\b",
        group: 1,
        check: Check::NotExample,
        keywords: &["akia", "asia", "abia", "acca", "aroa", "aida"],
        one_line: false,
    },
    Rule {
        id: "aws-secret-access-key",
        what: "AWS secret access key",
        pattern: r#"(?i)aws[_.-]?(?:secret[_.-]?access[_.-]?key|secret[_.-]?key|secret)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})\b"#,
        group: 1,
        check: Check::NotExample,
        keywords: &["aws"],
        one_line: false,
    },
    Rule {
        id: "gcp-service-account-key",
        what: "Google Cloud service-account key id",
        pattern: r#""private_key_id"\s*:\s*"([a-f0-9]{40})""#,
        group: 1,
        check: Check::None,
        keywords: &["\"private_key_id\""],
        one_line: false,
    },
    Rule {
        id: "azure-storage-key",
        what: "Azure storage account or shared access key",
        pattern: r"(?i)(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{30,}={0,2})",
        group: 1,
        check: Check::None,
        keywords: &["accountkey=", "sharedaccesskey="],
        one_line: false,
    },
    Rule {
        id: "azure-sas-signature",
        what: "Azure shared access signature",
        pattern: r"[?&]sig=([A-Za-z0-9%+/]{30,}={0,2})",
        group: 1,
        check: Check::None,
        keywords: &["sig="],
        one_line: false,
    },
    Rule {
        id: "github-token",
        what: "GitHub token",
        pattern: r"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b",
        group: 1,
        check: Check::None,
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        one_line: false,
    },
    Rule {
        id: "gitlab-token",
        what: "GitLab token",
        pattern: r"\b(gl(?:pat|dt|rt|ptt|cbt)-[A-Za-z0-9_-]{20,})",
        group: 1,
        check: Check::None,
        keywords: &["glpat-", "gldt-", "glrt-", "glptt-", "glcbt-"],
        one_line: false,
    },
    Rule {
        id: "slack-token",
        what: "Slack token",
        pattern: r"\b(xox[abposr]-[A-Za-z0-9-]{10,})",
        group: 1,
        check: Check::None,
        keywords: &["xox"],
        one_line: false,
    },
    Rule {
        id: "slack-webhook",
        what: "Slack webhook URL",
        pattern: r"hooks\.slack\.com/services/([A-Za-z0-9_/-]{20,})",
        group: 1,
        check: Check::None,
        keywords: &["hooks.slack.com/services/"],
        one_line: false,
    },
    Rule {
        id: "jwt",
        what: "JSON Web Token",
        pattern: r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
        group: 1,
        check: Check::None,
        keywords: &["eyj"],
        one_line: false,
    },
    Rule {
        id: "url-password",
        what: "password in a URL",
        pattern: r#"\b[A-Za-z][A-Za-z0-9+.-]{1,20}://[^\s:/@'"<>`]{1,64}:([^\s/@'"<>`]{1,128})@"#,
        group: 1,
        check: Check::NotPlaceholder,
        keywords: &["://"],
        one_line: true,
    },
    Rule {
        id: "stripe-key",
        what: "Stripe secret or restricted key",
        pattern: r"\b((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,99})\b",
        group: 1,
        check: Check::None,
        keywords: &["sk_live_", "sk_test_", "rk_live_", "rk_test_"],
        one_line: false,
    },
    Rule {
        id: "google-api-key",
        what: "Google API key",
        pattern: r"\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
        group: 1,
        check: Check::None,
        keywords: &["aiza"],
        one_line: false,
    },
    Rule {
        id: "npm-token",
        what: "npm access token",
        pattern: r"\b(npm_[A-Za-z0-9]{36})\b",
        group: 1,
        check: Check::None,
        keywords: &["npm_"],
        one_line: false,
    },
    Rule {
        id: "pypi-token",
        what: "PyPI upload token",
        pattern: r"\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})",
        group: 1,
        check: Check::None,
        keywords: &["pypi-ageichlwas5vcmc"],
        one_line: false,
    },
    Rule {
        id: "sendgrid-key",
        what: "SendGrid API key",
        pattern: r"\b(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})\b",
        group: 1,
        check: Check::None,
        keywords: &["sg."],
        one_line: false,
    },
    Rule {
        id: "openai-key",
        what: "OpenAI API key",
        pattern: r"\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,})",
        group: 1,
        check: Check::None,
        keywords: &["t3blbkfj"],
        one_line: false,
    },
    Rule {
        id: "anthropic-key",
        what: "Anthropic API key",
        pattern: r"\b(sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,})",
        group: 1,
        check: Check::None,
        keywords: &["sk-ant-"],
        one_line: false,
    },
    Rule {
        id: "vault-token",
        what: "HashiCorp Vault token",
        pattern: r"\b(hv[sb]\.[A-Za-z0-9_-]{24,})",
        group: 1,
        check: Check::None,
        keywords: &["hvs.", "hvb."],
        one_line: false,
    },
    Rule {
        id: "docker-hub-token",
        what: "Docker Hub access token",
        pattern: r"\b(dckr_pat_[A-Za-z0-9_-]{27,})",
        group: 1,
        check: Check::None,
        keywords: &["dckr_pat_"],
        one_line: false,
    },
    Rule {
        id: "digitalocean-token",
        what: "DigitalOcean token",
        pattern: r"\b(do[opr]_v1_[a-f0-9]{64})\b",
        group: 1,
        check: Check::None,
        keywords: &["dop_v1_", "doo_v1_", "dor_v1_"],
        one_line: false,
    },
    Rule {
        id: "shopify-token",
        what: "Shopify access token",
        pattern: r"\b(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\b",
        group: 1,
        check: Check::None,
        keywords: &["shpat_", "shpca_", "shppa_", "shpss_"],
        one_line: false,
    },
    Rule {
        id: "age-secret-key",
        what: "age encryption secret key",
        pattern: r"\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b",
        group: 1,
        check: Check::None,
        keywords: &["age-secret-key-1"],
        one_line: false,
    },
    Rule {
        id: "generic-secret",
        what: "password or secret assignment",
        // A key that names a secret, spelt with any of `_ - .` and a prefix or suffix
        // (`DB_PASSWORD`, `example.com/aws-secret-access-key`, `client_secret.prod`), then the
        // assignment of YAML, JSON, TOML, INI, .env, a Markdown table cell or prose.
        pattern: r#"(?i)(?:passwor[dt]|passwd|passphrase|pwd|secret|api[_.-]?key|access[_.-]?key|access[_.-]?token|auth[_.-]?token|token|credentials?|private[_.-]?key)[A-Za-z0-9_.-]{0,24}["']?[ \t]*(?::=|=>|[:=|])[ \t]*["'`]?([^\s"',;`|]{10,128})"#,
        group: 1,
        check: Check::HighEntropy,
        keywords: &GENERIC_KEYWORDS,
        one_line: true,
    },
];

/// The lazy DFA cache of each compiled rule, per thread.
const DFA_CACHE_BYTES: usize = 32 << 20;

/// The rules compiled, and one automaton over every rule's keywords.
struct Compiled {
    each: Vec<Regex>,
    keywords: AhoCorasick,
    /// The rule of each pattern of `keywords`; [`FOLDS`] for the characters below.
    keyword_rule: Vec<usize>,
}

/// `(?i)` also matches `ſ` for `s` and the Kelvin sign for `k`, which ASCII case does not: a
/// text holding either is searched whole by every case-insensitive rule.
const FOLDING: [&str; 2] = ["\u{17F}", "\u{212A}"];
const FOLDS: usize = usize::MAX;

fn compiled() -> &'static Compiled {
    static RULES_COMPILED: OnceLock<Compiled> = OnceLock::new();
    RULES_COMPILED.get_or_init(|| {
        // Every text read passes through the rules: a lazy DFA cache too small for them is
        // cleared and rebuilt over and over, which once cost a quarter of an unchanged build.
        let each = RULES
            .iter()
            .map(|r| {
                RegexBuilder::new(r.pattern)
                    .dfa_size_limit(DFA_CACHE_BYTES)
                    .build()
                    .expect("secret rule compiles")
            })
            .collect();
        let (words, keyword_rule): (Vec<&str>, Vec<usize>) = RULES
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.keywords.iter().map(move |k| (*k, i)))
            .chain(FOLDING.iter().map(|c| (*c, FOLDS)))
            .unzip();
        let keywords = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .expect("secret keywords compile");
        Compiled {
            each,
            keywords,
            keyword_rule,
        }
    })
}

/// Where one rule looks in a text.
#[derive(Clone, Debug, PartialEq)]
enum Scope {
    Nowhere,
    /// The lines (without their line breaks) that hold one of its keywords, in order.
    Lines(Vec<Range<usize>>),
    Whole,
}

/// Where each rule must look in `text`, found in one pass: nowhere when the text holds none of
/// its keywords.
fn scopes(compiled: &Compiled, text: &str) -> Vec<Scope> {
    let mut scopes = vec![Scope::Nowhere; RULES.len()];
    for m in compiled.keywords.find_overlapping_iter(text) {
        let index = compiled.keyword_rule[m.pattern().as_usize()];
        if index == FOLDS {
            for (scope, rule) in scopes.iter_mut().zip(RULES) {
                if rule.pattern.starts_with("(?i)") {
                    *scope = Scope::Whole;
                }
            }
            continue;
        }
        let scope = &mut scopes[index];
        if !RULES[index].one_line {
            *scope = Scope::Whole;
            continue;
        }
        let line = line_around(text, m.range());
        match scope {
            Scope::Whole => {}
            Scope::Lines(lines) if lines.last() == Some(&line) => {}
            Scope::Lines(lines) => lines.push(line),
            Scope::Nowhere => *scope = Scope::Lines(vec![line]),
        }
    }
    scopes
}

/// The line of `text` that holds `within`, without its line break.
fn line_around(text: &str, within: Range<usize>) -> Range<usize> {
    let start = text[..within.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[within.end..]
        .find('\n')
        .map_or(text.len(), |i| within.end + i);
    start..end
}

/// The ids of the built-in rules, for `[secrets] disable` in site.toml.
pub fn rule_ids() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|r| r.id)
}

/// A secret found in a text: which rule, and where (1-based line). The value is not kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub what: &'static str,
    pub line: u32,
}

impl Finding {
    /// The finding of the rule named `id` at `line`; None for an id no rule has.
    pub fn of_rule(id: &str, line: u32) -> Option<Finding> {
        let rule = RULES.iter().find(|r| r.id == id)?;
        Some(Finding {
            rule: rule.id,
            what: rule.what,
            line,
        })
    }

    /// The diagnostic for this finding; callers add repo and file.
    pub fn diagnostic(&self) -> Diagnostic {
        Diagnostic::error(
            "security/secret",
            format!(
                "{} ({}) found here and redacted from the portal; remove it from the repository and rotate it. If it is not a secret, allow it under [secrets] in site.toml",
                self.what, self.rule
            ),
        )
        .line(Some(self.line))
    }
}

/// A text after redaction: borrowed unchanged when nothing was found.
pub struct Redacted<'a> {
    pub text: Cow<'a, str>,
    pub findings: Vec<Finding>,
}

/// The built-in rules minus the disabled ones, and the allow-list of values that look like
/// secrets but are not (example keys in docs, test fixtures).
#[derive(Clone, Debug, Default)]
pub struct Scanner {
    disabled: Vec<String>,
    allow: Vec<Regex>,
}

impl Scanner {
    /// `allow`: regular expressions; a finding whose value matches one is left alone.
    /// `disable`: rule ids to switch off.
    pub fn new(allow: &[String], disable: &[String]) -> Result<Scanner, String> {
        for id in disable {
            if !rule_ids().any(|r| r == id) {
                let known: Vec<_> = rule_ids().collect();
                return Err(format!(
                    "secrets.disable: unknown rule `{id}`; the rules are {}",
                    known.join(", ")
                ));
            }
        }
        let allow = allow
            .iter()
            .map(|p| {
                Regex::new(p).map_err(|e| format!("secrets.allow: invalid pattern `{p}`: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Scanner {
            disabled: disable.to_vec(),
            allow,
        })
    }

    /// What decides this scanner's findings besides the built-in rules: the disabled rules
    /// and the allow-list, for keys of what was made from redacted text.
    pub fn fingerprint(&self) -> String {
        let allow: Vec<&str> = self.allow.iter().map(Regex::as_str).collect();
        format!("{:?}{:?}", self.disabled, allow)
    }

    /// Replaces every secret in `text` with `REDACTED`, keeping line breaks.
    pub fn redact<'a>(&self, text: &'a str) -> Redacted<'a> {
        self.redact_within(text, scopes(compiled(), text))
    }

    /// [`redact`](Self::redact) with each rule looking only where `scopes` says.
    fn redact_within<'a>(&self, text: &'a str, scopes: Vec<Scope>) -> Redacted<'a> {
        replace_spans(text, self.secret_spans(text, scopes))
    }

    /// `(start, end, rule)` of every secret the rules find where `scopes` lets them look.
    fn secret_spans(&self, text: &str, scopes: Vec<Scope>) -> Vec<(usize, usize, usize)> {
        let each = &compiled().each;
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for (index, scope) in scopes.into_iter().enumerate() {
            let rule = &RULES[index];
            let pieces = match scope {
                Scope::Nowhere => continue,
                _ if self.disabled.iter().any(|d| d == rule.id) => continue,
                Scope::Lines(lines) => lines,
                Scope::Whole => std::iter::once(0..text.len()).collect(),
            };
            for piece in pieces {
                for caps in each[index].captures_iter(&text[piece.clone()]) {
                    let Some(m) = caps.get(rule.group) else {
                        continue;
                    };
                    if passes(rule.check, m.as_str()) && !self.allowed(m.as_str()) {
                        spans.push((piece.start + m.start(), piece.start + m.end(), index));
                    }
                }
            }
        }
        spans
    }

    /// Redacts a file's bytes when they are UTF-8 text; binary files pass through unchanged.
    pub fn redact_bytes(&self, bytes: Vec<u8>) -> (Vec<u8>, Vec<Finding>) {
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return (bytes, Vec::new());
        };
        let r = self.redact(text);
        match r.text {
            Cow::Owned(t) => (t.into_bytes(), r.findings),
            Cow::Borrowed(_) => (bytes, Vec::new()),
        }
    }

    fn allowed(&self, value: &str) -> bool {
        self.allow.iter().any(|a| a.is_match(value))
    }
}

/// `text` with the secrets at `spans` (`(start, end, rule)`, in any order) replaced.
fn replace_spans(text: &str, mut spans: Vec<(usize, usize, usize)>) -> Redacted<'_> {
    if spans.is_empty() {
        return Redacted {
            text: Cow::Borrowed(text),
            findings: Vec::new(),
        };
    }
    // Overlaps (a JWT inside `token: ...`) are one finding: the earliest, longest span.
    spans.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
    let mut out = String::with_capacity(text.len());
    let mut findings = Vec::new();
    let mut at = 0;
    let mut line = 1u32;
    for (start, end, index) in spans {
        if start < at {
            continue;
        }
        let before = &text[at..start];
        line += newlines(before);
        out.push_str(before);
        out.push_str(REDACTED);
        let secret = &text[start..end];
        findings.push(Finding {
            rule: RULES[index].id,
            what: RULES[index].what,
            line,
        });
        for _ in 0..newlines(secret) {
            out.push('\n');
        }
        line += newlines(secret);
        at = end;
    }
    out.push_str(&text[at..]);
    Redacted {
        text: Cow::Owned(out),
        findings,
    }
}

fn newlines(s: &str) -> u32 {
    s.bytes().filter(|b| *b == b'\n').count() as u32
}

fn passes(check: Check, value: &str) -> bool {
    match check {
        Check::None => true,
        // AWS's documentation keys end in EXAMPLE (AKIAIOSFODNN7EXAMPLE).
        Check::NotExample => !value.ends_with("EXAMPLE") && !value.ends_with("EXAMPLEKEY"),
        Check::NotPlaceholder => !is_placeholder(value),
        Check::HighEntropy => looks_random(value),
    }
}

/// Values that stand for a secret rather than being one: `${DB_PASSWORD}`, `<password>`,
/// `{{ .Values.pw }}`, `****`, `xxxxxxxx`, `$(cat file)`, `%(pw)s`.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim_matches(|c| c == '"' || c == '\'');
    let first = v.chars().next().unwrap_or('$');
    if matches!(first, '$' | '<' | '{' | '%' | '[' | '(') {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    let distinct: std::collections::BTreeSet<char> = lower.chars().collect();
    distinct.len() <= 2
        || [
            "password",
            "passwd",
            "secret",
            "changeme",
            "example",
            "redacted",
            "placeholder",
            "yourpass",
            "your_",
            "your-",
            "mypass",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

/// A loose match counts only when its value has the mix and spread of characters of a
/// generated secret: letters and digits, no lowercase identifier shape (`payments-db-creds2`
/// names a Kubernetes secret, it is not one), and at least 3 bits of entropy per character.
fn looks_random(value: &str) -> bool {
    if is_placeholder(value) || value.contains("://") || value.starts_with('/') {
        return false;
    }
    let has_digit = value.bytes().any(|b| b.is_ascii_digit());
    let has_alpha = value.bytes().any(|b| b.is_ascii_alphabetic());
    if !has_digit || !has_alpha {
        return false;
    }
    let identifier = value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
        && value.bytes().filter(|b| b.is_ascii_digit()).count() * 4 < value.len();
    if identifier {
        return false;
    }
    shannon_entropy(value) >= 3.0
}

fn shannon_entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in s.chars() {
        *counts.entry(c).or_insert(0u32) += 1;
    }
    let n = s.chars().count() as f64;
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests;
