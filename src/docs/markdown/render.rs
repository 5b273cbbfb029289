//! Writes HTML from pulldown-cmark's events in one forward pass, after a pre-scan that finds
//! explicit heading ids, task lists and footnote numbers. Text goes through `inline`, code
//! blocks through `code`, block markers through `blocks`; links and images go through the
//! caller's resolver. Everything written here is escaped, so only raw HTML from the page needs
//! the sanitiser, and it runs only when the page has some.

use super::blocks::{self, Block, Marker};
use super::code::{Diagrams, FenceInfo};
use super::inline::Inline;
use super::prepass::Prepared;
use super::sanitize;
use super::slug::Ids;
use super::{LinkKind, LinkResolution, RenderContext, Rendered};
use crate::highlight::{escape, escape_into};
use pulldown_cmark::{Alignment, CowStr, Event, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;

mod headings;
mod tags;
mod targets;

type Spanned<'a> = (Event<'a>, Range<usize>);

/// Renders the events of `parser` (which parsed `prepared.text`).
pub(super) fn write(parser: Parser<'_>, prepared: &Prepared, ctx: &RenderContext<'_>) -> Rendered {
    let (events, too_deep) = flatten_deep(merge_text(parser));
    let mut writer = Writer::new(prepared, ctx, &events);
    for (i, (event, range)) in events.into_iter().enumerate() {
        writer.event(i, event, range);
    }
    let mut rendered = writer.finish();
    if let Some(offset) = too_deep {
        rendered.problems.push((
            prepared.src_line(offset),
            format!("{NESTING_PREFIX} {MAX_NESTING} levels (quotes, lists, emphasis or links); the deeper content is shown as plain text"),
        ));
    }
    rendered
}

/// Containers (block quotes, list items, emphasis, links...) nested deeper than this are
/// flattened: their text is kept, their markup is not. Real pages stay far below it; the
/// bound keeps the output's nesting, and every walk over it, shallow.
pub const MAX_NESTING: usize = 64;

/// How the problem of a page past [`MAX_NESTING`] starts; the docs stage reports it as
/// `docs/too-deep`.
pub const NESTING_PREFIX: &str = "content nests deeper than";

/// Drops the start and end of every container past [`MAX_NESTING`], keeping what is inside as
/// text. Returns the offset of the first container dropped.
fn flatten_deep(events: Vec<Spanned<'_>>) -> (Vec<Spanned<'_>>, Option<usize>) {
    let mut depth = 0usize;
    let mut first = None;
    let mut out = Vec::with_capacity(events.len());
    for (event, range) in events {
        let deep = depth >= MAX_NESTING;
        match event {
            Event::Start(_) => {
                depth += 1;
                if deep {
                    first.get_or_insert(range.start);
                    continue;
                }
            }
            Event::End(_) => {
                depth -= 1;
                if depth >= MAX_NESTING {
                    continue;
                }
            }
            Event::Html(html) | Event::InlineHtml(html) if deep => {
                out.push((Event::Text(html), range));
                continue;
            }
            Event::TaskListMarker(_) | Event::Rule if deep => continue,
            _ => {}
        }
        out.push((event, range));
    }
    (out, first)
}

