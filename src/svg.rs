//! SVG files copied with the docs are opened straight from the portal's origin, where a script
//! inside one would run with the reader's session. `clean` rewrites an SVG through an
//! allow-list: drawing elements and their presentation attributes stay, while scripts,
//! `foreignObject`, animations (which can set `href` to a script URL), event handlers,
//! processing instructions, the DOCTYPE and every reference that leaves the file (`href`
//! other than `#fragment`, CSS `url()` other than `url(#…)`, `@import`) go. The result is a
//! well-formed SVG that draws the same picture; what was removed is listed for the author.
//!
//! quick-xml parses without building a tree, so nesting costs no stack; it is still bounded.

use quick_xml::events::{BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer, XmlVersion};
use std::collections::BTreeSet;

/// Elements nested deeper than this make the file unusable (browsers give up long before).
const MAX_DEPTH: usize = 256;

/// Elements that draw, group, describe or style a picture; everything else is dropped with its
/// content. `a` stays, with its link checked like any other reference.
const ELEMENTS: &[&str] = &[
    "a",
    "circle",
    "clipPath",
    "defs",
    "desc",
    "ellipse",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
    "filter",
    "g",
    "image",
    "line",
    "linearGradient",
    "marker",
    "mask",
    "path",
    "pattern",
    "polygon",
    "polyline",
    "radialGradient",
    "rect",
    "stop",
    "style",
    "svg",
    "switch",
    "symbol",
    "text",
    "textPath",
    "title",
    "tspan",
    "use",
    "view",
];

/// Namespaces an `xmlns` declaration may name: SVG's own and XLink's.
const NAMESPACES: &[&str] = &["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"];

/// An SVG that cannot be cleaned: it is not published.
#[derive(Debug, PartialEq, Eq)]
pub struct Unusable(pub String);

/// A cleaned SVG and what was taken out of it (empty when nothing was).
#[derive(Debug)]
pub struct Cleaned {
    pub bytes: Vec<u8>,
    pub removed: BTreeSet<&'static str>,
}

/// Rewrites `input` keeping only what draws the picture.
pub fn clean(input: &[u8]) -> Result<Cleaned, Unusable> {
    let text =
        std::str::from_utf8(input).map_err(|_| Unusable("the file is not UTF-8 text".into()))?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut out = Out {
        writer: Writer::new(Vec::with_capacity(input.len())),
        removed: BTreeSet::new(),
        open: Vec::new(),
        skipping: 0,
        seen_root: false,
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| Unusable(format!("it does not parse as XML ({e})")))?;
        if matches!(event, Event::Eof) {
            break;
        }
        out.event(event)?;
    }
    if !out.seen_root {
        return Err(Unusable("it holds no <svg> element".into()));
    }
    if !out.open.is_empty() || out.skipping > 0 {
        return Err(Unusable("it ends before its elements are closed".into()));
    }
    Ok(Cleaned {
        bytes: out.writer.into_inner(),
        removed: out.removed,
    })
}

struct Out {
    writer: Writer<Vec<u8>>,
    removed: BTreeSet<&'static str>,
    /// Kept open elements: whether each is a `<style>` (its text is CSS to check).
    open: Vec<bool>,
    /// Depth inside a dropped element; its whole content goes.
    skipping: usize,
    seen_root: bool,
}

