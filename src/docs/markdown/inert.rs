//! Whether a page body written elsewhere is one this stage could have written: the check that
//! docs rendered by a repository's own CI pass before the portal shows them.
//!
//! The body is read by html5ever's tokenizer, the HTML standard's, so it sees the tags a browser
//! sees. Every element and attribute must be on the raw-HTML allow-list
//! ([`sanitize`](super::sanitize)), or inside inline SVG on the SVG one (`crate::svg`, which
//! drawn diagrams pass). URLs must be relative, `#fragments`, http(s) or mailto. Comments,
//! DOCTYPEs and CDATA are refused, as is a body that leaves an element or a tag open, since it
//! would swallow the page around it.
//!
//! ammonia cannot answer this: it rewrites instead of reporting, and its serialiser would change
//! the bytes of every page. A body this refuses is rendered from its Markdown instead.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Appended to the body: seen as the last tag only when the body closed every tag it opened.
const END: &str = "playbill-end-of-body";

/// Elements without an end tag.
const VOID: &[&str] = &["area", "br", "col", "hr", "img", "input", "wbr"];

/// Attributes whose value is a URL.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "cite", "longdesc", "action", "poster"];

/// Elements and attributes allowed outside SVG: the raw-HTML allow-list's.
struct HtmlAllowList {
    tags: HashSet<&'static str>,
    generic: HashSet<&'static str>,
    by_tag: HashMap<&'static str, HashSet<&'static str>>,
    schemes: HashSet<&'static str>,
}

fn allow_list() -> &'static HtmlAllowList {
    static LIST: OnceLock<HtmlAllowList> = OnceLock::new();
    LIST.get_or_init(|| {
        let builder = super::sanitize::builder();
        HtmlAllowList {
            tags: builder.clone_tags(),
            generic: builder.clone_generic_attributes(),
            by_tag: builder.clone_tag_attributes(),
            schemes: builder.clone_url_schemes(),
        }
    })
}

/// Ok when `html` holds nothing the portal would not write itself; else what it holds.
pub fn check(html: &str) -> Result<(), String> {
    let sink = Checker::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    input.push_back(StrTendril::from_slice(&format!("<{END}>")));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let state = tokenizer.sink.state.into_inner();
    if let Some(refused) = state.refused {
        return Err(refused);
    }
    if !state.ended {
        return Err("it ends inside a tag".into());
    }
    Ok(())
}

#[derive(Default)]
struct Checker {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    /// The first thing refused; nothing after it is looked at.
    refused: Option<String>,
    /// Open elements, innermost last, each with whether it is SVG.
    open: Vec<(String, bool)>,
    /// The end marker was the last token but the end of input.
    ended: bool,
}

impl TokenSink for Checker {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        if state.refused.is_some() {
            return TokenSinkResult::Continue;
        }
        let ended = std::mem::take(&mut state.ended);
        let verdict = match token {
            Token::TagToken(tag) if &*tag.name == END && tag.kind == TagKind::StartTag => {
                state.ended = tag.attrs.is_empty();
                match state.open.last() {
                    Some((name, _)) => Err(format!("it leaves <{name}> open")),
                    None => Ok(()),
                }
            }
            Token::TagToken(tag) => state.tag(&tag),
            Token::CommentToken(_) => Err("it holds a comment or a CDATA section".into()),
            Token::DoctypeToken(_) => Err("it holds a DOCTYPE".into()),
            Token::EOFToken => {
                state.ended = ended;
                Ok(())
            }
            Token::CharacterTokens(_) | Token::NullCharacterToken | Token::ParseError(_) => Ok(()),
        };
        if let Err(why) = verdict {
            state.refused = Some(why);
        }
        TokenSinkResult::Continue
    }
}

impl State {
    fn tag(&mut self, tag: &Tag) -> Result<(), String> {
        let name: &str = &tag.name;
        let in_svg = self.open.last().is_some_and(|(_, svg)| *svg);
        if tag.kind == TagKind::EndTag {
            return match self.open.pop() {
                Some((open, _)) if open == name => Ok(()),
                Some((open, _)) => Err(format!("it closes </{name}> where <{open}> is open")),
                None => Err(format!("it closes </{name}>, which it did not open")),
            };
        }
        if in_svg || name == "svg" {
            let element = crate::svg::element(name)
                .ok_or_else(|| format!("it holds <{name}> inside an SVG"))?;
            for attr in &tag.attrs {
                let key: &str = &attr.name.local;
                if let Some(what) = crate::svg::attribute_verdict(element, key, &attr.value) {
                    return Err(format!("its <{name}> has the attribute {key} ({what})"));
                }
            }
            if !tag.self_closing {
                self.open.push((name.to_string(), true));
            }
            return Ok(());
        }
        let list = allow_list();
        if !list.tags.contains(name) {
            return Err(format!("it holds a <{name}> element"));
        }
        for attr in &tag.attrs {
            let key: &str = &attr.name.local;
            let allowed = list.generic.contains(key)
                || list.by_tag.get(name).is_some_and(|a| a.contains(key));
            if !allowed {
                return Err(format!("its <{name}> has the attribute {key}"));
            }
            if URL_ATTRIBUTES.contains(&key) && !url_allowed(&attr.value, &list.schemes) {
                return Err(format!("its <{name}> {key} is {:?}", attr.value.as_ref()));
            }
            if (name, key) == ("input", "type") && !matches!(&*attr.value, "checkbox" | "radio") {
                return Err(format!(
                    "it holds an <input type={:?}>",
                    attr.value.as_ref()
                ));
            }
        }
        // Without a type, an input is a text box.
        if name == "input" && !tag.attrs.iter().any(|a| &*a.name.local == "type") {
            return Err("it holds an <input> without a type".into());
        }
        // A browser ignores `/>` on HTML elements: `<div/>` opens a div.
        if !VOID.contains(&name) {
            self.open.push((name.to_string(), false));
        }
        Ok(())
    }
}

