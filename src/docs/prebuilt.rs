//! Docs rendered by a repository's own CI (Backstage's "external builder" pattern). `playbill
//! docs build` writes beside each site's pages a [`FILE`] holding every page's rendering, keyed
//! by what the page is made from: its Markdown (snippets included), its site's file list, the
//! settings that shape a rendering and Playbill's version. A portal build given the directory
//! those files were published to (`[docs] prebuilt`, `build --prebuilt`) takes a page's
//! rendering from there when the key matches, instead of rendering it.
//!
//! A repository's CI is not the portal's: every body taken must pass the
//! [inert check](super::markdown::inert), or the page is rendered from its Markdown with a
//! warning. Only the body is shown unescaped; titles, headings and problems are escaped as
//! they are written, as they are for pages rendered here.

use super::links;
use super::markdown::{self, inert};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::secrets::Finding;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The file beside a site's pages (`docs/<ns>/<kind>/<name>/playbill-prebuilt.bin`).
pub const FILE: &str = "playbill-prebuilt.bin";
/// The first word of the file's first line.
const MAGIC: &str = "playbill-prebuilt";
/// Bumped when the file's shape changes; another is not read.
const FORMAT: u32 = 1;

/// A page's Markdown rendering and its links to other pages' anchors.
pub(super) type PageRender = (markdown::Rendered, Vec<links::CrossAnchor>);

/// One page's rendering, as it came out of the Markdown stage.
#[derive(Serialize, Deserialize)]
pub struct Page {
    pub key: String,
    pub rendered: markdown::Rendered,
    pub cross_anchors: Vec<links::CrossAnchor>,
    /// The secrets redacted from its text: rule id and line.
    pub secrets: Vec<(String, u32)>,
}

/// A prebuilt file: the line `playbill-prebuilt FORMAT VERSION PAGES`, then the pages in
/// bincode (read back as JSON, unescaping the bodies alone took a twentieth of a
/// 1,000-repository build's CPU, and taking them saved little over rendering them).
pub struct Prebuilt {
    pub version: String,
    /// Pages in the file, read or not.
    pub offered: usize,
    /// Empty when another format or version wrote the file.
    pub pages: Vec<Page>,
}

impl Prebuilt {
    /// The file holding `pages`, written by this version.
    pub fn encode(pages: &[Page]) -> Option<Vec<u8>> {
        let version = env!("CARGO_PKG_VERSION");
        let mut bytes = format!("{MAGIC} {FORMAT} {version} {}\n", pages.len()).into_bytes();
        bincode::serialize_into(&mut bytes, pages).ok()?;
        Some(bytes)
    }

    /// The file `bytes`; its pages are left unread when another format or version wrote it.
    pub fn decode(bytes: &[u8]) -> Result<Prebuilt, String> {
        let not_one = || "is not a prebuilt docs file".to_string();
        let newline = bytes.iter().position(|&b| b == b'\n').ok_or_else(not_one)?;
        let header = std::str::from_utf8(&bytes[..newline]).map_err(|_| not_one())?;
        let [MAGIC, format, version, offered] = header.split(' ').collect::<Vec<_>>()[..] else {
            return Err(not_one());
        };
        let offered = offered.parse().map_err(|_| not_one())?;
        let mut file = Prebuilt {
            version: version.to_string(),
            offered,
            pages: Vec::new(),
        };
        if format == FORMAT.to_string() && version == env!("CARGO_PKG_VERSION") {
            file.pages = bincode::deserialize(&bytes[newline + 1..])
                .map_err(|e| format!("is damaged ({e})"))?;
        }
        Ok(file)
    }
}

/// What one site does with prebuilt renderings.
pub(super) enum Site {
    None,
    /// `docs build`: every page rendered is kept, to be written as [`FILE`].
    Record(Mutex<Vec<Page>>),
    /// A portal build: pages are taken from a repository's [`FILE`] where their keys match.
    Take(Taken),
}