impl Out {
    fn event(&mut self, event: Event<'_>) -> Result<(), Unusable> {
        if self.skipping > 0 {
            match event {
                Event::Start(_) => self.skipping += 1,
                Event::End(_) => self.skipping -= 1,
                _ => {}
            }
            return Ok(());
        }
        match event {
            Event::Start(e) => self.start(&e, false),
            Event::Empty(e) => self.start(&e, true),
            Event::End(e) => {
                self.open.pop();
                self.write(Event::End(e))
            }
            Event::Text(t) => {
                let text = t
                    .xml10_content()
                    .map_err(|e| Unusable(format!("its text is not UTF-8 ({e})")))?;
                self.text(&text)
            }
            Event::CData(c) => {
                let text = c
                    .decode()
                    .map_err(|e| Unusable(format!("its text is not UTF-8 ({e})")))?;
                self.text(&text)
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&String::from_utf8_lossy(&r))
                        .map(str::to_string)
                        .ok_or_else(|| {
                            Unusable("it uses an entity that is not XML's own".into())
                        })?,
                };
                self.text(&resolved)
            }
            Event::Decl(_) | Event::Comment(_) | Event::Eof => Ok(()),
            Event::PI(_) => {
                self.removed.insert("processing instruction");
                Ok(())
            }
            Event::DocType(_) => {
                self.removed.insert("DOCTYPE");
                Ok(())
            }
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), Unusable> {
        if self.open.len() >= MAX_DEPTH {
            return Err(Unusable(format!(
                "elements nest deeper than {MAX_DEPTH} levels"
            )));
        }
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        let local = name.strip_prefix("svg:").unwrap_or(&name);
        if !self.seen_root && local != "svg" {
            return Err(Unusable(format!("its root element is <{name}>, not <svg>")));
        }
        self.seen_root = true;
        if !ELEMENTS.contains(&local) {
            self.removed.insert(removed_element(local));
            if !empty {
                self.skipping = 1;
            }
            return Ok(());
        }
        let mut kept = BytesStart::new(name.clone());
        for attr in e.attributes().with_checks(true) {
            let attr = attr.map_err(|e| Unusable(format!("an attribute is malformed ({e})")))?;
            let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| Unusable(format!("an attribute value is malformed ({e})")))?;
            match attribute_verdict(local, &key, &value) {
                None => kept.push_attribute((key.as_str(), value.as_ref())),
                Some(what) => {
                    self.removed.insert(what);
                }
            }
        }
        if empty {
            self.write(Event::Empty(kept))
        } else {
            self.open.push(local == "style");
            self.write(Event::Start(kept))
        }
    }

    fn text(&mut self, text: &str) -> Result<(), Unusable> {
        if self.open.last() == Some(&true) && css_reaches_out(text) {
            self.removed.insert("style sheet with external references");
            return Ok(());
        }
        self.write(Event::Text(BytesText::new(text)))
    }

    fn write(&mut self, event: Event<'_>) -> Result<(), Unusable> {
        self.writer
            .write_event(event)
            .map_err(|e| Unusable(format!("it cannot be written back ({e})")))
    }
}

/// How a dropped element is described to the author.
fn removed_element(local: &str) -> &'static str {
    match local {
        "script" => "script element",
        "foreignObject" => "foreignObject element",
        "animate" | "set" | "animateMotion" | "animateTransform" | "discard" => "animation element",
        "iframe" | "embed" | "object" => "embedded frame",
        _ => "element outside SVG's drawing set",
    }
}

/// The element of the drawing set named `name` in any case (as an HTML parser reads inline
/// SVG's names: lower case).
pub fn element(name: &str) -> Option<&'static str> {
    ELEMENTS
        .iter()
        .copied()
        .find(|e| e.eq_ignore_ascii_case(name))
}

/// Why the attribute `key="value"` of `element` (one of the drawing set's) goes, or None when
/// it stays.
pub fn attribute_verdict(element: &str, key: &str, value: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    let local = lower.rsplit(':').next().unwrap_or(&lower);
    if local.starts_with("on") {
        return Some("event-handler attribute");
    }
    if lower == "xmlns" || lower.starts_with("xmlns:") {
        return (!NAMESPACES.contains(&value)).then_some("foreign namespace");
    }
    if lower == "xml:base" {
        return Some("xml:base attribute");
    }
    if local == "href" || local == "src" {
        return (!href_allowed(element, value)).then_some("external or script reference");
    }
    let squashed = squash(value);
    if squashed.contains("javascript:") || squashed.contains("vbscript:") {
        return Some("script URL");
    }
    css_reaches_out(value).then_some("external reference in a style")
}

