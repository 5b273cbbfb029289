//! Property tests over hostile input: random soups of the constructs attackers and typos
//! produce, fed to the catalog parser and validator, the Markdown pipeline, the label-selector
//! parser, mkdocs.yml, API definitions (OpenAPI, AsyncAPI, GraphQL, with `$ref` cycles and
//! deep schemas), the SVG cleaner and the secret scanner, plus pages nested thousands of
//! levels deep. Each must finish, never panic, and keep its promises (inert HTML, bounded
//! nesting on a small stack, lines in range, selectors that print back to themselves, no secret
//! left). `PROPTEST_CASES` raises the case count for a longer run.

use crate::common;

use playbill::catalog::{validate, yaml};
use playbill::cluster::selector::Selector;
use playbill::docs::markdown::{self, inert, LinkResolution, RenderContext};
use playbill::secrets::{Scanner, REDACTED};
use playbill::site::apidocs::read_definition;
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

/// Constructs that nest, each repeated to build a deep page.
const DEEP: &[&str] = &[
    "> ",
    "- ",
    "1. ",
    "* ",
    "- > ",
    "> - ",
    "*",
    "_",
    "**",
    "[",
    "![",
    "<div>",
    "<table><tr><td>",
    "<details><summary>s</summary>",
    "!!! note\n    ",
    "[^a]: ",
    "~~",
    "`",
];

const MKDOCS: &[&str] = &[
    "site_name: Docs\n",
    "docs_dir: docs\n",
    "docs_dir: ../../etc\n",
    "repo_url: javascript:alert(1)\n",
    "edit_uri: edit/main/docs/\n",
    "nav:\n",
    "  - ",
    "    - ",
    "Home: index.md\n",
    "Section:\n",
    "- a.md\n",
    "- https://example.com\n",
    "plugins:\n  - techdocs-core\n",
    "markdown_extensions:\n  - admonition\n  - toc:\n      permalink: true\n",
    "&a [*a, *a]\n",
    "!!python/name:os.system\n",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "\t",
    "---\n",
];

const SVG: &[&str] = &[
    "<svg xmlns=\"http://www.w3.org/2000/svg\">",
    "</svg>",
    "<g>",
    "</g>",
    "<rect width=\"1\"/>",
    "<script>alert(1)</script>",
    "<foreignObject><p xmlns=\"http://www.w3.org/1999/xhtml\">x</p></foreignObject>",
    "<a href=\"javascript:alert(1)\">",
    "<a xlink:href=\"https://example.com\">",
    "</a>",
    "<image href=\"https://evil.example/x.png\"/>",
    "<use href=\"#a\"/>",
    "<animate attributeName=\"href\" to=\"javascript:alert(1)\"/>",
    " onload=\"alert(1)\"",
    "<style>@import url(https://evil.example/x.css);</style>",
    "<style>rect { fill: url(#g) }</style>",
    "<rect style=\"fill:url(https://evil.example/p)\"/>",
    "<!DOCTYPE svg [<!ENTITY x \"y\">]>",
    "&x;",
    "&lt;",
    "&#60;script&#62;",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml-stylesheet href=\"x.xsl\"?>",
    "<!-- c -->",
    "text",
    ">",
    "<",
    "\"",
];

const TREE: &[&str] = &[
    "openapi: 3.0.3\n",
    "swagger: '2.0'\n",
    "asyncapi: 2.6.0\n",
    "info:\n  title: T\n  version: '1'\n  description: \"<script>alert(1)</script> **b**\"\n",
    "paths:\n",
    "  /x:\n",
    "    get:\n",
    "      responses:\n",
    "        '200':\n",
    "          content:\n",
    "            application/json:\n",
    "              schema:\n",
    "                $ref: '#/components/schemas/A'\n",
    "components:\n  schemas:\n",
    "    A:\n      $ref: '#/components/schemas/A'\n",
    "    B:\n      type: object\n      properties:\n        b:\n          $ref: '#/components/schemas/B'\n",
    "      allOf:\n",
    "      oneOf:\n",
    "      - ",
    "channels:\n  c:\n    subscribe:\n      message:\n        payload:\n",
    "$ref: '#/x/../../y'\n",
    "&a [*a]\n",
    "{",
    "}",
    "[",
    "]",
    ": ",
    "\t",
];

