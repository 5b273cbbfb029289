//! `mkdocs.yml` as mkdocs reads it, and the site navigation: the configured `nav` (nested
//! sections, titled and untitled pages, external links), or — without one — the nav mkdocs
//! derives: per directory the index page first, then files by name, then sub-directories as
//! sections. Unknown YAML tags (`!ENV`, `!!python/name:...`) are read as their plain values.

use crate::catalog::yaml::{self, Seg};
use serde_json::Value;

/// The settings of mkdocs.yml that Playbill reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mkdocs {
    pub site_name: String,
    pub site_description: String,
    pub docs_dir: String,
    pub nav: Option<Vec<NavItem>>,
    pub repo_url: Option<String>,
    pub edit_uri: Option<String>,
    pub markdown_extensions: Vec<String>,
    pub plugins: Vec<String>,
}

/// One entry of a nav tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NavItem {
    /// A Markdown page, by its path relative to `docs_dir`.
    Page { title: Option<String>, path: String },
    /// An external link.
    Link { title: String, url: String },
    Section {
        title: String,
        children: Vec<NavItem>,
    },
    /// mkdocs-monorepo-plugin's `'!include sub/mkdocs.yml'` (or `'*include glob/mkdocs.yml'`,
    /// `wildcard`), by the include's path and its line in mkdocs.yml.
    Include {
        title: Option<String>,
        target: String,
        wildcard: bool,
        line: Option<u32>,
    },
}

/// Markdown extensions techdocs-core turns on, and other ones Playbill renders.
pub const SUPPORTED_EXTENSIONS: &[&str] = &[
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "tables",
    "toc",
    "meta",
    "sane_lists",
    "mdx_truly_sane_lists",
    "pymdownx.betterem",
    "pymdownx.caret",
    "pymdownx.critic",
    "pymdownx.details",
    "pymdownx.emoji",
    "pymdownx.extra",
    "pymdownx.highlight",
    "pymdownx.inlinehilite",
    "pymdownx.magiclink",
    "pymdownx.mark",
    "pymdownx.smartsymbols",
    "pymdownx.superfences",
    "pymdownx.tabbed",
    "pymdownx.tasklist",
    "pymdownx.tilde",
    "markdown_inline_graphviz",
    "plantuml_markdown",
    "codehilite",
    "extra",
];

/// Plugins that need nothing from Playbill (`search` is built in, `monorepo` and `techdocs-core`
/// are how TechDocs sites are set up).
pub const SUPPORTED_PLUGINS: &[&str] = &["techdocs-core", "search", "monorepo"];

/// Parses mkdocs.yml. Errors are for a file that is not a YAML mapping; a bad `nav` entry is a
/// warning and is skipped.
pub fn parse(text: &str) -> Result<(Mkdocs, Vec<String>), String> {
    let value = yaml::yaml11::parse(text)?;
    let Some(map) = value.as_object() else {
        return Err("mkdocs.yml is not a mapping".to_string());
    };
    let mut warnings = Vec::new();
    let str_of = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_string);
    let nav = match map.get("nav") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut at = NavPlace {
                text,
                path: vec![Seg::key("nav")],
            };
            Some(nav_items(items, &mut warnings, &mut at))
        }
        Some(_) => {
            warnings.push(
                "`nav` must be a list; the navigation was derived from the files instead".into(),
            );
            None
        }
    };
    let names = |key: &str| -> Vec<String> {
        match map.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| match i {
                    Value::String(s) => Some(s.clone()),
                    Value::Object(m) => m.keys().next().cloned(),
                    _ => None,
                })
                .collect(),
            Some(Value::Object(m)) => m.keys().cloned().collect(),
            _ => Vec::new(),
        }
    };
    Ok((
        Mkdocs {
            site_name: str_of("site_name").unwrap_or_default(),
            site_description: str_of("site_description").unwrap_or_default(),
            docs_dir: str_of("docs_dir").unwrap_or_else(|| "docs".to_string()),
            nav,
            repo_url: str_of("repo_url"),
            edit_uri: str_of("edit_uri"),
            markdown_extensions: names("markdown_extensions"),
            plugins: names("plugins"),
        },
        warnings,
    ))
}

