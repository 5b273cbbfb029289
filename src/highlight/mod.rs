//! Syntax highlighting with syntect: the syntax set (syntect's grammars and bat's, from the
//! two-face crate) is loaded once and shared read-only across rayon workers; output uses CSS
//! classes (`hl-...`), never inline styles, so the strict CSP holds and themes live in the
//! stylesheet.

mod data;
mod shell;

use std::sync::OnceLock;
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Sources larger than this are shown as plain escaped text: highlighting is not worth seconds.
const MAX_HIGHLIGHT_BYTES: usize = 256 * 1024;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// `<pre class="code"><code class="language-x">...</code></pre>`, highlighted when the
/// language is known. Returns the HTML and whether a grammar was found.
pub fn highlight(source: &str, language: &str) -> (String, bool) {
    // Data files and shell, the commonest languages in definitions and runbooks, have
    // tokenizers of their own: syntect's grammars for them cost milliseconds a block.
    let fast = match language {
        "yaml" | "yml" | "json" => Some(data::highlight_data(source)),
        "bash" | "sh" | "shell" | "zsh" | "ksh" => Some(shell::highlight_shell(source)),
        _ => None,
    };
    if let Some(body) = fast {
        return (
            format!("<pre class=\"code\"><code class=\"language-{language}\">{body}</code></pre>"),
            true,
        );
    }
    let set = syntaxes();
    let syntax = set
        .find_syntax_by_token(language)
        .or_else(|| set.find_syntax_by_extension(language));
    let lang_class = escape(&language.to_ascii_lowercase());
    let body = match syntax {
        Some(syntax) if source.len() <= MAX_HIGHLIGHT_BYTES => {
            let mut generator = ClassedHTMLGenerator::new_with_class_style(
                syntax,
                set,
                ClassStyle::SpacedPrefixed { prefix: "hl-" },
            );
            let mut ok = true;
            for line in LinesWithEndings::from(source) {
                if generator
                    .parse_html_for_line_which_includes_newline(line)
                    .is_err()
                {
                    ok = false;
                    break;
                }
            }
            if ok {
                Some(generator.finalize())
            } else {
                None
            }
        }
        _ => None,
    };
    let found = body.is_some();
    let body = body.unwrap_or_else(|| escape(source));
    (
        format!("<pre class=\"code\"><code class=\"language-{lang_class}\">{body}</code></pre>"),
        found,
    )
}

/// `<span class="hl-CLASS">text</span>`, the text escaped; nothing for empty text.
fn span(out: &mut String, class: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    out.push_str("<span class=\"hl-");
    out.push_str(class);
    out.push_str("\">");
    escape_into(text, out);
    out.push_str("</span>");
}

/// The text of highlighted HTML: tags dropped, the five escapes decoded.
#[cfg(test)]
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// HTML-escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_into(text, &mut out);
    out
}

/// [`escape`] onto the end of `out`, with no string of its own. Every page's text goes
/// through here, so runs without a special character are copied whole.
pub fn escape_into(text: &str, out: &mut String) {
    let mut rest = text;
    // The special characters are ASCII, which never occurs inside another character's bytes.
    while let Some(at) = next_special(rest.as_bytes()) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

fn is_special(b: u8) -> bool {
    matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')
}

/// Where the first character [`escape_into`] replaces is. Blocks of 16 bytes are tested
/// without an early exit, which the compiler turns into a few vector instructions: most text
/// goes dozens of bytes without a special character, and all of a portal's text comes here.
fn next_special(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 16;
    let mut blocks = bytes.chunks_exact(BLOCK);
    let mut start = 0;
    for block in blocks.by_ref() {
        if block.iter().fold(false, |any, &b| any | is_special(b)) {
            break;
        }
        start += BLOCK;
    }
    let found = bytes[start..].iter().position(|&b| is_special(b));
    found.map(|at| start + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_yaml_with_classes_and_escapes_content() {
        let (html, found) = highlight("a: \"<script>\"\n", "yaml");
        assert!(found);
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }

    #[test]
    fn escape_replaces_the_five_special_characters_and_keeps_the_rest() {
        assert_eq!(
            escape("a<b>&\"c\" 'd' — é/ü &amp;"),
            "a&lt;b&gt;&amp;&quot;c&quot; &#39;d&#39; — é/ü &amp;amp;"
        );
        assert_eq!(escape(""), "");
        assert_eq!(escape("<<"), "&lt;&lt;");
    }

    #[test]
    fn escape_finds_special_characters_in_every_place_of_a_block() {
        for len in 0..40 {
            for at in 0..len {
                for special in ['&', '<', '>', '"', '\'', 'é'] {
                    let mut text: Vec<char> = "abcdefghijklmnopqrstuvwxyz0123456789ABCD"
                        .chars()
                        .take(len)
                        .collect();
                    text[at] = special;
                    let text: String = text.into_iter().collect();
                    let by_char: String = text
                        .chars()
                        .map(|c| match c {
                            '&' => "&amp;".to_string(),
                            '<' => "&lt;".to_string(),
                            '>' => "&gt;".to_string(),
                            '"' => "&quot;".to_string(),
                            '\'' => "&#39;".to_string(),
                            c => c.to_string(),
                        })
                        .collect();
                    assert_eq!(escape(&text), by_char, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn unknown_languages_are_escaped_text() {
        let (html, found) = highlight("type Query { a: <b> }", "no-such-language");
        assert!(!found);
        assert!(html.contains("&lt;b&gt;"));
    }
}