const SDL: &[&str] = &[
    "type Query { a: A }\n",
    "type A { b(x: [[[Int!]!]!]): A }\n",
    "\"\"\"<script>alert(1)</script>\"\"\"\n",
    "interface I { i: I }\n",
    "union U = A | B\n",
    "enum E { X Y }\n",
    "input In { x: In }\n",
    "schema { query: Query }\n",
    "directive @d on FIELD\n",
    "extend type A { c: Int }\n",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "#",
    "\"",
];

/// A schema nested `depth` levels through `properties`, `items` and `allOf` in turn.
fn nested_schema(depth: usize) -> String {
    let mut json = "{\"type\":\"string\"}".to_string();
    for level in 0..depth {
        json = match level % 3 {
            0 => format!("{{\"type\":\"object\",\"properties\":{{\"p\":{json}}}}}"),
            1 => format!("{{\"type\":\"array\",\"items\":{json}}}"),
            _ => format!("{{\"allOf\":[{json}]}}"),
        };
    }
    format!("{{\"openapi\":\"3.0.3\",\"info\":{{\"title\":\"t\",\"version\":\"1\"}},\"paths\":{{}},\"components\":{{\"schemas\":{{\"Deep\":{json}}}}}}}")
}

/// How deeply the elements of `html` nest (void elements and self-closed tags open nothing).
fn nesting(html: &str) -> usize {
    const VOID: &[&str] = &[
        "br", "hr", "img", "input", "meta", "link", "wbr", "col", "source",
    ];
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if let Some(_closing) = tag.strip_prefix('/') {
            depth = depth.saturating_sub(1);
        } else if !tag.starts_with('!') && !tag.ends_with('/') {
            let name = tag.split(|c: char| c.is_whitespace()).next().unwrap_or("");
            if !VOID.contains(&name.to_ascii_lowercase().as_str()) && !name.is_empty() {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
    }
    deepest
}

/// Runs `f` on a thread with a 2 MiB stack: rayon's and the test harness's default, far below
/// the rendering threads' own, so a walk that is not bounded fails here first.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("thread starts")
        .join()
        .expect("no panic")
}

