//! Docs updates in the change feed. The state keeps, per entity with a docs site of its own, one
//! line of its pages: a short digest of each page's source path and one of its Markdown
//! (`3f9a1c:0b7e52 …`, sorted), compact enough for thousands of sites. Two builds' lines
//! compared give how many pages changed, were added or were removed.

use crate::docs::DocSets;
use std::collections::BTreeMap;

/// Hex digits kept of each digest: enough to tell pages apart within a site and to notice an
/// edit, short enough that the state stays small.
const DIGITS: usize = 6;

/// Each entity's own (latest) docs site as its state line, by entity ref.
pub fn states(docs: &DocSets) -> BTreeMap<String, String> {
    docs.sites
        .iter()
        .filter(|site| site.version.is_none())
        .map(|site| {
            let mut pages: Vec<String> = site
                .pages
                .iter()
                .map(|p| {
                    let path = crate::docs::text_digest(&p.source);
                    let text = p.digest.get(..DIGITS).unwrap_or(&p.digest);
                    format!("{}:{text}", &path[..DIGITS])
                })
                .collect();
            pages.sort();
            (site.entity.to_string(), pages.join(" "))
        })
        .collect()
}

/// `2 pages changed, 1 added`: how `after` differs from `before`; None when it does not.
pub fn summary(before: &str, after: &str) -> Option<String> {
    let pages = |line: &'_ str| -> BTreeMap<String, String> {
        line.split_whitespace()
            .filter_map(|p| p.split_once(':'))
            .map(|(path, text)| (path.to_string(), text.to_string()))
            .collect()
    };
    let (was, is) = (pages(before), pages(after));
    let changed = is
        .iter()
        .filter(|(path, text)| was.get(*path).is_some_and(|t| t != *text))
        .count();
    let added = is.keys().filter(|p| !was.contains_key(*p)).count();
    let removed = was.keys().filter(|p| !is.contains_key(*p)).count();
    let parts: Vec<String> = [(changed, "changed"), (added, "added"), (removed, "removed")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .enumerate()
        .map(|(i, (n, what))| match (i, n) {
            (0, 1) => format!("1 page {what}"),
            (0, n) => format!("{n} pages {what}"),
            (_, n) => format!("{n} {what}"),
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn counts_pages_changed_added_and_removed() {
        let before = "aaaaaa:111111 bbbbbb:222222 cccccc:333333";
        assert_eq!(summary(before, before), None);
        let edited = "aaaaaa:111111 bbbbbb:999999 cccccc:333333";
        assert_eq!(summary(before, edited).as_deref(), Some("1 page changed"));
        let moved = "aaaaaa:999999 bbbbbb:888888 dddddd:444444";
        assert_eq!(
            summary(before, moved).as_deref(),
            Some("2 pages changed, 1 added, 1 removed")
        );
        assert_eq!(
            summary("", "aaaaaa:1 bbbbbb:2").as_deref(),
            Some("2 pages added")
        );
        assert_eq!(summary("aaaaaa:1", "").as_deref(), Some("1 page removed"));
    }
}
