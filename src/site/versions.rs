//! The version switcher and banner of a docs page whose site has older versions: latest and
//! every version, each linking to the same page in that version where it has one, else to
//! that version's home page. Plain links in a `<details>` list: no script, works from file://.

use crate::config::doc_versions::LATEST;
use crate::docs::{DocSets, DocSite};
use serde_json::{json, Value};

/// The switcher of the page `page_out` of `site`; None when the site has no versions.
pub(super) fn switcher(docs: &DocSets, site: &DocSite, page_out: &str) -> Option<Value> {
    if site.versions.is_empty() {
        return None;
    }
    let relative = page_out.strip_prefix(&format!("{}/", site.base))?;
    let latest = docs.site_of(&site.entity)?;
    let mut entries = vec![(LATEST, latest)];
    for name in &site.versions {
        if let Some(version) = docs.version_of(&site.entity, name) {
            entries.push((name.as_str(), version));
        }
    }
    let current = site.version.as_deref().unwrap_or(LATEST);
    let items: Vec<Value> = entries
        .iter()
        .map(|(name, other)| {
            json!({
                "name": name,
                "url": same_page(other, relative),
                "current": *name == current,
            })
        })
        .collect();
    let banner = site
        .version
        .as_ref()
        .map(|version| json!({ "version": version, "latest_url": same_page(latest, relative) }));
    Some(json!({ "current": current, "items": items, "banner": banner }))
}

/// `relative` in `other` when it has that page, else its home page.
fn same_page(other: &DocSite, relative: &str) -> String {
    let wanted = format!("{}/{relative}", other.base);
    if other.pages.iter().any(|p| p.out == wanted) {
        return wanted;
    }
    other
        .home()
        .map_or_else(|| format!("{}/index.html", other.base), |h| h.out.clone())
}

/// What the docs search box of `site` searches: latest's pages, the only ones in the index.
pub(super) fn search_scope(site: &DocSite) -> String {
    let key = &site.entity;
    format!("{}/{}/{}", key.namespace, key.kind, key.name)
}