const MAX_NAV_DEPTH: usize = 16;

/// Where in mkdocs.yml a nav entry is, to give an include its line.
struct NavPlace<'a> {
    text: &'a str,
    path: Vec<Seg>,
}

fn nav_items(items: &[Value], warnings: &mut Vec<String>, at: &mut NavPlace<'_>) -> Vec<NavItem> {
    // The path holds `nav`, then an index and a title per level.
    if (at.path.len() - 1) / 2 > MAX_NAV_DEPTH {
        warnings.push(format!(
            "`nav` is nested deeper than {MAX_NAV_DEPTH} levels; deeper entries were skipped"
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        at.path.push(Seg::Index(index));
        match item {
            Value::String(path) => out.push(nav_entry(None, path, at)),
            Value::Object(map) if map.len() == 1 => {
                let (title, value) = map.iter().next().expect("one entry");
                match value {
                    Value::String(target) => out.push(nav_entry(Some(title.clone()), target, at)),
                    Value::Array(children) => {
                        at.path.push(Seg::key(title));
                        let children = nav_items(children, warnings, at);
                        at.path.pop();
                        out.push(NavItem::Section {
                            title: title.clone(),
                            children,
                        })
                    }
                    _ => warnings.push(format!(
                        "nav entry \"{title}\" is neither a page nor a section; it was skipped"
                    )),
                }
            }
            other => warnings.push(format!(
                "nav entry {other} is not understood; it was skipped"
            )),
        }
        at.path.pop();
    }
    out
}

/// The monorepo plugin's statements, as written before the path.
const INCLUDE: &str = "!include ";
const WILDCARD_INCLUDE: &str = "*include ";

fn nav_entry(title: Option<String>, target: &str, at: &NavPlace<'_>) -> NavItem {
    let include = |rest: &str, wildcard| NavItem::Include {
        title: title.clone(),
        target: rest.trim().to_string(),
        wildcard,
        line: yaml::locate(at.text, &at.path),
    };
    if let Some(rest) = target.strip_prefix(INCLUDE) {
        include(rest, false)
    } else if let Some(rest) = target.strip_prefix(WILDCARD_INCLUDE) {
        include(rest, true)
    } else {
        page_or_link(title, target)
    }
}

fn page_or_link(title: Option<String>, target: &str) -> NavItem {
    if target.contains("://") || target.starts_with("mailto:") {
        NavItem::Link {
            title: title.unwrap_or_else(|| target.to_string()),
            url: target.to_string(),
        }
    } else {
        NavItem::Page {
            title,
            path: target.trim_start_matches("./").to_string(),
        }
    }
}

/// mkdocs' title for a file or directory name: `-` and `_` as spaces, capitalised when the name
/// is all lower case.
pub fn title_from_name(name: &str) -> String {
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let title = stem.replace(['-', '_'], " ");
    if title.to_lowercase() == title {
        let mut chars = title.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => title,
        }
    } else {
        title
    }
}

/// Whether `path` (relative to docs_dir) is a directory's index page.
pub fn is_index(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "index.md" || name.eq_ignore_ascii_case("README.md")
}

/// The nav mkdocs derives from the Markdown files (paths relative to docs_dir, sorted).
/// Index pages come first, then pages by name, then sub-directories as sections.
pub fn derive_nav(pages: &[String]) -> Vec<NavItem> {
    derive_dir(pages, "")
}

fn derive_dir(pages: &[String], dir: &str) -> Vec<NavItem> {
    let prefix = if dir.is_empty() {
        String::new()
    } else {
        format!("{dir}/")
    };
    let mut index = None;
    let mut files = Vec::new();
    let mut subdirs: Vec<&str> = Vec::new();
    for page in pages {
        let Some(rest) = page.strip_prefix(&prefix) else {
            continue;
        };
        match rest.split_once('/') {
            Some((sub, _)) => {
                if subdirs.last() != Some(&sub) && !subdirs.contains(&sub) {
                    subdirs.push(sub);
                }
            }
            None if is_index(rest) => index = index.or(Some(page.clone())),
            None => files.push(page.clone()),
        }
    }
    let mut out: Vec<NavItem> = index
        .into_iter()
        .chain(files)
        .map(|path| NavItem::Page { title: None, path })
        .collect();
    subdirs.sort();
    for sub in subdirs {
        let children = derive_dir(pages, &format!("{prefix}{sub}"));
        if !children.is_empty() {
            out.push(NavItem::Section {
                title: title_from_name(sub),
                children,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_settings_and_a_nested_nav() {
        let (m, warnings) = parse(
            "site_name: Ledger\nsite_description: How it works\nrepo_url: https://github.com/o/r\nedit_uri: edit/main/docs/\nnav:\n  - index.md\n  - Design:\n      - Architecture: architecture.md\n      - Decisions:\n          - adr/0001.md\n  - API: https://api.example/ledger\nplugins:\n  - techdocs-core\n  - search:\n      lang: en\nmarkdown_extensions:\n  - admonition\n  - toc:\n      permalink: true\n  - pymdownx.emoji:\n      emoji_generator: !!python/name:materialx.emoji.to_svg\n",
        )
        .unwrap();
        assert!(warnings.is_empty());
        assert_eq!(m.site_name, "Ledger");
        assert_eq!(m.docs_dir, "docs");
        assert_eq!(m.edit_uri.as_deref(), Some("edit/main/docs/"));
        assert_eq!(m.plugins, vec!["techdocs-core", "search"]);
        assert_eq!(
            m.markdown_extensions,
            vec!["admonition", "toc", "pymdownx.emoji"]
        );
        assert_eq!(
            m.nav.unwrap(),
            vec![
                NavItem::Page {
                    title: None,
                    path: "index.md".into()
                },
                NavItem::Section {
                    title: "Design".into(),
                    children: vec![
                        NavItem::Page {
                            title: Some("Architecture".into()),
                            path: "architecture.md".into()
                        },
                        NavItem::Section {
                            title: "Decisions".into(),
                            children: vec![NavItem::Page {
                                title: None,
                                path: "adr/0001.md".into()
                            }]
                        },
                    ]
                },
                NavItem::Link {
                    title: "API".into(),
                    url: "https://api.example/ledger".into()
                },
            ]
        );
    }

    #[test]
    fn env_tags_do_not_break_parsing() {
        let (m, _) =
            parse("site_name: !ENV [SITE_NAME, 'Fallback']\ndocs_dir: !ENV DOCS\n").unwrap();
        assert_eq!(m.docs_dir, "DOCS");
        assert_eq!(m.site_name, "");
    }

    #[test]
    fn broken_files_are_errors_and_bad_nav_entries_warnings() {
        assert!(parse("site_name: [unclosed\n").is_err());
        assert!(parse("- a list\n").is_err());
        let (m, warnings) = parse("nav:\n  - Bad: 3\n  - ok.md\n").unwrap();
        assert_eq!(warnings.len(), 1);
        assert_eq!(m.nav.unwrap().len(), 1);
    }

    #[test]
    fn derived_nav_puts_index_first_then_files_then_sections() {
        let pages: Vec<String> = [
            "about.md",
            "index.md",
            "ops/README.md",
            "ops/deploy.md",
            "api.md",
            "zeta/x.md",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut sorted = pages.clone();
        sorted.sort();
        let nav = derive_nav(&sorted);
        let page = |p: &str| NavItem::Page {
            title: None,
            path: p.into(),
        };
        assert_eq!(
            nav,
            vec![
                page("index.md"),
                page("about.md"),
                page("api.md"),
                NavItem::Section {
                    title: "Ops".into(),
                    children: vec![page("ops/README.md"), page("ops/deploy.md")]
                },
                NavItem::Section {
                    title: "Zeta".into(),
                    children: vec![page("zeta/x.md")]
                },
            ]
        );
    }

    #[test]
    fn titles_from_names() {
        assert_eq!(title_from_name("data-model.md"), "Data model");
        assert_eq!(title_from_name("on_call"), "On call");
        assert_eq!(title_from_name("API-Guide.md"), "API Guide");
    }
}
