//! Headings: ids as Python-Markdown's toc makes them (explicit `{#id}` ids were reserved by
//! the pre-scan), a permalink in each, the page title, and the search section each one starts.

use super::{HeadingState, Writer};
use crate::docs::markdown::slug::slugify;
use crate::docs::markdown::Heading;
use crate::highlight::escape;
use crate::words::{for_each_ascii_run, is_ascii_space};
use pulldown_cmark::CowStr;

impl Writer<'_, '_> {
    pub(super) fn start_heading(
        &mut self,
        level: u8,
        id: Option<String>,
        classes: Vec<CowStr<'_>>,
    ) {
        self.push_section();
        self.saved.push(std::mem::take(&mut self.out));
        let classes = classes.iter().map(|c| c.to_string()).collect();
        self.heading = Some(HeadingState {
            level,
            id,
            classes,
            text: String::new(),
        });
    }

    /// `<hN id="...">text<a class="headerlink" ...>¶</a></hN>`, with Python-Markdown's id.
    pub(super) fn end_heading(&mut self) {
        let inner = std::mem::replace(&mut self.out, self.saved.pop().unwrap_or_default());
        let Some(heading) = self.heading.take() else {
            return;
        };
        let text = heading
            .text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let id = match heading.id {
            Some(id) => id,
            None => self.ids.unique(&slugify(&text)),
        };
        let class = if heading.classes.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape(&heading.classes.join(" ")))
        };
        let (level, id_attr) = (heading.level, escape(&id));
        self.out.push_str(&format!(
            "<h{level} id=\"{id_attr}\"{class}>{inner}<a class=\"headerlink\" href=\"#{id_attr}\" \
             title=\"Permanent link\">\u{b6}</a></h{level}>\n"
        ));
        if level == 1 && self.result.title.is_none() {
            self.result.title = Some(text.clone());
        }
        self.result.headings.push(Heading {
            level,
            id: id.clone(),
            text: text.clone(),
        });
        self.section = (id, text, String::new());
    }

    /// Ends the current search section (skipped when it is the empty text before any heading).
    pub(super) fn push_section(&mut self) {
        let (id, title, text) = std::mem::take(&mut self.section);
        let text = single_spaced(&text);
        if !(id.is_empty() && title.is_empty() && text.is_empty()) {
            self.result.sections.push((id, title, text));
        }
    }
}

/// `text`'s words, one space apart.
fn single_spaced(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let push = |word: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    };
    if text.is_ascii() {
        // Every section's text comes here: split by byte rather than decode each character.
        for_each_ascii_run(text, |b| !is_ascii_space(b), push);
    } else {
        text.split_whitespace().for_each(push);
    }
    out
}
