//! A docs page's navigation as HTML, for the default docs template (`docs.nav_html`). Every
//! page of a site shows the whole nav; drawn by a recursive template macro it was a twentieth
//! of a full build's CPU. The markup is the one the macro made, byte for byte; a template of
//! one's own can still draw `docs.nav` itself.

use crate::docs::nav::NavEntry;
use crate::highlight::escape;

/// `nav` as a nested list, with page links relative to `root`.
pub(super) fn html(nav: &[NavEntry], root: &str) -> String {
    let mut out = String::with_capacity(nav.len() * 96);
    write_list(&mut out, nav, &escape(root));
    out
}

fn write_list(out: &mut String, items: &[NavEntry], root: &str) {
    out.push_str("<ul>");
    for item in items {
        let title = escape(&item.title);
        if !item.children.is_empty() {
            let (class, open) = match item.open {
                true => (" is-open", " open"),
                false => ("", ""),
            };
            out.push_str(&format!(
                "\n<li class=\"nav-section{class}\"><details{open}><summary>{title}</summary>"
            ));
            write_list(out, &item.children, root);
            out.push_str("</details></li>");
        } else if item.external {
            let url = escape(&item.url);
            out.push_str(&format!(
                "\n<li><a class=\"nav-external\" href=\"{url}\" rel=\"noopener\">{title}</a></li>"
            ));
        } else {
            let url = escape(&item.url);
            let current = match item.active {
                true => " aria-current=\"page\" class=\"is-active\"",
                false => "",
            };
            out.push_str(&format!(
                "\n<li><a href=\"{root}{url}\"{current}>{title}</a></li>"
            ));
        }
    }
    out.push_str("\n</ul>");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(title: &str, url: &str) -> NavEntry {
        NavEntry {
            title: title.into(),
            url: url.into(),
            external: false,
            active: false,
            open: false,
            children: Vec::new(),
        }
    }

    /// The nav the default theme's macro drew, rendered by Tera from the same entries.
    fn drawn_by_template(nav: &[NavEntry], root: &str) -> String {
        let macro_text = r#"{%- macro nav_tree(items, root) -%}
<ul>
{%- for item in items %}
{%- if item.children %}
<li class="nav-section{% if item.open %} is-open{% endif %}"><details{% if item.open %} open{% endif %}><summary>{{ item.title }}</summary>{{ self::nav_tree(items=item.children, root=root) }}</details></li>
{%- elif item.external %}
<li><a class="nav-external" href="{{ item.url }}" rel="noopener">{{ item.title }}</a></li>
{%- else %}
<li><a href="{{ root }}{{ item.url }}"{% if item.active %} aria-current="page" class="is-active"{% endif %}>{{ item.title }}</a></li>
{%- endif %}
{%- endfor %}
</ul>
{%- endmacro nav_tree -%}"#;
        let mut tera = tera::Tera::default();
        // As the theme sets it up (`theme.rs`).
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(crate::highlight::escape);
        tera.add_raw_templates([
            ("nav_macros.html", macro_text),
            (
                "page.html",
                r#"{% import "nav_macros.html" as n %}{{ n::nav_tree(items=nav, root=root) }}"#,
            ),
        ])
        .unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("nav", nav);
        ctx.insert("root", root);
        tera.render("page.html", &ctx).unwrap()
    }

    #[test]
    fn the_nav_is_drawn_as_the_template_macro_drew_it() {
        let mut section = entry("Guides & <tips>", "");
        section.open = true;
        let mut active = entry(
            "Install \"it\"",
            "docs/default/component/a/install/index.html",
        );
        active.active = true;
        let mut closed = entry("Reference", "");
        closed.children = vec![entry("API's", "docs/default/component/a/api/index.html")];
        section.children = vec![active, closed];
        let mut external = entry("Runbook", "https://example.com/run?x=1&y=2");
        external.external = true;
        let nav = vec![
            entry("Home", "docs/default/component/a/index.html"),
            section,
            external,
        ];
        for root in ["../../../../", "", "a'b/"] {
            assert_eq!(
                html(&nav, root),
                drawn_by_template(&nav, root),
                "root {root:?}"
            );
        }
        assert_eq!(html(&[], "../"), drawn_by_template(&[], "../"));
    }
}