pub(super) struct Taken {
    path: PathBuf,
    /// Read when the first page is rendered: with the render cache, most sites render none.
    file: OnceLock<Result<Loaded, String>>,
    /// Pages rendered, and so looked for in the file.
    wanted: AtomicUsize,
    taken: AtomicUsize,
    /// Pages whose prebuilt body was refused: source and why.
    refused: Mutex<Vec<(String, String)>>,
}

/// A file's pages by key, none when another version wrote it (not an error: the repository's
/// CI catches up with the portal's version on its next run).
struct Loaded {
    offered: usize,
    pages: Mutex<HashMap<String, Page>>,
}

impl Site {
    /// What the site based at `base` does: records for `docs build`, takes when the portal has
    /// a prebuilt directory that holds this site's file, else nothing.
    pub(super) fn open(config: &Config, base: &str) -> Site {
        if config.record_prebuilt {
            return Site::Record(Mutex::new(Vec::new()));
        }
        let Some(dir) = &config.prebuilt_docs else {
            return Site::None;
        };
        let path = dir
            .join(base.strip_prefix("docs/").unwrap_or(base))
            .join(FILE);
        if !path.is_file() {
            return Site::None;
        }
        Site::Take(Taken {
            path,
            file: OnceLock::new(),
            wanted: AtomicUsize::new(0),
            taken: AtomicUsize::new(0),
            refused: Mutex::new(Vec::new()),
        })
    }

    /// Whether pages need the key this module gives them.
    pub(super) fn is_some(&self) -> bool {
        !matches!(self, Site::None)
    }

    /// The prebuilt rendering of `page` (a docs_dir path) with `text`, in a site whose file
    /// list and settings are `site`, when there is one that passes the checks.
    pub(super) fn take(
        &self,
        site: &[u8],
        page: &str,
        text: &str,
    ) -> Option<(PageRender, Vec<Finding>)> {
        let Site::Take(taken) = self else {
            return None;
        };
        taken.wanted.fetch_add(1, Ordering::Relaxed);
        let file = taken.file.get_or_init(|| read(&taken.path)).as_ref().ok()?;
        let prebuilt = file.pages.lock().ok()?.remove(&key(site, page, text))?;
        let checked = inert::check(&prebuilt.rendered.html).and_then(|()| {
            prebuilt
                .secrets
                .iter()
                .map(|(rule, line)| Finding::of_rule(rule, *line))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| "it names a secret rule this build does not know".to_string())
        });
        match checked {
            Ok(findings) => {
                taken.taken.fetch_add(1, Ordering::Relaxed);
                Some(((prebuilt.rendered, prebuilt.cross_anchors), findings))
            }
            Err(why) => {
                if let Ok(mut refused) = taken.refused.lock() {
                    refused.push((page.to_string(), why));
                }
                None
            }
        }
    }

    /// Keeps a page rendered here for `docs build`'s file.
    pub(super) fn record(
        &self,
        site: &[u8],
        page: &str,
        text: &str,
        made: (&PageRender, &[Finding]),
    ) {
        let Site::Record(pages) = self else {
            return;
        };
        let ((rendered, cross_anchors), findings) = made;
        let page = Page {
            key: key(site, page, text),
            rendered: rendered.clone(),
            cross_anchors: cross_anchors.clone(),
            secrets: findings
                .iter()
                .map(|f| (f.rule.to_string(), f.line))
                .collect(),
        };
        if let Ok(mut pages) = pages.lock() {
            pages.push(page);
        }
    }

    /// After the site's pages: the file to write beside them (`docs build`) and how many pages
    /// were taken. A refused body is reported with `place` at its page (a docs_dir path).
    pub(super) fn finish(
        self,
        place: &dyn Fn(Diagnostic, Option<&str>) -> Diagnostic,
        diagnostics: &mut Diagnostics,
    ) -> (Option<Vec<u8>>, usize) {
        match self {
            Site::None => (None, 0),
            Site::Record(pages) => {
                let mut pages = pages.into_inner().unwrap_or_default();
                pages.sort_by(|a, b| a.key.cmp(&b.key));
                (Prebuilt::encode(&pages), 0)
            }
            Site::Take(taken) => {
                let path = taken.path.display();
                let count = taken.taken.into_inner();
                let wanted = taken.wanted.into_inner();
                let refused = taken.refused.into_inner().unwrap_or_default();
                let about_file = match taken.file.into_inner() {
                    Some(Err(why)) => Some(Diagnostic::warning(
                        "docs/prebuilt-unusable",
                        format!("{path} {why}; the docs were rendered here"),
                    )),
                    Some(Ok(file)) if count == 0 && refused.is_empty() && file.offered > 0 => {
                        Some(Diagnostic::info(
                            "docs/prebuilt-unmatched",
                            format!("{path} matches none of the {wanted} pages rendered (it was built from other files or settings, or by another Playbill version); they were rendered here"),
                        ))
                    }
                    _ => None,
                };
                if let Some(diagnostic) = about_file {
                    diagnostics.push(place(diagnostic, None));
                }
                for (page, why) in refused {
                    let message = format!("the rendering {path} gives of this page was refused: {why}; the page was rendered from its Markdown");
                    diagnostics.push(place(
                        Diagnostic::warning("docs/prebuilt-refused", message),
                        Some(&page),
                    ));
                }
                (None, count)
            }
        }
    }
}