/// Collects the events, joining adjacent text events so inline extensions see whole runs.
fn merge_text(parser: Parser<'_>) -> Vec<Spanned<'_>> {
    let mut events: Vec<Spanned<'_>> = Vec::new();
    // A run of two or more text events is gathered here, then pushed as one event.
    let mut run: Option<(String, Range<usize>)> = None;
    for (event, range) in parser.into_offset_iter() {
        if let Event::Text(more) = &event {
            if let Some((text, span)) = &mut run {
                text.push_str(more);
                span.end = range.end;
                continue;
            }
            if let Some((Event::Text(text), span)) = events.last() {
                run = Some((format!("{text}{more}"), span.start..range.end));
                events.pop();
                continue;
            }
        } else if let Some((text, span)) = run.take() {
            events.push((Event::Text(CowStr::from(text)), span));
        }
        events.push((event, range));
    }
    if let Some((text, span)) = run {
        events.push((Event::Text(CowStr::from(text)), span));
    }
    events
}

/// Where a link or image destination leads.
enum Target {
    Href(String),
    /// A scheme that is never linked (`javascript:`, `data:`, ...): text only.
    Drop,
    Broken,
}

struct HeadingState {
    level: u8,
    id: Option<String>,
    classes: Vec<String>,
    text: String,
}

struct ImageState {
    target: Target,
    title: String,
    alt: String,
}

#[derive(Default)]
struct TableState {
    aligns: Vec<Alignment>,
    col: usize,
    in_head: bool,
    body_open: bool,
}

struct Writer<'p, 'c> {
    prepared: &'p Prepared,
    ctx: &'p RenderContext<'c>,
    inline: Inline<'p>,
    out: String,
    /// Outer buffers while a heading or footnote is being captured.
    saved: Vec<String>,
    result: Rendered,
    ids: Ids,
    /// Event indices of task-list items and of lists holding one.
    task: Vec<bool>,
    footnote_numbers: HashMap<String, usize>,
    footnote_refs: HashMap<String, usize>,
    footnotes: Vec<(String, String)>,
    /// Labels of the footnote definitions being captured.
    footnote_open: Vec<String>,
    /// Marker indices of the open admonitions, details and tabs.
    blocks: Vec<usize>,
    tab_sets: usize,
    closers: Vec<&'static str>,
    table: TableState,
    code: Option<(FenceInfo, String, u32)>,
    diagrams: Diagrams<'c>,
    heading: Option<HeadingState>,
    image: Option<ImageState>,
    image_depth: usize,
    link_depth: usize,
    section: (String, String, String),
    raw_html: bool,
    raw_depth: sanitize::Depth,
    raw_too_deep: bool,
    in_html_block: bool,
    /// Where `{: .class #id}` right after a link or image may add attributes: the offset in
    /// `out` just after `<a` or `<img`, for the event that follows the link's end.
    attr_target: Option<usize>,
    /// The same offset for each open link (None when it was not written as `<a>`).
    link_tags: Vec<Option<usize>>,
}

impl<'p, 'c> Writer<'p, 'c> {
    fn new(prepared: &'p Prepared, ctx: &'p RenderContext<'c>, events: &[Spanned<'_>]) -> Self {
        let mut ids = Ids::default();
        let mut task = vec![false; events.len()];
        let mut footnote_numbers = HashMap::new();
        let (mut lists, mut items) = (Vec::new(), Vec::new());
        for (i, (event, _)) in events.iter().enumerate() {
            match event {
                Event::Start(Tag::Heading { id: Some(id), .. }) => ids.reserve(id),
                Event::Start(Tag::List(_)) => lists.push(i),
                Event::End(TagEnd::List(_)) => drop(lists.pop()),
                Event::Start(Tag::Item) => items.push(i),
                Event::End(TagEnd::Item) => drop(items.pop()),
                Event::TaskListMarker(_) => {
                    for at in [items.last(), lists.last()].into_iter().flatten() {
                        task[*at] = true;
                    }
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let next = footnote_numbers.len() + 1;
                    footnote_numbers.entry(label.to_string()).or_insert(next);
                }
                _ => {}
            }
        }
        Writer {
            prepared,
            ctx,
            inline: Inline::new(&prepared.abbreviations),
            out: String::with_capacity(prepared.text.len() * 2),
            saved: Vec::new(),
            result: Rendered::default(),
            ids,
            task,
            footnote_numbers,
            footnote_refs: HashMap::new(),
            footnotes: Vec::new(),
            footnote_open: Vec::new(),
            blocks: Vec::new(),
            tab_sets: 0,
            closers: Vec::new(),
            table: TableState::default(),
            code: None,
            diagrams: Diagrams::new(ctx.diagrams),
            heading: None,
            image: None,
            image_depth: 0,
            link_depth: 0,
            section: Default::default(),
            raw_html: false,
            raw_depth: sanitize::Depth::default(),
            raw_too_deep: false,
            in_html_block: false,
            attr_target: None,
            link_tags: Vec::new(),
        }
    }

    fn line(&self, range: &Range<usize>) -> u32 {
        self.prepared.src_line(range.start)
    }

    fn event(&mut self, i: usize, event: Event<'_>, range: Range<usize>) {
        let attr_target = self.attr_target.take();
        match event {
            Event::Start(tag) => self.start(i, tag, range),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => {
                let rest = attr_target.map_or(&*text, |at| self.attr_list(at, &text));
                self.text(rest);
            }
            Event::Code(text) => self.inline_code(&text),
            Event::InlineMath(text) | Event::DisplayMath(text) => self.inline_code(&text),
            Event::Html(html) | Event::InlineHtml(html) => self.html(&html, &range),
            Event::FootnoteReference(label) => self.footnote_reference(&label),
            Event::SoftBreak => {
                self.out.push('\n');
                self.plain().push(' ');
            }
            Event::HardBreak => {
                self.out.push_str("<br>\n");
                self.plain().push(' ');
            }
            Event::Rule => {
                self.block_start();
                self.out.push_str("<hr>\n");
            }
            Event::TaskListMarker(checked) => {
                // The box says its state in words, for screen readers (axe `label`), as an
                // attribute: the item's text stays the text mkdocs renders.
                let (checked, state) = if checked {
                    (" checked", "Done")
                } else {
                    ("", "To do")
                };
                self.out.push_str(&format!(
                    "<label class=\"task-list-control\"><input type=\"checkbox\" disabled{checked} \
                     aria-label=\"{state}\"><span class=\"task-list-indicator\"></span></label> "
                ));
            }
        }
    }

    /// Where plain text goes now: an image's alt text, a heading's text or the section.
    fn plain(&mut self) -> &mut String {
        match (&mut self.image, &mut self.heading) {
            (Some(image), _) => &mut image.alt,
            (None, Some(heading)) => &mut heading.text,
            _ => &mut self.section.2,
        }
    }

    /// Starts block-level output on a new line (a tight list item's text has no `</p>`).
    fn block_start(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
            self.plain_break();
        }
    }

    fn plain_break(&mut self) {
        let plain = self.plain();
        if !plain.is_empty() && !plain.ends_with(' ') {
            plain.push(' ');
        }
    }

    fn text(&mut self, text: &str) {
        if let Some((_, code, _)) = &mut self.code {
            code.push_str(text);
            return;
        }
        if self.in_html_block {
            // Indentation pulldown-cmark reports before an indented HTML block line.
            escape_into(text, &mut self.out);
            return;
        }
        let links = self.link_depth == 0 && self.image.is_none();
        let mut discarded = String::new();
        let (html, plain) = match (&mut self.image, &mut self.heading) {
            (Some(image), _) => (&mut discarded, &mut image.alt),
            (None, Some(heading)) => (&mut self.out, &mut heading.text),
            _ => (&mut self.out, &mut self.section.2),
        };
        self.inline.write(text, links, html, plain);
    }

    /// Inline code; pymdownx.inlinehilite's `#!lang ` prefix is dropped.
    fn inline_code(&mut self, text: &str) {
        let code = match text.strip_prefix("#!") {
            Some(rest) => rest.split_once(' ').map_or(text, |(_, code)| code),
            None => text,
        };
        if self.image.is_none() {
            self.out.push_str(&format!("<code>{}</code>", escape(code)));
        }
        self.plain().push_str(code);
    }

    fn html(&mut self, html: &str, range: &Range<usize>) {
        if self.marker(html, range.start) {
            return;
        }
        if self.image.is_some() {
            return;
        }
        if let Some(what) = sanitize::dangerous(html) {
            let line = self.line(range);
            self.result
                .problems
                .push((line, format!("unsafe HTML: {what} removed")));
        }
        if self.raw_depth.add(html) {
            self.raw_html = true;
            self.out.push_str(html);
            return;
        }
        if !self.raw_too_deep {
            self.raw_too_deep = true;
            let line = self.line(range);
            let message = "raw HTML nests too deeply; the rest of it is shown as text";
            self.result.problems.push((line, message.to_string()));
        }
        escape_into(html, &mut self.out);
    }

    /// Handles a block marker written by the pre-pass; false when `html` is not one.
    fn marker(&mut self, html: &str, offset: usize) -> bool {
        let Some(index) = blocks::parse_marker_text(html) else {
            return false;
        };
        let Some(at) = self.prepared.markers.get(index) else {
            return false;
        };
        if at.out_line != self.prepared.out_line(offset) {
            return false;
        }
        // Drop the indentation written just before the marker's line.
        let kept = self.out.trim_end_matches(' ').len();
        if self.out[..kept].ends_with('\n') {
            self.out.truncate(kept);
        }
        self.block_start();
        match &at.marker {
            Marker::Open(block) => {
                if let Block::TabSet { .. } = block {
                    self.tab_sets += 1;
                }
                blocks::open_html(block, self.tab_sets, &mut self.out);
                if let Block::Admonition { title: Some(t), .. }
                | Block::Details { title: Some(t), .. } = block
                {
                    let plain = self.plain();
                    plain.push_str(t);
                    plain.push(' ');
                }
                self.blocks.push(index);
            }
            Marker::Close(open) => {
                if let Some(pos) = self.blocks.iter().rposition(|b| b == open) {
                    self.close_blocks(pos);
                }
            }
        }
        true
    }

    /// Closes the open blocks from position `keep` of the stack upwards.
    fn close_blocks(&mut self, keep: usize) {
        while self.blocks.len() > keep {
            let Some(index) = self.blocks.pop() else {
                break;
            };
            if let Some(Marker::Open(block)) = self.prepared.markers.get(index).map(|m| &m.marker) {
                blocks::close_html(block, &mut self.out);
            }
        }
        self.plain_break();
    }
}

impl Writer<'_, '_> {
    fn finish(mut self) -> Rendered {
        self.close_blocks(0);
        // Captures left open by malformed input are flushed in order.
        while let Some(outer) = self.saved.pop() {
            let inner = std::mem::replace(&mut self.out, outer);
            self.out.push_str(&inner);
        }
        self.write_footnotes();
        self.push_section();
        let html = std::mem::take(&mut self.out);
        let html = if self.raw_html {
            sanitize::clean(&html)
        } else {
            html
        };
        self.result.html = self.diagrams.insert(html);
        self.result
    }
}
