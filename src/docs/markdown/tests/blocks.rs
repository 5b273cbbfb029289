//! Admonitions, details, tabs, code blocks, lists, tables, footnotes.

use super::{check, md};

#[test]
fn admonitions() {
    check(&[
        (
            "!!! note\n    Body.\n",
            "<div class=\"admonition note\">\n<p class=\"admonition-title\">Note</p>\n<p>Body.</p>\n</div>",
        ),
        (
            "!!! warning \"Mind the <gap>\"\n    Body.\n",
            "<div class=\"admonition warning\">\n<p class=\"admonition-title\">Mind the &lt;gap&gt;</p>\n<p>Body.</p>\n</div>",
        ),
        (
            "!!! tip \"\"\n    No title.\n",
            "<div class=\"admonition tip\">\n<p>No title.</p>\n</div>",
        ),
        (
            "!!! DANGER extra\n    Classes kept, title capitalised.\n\nAfter.\n",
            "<div class=\"admonition DANGER extra\">\n<p class=\"admonition-title\">Danger</p>\n\
             <p>Classes kept, title capitalised.</p>\n</div>\n<p>After.</p>",
        ),
        // Not a head: no type, or text after the title.
        ("!!!\n    x\n", "<p>!!!\nx</p>"),
        ("!!! note \"a\" b\n", "<p>!!! note &quot;a&quot; b</p>"),
    ]);
}

#[test]
fn nested_admonition_with_fenced_code_and_list() {
    let html = md("!!! danger \"Outer\"\n    Outer.\n\n    !!! note\n        ```text\n        a < b\n        ```\n\n    - item\n")
        .html;
    assert_eq!(
        html,
        "<div class=\"admonition danger\">\n<p class=\"admonition-title\">Outer</p>\n<p>Outer.</p>\n\
         <div class=\"admonition note\">\n<p class=\"admonition-title\">Note</p>\n\
         <div class=\"highlight\"><pre><code class=\"language-text\"><span class=\"linenos\" data-linenos=\"1 \"></span>a &lt; b\n</code></pre></div>\n\
         </div>\n<ul>\n<li>item</li>\n</ul>\n</div>\n"
    );
}

#[test]
fn details_closed_and_open() {
    check(&[
        (
            "??? note \"Closed\"\n    Hidden.\n",
            "<details class=\"note\">\n<summary>Closed</summary>\n<p>Hidden.</p>\n</details>",
        ),
        (
            "???+ info \"Open\"\n    Shown.\n",
            "<details class=\"info\" open>\n<summary>Open</summary>\n<p>Shown.</p>\n</details>",
        ),
        (
            "??? question\n    Default summary.\n",
            "<details class=\"question\">\n<summary>Question</summary>\n<p>Default summary.</p>\n</details>",
        ),
    ]);
}

#[test]
fn tabs_with_code_inside() {
    let html = md("=== \"One\"\n    ```text\n    ls\n    ```\n\n=== \"Two <b>\"\n    Text.\n").html;
    assert_eq!(
        html,
        "<div class=\"tabbed-set tabbed-alternate\" data-tabs=\"1:2\">\
         <input checked id=\"__tabbed_1_1\" name=\"__tabbed_1\" type=\"radio\">\
         <input id=\"__tabbed_1_2\" name=\"__tabbed_1\" type=\"radio\">\
         <div class=\"tabbed-labels\"><label for=\"__tabbed_1_1\">One</label>\
         <label for=\"__tabbed_1_2\">Two &lt;b&gt;</label></div>\n\
         <div class=\"tabbed-content\">\n<div class=\"tabbed-block\">\n\
         <div class=\"highlight\"><pre><code class=\"language-text\"><span class=\"linenos\" data-linenos=\"1 \"></span>ls\n</code></pre></div>\n\
         </div>\n<div class=\"tabbed-block\">\n<p>Text.</p>\n</div>\n</div>\n</div>\n"
    );
}