/// The key of `page` with `text` in a site whose file list and settings are `site`: the same on
/// every machine running this version.
fn key(site: &[u8], page: &str, text: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"playbill prebuilt docs page\0");
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    for part in [site, page.as_bytes(), text.as_bytes()] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    crate::output::hex(&hasher.finalize())
}

/// A site's file larger than this is not read: a repository's CI could publish anything.
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The pages of the file at `path`.
fn read(path: &Path) -> Result<Loaded, String> {
    let failed = |e: std::io::Error| format!("cannot be read ({e})");
    let size = std::fs::metadata(path).map_err(failed)?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!("is larger than {} MiB", MAX_FILE_BYTES >> 20));
    }
    let bytes = std::fs::read(path).map_err(failed)?;
    let file = Prebuilt::decode(&bytes)?;
    Ok(Loaded {
        offered: file.offered,
        pages: Mutex::new(file.pages.into_iter().map(|p| (p.key.clone(), p)).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(key: &str, html: &str) -> Page {
        Page {
            key: key.to_string(),
            rendered: markdown::Rendered {
                html: html.to_string(),
                ..markdown::Rendered::default()
            },
            cross_anchors: Vec::new(),
            secrets: vec![("private-key".to_string(), 3)],
        }
    }

    #[test]
    fn a_file_reads_back_and_another_versions_pages_are_left_unread() {
        let bytes = Prebuilt::encode(&[page("a", "<p>A</p>"), page("b", "<p>B</p>")]).unwrap();
        let file = Prebuilt::decode(&bytes).unwrap();
        assert_eq!((file.offered, file.pages.len()), (2, 2));
        assert_eq!(file.pages[1].rendered.html, "<p>B</p>");
        assert_eq!(file.pages[0].secrets, [("private-key".to_string(), 3)]);

        let text = String::from_utf8_lossy(&bytes).into_owned();
        let header = text.lines().next().unwrap();
        let older = header.replace(env!("CARGO_PKG_VERSION"), "0.0.1");
        let other = [older.as_bytes(), &bytes[header.len()..]].concat();
        let file = Prebuilt::decode(&other).unwrap();
        assert_eq!((file.version.as_str(), file.offered), ("0.0.1", 2));
        assert!(file.pages.is_empty());

        for bad in [
            &b"{\"format\": 1}"[..],
            b"playbill-prebuilt 1\n",
            &bytes[..bytes.len() - 3],
        ] {
            assert!(
                Prebuilt::decode(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
