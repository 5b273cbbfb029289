//! Headings: ids as Python-Markdown's toc makes them (explicit `{#id}` ids were reserved by
//! the pre-scan), a permalink in each, the page title, and the search section each one starts.

use super::{HeadingState, Writer};
use crate::docs::markdown::slug::slugify;
use crate::docs::markdown::Heading;
use crate::highlight::escape;
use crate::words::is_ascii_space;
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
    if !text.is_ascii() {
        return text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    // Every section's text comes here. Most of it is words one space apart, copied 16 bytes
    // at a time; only blocks with other spacing are taken byte by byte.
    const BLOCK: usize = 16;
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut spaced = false;
    let mut blocks = bytes.chunks_exact(BLOCK);
    for block in blocks.by_ref() {
        if is_single_spaced(block) {
            if spaced {
                out.push(b' ');
                spaced = false;
            }
            out.extend_from_slice(block);
        } else {
            push_single_spaced(block, &mut out, &mut spaced);
        }
    }
    push_single_spaced(blocks.remainder(), &mut out, &mut spaced);
    String::from_utf8(out).expect("ASCII bytes are UTF-8")
}

/// Whether `block` can be copied as it is: no spacing but single spaces between its words,
/// and no space at either end. Tested without an early exit, so it compiles to vector code.
fn is_single_spaced(block: &[u8]) -> bool {
    let only_spaces = block
        .iter()
        .fold(true, |ok, &b| ok & (b == b' ' || !is_ascii_space(b)));
    let no_doubles = block
        .iter()
        .zip(&block[1..])
        .fold(true, |ok, (&a, &b)| ok & !(a == b' ' && b == b' '));
    let ends = block.first() != Some(&b' ') && block.last() != Some(&b' ');
    only_spaces && no_doubles && ends
}

/// Appends `bytes` to `out` one space apart; `spaced` carries a space not yet written (never
/// one before the first word).
fn push_single_spaced(bytes: &[u8], out: &mut Vec<u8>, spaced: &mut bool) {
    for &b in bytes {
        if is_ascii_space(b) {
            *spaced = !out.is_empty();
        } else {
            if *spaced {
                out.push(b' ');
                *spaced = false;
            }
            out.push(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::single_spaced;

    #[test]
    fn single_spaced_keeps_words_as_split_whitespace_does() {
        let mut texts: Vec<String> = [
            "",
            " ",
            "one",
            "  one  two\t\tthree\n",
            "\x0bvertical\x0ctab\rcarriage",
            "déjà  vu\u{a0}here",
            "a\u{2003}b c",
        ]
        .map(String::from)
        .to_vec();
        // Spacing of every kind at every place of, and across, the 16-byte blocks.
        let words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod";
        for at in 0..40 {
            for spacing in [" ", "  ", "\n", " \n ", "\t", "\r\n"] {
                texts.push(format!("{}{spacing}{}", &words[..at], &words[at..]));
                texts.push(format!("{spacing}{}{spacing}", &words[..at]));
            }
        }
        for text in &texts {
            let by_words = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(single_spaced(text), by_words, "{text:?}");
        }
    }
}
