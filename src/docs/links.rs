//! Links between generated files. Markdown links name source files (`../ops/deploy.md#roll-back`);
//! the portal's pages live at `deploy/index.html` (mkdocs' directory URLs), so every relative
//! link is rewritten to the generated file, from the generated page's own directory.

use super::markdown::LinkResolution;
use crate::paths::RepoPath;
use std::collections::{BTreeMap, BTreeSet};

/// Relative href from the file `from` to the file `to`, both relative to the site root.
pub fn relative_href(from: &str, to: &str) -> String {
    let mut from_dir: Vec<&str> = from.split('/').collect();
    from_dir.pop();
    let to_parts: Vec<&str> = to.split('/').collect();
    let (to_dir, to_file) = to_parts.split_at(to_parts.len() - 1);
    let common = from_dir
        .iter()
        .zip(to_dir)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(from_dir.len() - common);
    for part in &to_dir[common..] {
        out.push_str(part);
        out.push('/');
    }
    out.push_str(to_file[0]);
    out
}

/// Where a docs page is generated, relative to its site: `a/b.md` -> `a/b/index.html`,
/// `a/index.md` and `a/README.md` -> `a/index.html`.
pub fn page_output(source: &str) -> String {
    let (dir, name) = match source.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), source),
    };
    if super::mkdocs::is_index(name) {
        format!("{dir}index.html")
    } else {
        format!(
            "{dir}{}/index.html",
            name.strip_suffix(".md").unwrap_or(name)
        )
    }
}

/// The files of one docs site, to resolve links against.
pub struct SiteFiles<'a> {
    /// Site base, relative to the portal root (`docs/default/component/ledger`).
    pub base: &'a str,
    /// Markdown source (relative to docs_dir) -> output (relative to the portal root).
    pub pages: &'a BTreeMap<String, String>,
    /// Other files under docs_dir, copied beside the pages (relative to docs_dir).
    pub assets: &'a BTreeSet<String>,
}

impl SiteFiles<'_> {
    /// A hash of everything links resolve against: the base, every page and every file.
    pub fn fingerprint(&self) -> Vec<u8> {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(self.base.as_bytes());
        for (source, out) in self.pages {
            hasher.update([0]);
            hasher.update(source.as_bytes());
            hasher.update([1]);
            hasher.update(out.as_bytes());
        }
        for asset in self.assets {
            hasher.update([2]);
            hasher.update(asset.as_bytes());
        }
        hasher.finalize().to_vec()
    }
}

/// A resolved link to another page with an anchor, for the anchor check after rendering.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CrossAnchor {
    pub target_source: String,
    pub anchor: String,
    pub written: String,
    /// Line of the page where the link is written, when the caller finds it.
    pub line: Option<u32>,
}

