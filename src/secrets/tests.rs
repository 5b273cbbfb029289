//! The rules against the credentials they find and the near misses they leave alone.

use super::*;

fn scan(text: &str) -> (String, Vec<&'static str>) {
    let r = Scanner::default().redact(text);
    (
        r.text.into_owned(),
        r.findings.iter().map(|f| f.rule).collect(),
    )
}

// Built at run time so the repository itself holds no string a scanner would flag.
fn github_token() -> String {
    format!("ghp_{}", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5")
}

/// One credential per rule, with the rule that finds it.
fn credentials() -> Vec<(String, &'static str)> {
    // Long on purpose: a table with one credential per rule.
    let aws_id = format!("AKIA{}", "Q3EGRTZXW7LPMN2K");
    let aws_secret = format!(
        "aws_secret_access_key = {}",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYz9Qk2LmN0p"
    );
    let key = format!(
        "-----BEGIN RSA {}-----\nMIIEowIBAAKCAQEA\nq83hd73hd==\n-----END RSA {}-----",
        "PRIVATE KEY", "PRIVATE KEY"
    );
    let cases: Vec<(String, &str)> = vec![
        (format!("id: {aws_id}"), "aws-access-key-id"),
        (aws_secret, "aws-secret-access-key"),
        (key, "private-key"),
        (
            format!(
                "\"private_key_id\": \"{}\"",
                "0123456789abcdef0123456789abcdef01234567"
            ),
            "gcp-service-account-key",
        ),
        (
            format!(
                "DefaultEndpointsProtocol=https;AccountName=x;AccountKey={}==",
                "a".repeat(10) + "Zq9/+Kd83Jd7Xk2LqP0wRt5Yb"
            ),
            "azure-storage-key",
        ),
        (
            format!(
                "https://acct.blob.core.windows.net/c/b?sv=2021&sig={}",
                "Zk3%2Bq9Kd83Jd7Xk2LqP0wRt5YbAaBbCc%3D"
            ),
            "azure-sas-signature",
        ),
        (format!("token {}", github_token()), "github-token"),
        (format!("glpat-{}", "Xy12ab34CD56ef78GH90"), "gitlab-token"),
        (format!("xoxb-{}", "1234567890-abcdefABCDEF"), "slack-token"),
        (
            format!(
                "https://hooks.slack.com/services/{}",
                "T0000AAAA/B0000BBBB/XXXXxxxxYYYYyyyy"
            ),
            "slack-webhook",
        ),
        (
            format!(
                "Bearer eyJ{}.eyJ{}.{}",
                "hbGciOiJIUzI1NiJ9", "zdWIiOiIxMjM0NTYifQ", "dBjftJeZ4CVPmB92K27uhbUJU1p1r"
            ),
            "jwt",
        ),
        (
            format!("postgres://app:{}@db.internal:5432/ledger", "Zx8qL2mP9w"),
            "url-password",
        ),
        (
            format!("sk_live_{}", "4eC39HqLyjWDarjtT1zdp7dc"),
            "stripe-key",
        ),
        (
            format!(
                "key={}",
                "AIza".to_string() + "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
            ),
            "google-api-key",
        ),
        (
            format!(
                "//registry.npmjs.org/:_authToken=npm_{}",
                "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
            ),
            "npm-token",
        ),
        (
            format!(
                "pypi-AgEIcHlwaS5vcmc{}",
                "Q2Vq8Zr9x2LmP0vAaBbCcDdEeFfGgHhIiJjKkLlMmNnOoPpQqRr"
            ),
            "pypi-token",
        ),
        (
            format!(
                "SG.{}.{}",
                "ngeVfQFYQlKU0ufo8x5d1A", "TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr"
            ),
            "sendgrid-key",
        ),
        (
            format!(
                "sk-proj-{}T3BlbkFJ{}",
                "aB3dE5fG7hJ9kL1mN3pQ", "rS7tU9vW1xY3zA5bC7dE"
            ),
            "openai-key",
        ),
        (
            format!("sk-ant-api03-{}", "aB3dE5fG7hJ9kL1mN3pQ".repeat(5)),
            "anthropic-key",
        ),
        (
            format!("hvs.{}", "CAESIJ5aB3dE5fG7hJ9kL1mN3pQ5rS7t"),
            "vault-token",
        ),
        (
            format!("dckr_pat_{}", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9"),
            "docker-hub-token",
        ),
        (
            format!("dop_v1_{}", "0a1b2c3d".repeat(8)),
            "digitalocean-token",
        ),
        (format!("shpat_{}", "0a1b2c3d".repeat(4)), "shopify-token"),
        (
            format!(
                "AGE-SECRET-KEY-1{}",
                &"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L".repeat(2)[..58]
            ),
            "age-secret-key",
        ),
        (format!("password: {}", "q8Zr!x2LmP0v"), "generic-secret"),
    ];
    cases
}

#[test]
fn each_rule_finds_its_credential() {
    let cases = credentials();
    assert_eq!(cases.len(), RULES.len(), "one credential per rule");
    for (text, rule) in cases {
        let (out, rules) = scan(&text);
        assert_eq!(rules, vec![rule], "{text}");
        assert!(out.contains(REDACTED), "{out}");
    }
}

#[test]
fn each_rule_leaves_its_near_misses_alone() {
    let near_misses = [
        ("aws-access-key-id", "AKIA1234"),
        (
            "aws-secret-access-key",
            "checksum: wJalrXUtnFEMI/K7MDENG/bPxRfiCYz9Qk2LmN0p",
        ),
        (
            "private-key",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----",
        ),
        (
            "gcp-service-account-key",
            "\"private_key_id\": \"0123abcd\"",
        ),
        (
            "azure-storage-key",
            "AccountName=ledger;EndpointSuffix=core.windows.net",
        ),
        (
            "azure-sas-signature",
            "https://x.blob.core.windows.net/c?sig=short",
        ),
        ("github-token", "ghp_tooShort123"),
        ("gitlab-token", "glpat-short"),
        ("slack-token", "xoxb-123"),
        ("slack-webhook", "https://hooks.slack.com/services/"),
        ("jwt", "eyJhbGciOiJIUzI1NiJ9 is a header, not a token"),
        (
            "url-password",
            "https://user@example.com/ and https://example.com:8443/x",
        ),
        (
            "stripe-key",
            "pk_live_4eC39HqLyjWDarjtT1zdp7dc is publishable",
        ),
        ("google-api-key", "AIzaShort"),
        ("npm-token", "npm_install"),
        ("pypi-token", "pypi-AgEIcHlwaS5vcmc"),
        ("sendgrid-key", "SG.short.short"),
        ("openai-key", "sk-abc123"),
        ("anthropic-key", "sk-ant-api03-short"),
        ("vault-token", "hvs.short"),
        ("docker-hub-token", "dckr_pat_short"),
        ("digitalocean-token", "dop_v1_0a1b2c3d"),
        ("shopify-token", "shpat_0a1b"),
        ("age-secret-key", "AGE-SECRET-KEY-1QPZ"),
        ("generic-secret", "token: build-cache-key-v1"),
    ];
    assert_eq!(near_misses.len(), RULES.len(), "one near miss per rule");
    for (rule, text) in near_misses {
        let (out, rules) = scan(text);
        assert!(rules.is_empty(), "{rule}: {text} gave {rules:?}");
        assert_eq!(out, text);
    }
}

#[test]
fn keys_that_name_a_secret_are_caught_in_every_format_and_spelling() {
    let value = "Zq9Kd83Jd7Xk2LqP0wRt5YbAaBbCcDdEeFfGg12";
    for line in [
        format!("    example.com/aws-secret-access-key: {value}"),
        format!("    example.com/db.password: \"{value}\""),
        format!("  client_secret: '{value}'"),
        format!("  api-key: {value}"),
        format!("{{\"clientSecret\": \"{value}\"}}"),
        format!("\"service.api_key\" : \"{value}\","),
        format!("api_key = \"{value}\""),
        format!("[db]\npassword = {value}"),
        format!("export DB_PASSWORD={value}"),
        format!("STRIPE_SECRET_KEY='{value}'"),
        format!("| client-secret | `{value}` |"),
        format!("| prod.access-token | {value} |"),
        format!("auth.token := {value}"),
        format!("credentials => {value}"),
    ] {
        let (out, rules) = scan(&line);
        assert!(!rules.is_empty(), "not found in {line}");
        assert!(!out.contains(value), "{out}");
    }
    for harmless in [
        "| Password | Description |",
        "secretName: payments-db-creds2",
        "tokenUrl: https://auth.example.com/oauth2/token",
        "api-key:\n  valueFrom: vault",
        "password_hash: $2b$12$abcdefghijklmnopqrstuv",
    ] {
        let (_, rules) = scan(harmless);
        assert!(rules.is_empty(), "{harmless} gave {rules:?}");
    }
}

#[test]
fn placeholders_examples_and_names_are_not_secrets() {
    for text in [
        "password: ${DB_PASSWORD}",
        "password: <your password>",
        "password: {{ .Values.password }}",
        "secret: payments-db-credentials",
        "secretName: payments-ledger-tls2",
        "DB_PASSWORD_FILE: /run/secrets/db",
        "password: hunter",
        "url: postgres://app:${PGPASSWORD}@db:5432/x",
        "url: https://user:****@example.com/",
        "key: AKIAIOSFODNN7EXAMPLE",
        "token: see the vault",
        "https://github.com/org/repo/blob/main/README.md",
        "api_key: /etc/secrets/api-key.txt",
    ] {
        let (out, rules) = scan(text);
        assert!(rules.is_empty(), "{text} gave {rules:?}");
        assert_eq!(out, text);
    }
}

#[test]
fn redaction_keeps_lines_and_reports_them() {
    let text = format!(
        "a: 1\nkey: |\n  -----BEGIN {k}-----\n  MIIBVgIBADANBg\n  -----END {k}-----\nb: {}\n",
        github_token(),
        k = "PRIVATE KEY"
    );
    let r = Scanner::default().redact(&text);
    assert_eq!(r.text.lines().count(), text.lines().count());
    assert_eq!(
        r.findings
            .iter()
            .map(|f| (f.rule, f.line))
            .collect::<Vec<_>>(),
        vec![("private-key", 3), ("github-token", 6)]
    );
    assert!(!r.text.contains("MIIBVgIBADANBg"));
    assert!(!r.text.contains(&github_token()));
    // Still YAML, with the redacted values as strings.
    let v: serde_yaml::Value = serde_yaml::from_str(&r.text).unwrap();
    assert_eq!(v["b"].as_str(), Some(REDACTED));
    assert!(v["key"].as_str().unwrap().starts_with(REDACTED));
}

#[test]
fn overlapping_matches_are_one_finding() {
    let text = format!(
        "token: eyJ{}.eyJ{}.{}",
        "hbGciOiJIUzI1NiJ9", "zdWIiOiIxMjM0NTYifQ", "dBjftJeZ4CVPmB92K27uhbUJU1p1r"
    );
    let (out, rules) = scan(&text);
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(out, "token: REDACTED");
}

#[test]
fn the_allow_list_and_disabled_rules_are_honoured() {
    let text = format!("t: {}\npassword: q8Zr!x2LmP0v\n", github_token());
    let allow = Scanner::new(&["^ghp_aB3d".to_string()], &[]).unwrap();
    let r = allow.redact(&text);
    assert_eq!(
        r.findings.iter().map(|f| f.rule).collect::<Vec<_>>(),
        ["generic-secret"]
    );
    let off = Scanner::new(&[], &["generic-secret".to_string()]).unwrap();
    assert_eq!(off.redact(&text).findings.len(), 1);
    assert!(Scanner::new(&[], &["nope".to_string()])
        .unwrap_err()
        .contains("unknown rule"));
    assert!(Scanner::new(&["(".to_string()], &[]).is_err());
}

#[test]
fn clean_text_is_borrowed_and_binary_passes_through() {
    let r = Scanner::default().redact("nothing to see here\n");
    assert!(matches!(r.text, Cow::Borrowed(_)));
    let bin = vec![0xff, 0xfe, b'g', b'h', b'p'];
    assert_eq!(Scanner::default().redact_bytes(bin.clone()).0, bin);
}

#[test]
fn the_message_never_holds_the_value() {
    let text = format!("token: {}", github_token());
    let r = Scanner::default().redact(&text);
    let d = r.findings[0].diagnostic();
    assert!(!d.message.contains("aB3dE5"));
    assert_eq!(d.line, Some(1));
}

/// The findings and text of `redact`, and of every rule searching the whole text.
fn with_and_without_keywords(text: &str) -> [(String, Vec<(&'static str, u32)>); 2] {
    let scanner = Scanner::default();
    let everywhere = vec![Scope::Whole; RULES.len()];
    [
        scanner.redact(text),
        scanner.redact_within(text, everywhere),
    ]
    .map(|r| {
        let findings = r.findings.iter().map(|f| (f.rule, f.line)).collect();
        (r.text.into_owned(), findings)
    })
}

#[test]
fn keywords_pick_the_rules_and_lines_without_losing_a_finding() {
    for (text, rule) in credentials() {
        // In other letter cases, after other lines, and beside the characters `(?i)` folds.
        for variant in [
            text.clone(),
            text.to_uppercase(),
            format!("intro\n\nsome prose: {text}\nafter"),
            text.replacen('s', "\u{17F}", 1)
                .replacen('k', "\u{212A}", 1),
        ] {
            let [fast, full] = with_and_without_keywords(&variant);
            assert_eq!(fast, full, "{rule}: {variant}");
        }
    }
    let [(_, found), _] = with_and_without_keywords("pa\u{17F}sword: q8Zr!x2LmP0v");
    assert_eq!(found, [("generic-secret", 1)]);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

    /// Texts of credentials, keywords in any case, separators and filler: the keyword
    /// prefilter finds what every rule searching the whole text finds.
    #[test]
    fn the_keyword_prefilter_finds_what_a_full_search_finds(
        pieces in proptest::collection::vec((0usize..64, proptest::bool::ANY), 1..24)
    ) {
        let credentials = credentials();
        let words = [
            "token", "Password", "SECRET", "api-key", "access.key", "private_key", "pwd", "aws",
            "AccountKey=", "sig=", "://", "eyJ", "AKIA", "-----BEGIN", "ghp_", "xoxb-",
            "\u{17F}", "\u{212A}", "é", "—", ": ", " = ", "\n", "\t", "\"", "'", "|", "@",
            "Zq9Kd83Jd7Xk2LqP0wRt5YbAaBbCc", "q8Zr!x2LmP0v", "user:pa55W0rd9x", "payments-db",
        ];
        let text: String = pieces
            .iter()
            .map(|&(i, upper)| {
                let piece = match i.checked_sub(words.len()) {
                    None => words[i].to_string(),
                    Some(j) => credentials[j % credentials.len()].0.clone(),
                };
                if upper { piece.to_uppercase() } else { piece }
            })
            .collect();
        let [fast, full] = with_and_without_keywords(&text);
        proptest::prop_assert_eq!(fast, full, "{:?}", text);
    }
}
