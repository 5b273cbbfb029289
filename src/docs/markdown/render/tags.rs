//! Start and end tags: paragraphs, lists (task lists get pymdownx's classes), tables (column
//! alignment as `align`, never inline style), definition lists, quotes (GitHub alerts become
//! admonitions), code blocks, and inline emphasis (`^^x^^` is pymdownx.caret's `<ins>`).

use super::{TableState, Writer};
use crate::docs::markdown::code;
use pulldown_cmark::{Alignment, BlockQuoteKind, CodeBlockKind, Tag, TagEnd};
use std::ops::Range;

impl Writer<'_, '_> {
    pub(super) fn start(&mut self, i: usize, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Subscript
            | Tag::Superscript
            | Tag::Link { .. }
            | Tag::Image { .. } => self.start_inline(tag, range),
            Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell => {
                self.start_table(tag)
            }
            _ => self.start_block(i, tag, range),
        }
    }

    fn start_block(&mut self, i: usize, tag: Tag<'_>, range: Range<usize>) {
        let task = self.task.get(i).copied().unwrap_or(false);
        let html: &str = match tag {
            Tag::Paragraph => "<p>",
            Tag::Heading {
                level, id, classes, ..
            } => {
                return self.start_heading(level as u8, id.map(|s| s.to_string()), classes);
            }
            Tag::BlockQuote(kind) => return self.start_quote(kind),
            Tag::CodeBlock(kind) => {
                self.block_start();
                let info = match kind {
                    CodeBlockKind::Fenced(info) => code::parse_info(&info),
                    CodeBlockKind::Indented => code::parse_info(""),
                };
                self.code = Some((info, String::new(), self.line(&range)));
                return;
            }
            Tag::HtmlBlock => {
                self.in_html_block = true;
                return;
            }
            Tag::List(start) => {
                self.block_start();
                let html = match start {
                    None if task => "<ul class=\"task-list\">\n".to_string(),
                    None => "<ul>\n".to_string(),
                    // Python-Markdown's lists are lazy: numbering always starts at 1.
                    Some(_) => "<ol>\n".to_string(),
                };
                return self.out.push_str(&html);
            }
            Tag::Item if task => "<li class=\"task-list-item\">",
            Tag::Item => "<li>",
            Tag::FootnoteDefinition(label) => {
                self.saved.push(std::mem::take(&mut self.out));
                self.footnote_open.push(label.to_string());
                return;
            }
            Tag::DefinitionList => "<dl>\n",
            Tag::DefinitionListTitle => "<dt>",
            Tag::DefinitionListDefinition => "<dd>",
            _ => return,
        };
        self.out.push_str(html);
    }

    fn start_table(&mut self, tag: Tag<'_>) {
        let html = match tag {
            Tag::Table(aligns) => {
                self.block_start();
                self.table = TableState {
                    aligns,
                    ..TableState::default()
                };
                "<table>\n"
            }
            Tag::TableHead => {
                self.table.in_head = true;
                "<thead>\n<tr>"
            }
            Tag::TableRow => {
                self.table.col = 0;
                if !self.table.body_open {
                    self.table.body_open = true;
                    self.out.push_str("<tbody>\n");
                }
                "<tr>"
            }
            _ => {
                let name = if self.table.in_head { "th" } else { "td" };
                let align = match self.table.aligns.get(self.table.col) {
                    Some(Alignment::Left) => " align=\"left\"",
                    Some(Alignment::Center) => " align=\"center\"",
                    Some(Alignment::Right) => " align=\"right\"",
                    _ => "",
                };
                return self.out.push_str(&format!("<{name}{align}>"));
            }
        };
        self.out.push_str(html);
    }

    fn start_inline(&mut self, tag: Tag<'_>, range: Range<usize>) {
        let html = match tag {
            Tag::Emphasis => "<em>",
            Tag::Strong => "<strong>",
            Tag::Strikethrough => "<del>",
            Tag::Subscript => "<sub>",
            Tag::Superscript => {
                // pymdownx.caret: `^^insert^^` is <ins>; pulldown-cmark reads it as superscript.
                let source = self.prepared.text.get(range);
                let ins = source.is_some_and(|s| s.starts_with("^^"));
                self.closers.push(if ins { "</ins>" } else { "</sup>" });
                if ins {
                    "<ins>"
                } else {
                    "<sup>"
                }
            }
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                let line = self.line(&range);
                return self.start_link(link_type, &dest_url, &title, line);
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                let line = self.line(&range);
                return self.start_image(&dest_url, &title, line);
            }
            _ => return,
        };
        if self.image.is_none() {
            self.out.push_str(html);
        }
    }

    pub(super) fn end(&mut self, tag: TagEnd) {
        let html: &str = match tag {
            TagEnd::Paragraph => "</p>\n",
            TagEnd::Heading(_) => return self.end_heading(),
            TagEnd::BlockQuote(_) | TagEnd::Superscript => self.closers.pop().unwrap_or(""),
            TagEnd::CodeBlock => return self.end_code(),
            TagEnd::HtmlBlock => {
                self.in_html_block = false;
                return;
            }
            TagEnd::MetadataBlock(_) => return,
            TagEnd::List(true) => "</ol>\n",
            TagEnd::List(false) => "</ul>\n",
            TagEnd::Item => "</li>\n",
            TagEnd::FootnoteDefinition => return self.end_footnote(),
            TagEnd::DefinitionList => "</dl>\n",
            TagEnd::DefinitionListTitle => "</dt>\n",
            TagEnd::DefinitionListDefinition => "</dd>\n",
            TagEnd::Table if self.table.body_open => "</tbody>\n</table>\n",
            TagEnd::Table => "</table>\n",
            TagEnd::TableHead => {
                self.table.in_head = false;
                "</tr>\n</thead>\n"
            }
            TagEnd::TableRow => "</tr>\n",
            TagEnd::TableCell => {
                self.table.col += 1;
                if self.table.in_head {
                    "</th>"
                } else {
                    "</td>"
                }
            }
            TagEnd::Emphasis => "</em>",
            TagEnd::Strong => "</strong>",
            TagEnd::Strikethrough => "</del>",
            TagEnd::Subscript => "</sub>",
            TagEnd::Link => {
                self.link_depth = self.link_depth.saturating_sub(1);
                self.attr_target = self.link_tags.pop().flatten();
                self.closers.pop().unwrap_or("")
            }
            TagEnd::Image => return self.end_image(),
        };
        if self.image.is_none() {
            self.out.push_str(html);
        }
        if matches!(
            tag,
            TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition
        ) {
            self.plain_break();
        }
    }

    /// A block quote, or a GitHub alert (`> [!NOTE]`) as the matching admonition.
    fn start_quote(&mut self, kind: Option<BlockQuoteKind>) {
        self.block_start();
        let class = match kind {
            None => {
                self.out.push_str("<blockquote>\n");
                self.closers.push("</blockquote>\n");
                return;
            }
            Some(BlockQuoteKind::Note) => "note",
            Some(BlockQuoteKind::Tip) => "tip",
            Some(BlockQuoteKind::Important) => "important",
            Some(BlockQuoteKind::Warning) => "warning",
            Some(BlockQuoteKind::Caution) => "caution",
        };
        let title = format!("{}{}", class[..1].to_ascii_uppercase(), &class[1..]);
        self.out.push_str(&format!(
            "<div class=\"admonition {class}\">\n<p class=\"admonition-title\">{title}</p>\n"
        ));
        self.closers.push("</div>\n");
    }

    fn end_code(&mut self) {
        let Some((info, text, line)) = self.code.take() else {
            return;
        };
        if let Some(problem) = code::write_block(&mut self.out, &text, &info, &mut self.diagrams) {
            self.result.problems.push((line, problem));
        }
        self.plain_break();
        self.plain().push_str(&text);
        self.plain_break();
    }
}
