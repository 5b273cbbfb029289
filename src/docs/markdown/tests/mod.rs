//! Table-style tests: Markdown in, exact HTML (or the exact part that matters) out.

mod bench;
mod blocks;
mod inline;
mod pages;

use super::*;

fn keep(_: &str, _: LinkKind) -> LinkResolution {
    LinkResolution::Keep
}

/// Renders with a resolver that keeps every destination.
fn md(source: &str) -> Rendered {
    render(
        source,
        &RenderContext {
            resolve_link: &keep,
            diagrams: &crate::diagrams::Settings::default(),
        },
    )
}

/// Asserts that each source renders to exactly the expected HTML (ignoring a final newline).
fn check(cases: &[(&str, &str)]) {
    for (source, expected) in cases {
        let rendered = md(source);
        assert_eq!(
            rendered.html.trim_end(),
            expected.trim_end(),
            "\n--- source ---\n{source}\n--- problems: {:?}",
            rendered.problems
        );
    }
}