/// A relative URL or `#fragment`, or one of `schemes`, read as a browser reads a scheme
/// (case and whitespace ignored).
fn url_allowed(value: &str, schemes: &HashSet<&str>) -> bool {
    let squashed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    let Some(colon) = squashed.find(':') else {
        return true;
    };
    if squashed[..colon].contains(['/', '?', '#']) {
        return true;
    }
    schemes.contains(&squashed[..colon])
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn the_portals_own_markup_passes() {
        for body in [
            "<h2 id=\"setup\">Set up<a class=\"headerlink\" href=\"#setup\" title=\"Permanent link\">¶</a></h2>\n<p>See <a href=\"../runbook/index.html#rotate\">the runbook</a> &amp; <a href=\"https://example.com/?a=1&amp;b=2\">this</a>.</p>\n",
            "<ul class=\"task-list\"><li class=\"task-list-item\"><input type=\"checkbox\" disabled checked> done</li></ul>",
            "<div class=\"tabbed-set\" data-tabs=\"1:2\"><input checked=\"checked\" id=\"__tabbed_1_1\" name=\"__tabbed_1\" type=\"radio\"><label for=\"__tabbed_1_1\">A</label></div>",
            "<figure class=\"diagram\"><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><style>.a{fill:red}</style><g class=\"a\"><path d=\"M0 0\"/><text x=\"1\">a &lt; b</text></g></svg></figure>",
            "<p>an image <img src=\"img/arch.png\" alt=\"arch\"> and a <br> break</p>",
            "",
        ] {
            assert_eq!(check(body), Ok(()), "{body}");
        }
    }

    #[test]
    fn active_or_open_markup_is_refused_with_what_it_holds() {
        for (body, why) in [
            ("<script>alert(1)</script>", "<script>"),
            ("<p>x</p><img src=x onerror=alert(1)>", "onerror"),
            ("<a href=\"java&#x09;script&colon;alert(1)\">x</a>", "href"),
            ("<a href=\" JavaScript:alert(1)\">x</a>", "href"),
            ("<iframe src=\"https://example.com\"></iframe>", "<iframe>"),
            ("<style>body{display:none}</style>", "<style>"),
            ("<p>x<!-- a comment --></p>", "comment"),
            ("<!DOCTYPE html><p>x</p>", "DOCTYPE"),
            (
                "<a href=\"https://example.com\">the rest of the page is a link",
                "<a> open",
            ),
            ("<p>x</p><img src=\"x", "inside a tag"),
            ("<p>x</p><img alt='", "inside a tag"),
            ("<div></span></div>", "</span>"),
            (
                "<svg><script>alert(1)</script></svg>",
                "<script> inside an SVG",
            ),
            ("<svg><p>breaks out</p></svg>", "<p> inside an SVG"),
            (
                "<svg><foreignObject></foreignObject></svg>",
                "<foreignobject>",
            ),
            (
                "<svg><a xlink:href=\"javascript:alert(1)\">x</a></svg>",
                "xlink:href",
            ),
            (
                "<svg><use href=\"https://evil.example/x.svg#a\"/></svg>",
                "href",
            ),
            ("<svg onload=\"alert(1)\"></svg>", "onload"),
            (
                "<svg><![CDATA[<img src=x onerror=alert(1)>]]></svg>",
                "CDATA",
            ),
            ("<image src=x>", "<image>"),
            ("<input type=\"text\" name=\"q\">", "type"),
            ("<input name=\"password\">", "without a type"),
            (
                "<form action=\"https://evil.example\"><input type=checkbox></form>",
                "<form>",
            ),
            ("<base href=\"https://evil.example/\">", "<base>"),
            ("<p style=\"position:fixed\">x</p>", "style"),
            ("<div/><p>x</p>", "<div> open"),
        ] {
            let refused = check(body).expect_err(body);
            assert!(refused.contains(why), "{body}: {refused}");
        }
    }
}
