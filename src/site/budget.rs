//! The page budget: every page of the portal weighs at most [`PAGE_BUDGET_BYTES`] uncompressed,
//! pictures included, so that it opens at once on a slow connection or a phone. Pages keep
//! within it by bounding what they list ("+N more" continues on a page of its own); a docs
//! site's print view is the one exception, since it is the whole site on one page by design.
//! In: every page's path and size once written; out: one warning naming the pages over budget,
//! so that a regression shows in the build's report.

use crate::diagnostics::Diagnostic;
use std::collections::HashSet;

/// The most a page may weigh, in bytes.
pub const PAGE_BUDGET_BYTES: u64 = 100_000;
/// Pages named in the warning; the rest are counted.
const NAMED: usize = 10;

/// A warning naming the pages (`.html` files) heavier than the budget, heaviest first, leaving
/// out `exempt` ones (print views); None when every page fits.
pub fn check(
    pages: impl IntoIterator<Item = (String, u64)>,
    exempt: &HashSet<String>,
) -> Option<Diagnostic> {
    let mut over: Vec<(String, u64)> = pages
        .into_iter()
        .filter(|(path, size)| {
            *size > PAGE_BUDGET_BYTES && path.ends_with(".html") && !exempt.contains(path)
        })
        .collect();
    if over.is_empty() {
        return None;
    }
    over.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let named: Vec<String> = over
        .iter()
        .take(NAMED)
        .map(|(path, size)| format!("{path} ({} KB)", size.div_ceil(1000)))
        .collect();
    let rest = over.len().saturating_sub(NAMED);
    let more = if rest > 0 {
        format!(" and {rest} more")
    } else {
        String::new()
    };
    let n = over.len();
    Some(Diagnostic::warning(
        "site/page-budget",
        format!(
            "{n} page{} over the {} KB page budget: {}{more}; a site template that shows more than the built-in one, or a list the theme does not bound, makes a page this heavy (see docs/scale.md, \"Page budget\")",
            if n == 1 { " is" } else { "s are" },
            PAGE_BUDGET_BYTES / 1000,
            named.join(", "),
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_heaviest_pages_first_and_leaves_out_exempt_ones() {
        let exempt: HashSet<String> = ["docs/d/c/x/print/index.html".to_string()].into();
        let pages = [
            ("a/index.html".to_string(), 120_000),
            ("b/index.html".to_string(), 150_500),
            ("c/index.html".to_string(), PAGE_BUDGET_BYTES),
            ("search/index.js".to_string(), 900_000),
            ("docs/d/c/x/print/index.html".to_string(), 400_000),
        ];
        let d = check(pages, &exempt).expect("two pages are over");
        assert_eq!(d.code, "site/page-budget");
        assert!(
            d.message
                .starts_with("2 pages are over the 100 KB page budget: b/index.html (151 KB), a/index.html (120 KB);"),
            "{}",
            d.message
        );
        assert!(check([("c/index.html".to_string(), 99_999)], &exempt).is_none());
    }
}
