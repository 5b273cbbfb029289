//! A laid-out picture as SVG: boxes that link to their entity's page, curved edges with an
//! arrowhead, and CSS classes for every colour (kind, health, warning), so that the theme's
//! light and dark palettes apply and the page's CSP (no inline style) holds. Every text from
//! the catalog is escaped; nothing else from input reaches the markup.

use super::layout::{Layout, NODE_HEIGHT, NODE_WIDTH};
use crate::highlight::escape;
use std::fmt::Write;

/// One box: its two lines of text, where it links (None: no page to open), its classes.
pub(super) struct Box {
    pub title: String,
    pub subtitle: String,
    pub href: Option<String>,
    pub classes: String,
}

/// One edge, by box index, with its classes.
pub(super) struct Line {
    pub from: usize,
    pub to: usize,
    pub classes: String,
}

/// Longest title drawn in full; longer ones end in "…" (the list beside has the full one).
const TITLE_CHARS: usize = 24;
const SUBTITLE_CHARS: usize = 30;

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut short: String = text.chars().take(max - 1).collect();
    short.push('…');
    short
}

/// The SVG of `boxes` and `lines` placed by `layout`; `id` makes its marker ids unique on
/// the page.
pub(super) fn svg(id: &str, boxes: &[Box], lines: &[Line], layout: &Layout) -> String {
    let (w, h) = (layout.width, layout.height);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-hidden="true" focusable="false"><defs>"#
    );
    for (suffix, class) in [("", "arrowhead"), ("-warn", "arrowhead arrowhead-warn")] {
        let _ = write!(
            out,
            r#"<marker id="{id}-arrow{suffix}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path class="{class}" d="M0,0L10,5L0,10z"/></marker>"#
        );
    }
    out.push_str("</defs>");
    for line in lines {
        let (a, b) = (layout.positions[line.from], layout.positions[line.to]);
        let suffix = if line.classes.contains("edge-warn") {
            "-warn"
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<path class="edge {}" d="{}" marker-end="url(#{id}-arrow{suffix})"/>"#,
            line.classes,
            curve(a, b)
        );
    }
    for (i, b) in boxes.iter().enumerate() {
        draw_box(&mut out, b, layout.positions[i]);
    }
    out.push_str("</svg>");
    out
}

/// A curve from the side of box `a` facing box `b` to the facing side of `b`.
fn curve(a: (i32, i32), b: (i32, i32)) -> String {
    let mid = NODE_HEIGHT / 2;
    if a.0 == b.0 {
        // Same column: out of the right side and back in, a loop beside the column.
        let (x, y1, y2) = (a.0 + NODE_WIDTH, a.1 + mid, b.1 + mid);
        let bulge = x + 28;
        return format!("M{x},{y1}C{bulge},{y1} {bulge},{y2} {x},{y2}");
    }
    let (x1, x2) = if a.0 < b.0 {
        (a.0 + NODE_WIDTH, b.0)
    } else {
        (a.0, b.0 + NODE_WIDTH)
    };
    let (y1, y2) = (a.1 + mid, b.1 + mid);
    let bend = (x2 - x1) / 2;
    format!("M{x1},{y1}C{},{y1} {},{y2} {x2},{y2}", x1 + bend, x2 - bend)
}

fn draw_box(out: &mut String, b: &Box, (x, y): (i32, i32)) {
    if let Some(href) = &b.href {
        // The list beside the picture carries the same links for the keyboard and for
        // screen readers; the picture's own are for the pointer.
        let _ = write!(out, r#"<a href="{}" tabindex="-1">"#, escape(href));
    }
    let _ = write!(
        out,
        r#"<g class="node {}"><rect x="{x}" y="{y}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6"/><text class="node-title" x="{}" y="{}">{}</text><text class="node-sub" x="{}" y="{}">{}</text></g>"#,
        b.classes,
        x + 10,
        y + 17,
        escape(&shorten(&b.title, TITLE_CHARS)),
        x + 10,
        y + 32,
        escape(&shorten(&b.subtitle, SUBTITLE_CHARS)),
    );
    if b.href.is_some() {
        out.push_str("</a>");
    }
}