#[test]
fn tab_sets_get_unique_ids_and_selection() {
    let html = md(
        "=== \"A\"\n    a\n\n===+ \"B\"\n    b\n\n===! \"C\"\n    c\n\nText.\n\n=== \"D\"\n    d\n",
    )
    .html;
    // `===!` starts a second set; `===+` selects its tab.
    assert!(html.contains("data-tabs=\"1:2\"><input id=\"__tabbed_1_1\" name=\"__tabbed_1\" type=\"radio\"><input checked id=\"__tabbed_1_2\""), "{html}");
    assert!(
        html.contains("data-tabs=\"2:1\"><input checked id=\"__tabbed_2_1\""),
        "{html}"
    );
    assert!(
        html.contains("data-tabs=\"3:1\"><input checked id=\"__tabbed_3_1\""),
        "{html}"
    );
    assert_eq!(html.matches("class=\"tabbed-set").count(), 3);
}

#[test]
fn blocks_inside_list_items_stay_inside() {
    check(&[(
        "1. Step\n\n    !!! note\n        Inside.\n\n2. Next\n",
        "<ol>\n<li><p>Step</p>\n<div class=\"admonition note\">\n<p class=\"admonition-title\">Note</p>\n\
         <p>Inside.</p>\n</div>\n</li>\n<li><p>Next</p>\n</li>\n</ol>",
    )]);
}

#[test]
fn an_unclosed_fence_in_a_block_ends_with_the_block() {
    check(&[(
        "!!! note\n    ```text\n    code\n\nAfter.\n",
        "<div class=\"admonition note\">\n<p class=\"admonition-title\">Note</p>\n\
         <div class=\"highlight\"><pre><code class=\"language-text\"><span class=\"linenos\" data-linenos=\"1 \"></span>code\n</code></pre></div>\n\
         </div>\n<p>After.</p>",
    )]);
}

#[test]
fn block_heads_inside_code_are_code() {
    check(&[(
        "```text\n!!! note\n=== \"x\"\n```\n",
        "<div class=\"highlight\"><pre><code class=\"language-text\"><span class=\"linenos\" data-linenos=\"1 \"></span>!!! note\n\
         <span class=\"linenos\" data-linenos=\"2 \"></span>=== &quot;x&quot;\n</code></pre></div>",
    )]);
}

#[test]
fn nesting_depth_is_capped() {
    let source: String = (0..40)
        .map(|i| format!("{}!!! note\n", "    ".repeat(i)))
        .collect();
    let html = md(&source).html;
    assert_eq!(html.matches("<div class=\"admonition note\">").count(), 32);
    assert_eq!(
        html.matches("<div").count(),
        html.matches("</div>").count(),
        "{html}"
    );
}

#[test]
fn two_space_nested_lists() {
    check(&[
        (
            "- a\n  - b\n    - c\n- d\n",
            "<ul>\n<li>a\n<ul>\n<li>b\n<ul>\n<li>c</li>\n</ul>\n</li>\n</ul>\n</li>\n<li>d</li>\n</ul>",
        ),
        (
            "1. one\n  - sub\n  1. subnum\n2. two\n",
            "<ol>\n<li>one\n<ul>\n<li>sub</li>\n</ul>\n<ol>\n<li>subnum</li>\n</ol>\n</li>\n<li>two</li>\n</ol>",
        ),
        (
            "1. one\n  1. nested\n    - deeper\n  2. nested two\n",
            "<ol>\n<li>one\n<ol>\n<li>nested\n<ul>\n<li>deeper</li>\n</ul>\n</li>\n<li>nested two</li>\n</ol>\n</li>\n</ol>",
        ),
        // With 2-column nesting, a marker 4 columns in on the next line is more text of the
        // item (mkdocs with techdocs-core shows "one - sub"), and lists always count from 1.
        (
            "1. one\n    - sub\n",
            "<ol>\n<li>one\n- sub</li>\n</ol>",
        ),
        (
            "3. three\n4. four\n",
            "<ol>\n<li>three</li>\n<li>four</li>\n</ol>",
        ),
        // The first list nested right under an item's text, whatever its first number
        // (CommonMark would read `5.` as more text).
        (
            "4. four\n  5. five\n  6. six\n",
            "<ol>\n<li>four\n<ol>\n<li>five</li>\n<li>six</li>\n</ol>\n</li>\n</ol>",
        ),
    ]);
}

