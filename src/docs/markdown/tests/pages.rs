//! Whole-page behaviour: links through the resolver, source lines of problems, front matter,
//! search sections, sanitising, and bounded work on pathological input.

use super::md;
use crate::docs::markdown::{render, LinkKind, LinkResolution, RenderContext, Rendered};
use std::time::{Duration, Instant};

fn resolve(dest: &str, kind: LinkKind) -> LinkResolution {
    match (dest, kind) {
        ("runbook.md#rotate", LinkKind::Link) => {
            LinkResolution::Rewrite("../runbook/index.html#rotate".into())
        }
        ("img/arch.png", LinkKind::Image) => LinkResolution::Rewrite("../img/arch.png".into()),
        ("other page.md", _) => LinkResolution::Keep,
        (dest, _) => LinkResolution::Broken(format!("no such page: {dest}")),
    }
}

fn with_resolver(source: &str) -> Rendered {
    render(
        source,
        &RenderContext {
            resolve_link: &resolve,
            diagrams: &crate::diagrams::Settings::default(),
        },
    )
}

#[test]
fn links_go_through_the_resolver() {
    let rendered = with_resolver(
        "# Top\n\n[Rotate](runbook.md#rotate \"How\") [ext](https://example.com) [mail](mailto:a@b.org) \
         [top](#top) [sp](<other page.md>)\n\n[gone](missing.md) ![arch](img/arch.png) ![lost *alt*](lost.png)\n\n\
         [js](javascript:alert(1)) ![x](data:image/png;base64,AA) <a@b.org>\n",
    );
    assert_eq!(
        rendered.html,
        "<h1 id=\"top\">Top<a class=\"headerlink\" href=\"#top\" title=\"Permanent link\">\u{b6}</a></h1>\n\
         <p><a href=\"../runbook/index.html#rotate\" title=\"How\">Rotate</a> <a href=\"https://example.com\">ext</a> \
         <a href=\"mailto:a@b.org\">mail</a> <a href=\"#top\">top</a> <a href=\"other%20page.md\">sp</a></p>\n\
         <p><span class=\"broken-link\">gone</span> <img src=\"../img/arch.png\" alt=\"arch\"> \
         <span class=\"broken-link\">lost alt</span></p>\n<p>js x <a href=\"mailto:a@b.org\">a@b.org</a></p>\n"
    );
    assert_eq!(rendered.anchors_used, vec![("top".to_string(), 3)]);
    assert_eq!(
        rendered.problems,
        vec![
            (5, "no such page: missing.md".to_string()),
            (5, "no such page: lost.png".to_string()),
            (
                7,
                "unsafe link: `javascript:` URLs are not linked; shown as text".to_string()
            ),
            (
                7,
                "unsafe link: `data:` URLs are not linked; shown as text".to_string()
            ),
        ]
    );
}

#[test]
fn hidden_unsafe_schemes_are_caught() {
    let rendered = md("[a](<java\tscript:alert(1)>) [b](java&#x09;script:alert(2)) [c](<\u{1}javascript:x>) ![d](<da\tta:image/png,x>)\n");
    assert_eq!(rendered.html, "<p>a b c d</p>\n");
    assert_eq!(rendered.problems.len(), 4, "{:?}", rendered.problems);
}

#[test]
fn problem_lines_count_front_matter_and_blocks() {
    let source = "---\ntitle: \"Runbook: rotate\"\nowner: x\n---\n# Heading\n\n!!! note\n    Inside [a](gone1.md).\n\n    ```nosuch\n    x\n    ```\n\n=== \"Tab\"\n    [b](gone2.md)\n\n[c](gone3.md)\n";
    let rendered = with_resolver(source);
    assert_eq!(
        rendered.front_matter_title.as_deref(),
        Some("Runbook: rotate")
    );
    assert_eq!(rendered.title.as_deref(), Some("Heading"));
    assert!(!rendered.html.contains("owner"), "{}", rendered.html);
    let lines: Vec<u32> = rendered.problems.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [8, 10, 15, 17], "{:?}", rendered.problems);
}

#[test]
fn front_matter_edge_cases() {
    assert_eq!(md("---\ntitle: T\n---\nBody\n").html, "<p>Body</p>\n");
    assert_eq!(
        md("\u{FEFF}---\ntitle: T\n---\n")
            .front_matter_title
            .as_deref(),
        Some("T")
    );
    assert_eq!(
        md("---\ntitle: 42\n...\n").front_matter_title.as_deref(),
        Some("42")
    );
    // No closing line, or not a mapping: not front matter (as mkdocs reads it).
    assert_eq!(md("---\ntitle: T\n").front_matter_title, None);
    let text = md("---\nJust text\n---\n");
    assert_eq!(text.html, "<hr>\n<h2 id=\"just-text\">Just text<a class=\"headerlink\" href=\"#just-text\" title=\"Permanent link\">\u{b6}</a></h2>\n");
    assert!(text.problems.is_empty());
    let bad = md("---\ntitle: [unclosed\n---\nBody\n");
    assert_eq!(bad.front_matter_title, None);
    assert!(bad.html.contains("<p>Body</p>"), "{}", bad.html);
    assert_eq!(bad.problems.len(), 1);
    assert_eq!(bad.problems[0].0, 1);
}

