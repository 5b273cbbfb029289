//! Mermaid through rusty-mermaid: its theme gets one token colour per role, which
//! `theme::apply` swaps for a class.

use rusty_mermaid::{Color, Theme};

/// The roles a Mermaid theme colour plays, each drawn by a `dg-fill-<role>` or
/// `dg-stroke-<role>` rule of the theme's stylesheet. The token colours are unlikely in a
/// real diagram; one an author sets by hand (`style A fill:#f9f`) stays as written. They are
/// mid-grey because the engine picks black or white text on fills far from that.
pub(super) const ROLES: &[(&str, &str)] = &[
    ("#c8c901", "node"),
    ("#c8c902", "line"),
    ("#c8c903", "text"),
    ("#c8c904", "bg"),
    ("#c8c905", "accent"),
    ("#c8c906", "note"),
    ("#c8c907", "group"),
    ("#c8c908", "muted"),
    // Colours the engine uses on its own (the open circle of an ER cardinality).
    ("#ffffff", "bg"),
    ("#000000", "line"),
];

fn token(role: &str) -> Color {
    let index = ROLES.iter().position(|(_, r)| *r == role).unwrap_or(0) as u8 + 1;
    Color::rgb(200, 201, index)
}

fn theme() -> Theme {
    let (node, line, text, bg) = (token("node"), token("line"), token("text"), token("bg"));
    let (accent, note, group, muted) = (
        token("accent"),
        token("note"),
        token("group"),
        token("muted"),
    );
    Theme {
        node_fill: node,
        node_stroke: accent,
        node_text: text,
        edge_stroke: line,
        edge_label_text: text,
        edge_label_bg: bg,
        start_fill: line,
        end_inner_fill: accent,
        composite_fill: bg,
        composite_stroke: accent,
        composite_label: text,
        note_fill: note,
        note_stroke: muted,
        note_text: text,
        subgraph_fill: group,
        subgraph_stroke: muted,
        subgraph_label: text,
        divider_stroke: muted,
        region_stroke: muted,
        lifeline_stroke: muted,
        activation_fill: node,
        activation_stroke: muted,
        grid_stroke: muted,
        muted_text: muted,
        face_fill: note,
        detail_stroke: line,
        background: bg,
        ..Theme::light()
    }
}

pub(super) fn render(source: &str) -> Result<String, String> {
    rusty_mermaid::to_svg(&split_statements(source), &theme())
        .map_err(|e| format!("does not parse ({e}); shown as code"))
}

/// Mermaid lets a flowchart put statements on one line, separated by `;` (`graph TD; A-->B;`),
/// and an arrow touch its nodes (`A-->B`); the engine wants one statement per line and reads
/// `A--` as a node. So statements are split and a space goes before each arrow. Semicolons
/// inside quotes, brackets or an edge's `|label|` stay; other diagram types are left alone (a
/// sequence message may hold a semicolon).
fn split_statements(source: &str) -> std::borrow::Cow<'_, str> {
    let first = source.trim_start();
    if !(first.starts_with("graph") || first.starts_with("flowchart")) {
        return std::borrow::Cow::Borrowed(source);
    }
    let mut out = String::with_capacity(source.len());
    let (mut depth, mut quoted, mut piped) = (0i32, false, false);
    let mut previous = ' ';
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().unwrap_or(' ');
        // `--`, `-.`, `==`, `<-`, `<=`: not the hyphen inside `payments-gateway`.
        let arrow = matches!((c, next), ('-', '-' | '.') | ('=', '=') | ('<', '-' | '='));
        let arrow_starts = arrow && !quoted && depth <= 0 && !piped;
        if arrow_starts && (previous.is_alphanumeric() || matches!(previous, '_' | ']' | ')' | '}'))
        {
            out.push(' ');
        }
        previous = c;
        match c {
            '"' => quoted = !quoted,
            '|' if !quoted => piped = !piped,
            '[' | '(' | '{' if !quoted => depth += 1,
            ']' | ')' | '}' if !quoted => depth -= 1,
            '\n' => (quoted, piped, depth) = (false, false, 0),
            ';' if !quoted && !piped && depth <= 0 => {
                out.push('\n');
                previous = '\n';
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}