#[test]
fn fenced_code_nested_in_a_two_space_list() {
    check(&[(
        "1. Run:\n  ```text\n  make\n  ```\n2. Done\n",
        "<ol>\n<li>Run:\n<div class=\"highlight\"><pre><code class=\"language-text\"><span class=\"linenos\" data-linenos=\"1 \"></span>make\n\
         </code></pre></div>\n</li>\n<li>Done</li>\n</ol>",
    )]);
}

#[test]
fn task_lists() {
    check(&[(
        "- [ ] todo\n- [x] done\n",
        "<ul class=\"task-list\">\n<li class=\"task-list-item\"><label class=\"task-list-control\">\
         <input type=\"checkbox\" disabled aria-label=\"To do\"><span class=\"task-list-indicator\"></span>\
         </label> todo</li>\n\
         <li class=\"task-list-item\"><label class=\"task-list-control\"><input type=\"checkbox\" disabled checked aria-label=\"Done\">\
         <span class=\"task-list-indicator\"></span></label> done</li>\n</ul>",
    )]);
}

#[test]
fn definition_lists_and_tables() {
    check(&[
        ("Term\n:   Definition\n", "<dl>\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>"),
        (
            "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n",
            "<table>\n<thead>\n<tr><th align=\"left\">a</th><th align=\"center\">b</th><th align=\"right\">c</th></tr>\n\
             </thead>\n<tbody>\n<tr><td align=\"left\">1</td><td align=\"center\">2</td><td align=\"right\">3</td></tr>\n\
             </tbody>\n</table>",
        ),
        (
            "| a |\n|---|\n",
            "<table>\n<thead>\n<tr><th>a</th></tr>\n</thead>\n</table>",
        ),
    ]);
}

#[test]
fn footnotes_python_markdown_style() {
    check(&[(
        "One[^n] two[^m] again[^n].\n\n[^m]: Second.\n[^n]: First *note*.\n",
        "<p>One<sup id=\"fnref:n\"><a class=\"footnote-ref\" href=\"#fn:n\">2</a></sup> \
         two<sup id=\"fnref:m\"><a class=\"footnote-ref\" href=\"#fn:m\">1</a></sup> \
         again<sup id=\"fnref2:n\"><a class=\"footnote-ref\" href=\"#fn:n\">2</a></sup>.</p>\n\
         <div class=\"footnote\">\n<hr>\n<ol>\n\
         <li id=\"fn:m\">\n<p>Second.&#160;<a class=\"footnote-backref\" href=\"#fnref:m\" title=\"Jump back to footnote 1 in the text\">&#8617;</a></p>\n</li>\n\
         <li id=\"fn:n\">\n<p>First <em>note</em>.&#160;<a class=\"footnote-backref\" href=\"#fnref:n\" title=\"Jump back to footnote 2 in the text\">&#8617;</a>\
         &#160;<a class=\"footnote-backref\" href=\"#fnref2:n\" title=\"Jump back to footnote 2 in the text\">&#8617;</a></p>\n</li>\n\
         </ol>\n</div>",
    )]);
}

#[test]
fn diagram_fences_become_inline_svg_with_their_source() {
    for raw_html in [
        "",
        "<div>raw HTML makes the page go through the sanitiser</div>\n\n",
    ] {
        let rendered = md(&format!(
            "{raw_html}```mermaid\ngraph TD\n  Alpha --> Beta\n```\n\n```dot\ndigraph {{ Gamma -> Delta }}\n```\n"
        ));
        let html = &rendered.html;
        assert_eq!(rendered.problems, vec![], "{html}");
        assert_eq!(
            html.matches("<figure class=\"diagram diagram-").count(),
            2,
            "{html}"
        );
        assert_eq!(html.matches("<svg ").count(), 2, "{html}");
        for label in ["Alpha", "Beta", "Gamma", "Delta"] {
            assert!(html.contains(&format!(">{label}<")), "{label}: {html}");
        }
        assert!(
            html.contains("id=\"dg0-") && html.contains("id=\"dg1-"),
            "{html}"
        );
        assert!(html.contains("<summary>Diagram source</summary><pre><code>graph TD\n  Alpha --&gt; Beta\n</code></pre>"), "{html}");
        assert!(!html.contains('\u{FDD0}'), "{html}");
    }
}