#[test]
fn crlf_sources_keep_their_lines() {
    let rendered = with_resolver("# A\r\n\r\n!!! note\r\n    [x](gone.md)\r\n");
    assert_eq!(
        rendered.problems,
        vec![(4, "no such page: gone.md".to_string())]
    );
    assert!(rendered
        .html
        .contains("<p class=\"admonition-title\">Note</p>"));
}

#[test]
fn sections_split_plain_text_by_heading() {
    let rendered = md("Intro *text*.\n\n# One\n\nBody :smile: `code`.\n\n- a\n- b\n\n## Two\n\n| x | y |\n|---|---|\n| 1 | 2 |\n");
    assert_eq!(
        rendered.sections,
        vec![
            (String::new(), String::new(), "Intro text.".to_string()),
            (
                "one".to_string(),
                "One".to_string(),
                "Body \u{1F604} code. a b".to_string()
            ),
            ("two".to_string(), "Two".to_string(), "x y 1 2".to_string()),
        ]
    );
}

#[test]
fn raw_html_is_sanitised() {
    let rendered = md(
        "# Page\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n<a href=\"javascript:alert(1)\">x</a>\n\n\
         <iframe src=\"https://evil.example\"></iframe>\n\n<style>body{}</style>\n\n\
         <details><summary>More</summary>\nPress <kbd>Ctrl</kbd>.\n</details>\n\n\
         !!! note\n    Generated markup survives: `x` <b onclick=\"y()\">bold</b>\n\n\
         === \"T\"\n    - [x] done\n\n```text hl_lines=\"1\"\ncode\n```\n\nNote[^1].\n\n[^1]: Foot.\n",
    );
    let html = &rendered.html;
    for bad in [
        "<script",
        "alert",
        "onerror",
        "javascript",
        "<iframe",
        "evil.example",
        "<style",
        "onclick",
    ] {
        assert!(!html.contains(bad), "{bad} survived:\n{html}");
    }
    for good in [
        "<details><summary>More</summary>",
        "<kbd>Ctrl</kbd>",
        "<b>bold</b>",
        "<img src=\"x\">",
        "<h1 id=\"page\">Page<a class=\"headerlink\" href=\"#page\" title=\"Permanent link\">",
        "<div class=\"admonition note\">\n<p class=\"admonition-title\">Note</p>",
        "<div class=\"tabbed-set tabbed-alternate\" data-tabs=\"1:1\"><input checked=\"\" id=\"__tabbed_1_1\" name=\"__tabbed_1\" type=\"radio\">",
        "<label for=\"__tabbed_1_1\">T</label>",
        "<input type=\"checkbox\" disabled=\"\" checked=\"\" aria-label=\"Done\">",
        "<span class=\"linenos\" data-linenos=\"1 \"></span><span class=\"hll\">code\n</span>",
        "<sup id=\"fnref:1\"><a class=\"footnote-ref\" href=\"#fn:1\">1</a></sup>",
        "<a class=\"footnote-backref\" href=\"#fnref:1\" title=\"Jump back to footnote 1 in the text\">",
    ] {
        assert!(html.contains(good), "{good} lost:\n{html}");
    }
}

#[test]
fn pages_without_raw_html_are_not_reparsed() {
    // Unsanitised output keeps this stage's own spelling of boolean attributes.
    let html = md("- [x] done\n").html;
    assert!(
        html.contains("<input type=\"checkbox\" disabled checked aria-label=\"Done\">"),
        "{html}"
    );
}

#[test]
fn a_page_cannot_forge_block_markers() {
    let html = md("<!--pb:0-->\n\nText <!--pb:1-->\n\n!!! note\n    Body.\n").html;
    assert_eq!(
        html.matches("<div class=\"admonition note\">").count(),
        1,
        "{html}"
    );
    assert_eq!(
        html.matches("<div").count(),
        html.matches("</div>").count(),
        "{html}"
    );
}

#[test]
fn a_snippet_line_left_after_including_is_text() {
    // The docs stage includes snippets before rendering; what is left (an escaped marker) is
    // text, as mkdocs shows it, smart arrow included.
    let rendered = md("Before.\n\n--8<-- \"other.md\"\n");
    assert_eq!(
        rendered.html,
        "<p>Before.</p>\n<p>--8← &quot;other.md&quot;</p>\n"
    );
    assert!(rendered.problems.is_empty());
}

#[test]
fn github_alerts_become_admonitions() {
    assert_eq!(
        md("> [!WARNING]\n> Careful.\n").html,
        "<div class=\"admonition warning\">\n<p class=\"admonition-title\">Warning</p>\n<p>Careful.</p>\n</div>\n"
    );
}

