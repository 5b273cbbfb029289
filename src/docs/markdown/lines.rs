//! Line primitives shared by the pre-pass and the block extensions: a line of the prepared
//! text with its source line, indentation measured in columns as CommonMark counts them
//! (tabs to the next multiple of 4), and code fences.

use std::borrow::Cow;

/// One line of the text handed to pulldown-cmark, without its newline.
#[derive(Clone, Debug)]
pub(super) struct Line<'a> {
    pub text: Cow<'a, str>,
    /// 1-based line number in the source.
    pub src: u32,
}

/// An open code fence: its indent, character and length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Fence {
    pub indent: usize,
    pub ch: char,
    pub len: usize,
}

impl Fence {
    /// The fence a line opens, if it starts with three or more backticks or tildes; takes the
    /// line as `split_indent` returns it.
    pub(super) fn open((indent, rest): (usize, &str)) -> Option<Fence> {
        let ch = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
        let len = rest.chars().take_while(|c| *c == ch).count();
        if len < 3 || (ch == '`' && rest[len..].contains('`')) {
            return None;
        }
        Some(Fence { indent, ch, len })
    }

    /// Whether `line` closes this fence.
    pub(super) fn closed_by(&self, line: &str) -> bool {
        let (indent, rest) = split_indent(line);
        let len = rest.chars().take_while(|c| *c == self.ch).count();
        len >= self.len && rest[len..].trim().is_empty() && indent <= self.indent + 3
    }

    /// A line that closes this fence, at its indent.
    pub(super) fn closing_line(&self) -> String {
        format!(
            "{}{}",
            " ".repeat(self.indent),
            self.ch.to_string().repeat(self.len)
        )
    }
}

/// Columns of leading whitespace, with tabs advancing to the next multiple of 4.
pub(super) fn indent_cols(line: &str) -> usize {
    split_indent(line).0
}

/// The columns of leading whitespace (tabs to the next multiple of 4) and the rest.
pub(super) fn split_indent(line: &str) -> (usize, &str) {
    let mut cols = 0;
    for (i, b) in line.bytes().enumerate() {
        match b {
            b' ' => cols += 1,
            b'\t' => cols += 4 - cols % 4,
            _ => return (cols, &line[i..]),
        }
    }
    (cols, "")
}

/// Whether a line holds only whitespace.
pub(super) fn is_blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ' || b == b'\t')
}

/// Removes up to `cols` columns of leading whitespace; a tab that straddles the cut leaves
/// its remaining columns as spaces.
pub(super) fn strip_cols<'a>(text: &Cow<'a, str>, cols: usize) -> Cow<'a, str> {
    let mut col = 0;
    for (i, b) in text.bytes().enumerate() {
        if col >= cols {
            return slice_from(text, i);
        }
        match b {
            b' ' => col += 1,
            b'\t' => {
                let next = col + 4 - col % 4;
                if next > cols {
                    let pad = " ".repeat(next - cols);
                    return Cow::Owned(format!("{pad}{}", &text[i + 1..]));
                }
                col = next;
            }
            _ => return slice_from(text, i),
        }
    }
    slice_from(text, text.len())
}

fn slice_from<'a>(text: &Cow<'a, str>, at: usize) -> Cow<'a, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(&s[at..]),
        Cow::Owned(s) => Cow::Owned(s[at..].to_string()),
    }
}
