//! The navigation of a docs site as pages see it: titles and generated URLs resolved, the
//! current page marked and its sections opened, and the reading order for previous/next.

use super::mkdocs::NavItem;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct NavEntry {
    pub title: String,
    /// Relative to the portal root, or an absolute URL when `external`.
    pub url: String,
    pub external: bool,
    pub active: bool,
    /// A section that holds the current page.
    pub open: bool,
    pub children: Vec<NavEntry>,
}

/// Resolves nav items against the site's pages; entries naming a missing page are returned
/// as the second value (their paths), and left out.
pub fn resolve(
    items: &[NavItem],
    pages: &BTreeMap<String, String>,
    titles: &BTreeMap<String, String>,
) -> (Vec<NavEntry>, Vec<String>) {
    let mut missing = Vec::new();
    let entries = resolve_items(items, pages, titles, &mut missing);
    (entries, missing)
}

fn resolve_items(
    items: &[NavItem],
    pages: &BTreeMap<String, String>,
    titles: &BTreeMap<String, String>,
    missing: &mut Vec<String>,
) -> Vec<NavEntry> {
    let mut out = Vec::new();
    for item in items {
        match item {
            NavItem::Page { title, path } => match pages.get(path) {
                Some(url) => out.push(NavEntry {
                    title: title
                        .clone()
                        .or_else(|| titles.get(path).cloned())
                        .unwrap_or_else(|| path.clone()),
                    url: url.clone(),
                    external: false,
                    active: false,
                    open: false,
                    children: Vec::new(),
                }),
                None => missing.push(path.clone()),
            },
            NavItem::Link { title, url } => {
                if let Some(url) = crate::catalog::summary::safe_url(url) {
                    out.push(NavEntry {
                        title: title.clone(),
                        url,
                        external: true,
                        active: false,
                        open: false,
                        children: Vec::new(),
                    });
                }
            }
            // Expanded into sections before (monorepo.rs), which reported any it had to leave.
            NavItem::Include { .. } => {}
            NavItem::Section { title, children } => {
                let children = resolve_items(children, pages, titles, missing);
                if !children.is_empty() {
                    out.push(NavEntry {
                        title: title.clone(),
                        url: String::new(),
                        external: false,
                        active: false,
                        open: false,
                        children,
                    });
                }
            }
        }
    }
    out
}

/// A copy of the nav with `current` (a page URL) marked active and its sections open.
pub fn for_page(nav: &[NavEntry], current: &str) -> Vec<NavEntry> {
    nav.iter()
        .map(|e| {
            let children = for_page(&e.children, current);
            let open = children.iter().any(|c| c.active || c.open);
            NavEntry {
                active: !e.external && e.url == current,
                open,
                children,
                ..e.clone()
            }
        })
        .collect()
}

/// Page URLs in reading order (depth first), each once.
pub fn reading_order(nav: &[NavEntry]) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(nav: &[NavEntry], out: &mut Vec<String>) {
        for e in nav {
            if !e.external && !e.url.is_empty() && !out.contains(&e.url) {
                out.push(e.url.clone());
            }
            walk(&e.children, out);
        }
    }
    walk(nav, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_titles_marks_the_current_page_and_orders_pages() {
        let pages: BTreeMap<String, String> = [
            ("index.md", "d/index.html"),
            ("ops/run.md", "d/ops/run/index.html"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let titles: BTreeMap<String, String> = [("ops/run.md".to_string(), "Runbook".to_string())]
            .into_iter()
            .collect();
        let items = vec![
            NavItem::Page {
                title: Some("Home".into()),
                path: "index.md".into(),
            },
            NavItem::Section {
                title: "Ops".into(),
                children: vec![
                    NavItem::Page {
                        title: None,
                        path: "ops/run.md".into(),
                    },
                    NavItem::Page {
                        title: None,
                        path: "gone.md".into(),
                    },
                ],
            },
            NavItem::Link {
                title: "Evil".into(),
                url: "javascript:alert(1)".into(),
            },
        ];
        let (nav, missing) = resolve(&items, &pages, &titles);
        assert_eq!(missing, vec!["gone.md"]);
        assert_eq!(nav.len(), 2, "the javascript: link is dropped");
        assert_eq!(nav[1].children[0].title, "Runbook");
        let marked = for_page(&nav, "d/ops/run/index.html");
        assert!(marked[1].open && marked[1].children[0].active && !marked[0].active);
        assert_eq!(
            reading_order(&nav),
            vec!["d/index.html", "d/ops/run/index.html"]
        );
    }
}