#[test]
fn malformed_input_never_panics() {
    let inputs = [
        "",
        "\n",
        "!!!",
        "???+",
        "=== \"",
        "===",
        "---",
        "---\n---\n",
        "*[",
        "*[]:",
        "[^]",
        "[^x]",
        "```",
        "~~~\n",
        "| a |\n|",
        "<!--pb:",
        "<!--pb:99-->",
        "\u{0}",
        "\t!!! note\n\t\tx",
        "- [ ]",
        "1.\n  -",
        "^^^^",
        "====",
        "~~~~~",
        ":",
        "::",
        "(c",
        "http://",
        "www.",
        "\r\r\n",
        "# {#}",
        "#",
        "[a](<>)",
        "![](",
        "1st",
        "\u{FEFF}# BOM",
    ];
    for input in inputs {
        let _ = md(input);
        let _ = md(&input.repeat(50));
    }
}

/// Each pathological input renders in bounded time. Quadratic work on these inputs takes
/// minutes; each takes well under a second in a debug build, and the 5 s bound leaves room for
/// a loaded CI machine without hiding a blow-up.
#[test]
fn pathological_input_finishes_quickly() {
    let cases: Vec<(&str, String)> = vec![
        (
            "10,000 nested quotes",
            format!("{} x\n", ">".repeat(10_000)),
        ),
        (
            "10,000 nested list items",
            format!("{}x\n", "- ".repeat(10_000)),
        ),
        (
            "1,000 list items indented 2 deeper each",
            (0..1_000)
                .map(|i| format!("{}- x\n", "  ".repeat(i)))
                .collect(),
        ),
        (
            "a 1 MB line",
            "a **b ==c ^d ~e :f (c) http://x 1st H~2~O *[ `".repeat(23_000),
        ),
        ("100,000 unclosed links", "[a](".repeat(100_000)),
        (
            "10,000 nested raw divs",
            format!("{}x", "<div>".repeat(10_000)),
        ),
        (
            "100 nested admonitions",
            (0..100)
                .map(|i| format!("{}!!! note\n", "    ".repeat(i)))
                .collect(),
        ),
        ("50,000 fences", "```\n".repeat(50_000)),
        ("10,000 equal headings", "# a\n".repeat(10_000)),
        ("a 1 MB line of failed URLs", "http://-".repeat(125_000)),
        (
            "a URL with 1 MB of closing brackets",
            format!("http://a{}", ")".repeat(1_000_000)),
        ),
        ("1 MB of sub and sup openers", "~a ^b ".repeat(170_000)),
        (
            "1,000 abbreviations",
            format!(
                "{}\n{}",
                (0..1000)
                    .map(|i| format!("*[A{i}]: t\n"))
                    .collect::<String>(),
                "A1 A2 ".repeat(50_000)
            ),
        ),
    ];
    for (name, source) in cases {
        let start = Instant::now();
        let rendered = md(&source);
        let took = start.elapsed();
        assert!(took < Duration::from_secs(5), "{name}: {took:?}");
        assert!(!rendered.html.is_empty(), "{name}");
    }
}

/// Random sequences of this dialect's tokens: no panic, and raw markup never gets through.
#[test]
fn random_token_soup_never_panics_or_leaks_markup() {
    // Long on purpose: the token table and the generator belong together.
    let tokens = [
        "!!! note",
        "??? tip \"T\"",
        "???+ x",
        "=== \"a\"",
        "===! \"b\"",
        "===+ \"c\"",
        "    ",
        "  ",
        "\t",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        "* ",
        "> ",
        "```",
        "~~~",
        "```python hl_lines=\"1-2\" linenums=\"3\"",
        "```mermaid",
        "|",
        "|---|",
        ":",
        "::",
        "smile",
        ":+1:",
        "==",
        "^^",
        "^",
        "~~",
        "~",
        "(c)",
        "-->",
        "<--",
        "1/2",
        "1st",
        "http://a.b/c",
        "www.x.y",
        "[a](b.md)",
        "[a](#x)",
        "![i](j.png)",
        "{: .c #d }",
        "{",
        "}",
        "[^1]",
        "[^1]: n",
        "*[ABC]: t",
        "ABC",
        "# H",
        "## H {#i}",
        "---",
        "<div>",
        "</div>",
        "<script>",
        "<!--pb:0-->",
        "<!--pb:1-->",
        "<!--",
        "-->",
        "é",
        "日本",
        "\u{1F600}",
        "`",
        "``",
        "**",
        "_",
        "[ ]",
        "[x]",
        "Term\n:   def",
        "--8<-- \"f\"",
        "&amp;",
        "\\",
        "\r\n",
        "a",
        "b c",
        "#!py x",
    ];
    let mut state: u64 = 0x1234567FEDCBA987;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3_000 {
        let n = (next() % 40) as usize;
        let src: String = (0..n)
            .map(|_| tokens[(next() % tokens.len() as u64) as usize])
            .collect();
        let html = md(&src).html;
        assert!(!html.contains("<script"), "{src:?}\n{html}");
        assert!(!html.contains("<!--"), "{src:?}\n{html}");
    }
}
