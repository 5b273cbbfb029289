//! Property tests over hostile input: random soups of the constructs attackers and typos
//! produce, fed to the catalog parser and validator, the Markdown pipeline, the label-selector
//! parser and the secret scanner. Each must finish, never panic, and keep its promises (inert
//! HTML, lines in range, selectors that print back to themselves, no secret left).
//! `PROPTEST_CASES` raises the case count for a longer run.

mod common;

use playbill::catalog::{validate, yaml};
use playbill::cluster::selector::Selector;
use playbill::docs::markdown::{self, LinkResolution, RenderContext};
use playbill::secrets::{Scanner, REDACTED};
use proptest::prelude::*;

/// A soup of `fragments` and short random strings, joined.
fn soup(fragments: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(fragments).prop_map(str::to_string),
        1 => "\\PC{0,6}",
        1 => Just("\n".to_string()),
    ];
    proptest::collection::vec(piece, 0..max).prop_map(|parts| parts.concat())
}

const YAML: &[&str] = &[
    "apiVersion: backstage.io/v1alpha1\n",
    "kind: Component\n",
    "kind: Location\n",
    "metadata:\n",
    "  name: ledger\n",
    "  name: ",
    "  namespace: ",
    "  annotations:\n",
    "    backstage.io/techdocs-ref: dir:.\n",
    "  labels:\n",
    "    a: b\n",
    "  tags: [x, Y!]\n",
    "spec:\n",
    "  owner: team-a\n",
    "  type: service\n",
    "  lifecycle: production\n",
    "  targets:\n",
    "  - ",
    "    $text: ../../etc/passwd\n",
    "    $yaml: ./x.yaml\n",
    "&a [a, *a]\n",
    "*a",
    "&b ",
    "---\n",
    "...\n",
    "\"",
    "'",
    "\t",
    ": ",
    "? ",
    "!!binary ",
    "!custom ",
    "|\n",
    ">-\n",
    "  ",
    "[",
    "]",
    "{",
    "}",
    "#",
    "%YAML 1.2\n",
    "\u{feff}",
    "<script>",
];

const MARKDOWN: &[&str] = &[
    "# ",
    "## ",
    "```",
    "```python hl_lines=\"1 2\" linenums=\"1\"\n",
    "~~~",
    "!!! note \"T\"\n",
    "??? tip\n",
    "???+ warning\n",
    "=== \"Tab\"\n",
    "    ",
    "- ",
    "1. ",
    "> ",
    "> [!NOTE]\n",
    "- [ ] ",
    "<script>alert(1)</script>",
    "<script src=//evil.example/x.js></script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=//x>",
    "<style>body{}</style>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![i](x.png){: onclick=\"x\" .c #i }",
    "{: .cls #id onmouseover=x }",
    "*",
    "_",
    "`",
    "[^1]",
    "[^1]: note\n",
    "| a | b |\n",
    "|---|---|\n",
    "<details>",
    "</div>",
    "<div markdown>",
    "<!--",
    "-->",
    "*[HTML]: Hyper\n",
    "==mark==",
    "^^ins^^",
    "~~del~~",
    "H~2~O",
    ":smile:",
    "https://example.com/x?a=<b>",
    "{#id}",
    "&amp;",
    "&#x3c;script&#x3e;",
    "Term\n: Definition\n",
    "```mermaid\n",
    "--8<-- \"file.md\"\n",
    "\u{0}",
    "\r\n",
];

const SELECTOR: &[&str] = &[
    "app",
    "backstage.io/kubernetes-id",
    "tier",
    "=",
    "==",
    "!=",
    "!",
    " in ",
    " notin ",
    "(",
    ")",
    ",",
    " ",
    "a",
    "b",
    "payments-ledger",
    ">",
    "<",
    "1",
    "-",
    ".",
    "/",
    "_",
];

fn render(text: &str) -> markdown::Rendered {
    let keep = |_: &str, _: markdown::LinkKind| LinkResolution::Keep;
    markdown::render(
        text,
        &RenderContext {
            resolve_link: &keep,
            _private: (),
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn catalog_parsing_and_validation_never_panic_and_keep_lines_in_range(text in soup(YAML, 80)) {
        let lines = text.lines().count().max(1) as u32;
        for doc in yaml::split_documents(&text) {
            prop_assert!(doc.first_line >= 1 && doc.first_line <= lines + 1);
            match yaml::parse_document(&doc) {
                Ok(value) => {
                    // Validation either accepts or explains; it never panics.
                    if let Err(issues) = validate::validate(&value) {
                        prop_assert!(!issues.is_empty());
                    }
                }
                Err(e) => {
                    if let Some(line) = e.line {
                        prop_assert!(line >= doc.first_line && line <= lines + 1, "line {} of {}", line, lines);
                    }
                }
            }
        }
    }

    #[test]
    fn markdown_output_stays_inert(text in soup(MARKDOWN, 60)) {
        let rendered = render(&text);
        prop_assert_eq!(common::unsafe_markup(&rendered.html), Vec::<String>::new());
        let tags = common::start_tags(&rendered.html);
        prop_assert!(!tags.iter().any(|(name, _)| name == "script"), "{}", rendered.html);
        for (line, _) in &rendered.problems {
            prop_assert!(*line >= 1);
        }
    }

    #[test]
    fn label_selectors_parse_or_explain_and_print_back_to_themselves(
        text in soup(SELECTOR, 20),
        labels in proptest::collection::btree_map(
            proptest::sample::select(&["app", "tier", "a", "backstage.io/kubernetes-id"][..]).prop_map(str::to_string),
            proptest::sample::select(&["a", "b", "1", "payments-ledger"][..]).prop_map(str::to_string),
            0..4,
        ),
    ) {
        // Never panics; a selector that parses prints as one that parses to the same
        // requirements and selects the same labels.
        if let Ok(selector) = Selector::parse(&text) {
            let printed = selector.to_string();
            let again = Selector::parse(&printed);
            prop_assert!(again.is_ok(), "{:?} printed as {:?}, which does not parse", text, printed);
            let again = again.unwrap();
            prop_assert_eq!(again.to_string(), printed);
            prop_assert_eq!(again.matches(&labels), selector.matches(&labels));
        }
    }

    #[test]
    fn redaction_removes_the_secret_and_keeps_the_lines(
        before in soup(MARKDOWN, 10),
        after in soup(YAML, 10),
        tail in "[A-Za-z0-9]{36}",
    ) {
        let token = format!("gh{}_{}", "p", tail);
        let text = format!("{before} {token} \n{after}");
        let redacted = Scanner::default().redact(&text);
        prop_assert!(!redacted.text.contains(&token));
        prop_assert!(redacted.text.contains(REDACTED));
        prop_assert_eq!(redacted.text.matches('\n').count(), text.matches('\n').count());
        prop_assert!(redacted.findings.iter().any(|f| f.rule == "github-token"));
    }
}
