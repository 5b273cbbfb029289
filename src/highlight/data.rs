//! A fast highlighter for data files (YAML and JSON), used for API definitions. A portal of a
//! thousand repositories holds hundreds of OpenAPI documents; syntect's YAML grammar spent most
//! of such a build in regex matching, while these formats need only a line tokenizer. The
//! classes are syntect's scope names, so one stylesheet colours both.

use super::span;

/// Highlights YAML (`json` is YAML's subset and takes the same path) as `hl-` spans.
pub(super) fn highlight_data(source: &str) -> String {
    let mut out = String::with_capacity(source.len() * 2);
    // Indentation of the key that opened a block scalar (`description: |`), while inside one.
    let mut block_parent: Option<usize> = None;
    for line in source.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let indent = body.len() - body.trim_start().len();
        if let Some(parent) = block_parent {
            if body.trim().is_empty() || indent > parent {
                span(&mut out, "string", body);
                out.push_str(newline);
                continue;
            }
            block_parent = None;
        }
        if line_opens_block(body) {
            block_parent = Some(indent);
        }
        tokenize_line(body, &mut out);
        out.push_str(newline);
    }
    out
}

fn line_opens_block(body: &str) -> bool {
    let value = strip_comment(body).trim_end();
    let last = value.rsplit([' ', ':']).next().unwrap_or("");
    (value.ends_with(": |")
        || value.ends_with(": >")
        || value.ends_with("- |")
        || value.ends_with("- >")
        || value == "|"
        || value == ">")
        || ((value.contains(": ") || value.starts_with("- "))
            && matches!(last, "|-" | "|+" | ">-" | ">+"))
}

fn strip_comment(body: &str) -> &str {
    match find_comment(body) {
        Some(i) => &body[..i],
        None => body,
    }
}

/// Start of a `#` comment outside quotes (a `#` begins a comment at the start or after a space).
fn find_comment(body: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in body.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            // A quote opens a quoted scalar only where a scalar can start.
            None if (c == '"' || c == '\'') && matches!(prev, ' ' | '[' | '{' | ',' | ':') => {
                quote = Some(c);
            }
            None if c == '#' && (prev == ' ' || prev == '\t' || i == 0) => return Some(i),
            None => {}
        }
        prev = c;
    }
    None
}

fn tokenize_line(body: &str, out: &mut String) {
    let (code, comment) = match find_comment(body) {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    let trimmed = code.trim_start();
    out.push_str(&code[..code.len() - trimmed.len()]);
    if trimmed == "---" || trimmed == "..." {
        span(out, "punctuation", trimmed);
    } else {
        let mut rest = trimmed;
        if rest == "-" {
            span(out, "punctuation", "-");
            rest = "";
        }
        while let Some(r) = rest.strip_prefix("- ") {
            span(out, "punctuation", "-");
            let item = r.trim_start();
            out.push(' ');
            out.push_str(&r[..r.len() - item.len()]);
            rest = item;
        }
        match split_key(rest) {
            Some((key, after)) => {
                span(out, "entity", key);
                span(out, "punctuation", ":");
                let value = after.trim_start();
                out.push_str(&after[..after.len() - value.len()]);
                value_tokens(value, out);
            }
            None => value_tokens(rest, out),
        }
    }
    span(out, "comment", comment);
}

/// `key: value` -> (`key`, ` value`); keys may be quoted. JSON's `"key": value` too.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let end = if let Some(q @ ('"' | '\'')) = text.chars().next() {
        let close = text[1..].find(q)? + 1;
        close + 1
    } else {
        if text.starts_with(['{', '[', '&', '*', '!', '|', '>']) {
            return None;
        }
        text.find(": ")
            .or_else(|| text.ends_with(':').then(|| text.len() - 1))?
    };
    let after = &text[end..];
    let after = after.strip_prefix(':')?;
    (after.is_empty() || after.starts_with([' ', '\t'])).then(|| (&text[..end], after))
}

