//! Inline extensions, headings and their ids.

use super::{check, md};
use crate::docs::markdown::Heading;

#[test]
fn mark_insert_delete_sub_sup() {
    check(&[
        (
            "==mark== ^^ins^^ ~~del~~ ~sub~ ^sup^ H~2~O E=mc^2^\n",
            "<p><mark>mark</mark> <ins>ins</ins> <del>del</del> <sub>sub</sub> <sup>sup</sup> \
             H<sub>2</sub>O E=mc<sup>2</sup></p>",
        ),
        // Not delimiters: spaces inside, `===`, unpaired.
        (
            "a == b == c, x === y, ==open\n",
            "<p>a == b == c, x === y, ==open</p>",
        ),
        (
            "`==code==` and **==bold==**\n",
            "<p><code>==code==</code> and <strong><mark>bold</mark></strong></p>",
        ),
    ]);
}

#[test]
fn emoji_shortcodes_become_characters() {
    check(&[(
        ":smile: :rocket: :white_check_mark: :+1: :warning: :not_an_emoji: `:smile:` a:b:c\n",
        "<p><span class=\"emoji\">\u{1F604}</span> <span class=\"emoji\">\u{1F680}</span> \
         <span class=\"emoji\">\u{2705}</span> <span class=\"emoji\">\u{1F44D}</span> \
         <span class=\"emoji\">\u{26A0}\u{FE0F}</span> :not_an_emoji: <code>:smile:</code> a:b:c</p>",
    )]);
    let known = [
        "smile", "heart", "tada", "fire", "bug", "memo", "x", "eyes", "100", "thinking",
    ];
    for name in known {
        assert!(super::super::emoji::lookup(name).is_some(), "{name}");
    }
}

#[test]
fn abbreviations_apply_to_whole_words_and_their_lines_go() {
    check(&[(
        "*[HTML]: Hyper Text Markup Language\n*[W3C]:  World Wide Web Consortium\n\nHTML, XHTML, HTMLish and the W3C.\n\n`HTML` in code.\n",
        "<p><abbr title=\"Hyper Text Markup Language\">HTML</abbr>, XHTML, HTMLish and the \
         <abbr title=\"World Wide Web Consortium\">W3C</abbr>.</p>\n<p><code>HTML</code> in code.</p>",
    )]);
}

#[test]
fn magic_links() {
    check(&[
        (
            "See https://example.com/path?a=1&b=2. Or www.example.org, (https://x.org/a_(b)).\n",
            "<p>See <a href=\"https://example.com/path?a=1&amp;b=2\">https://example.com/path?a=1&amp;b=2</a>. \
             Or <a href=\"http://www.example.org\">www.example.org</a>, \
             (<a href=\"https://x.org/a_(b)\">https://x.org/a_(b)</a>).</p>",
        ),
        // Not inside code or an existing link, not mid-word.
        (
            "`https://code` [https://a.org](https://b.org) xhttps://no\n",
            "<p><code>https://code</code> <a href=\"https://b.org\">https://a.org</a> xhttps://no</p>",
        ),
    ]);
}

#[test]
fn smart_symbols() {
    check(&[(
        "(c) (tm) (r) --> <-- <--> +/- =/= 1/2 3/4 c/o 1st 22nd 13th 11th != 10/20 2ndary `(c) -->`\n",
        "<p>\u{a9} \u{2122} \u{ae} \u{2192} \u{2190} \u{2194} \u{b1} \u{2260} \u{bd} \u{be} \u{2105} \
         1<sup>st</sup> 22<sup>nd</sup> 13<sup>th</sup> 11<sup>th</sup> != 10/20 2ndary <code>(c) --&gt;</code></p>",
    )]);
}

#[test]
fn inline_code_drops_inlinehilite_prefix() {
    check(&[("`#!python print(1)`\n", "<p><code>print(1)</code></p>")]);
}

#[test]
fn headings_get_python_markdown_ids_and_permalinks() {
    let rendered = md(
        "# Intro\n\n## Intro\n\n## Intro\n\n### Using `foo` &amp; &lt;bar&gt;\n\n## Title {#custom-id .fancy}\n\n## 日本語\n\n## Custom ID\n",
    );
    let ids: Vec<&str> = rendered.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "intro",
            "intro_1",
            "intro_2",
            "using-foo-bar",
            "custom-id",
            "_1",
            "custom-id_1"
        ]
    );
    assert_eq!(
        rendered.headings[3],
        Heading {
            level: 3,
            id: "using-foo-bar".into(),
            text: "Using foo & <bar>".into()
        }
    );
    assert!(rendered.html.starts_with(
        "<h1 id=\"intro\">Intro<a class=\"headerlink\" href=\"#intro\" title=\"Permanent link\">\u{b6}</a></h1>\n"
    ));
    assert!(rendered.html.contains(
        "<h3 id=\"using-foo-bar\">Using <code>foo</code> &amp; &lt;bar&gt;<a class=\"headerlink\" href=\"#using-foo-bar\""
    ), "{}", rendered.html);
    assert!(rendered.html.contains(
        "<h2 id=\"custom-id\" class=\"fancy\">Title<a class=\"headerlink\" href=\"#custom-id\" title=\"Permanent link\">\u{b6}</a></h2>"
    ));
    assert_eq!(rendered.title.as_deref(), Some("Intro"));
}

#[test]
fn title_is_the_first_level_one_heading() {
    assert_eq!(
        md("## Not this\n\n# This *one*\n\n# Not the second\n")
            .title
            .as_deref(),
        Some("This one")
    );
    assert_eq!(md("Setext\n======\n").title.as_deref(), Some("Setext"));
    assert_eq!(md("No heading.\n").title, None);
}

#[test]
fn attr_lists_on_links_and_images() {
    check(&[
        (
            "[Go](https://a.org){ .md-button .md-button--primary } now\n",
            "<p><a class=\"md-button md-button--primary\" href=\"https://a.org\">Go</a> now</p>",
        ),
        (
            "![Fig](f.png){: #fig .wide width=\"50%\" }\n",
            "<p><img id=\"fig\" class=\"wide\" src=\"f.png\" alt=\"Fig\"></p>",
        ),
        // Not attribute lists: left as text.
        (
            "[a](b) {not attrs}\n",
            "<p><a href=\"b\">a</a> {not attrs}</p>",
        ),
        ("[a](b){}\n", "<p><a href=\"b\">a</a>{}</p>"),
        ("text { .x }\n", "<p>text { .x }</p>"),
    ]);
}