/// Resolves a link written in the page `page_source` (relative to docs_dir).
pub fn resolve(
    files: &SiteFiles<'_>,
    page_source: &str,
    destination: &str,
) -> (LinkResolution, Option<CrossAnchor>) {
    if has_scheme(destination) || destination.starts_with("//") {
        return (LinkResolution::Keep, None);
    }
    let (path, fragment) = match destination.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (destination, None),
    };
    let path = path.split('?').next().unwrap_or("");
    if path.is_empty() {
        return (LinkResolution::Keep, None);
    }
    let decoded = crate::paths::percent_decode(path).unwrap_or_else(|| path.to_string());
    let dir = RepoPath::from_walked(page_source).parent();
    let resolved = if let Some(abs) = decoded.strip_prefix('/') {
        RepoPath::root().join(abs)
    } else {
        dir.join(&decoded)
    };
    let Ok(resolved) = resolved else {
        return (
            LinkResolution::Broken(format!("link \"{destination}\" leaves the docs directory")),
            None,
        );
    };
    let from = &files.pages[page_source];
    let target = resolved.as_str().trim_end_matches('/');
    let page = if files.pages.contains_key(target) {
        Some(target.to_string())
    } else {
        // A directory link (`ops/`) lands on its index page.
        ["index.md", "README.md"]
            .iter()
            .map(|i| {
                if target.is_empty() {
                    i.to_string()
                } else {
                    format!("{target}/{i}")
                }
            })
            .find(|p| files.pages.contains_key(p))
    };
    let with_fragment = |href: String| match fragment {
        Some(f) => format!("{href}#{f}"),
        None => href,
    };
    if let Some(page) = page {
        let href = with_fragment(relative_href(from, &files.pages[&page]));
        let cross = fragment.filter(|f| !f.is_empty()).map(|f| CrossAnchor {
            target_source: page.clone(),
            anchor: f.to_string(),
            written: destination.to_string(),
            line: None,
        });
        return (LinkResolution::Rewrite(href), cross);
    }
    if files.assets.contains(target) {
        let href = with_fragment(relative_href(from, &format!("{}/{target}", files.base)));
        return (LinkResolution::Rewrite(href), None);
    }
    (
        LinkResolution::Broken(format!(
            "link \"{destination}\" points at {target}, which is not in the docs"
        )),
        None,
    )
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) => {
            let scheme = &s[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !scheme.contains('/')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_hrefs_between_files() {
        assert_eq!(
            relative_href("docs/a/x/index.html", "docs/a/y/index.html"),
            "../y/index.html"
        );
        assert_eq!(
            relative_href("docs/a/index.html", "docs/a/y/index.html"),
            "y/index.html"
        );
        assert_eq!(
            relative_href("docs/a/y/index.html", "docs/a/index.html"),
            "../index.html"
        );
        assert_eq!(
            relative_href("index.html", "catalog/index.html"),
            "catalog/index.html"
        );
        assert_eq!(
            relative_href("docs/a/b/c/index.html", "catalog/x/index.html"),
            "../../../../catalog/x/index.html"
        );
    }

    #[test]
    fn page_outputs_use_directory_urls() {
        assert_eq!(page_output("index.md"), "index.html");
        assert_eq!(page_output("README.md"), "index.html");
        assert_eq!(page_output("runbook.md"), "runbook/index.html");
        assert_eq!(page_output("ops/README.md"), "ops/index.html");
        assert_eq!(page_output("ops/deploy.md"), "ops/deploy/index.html");
    }

    fn site() -> (BTreeMap<String, String>, BTreeSet<String>) {
        let base = "docs/default/component/x";
        let pages: BTreeMap<String, String> =
            ["index.md", "runbook.md", "ops/index.md", "ops/deploy.md"]
                .iter()
                .map(|p| (p.to_string(), format!("{base}/{}", page_output(p))))
                .collect();
        let assets: BTreeSet<String> = ["img/arch.png"].iter().map(|s| s.to_string()).collect();
        (pages, assets)
    }

    fn href(page: &str, dest: &str) -> String {
        let (pages, assets) = site();
        let files = SiteFiles {
            base: "docs/default/component/x",
            pages: &pages,
            assets: &assets,
        };
        match resolve(&files, page, dest).0 {
            LinkResolution::Keep => "KEEP".into(),
            LinkResolution::Rewrite(h) => h,
            LinkResolution::Broken(m) => format!("BROKEN {m}"),
        }
    }

    #[test]
    fn markdown_links_become_generated_pages() {
        assert_eq!(href("index.md", "runbook.md"), "runbook/index.html");
        assert_eq!(
            href("index.md", "./runbook.md#rotate-keys"),
            "runbook/index.html#rotate-keys"
        );
        assert_eq!(href("runbook.md", "index.md"), "../index.html");
        assert_eq!(
            href("ops/deploy.md", "../runbook.md"),
            "../../runbook/index.html"
        );
        assert_eq!(href("ops/deploy.md", "index.md"), "../index.html");
        assert_eq!(href("index.md", "ops/"), "ops/index.html");
        assert_eq!(
            href("ops/deploy.md", "../img/arch.png"),
            "../../img/arch.png"
        );
        assert_eq!(href("index.md", "https://example.com/x.md"), "KEEP");
        assert_eq!(href("index.md", "mailto:a@b.c"), "KEEP");
        assert!(href("index.md", "missing.md").starts_with("BROKEN"));
        assert!(href("index.md", "../../etc/passwd").starts_with("BROKEN"));
        assert_eq!(href("index.md", "run%62ook.md"), "runbook/index.html");
    }
}