/// Lower case with whitespace and control characters removed: how browsers read a URL scheme
/// (`java\tscript:` is `javascript:`).
fn squash(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `#fragment` everywhere; web and mail links on `<a>`; raster images inline as `data:` on
/// `<image>` and `<feImage>`.
fn href_allowed(element: &str, value: &str) -> bool {
    let v = squash(value);
    if v.starts_with('#') {
        return true;
    }
    match element {
        "a" => v.starts_with("https://") || v.starts_with("http://") || v.starts_with("mailto:"),
        "image" | "feImage" => ["png", "jpeg", "gif", "webp"]
            .iter()
            .any(|t| v.starts_with(&format!("data:image/{t};"))),
        _ => false,
    }
}

/// CSS that loads something: `@import`, `url()` other than `url(#id)`, `image-set()`, and the
/// old script hooks (`expression()`, `behavior`, `-moz-binding`).
fn css_reaches_out(css: &str) -> bool {
    let s = squash(css);
    if [
        "@import",
        "expression(",
        "behavior:",
        "-moz-binding",
        "image-set(",
    ]
    .iter()
    .any(|n| s.contains(n))
    {
        return true;
    }
    s.match_indices("url(").any(|(i, m)| {
        let target = s[i + m.len()..].trim_start_matches(['"', '\'']);
        !target.starts_with('#')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(svg: &str) -> (String, Vec<&'static str>) {
        let c = clean(svg.as_bytes()).unwrap_or_else(|e| panic!("{svg}: {e:?}"));
        (
            String::from_utf8(c.bytes).unwrap(),
            c.removed.into_iter().collect(),
        )
    }

    const OPEN: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">"#;

    #[test]
    fn a_drawing_passes_unchanged_in_substance() {
        let svg = format!(
            r##"<?xml version="1.0"?>{OPEN}<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><rect width="10" height="5" fill="url(#g)" style="stroke: red"/><text x="1" y="9">a &lt; b &#x2192; c</text><a href="https://example.com/x"><circle r="2"/></a><use xlink:href="#g"/></svg>"##
        );
        let (out, removed) = cleaned(&svg);
        assert_eq!(removed, Vec::<&str>::new());
        for kept in [
            r#"fill="url(#g)""#,
            r#"style="stroke: red""#,
            "a &lt; b \u{2192} c",
            r#"<a href="https://example.com/x">"#,
            r##"<use xlink:href="#g"/>"##,
        ] {
            assert!(out.contains(kept), "{kept} missing from {out}");
        }
    }

    #[test]
    fn every_active_form_is_removed() {
        let cases = [
            ("<script>alert(1)</script>", "script element"),
            ("<svg:script>alert(1)</svg:script>", "script element"),
            (
                "<foreignObject><body xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></body></foreignObject>",
                "foreignObject element",
            ),
            ("<rect onclick=\"alert(1)\"/>", "event-handler attribute"),
            ("<rect ONLOAD=\"alert(1)\"/>", "event-handler attribute"),
            ("<a href=\"java&#x09;script:alert(1)\"><rect/></a>", "external or script reference"),
            ("<a xlink:href=\"javascript:alert(1)\"><rect/></a>", "external or script reference"),
            ("<a href=\"data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;\"><rect/></a>", "external or script reference"),
            ("<image href=\"https://tracker.example/p.png\"/>", "external or script reference"),
            ("<image href=\"data:image/svg+xml;base64,PHN2Zy8+\"/>", "external or script reference"),
            ("<use href=\"https://evil.example/x.svg#a\"/>", "external or script reference"),
            ("<animate attributeName=\"href\" to=\"javascript:alert(1)\"/>", "animation element"),
            ("<set attributeName=\"onmouseover\" to=\"alert(1)\"/>", "animation element"),
            ("<rect fill=\"url(https://evil.example/p)\"/>", "external reference in a style"),
            ("<rect style=\"fill: url( 'https://evil.example/p' )\"/>", "external reference in a style"),
            ("<style>@import url(https://evil.example/x.css);</style>", "style sheet with external references"),
            ("<style><![CDATA[rect { background: url(//evil.example/p) }]]></style>", "style sheet with external references"),
            ("<iframe src=\"https://evil.example\"/>", "embedded frame"),
            ("<html:script xmlns:html=\"http://www.w3.org/1999/xhtml\">alert(1)</html:script>", "element outside SVG's drawing set"),
            ("<g xml:base=\"https://evil.example/\"/>", "xml:base attribute"),
            ("<g xmlns:x=\"http://www.w3.org/1999/xhtml\"/>", "foreign namespace"),
            ("<rect filter=\"vbscript:x\"/>", "script URL"),
        ];
        for (inner, what) in cases {
            let (out, removed) = cleaned(&format!("{OPEN}{inner}<rect id=\"after\"/></svg>"));
            assert!(removed.contains(&what), "{inner}: removed {removed:?}");
            let lower = out.to_ascii_lowercase();
            for active in [
                "script",
                "onclick",
                "onload",
                "evil",
                "foreignobject",
                "<animate",
                "<set",
            ] {
                assert!(!lower.contains(active), "{inner} left {active}: {out}");
            }
            assert!(out.contains("<rect id=\"after\"/>"), "{inner}: {out}");
        }
    }

    #[test]
    fn prologue_tricks_are_removed_or_refused() {
        let (out, removed) = cleaned(&format!(
            "<?xml-stylesheet href=\"https://evil.example/x.xsl\" type=\"text/xsl\"?><!DOCTYPE svg>{OPEN}<rect/></svg>"
        ));
        assert_eq!(removed, ["DOCTYPE", "processing instruction"]);
        assert!(!out.contains("evil"), "{out}");
        for bad in [
            format!("<!DOCTYPE svg [<!ENTITY x \"<script>alert(1)</script>\">]>{OPEN}&x;</svg>"),
            "<html><script>alert(1)</script></html>".to_string(),
            format!("{OPEN}<g></svg>"),
            format!("{OPEN}<rect/>"),
            "no markup at all".to_string(),
            format!(
                "{}{OPEN}{}</svg>",
                "",
                "<g>".repeat(300) + &"</g>".repeat(300)
            ),
        ] {
            assert!(clean(bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(clean(&[0xff, 0xfe, b'<']).is_err());
    }
}
