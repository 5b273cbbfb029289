//! The Markdown stage of TechDocs: one page's source in, a [`Rendered`] page out.
//!
//! The dialect is mkdocs with techdocs-core's extensions, and the HTML uses Python-Markdown's
//! and pymdownx's class names so existing custom CSS keeps working. In order:
//!
//! Snippets (`--8<--`) are included before this stage (`docs::snippets`).
//!
//! 1. `prepass` strips front matter and abbreviation definitions, turns admonitions, details
//!    and tabs (`blocks`) into marker comments with dedented bodies, and re-indents 2-space
//!    nested lists. It keeps a map from every output line to its source line.
//! 2. pulldown-cmark (set up only in [`options`]) parses the prepared text once.
//! 3. `render` writes HTML from the events: heading ids (`slug`), links through the caller's
//!    resolver, code blocks (`code`), inline extensions (`inline`, `emoji`), footnotes.
//! 4. Only when the page holds raw HTML, `sanitize` cleans the whole page with an allow-list
//!    that includes every class and attribute this stage generates.
//!
//! Nothing here panics on bad input: unknown constructs stay readable text, and work is bounded
//! (nesting caps, linear scans) so pathological pages finish quickly. Not supported, left as
//! text: Markdown inside admonition
//! and tab titles, attribute lists on blocks other than headings, bare e-mail addresses;
//! diagram fences that cannot be drawn are shown as code (reported).
//!
//! The markup needs these stylesheet rules to work without JavaScript: `[data-linenos]::before
//! { content: attr(data-linenos) }` for line numbers; for tabs, hide `.tabbed-set > input` and
//! `.tabbed-block`, and show the `n`-th block when the `n`-th input is checked
//! (`.tabbed-set > input:nth-child(n):checked ~ .tabbed-content > :nth-child(n)`).

mod blocks;
mod code;
mod emoji;
pub mod inert;
mod inline;
mod lines;
mod prepass;
mod pymarkdown;
mod render;
mod sanitize;

pub use render::{MAX_NESTING, NESTING_PREFIX};
mod slug;

#[cfg(test)]
mod tests;

use pulldown_cmark::{Options, Parser};

/// What a link or image destination written in Markdown resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkResolution {
    /// Leave the destination as written (external URLs, mailto:, in-page #anchors are checked
    /// by the caller later).
    Keep,
    /// Use this href instead (e.g. `runbook.md#rotate` -> `../runbook/index.html#rotate`).
    Rewrite(String),
    /// The target does not exist: render the text without a link (a `<span
    /// class="broken-link">`), and record the message.
    Broken(String),
}

/// Whether a destination belongs to a link or an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    Link,
    Image,
}

/// What `render` needs from the caller.
pub struct RenderContext<'a> {
    /// Called for every link and image destination (already unescaped) except pure `#anchor`
    /// ones and absolute URLs with a scheme.
    pub resolve_link: &'a (dyn Fn(&str, LinkKind) -> LinkResolution + Sync),
    /// How diagram fences are drawn (`[docs.plantuml]`).
    pub diagrams: &'a crate::diagrams::Settings,
}

/// One heading of a page.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// One rendered page.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Rendered {
    /// Sanitised HTML of the page body.
    pub html: String,
    /// Text of the first level-1 heading, if any (used as the page title).
    pub title: Option<String>,
    /// Every heading (h1-h6) in order, with the id it got.
    pub headings: Vec<Heading>,
    /// `#anchor` links found in the page (for the caller's anchor check): (anchor without '#',
    /// 1-based line).
    pub anchors_used: Vec<(String, u32)>,
    /// Problems, each with its 1-based line in the source: broken links, unknown fence
    /// languages, unsupported constructs.
    pub problems: Vec<(u32, String)>,
    /// Plain text of the page split into sections by heading, for search: (heading id or ""
    /// for the text before the first heading, heading text, section text).
    pub sections: Vec<(String, String, String)>,
    /// Front-matter `title:` when the page starts with a YAML front-matter block (`---` ...
    /// `---`), which is removed from the body.
    pub front_matter_title: Option<String>,
}

/// The one place pulldown-cmark's extensions are chosen.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_SUBSCRIPT
        | Options::ENABLE_GFM
}

/// Renders one page. Never panics; problems are reported in [`Rendered::problems`].
pub fn render(source: &str, ctx: &RenderContext<'_>) -> Rendered {
    // The character that marks where a drawn diagram goes has no use in text.
    let source = match source.contains(code::PLACEHOLDER.0) {
        true => std::borrow::Cow::Owned(source.replace(code::PLACEHOLDER.0, "\u{FFFD}")),
        false => std::borrow::Cow::Borrowed(source),
    };
    let prepared = prepass::prepare(&source);
    let parser = Parser::new_ext(&prepared.text, options());
    let mut rendered = render::write(parser, &prepared, ctx);
    rendered.front_matter_title = prepared.front_matter_title.clone();
    let mut problems = prepared.problems;
    problems.append(&mut rendered.problems);
    problems.sort_by_key(|(line, _)| *line);
    rendered.problems = problems;
    // Every rendering the unit tests make must pass the check a portal makes of a body that a
    // repository's CI rendered, or such bodies would be refused.
    #[cfg(test)]
    if let Err(why) = inert::check(&rendered.html) {
        panic!(
            "the rendering fails the prebuilt check: {why}\n{}",
            rendered.html
        );
    }
    rendered
}

/// Python-Markdown's toc slug: NFKD-normalise, drop non-ASCII, keep word characters, spaces
/// and hyphens, strip, lower-case, collapse runs of spaces and hyphens into one `-`.
pub fn slugify(text: &str) -> String {
    slug::slugify(text)
}