fn render(text: &str) -> markdown::Rendered {
    let keep = |_: &str, _: markdown::LinkKind| LinkResolution::Keep;
    markdown::render(
        text,
        &RenderContext {
            resolve_link: &keep,
            diagrams: &playbill::diagrams::Settings::default(),
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
        // What a repository's CI renders passes the check the portal's build makes of it.
        prop_assert_eq!(inert::check(&rendered.html), Ok(()), "{}", rendered.html);
        let tags = common::start_tags(&rendered.html);
        prop_assert!(!tags.iter().any(|(name, _)| name == "script"), "{}", rendered.html);
        for (line, _) in &rendered.problems {
            prop_assert!(*line >= 1);
        }
    }

    #[test]
    fn deep_nesting_renders_flat_on_a_small_stack(
        parts in proptest::collection::vec(
            (proptest::sample::select(DEEP), 1usize..3000),
            1..4,
        ),
        tail in soup(MARKDOWN, 8),
    ) {
        let mut text: String = parts.iter().map(|(p, n)| p.repeat(*n)).collect();
        text.push_str("deep\n\n");
        text.push_str(&tail);
        let rendered = on_small_stack(move || render(&text));
        // Markup past the bound is flattened. Raw HTML has its own bound, 1,000 levels as
        // written, which the HTML parser deepens by implied elements (a `<tbody>` per table).
        prop_assert!(nesting(&rendered.html) <= 1500, "nests {}", nesting(&rendered.html));
        prop_assert_eq!(common::unsafe_markup(&rendered.html), Vec::<String>::new());
        prop_assert_eq!(inert::check(&rendered.html), Ok(()));
    }

    #[test]
    fn mkdocs_yml_parses_or_explains(text in soup(MKDOCS, 60), depth in 0usize..40) {
        let nested: String = (0..depth).map(|i| format!("{}- S{i}:\n", "  ".repeat(i))).collect();
        let text = format!("nav:\n{nested}{text}");
        let parsed = on_small_stack(move || playbill::docs::mkdocs::parse(&text).map(|(m, _)| m.docs_dir));
        if let Err(message) = parsed {
            prop_assert!(!message.is_empty());
        }
    }

    #[test]
    fn cleaned_svg_is_inert_and_cleaning_it_again_changes_nothing(text in soup(SVG, 40)) {
        if let Ok(cleaned) = playbill::svg::clean(text.as_bytes()) {
            let out = String::from_utf8(cleaned.bytes.clone()).expect("UTF-8 out");
            let lower = out.to_ascii_lowercase();
            for active in ["<script", "javascript:", "foreignobject", "evil.example", "<!doctype", "<?xml-stylesheet", "<animate"] {
                prop_assert!(!lower.contains(active), "{} left in {}", active, out);
            }
            for (name, attrs) in common::start_tags(&out) {
                prop_assert!(!attrs.iter().any(|(a, _)| a.starts_with("on")), "handler on <{}> in {}", name, out);
            }
            let again = playbill::svg::clean(&cleaned.bytes).expect("a cleaned SVG cleans");
            prop_assert_eq!(String::from_utf8(again.bytes).unwrap(), out);
            prop_assert!(again.removed.is_empty());
        }
    }

    #[test]
    fn secrets_under_any_key_spelling_are_redacted(
        prefix in "(|example\\.com/|app\\.|DB_|prod-)",
        word in proptest::sample::select(&["password", "secret", "api_key", "api-key", "apiKey", "client_secret", "access-token", "auth.token", "private_key", "credentials", "PASSWORD", "Secret"][..]),
        suffix in "(|-prod|\\.value|_2|s)",
        format in 0usize..6,
        value in "[A-Za-z][A-Za-z0-9]{8}[0-9][A-Za-z0-9/+]{20}",
    ) {
        let key = format!("{prefix}{word}{suffix}");
        let text = match format {
            0 => format!("  {key}: {value}\n"),
            1 => format!("{{\"{key}\": \"{value}\"}}"),
            2 => format!("{key} = \"{value}\"\n"),
            3 => format!("export {key}={value}\n"),
            4 => format!("| {key} | `{value}` |\n"),
            _ => format!("{key}: '{value}'\n"),
        };
        let redacted = Scanner::default().redact(&text);
        prop_assert!(!redacted.text.contains(&value), "{}", redacted.text);
    }

    #[test]
    fn api_definitions_build_or_explain(text in soup(TREE, 60), spec_type in proptest::sample::select(&["openapi", "asyncapi"][..])) {
        on_small_stack(move || drop(read_definition(spec_type, &text)));
    }

    #[test]
    fn graphql_definitions_build_or_explain(text in soup(SDL, 60), depth in 0usize..3000) {
        let text = format!("{text}\ntype Deep {{ d: {}Int{} }}", "[".repeat(depth), "]".repeat(depth));
        on_small_stack(move || drop(read_definition("graphql", &text)));
    }

    #[test]
    fn deep_schemas_stop_at_the_bound(depth in 1usize..2000) {
        // serde_json refuses past its own recursion limit; within it, the page stops at the
        // schema depth bound.
        on_small_stack(move || drop(read_definition("openapi", &nested_schema(depth))));
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
