//! Makes a renderer's SVG fit a page under the portal's CSP and theme: style sheets and `style`
//! attributes go (the CSP would block them), the renderer's theme colours become `dg-fill-*` /
//! `dg-stroke-*` classes that `static/docs.css` colours for light and dark, fonts come from the
//! page, ids get a per-diagram prefix so two diagrams on a page never share one, and the root
//! says what it is to screen readers. Then the SVG sanitiser has the last word.

use super::Kind;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer, XmlVersion};

/// Rewrites `svg` (one renderer's output) for diagram `index` of a page.
pub(super) fn apply(svg: &str, kind: Kind, index: usize, label: &str) -> Result<String, String> {
    let prefix = format!("dg{index}-");
    let roles = match kind {
        Kind::Mermaid => super::mermaid::ROLES,
        Kind::Dot => super::dot::ROLES,
        Kind::PlantUml => &[],
    };
    let broken = |e: &dyn std::fmt::Display| format!("gave SVG that does not parse ({e})");
    let mut reader = Reader::from_str(svg);
    let mut writer = Writer::new(Vec::with_capacity(svg.len()));
    let mut skipping = 0usize;
    let mut root = true;
    loop {
        let event = reader.read_event().map_err(|e| broken(&e))?;
        if skipping > 0 {
            match event {
                Event::Start(_) => skipping += 1,
                Event::End(_) => skipping -= 1,
                _ => {}
            }
            continue;
        }
        let out = match event {
            Event::Eof => break,
            Event::Start(e) if local_name(&e) == "style" => {
                skipping = 1;
                continue;
            }
            Event::Empty(e) if local_name(&e) == "style" => continue,
            Event::Start(e) => Event::Start(element(&e, roles, &prefix, root.then_some(label))?),
            Event::Empty(e) => Event::Empty(element(&e, roles, &prefix, root.then_some(label))?),
            Event::End(e) => Event::End(e),
            Event::Text(t) => Event::Text(t),
            Event::CData(c) => Event::CData(c),
            Event::GeneralRef(r) => Event::GeneralRef(r),
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => continue,
        };
        root = false;
        writer.write_event(out).map_err(|e| broken(&e))?;
    }
    let cleaned = crate::svg::clean(&writer.into_inner()).map_err(|e| broken(&e.0))?;
    String::from_utf8(cleaned.bytes).map_err(|e| broken(&e))
}

fn local_name(e: &BytesStart<'_>) -> String {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    name.rsplit(':').next().unwrap_or_default().to_string()
}

/// One element with its attributes rewritten; `label` is set on the root only.
fn element(
    e: &BytesStart<'_>,
    roles: &[(&str, &str)],
    prefix: &str,
    label: Option<&str>,
) -> Result<BytesStart<'static>, String> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut kept = BytesStart::new(name);
    let mut classes: Vec<String> = Vec::new();
    for attr in e.attributes().with_checks(true) {
        let attr = attr.map_err(|e| format!("gave SVG with a malformed attribute ({e})"))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("gave SVG with a malformed attribute ({e})"))?;
        match rewrite(&key, &value, roles, prefix) {
            Rewrite::Drop => {}
            Rewrite::Class(class) => classes.push(class),
            Rewrite::Keep(value) => kept.push_attribute((key.as_str(), value.as_str())),
            Rewrite::Other(key, value) => kept.push_attribute((key, value.as_str())),
        }
    }
    if let Some(label) = label {
        classes.insert(0, "diagram-svg".to_string());
        kept.push_attribute(("role", "img"));
        kept.push_attribute(("aria-label", label));
    }
    if !classes.is_empty() {
        classes.dedup();
        kept.push_attribute(("class", classes.join(" ").as_str()));
    }
    Ok(kept)
}

enum Rewrite {
    Drop,
    Class(String),
    Keep(String),
    /// Another attribute in its place.
    Other(&'static str, String),
}

fn rewrite(key: &str, value: &str, roles: &[(&str, &str)], prefix: &str) -> Rewrite {
    let lower = value.trim().to_ascii_lowercase();
    match key {
        // Blocked by the CSP, or the page's business (fonts, classes of the renderer's own
        // style sheet, which is gone).
        "style" | "font-family" => Rewrite::Drop,
        // layout-rs sizes text through classes `a<size>` of its style sheet.
        "class" => match lower.strip_prefix('a').filter(|n| n.parse::<u16>().is_ok()) {
            Some(size) => Rewrite::Other("font-size", size.to_string()),
            None => Rewrite::Drop,
        },
        "fill" | "stroke" | "stop-color" => {
            let attr = if key == "stroke" { "stroke" } else { "fill" };
            // A token with an alpha the engine added (`#rrggbb3c`) plays the same role.
            let opaque = lower
                .get(..7)
                .filter(|_| lower.len() == 9)
                .unwrap_or(&lower);
            match roles
                .iter()
                .find(|(colour, _)| *colour == lower || *colour == opaque)
            {
                Some((_, role)) => Rewrite::Class(format!("dg-{attr}-{role}")),
                None => Rewrite::Keep(value.to_string()),
            }
        }
        "id" => Rewrite::Keep(format!("{prefix}{value}")),
        "href" | "xlink:href" if value.starts_with('#') => {
            Rewrite::Keep(format!("#{prefix}{}", &value[1..]))
        }
        _ => Rewrite::Keep(value.replace("url(#", &format!("url(#{prefix}"))),
    }
}