fn value_tokens(value: &str, out: &mut String) {
    let trailing = value.len() - value.trim_end().len();
    let v = value.trim_end();
    if v.is_empty() {
        out.push_str(value);
        return;
    }
    let class = match v.chars().next() {
        Some('"' | '\'') => "string",
        Some('&' | '*') => "variable",
        Some('!') => "storage",
        Some('|' | '>') => "punctuation",
        Some('{' | '[') => return flow_tokens(value, out),
        _ if is_constant(v.trim_end_matches(',')) => "constant",
        _ => "string",
    };
    // JSON: a value followed by `,` keeps the comma as punctuation.
    match v.strip_suffix(',') {
        Some(inner) if !inner.is_empty() => {
            span(out, class, inner);
            span(out, "punctuation", ",");
        }
        _ => span(out, class, v),
    }
    out.push_str(&value[value.len() - trailing..]);
}

fn is_constant(v: &str) -> bool {
    matches!(
        v,
        "true" | "false" | "null" | "~" | "True" | "False" | "Null" | "NULL" | "TRUE" | "FALSE"
    ) || (v.parse::<f64>().is_ok() && !v.starts_with('.') && !v.ends_with('.'))
}

/// `{a: 1, b: [x, y]}` and `["a", 1]`: brackets and commas as punctuation, the rest by value.
fn flow_tokens(value: &str, out: &mut String) {
    let mut token = String::new();
    let mut quote: Option<char> = None;
    let flush = |token: &mut String, out: &mut String| {
        if token.is_empty() {
            return;
        }
        let lead = token.len() - token.trim_start().len();
        out.push_str(&token[..lead]);
        let t = &token[lead..];
        match split_key(t) {
            Some((key, after)) => {
                span(out, "entity", key);
                span(out, "punctuation", ":");
                let v = after.trim_start();
                out.push_str(&after[..after.len() - v.len()]);
                value_tokens(v, out);
            }
            None => value_tokens(t, out),
        }
        token.clear();
    };
    for c in value.chars() {
        match quote {
            Some(q) => {
                token.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                token.push(c);
            }
            None if matches!(c, '{' | '}' | '[' | ']' | ',') => {
                flush(&mut token, out);
                span(out, "punctuation", c.encode_utf8(&mut [0; 4]));
            }
            None => token.push(c),
        }
    }
    flush(&mut token, out);
}

#[cfg(test)]
mod tests {
    use super::super::text_of;
    use super::*;

    #[test]
    fn keeps_the_text_exactly() {
        let source = "openapi: 3.0.3 # version\ninfo:\n  title: \"Ledger <API>\"\n  description: |\n    Multi-line # not a comment\n    text: not a key\npaths:\n  /a:\n    get: {summary: x, tags: [a, \"b\"]}\n  - &anchor item\n  - *anchor\n---\n[1, true, null]\n";
        let html = highlight_data(source);
        assert_eq!(text_of(&html), source);
        assert!(!html.contains("<API>"));
    }

    #[test]
    fn classifies_keys_strings_constants_and_comments() {
        let html = highlight_data("openapi: 3.0.3 # v\nport: 8080\nname: ledger\nok: true\n");
        assert!(
            html.contains("<span class=\"hl-entity\">openapi</span>"),
            "{html}"
        );
        // 3.0.3 is a plain string in YAML; 8080 is a number.
        assert!(
            html.contains("<span class=\"hl-string\">3.0.3</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-constant\">8080</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-comment\"># v</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-string\">ledger</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-constant\">true</span>"),
            "{html}"
        );
    }

    #[test]
    fn block_scalars_are_strings_until_the_indentation_returns() {
        let html = highlight_data("description: |\n  key: value\n  # text\nnext: 1\n");
        assert!(
            html.contains("<span class=\"hl-string\">  key: value</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-string\">  # text</span>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"hl-entity\">next</span>"),
            "{html}"
        );
    }

    #[test]
    fn json_keys_and_values() {
        let html = highlight_data("{\n  \"name\": \"x\",\n  \"n\": 2\n}\n");
        assert!(
            html.contains("<span class=\"hl-entity\">&quot;name&quot;</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-string\">&quot;x&quot;</span><span class=\"hl-punctuation\">,</span>"), "{html}");
        assert!(
            html.contains("<span class=\"hl-constant\">2</span>"),
            "{html}"
        );
    }
}