#[test]
fn a_diagram_that_cannot_be_drawn_stays_code_with_its_line() {
    let rendered = md("Text.\n\n```mermaid\nnotADiagram\n```\n");
    assert!(
        rendered.html.contains("<code class=\"language-mermaid\">"),
        "{}",
        rendered.html
    );
    assert!(!rendered.html.contains("<svg"));
    assert_eq!(rendered.problems.len(), 1);
    assert_eq!(rendered.problems[0].0, 3);
    assert!(rendered.problems[0]
        .1
        .starts_with(crate::diagrams::PROBLEM_PREFIX));
}

#[test]
fn a_typed_placeholder_character_draws_nothing() {
    let rendered = md("a \u{FDD0}0\u{FDD1} b\n\n```dot\ndigraph { A -> B }\n```\n");
    assert_eq!(
        rendered.html.matches("<svg ").count(),
        1,
        "{}",
        rendered.html
    );
}

#[test]
fn code_block_options() {
    check(&[(
        "```text hl_lines=\"2 4-5\" linenums=\"9\" title=\"notes.txt\"\na\nb\nc\nd\ne\n```\n",
        "<div class=\"highlight\"><span class=\"filename\">notes.txt</span><pre><code class=\"language-text\">\
         <span class=\"linenos\" data-linenos=\" 9 \"></span>a\n\
         <span class=\"linenos\" data-linenos=\"10 \"></span><span class=\"hll\">b\n</span>\
         <span class=\"linenos\" data-linenos=\"11 \"></span>c\n\
         <span class=\"linenos\" data-linenos=\"12 \"></span><span class=\"hll\">d\n</span>\
         <span class=\"linenos\" data-linenos=\"13 \"></span><span class=\"hll\">e\n</span>\
         </code></pre></div>",
    )]);
    // The attribute form, and an indented code block.
    check(&[
        (
            "``` { .text title=\"a b\" }\nx\n```\n",
            "<div class=\"highlight\"><span class=\"filename\">a b</span><pre><code class=\"language-text\">\
             <span class=\"linenos\" data-linenos=\"1 \"></span>x\n</code></pre></div>",
        ),
        (
            "    indented <code>\n",
            "<div class=\"highlight\"><pre><code><span class=\"linenos\" data-linenos=\"1 \"></span>\
             indented &lt;code&gt;\n</code></pre></div>",
        ),
    ]);
}

#[test]
fn highlighted_lines_stay_balanced() {
    let rendered = md("```python hl_lines=\"2\"\ns = \"\"\"a\nb\"\"\"\nx = 1\n```\n");
    let html = rendered.html;
    assert!(rendered.problems.is_empty(), "{:?}", rendered.problems);
    assert!(
        html.starts_with("<div class=\"highlight\"><pre><code class=\"language-python\">"),
        "{html}"
    );
    assert!(html.contains("class=\"hl-"), "{html}");
    assert_eq!(html.matches("<span class=\"linenos\"").count(), 3, "{html}");
    assert_eq!(html.matches("<span class=\"hll\">").count(), 1, "{html}");
    // Every line closes the spans it opened: a multi-line string is reopened per line. Each
    // piece after the split still holds the close of its `linenos` span.
    for line in html.split("<span class=\"linenos\"").skip(1) {
        assert_eq!(
            line.matches("<span").count() + 1,
            line.matches("</span>").count(),
            "{line}"
        );
    }
    assert!(!html.contains("style="), "{html}");
}

#[test]
fn unknown_languages_are_plain_and_reported() {
    let rendered =
        md("Text.\n\n```nosuch\nx < y\n```\n\n```text\nplain\n```\n\n```plantuml\nA -> B\n```\n");
    assert!(rendered.html.contains(
        "<pre><code class=\"language-nosuch\"><span class=\"linenos\" data-linenos=\"1 \"></span>x &lt; y\n</code></pre>"
    ));
    assert_eq!(
        rendered.problems,
        vec![
            (
                3,
                "unknown code block language `nosuch`; shown without highlighting".to_string()
            ),
            (
                11,
                "diagram not drawn: this PlantUML diagram is shown as code: no PlantUML renderer is configured (set `[docs.plantuml] command` in site.toml)".to_string()
            ),
        ]
    );
}
