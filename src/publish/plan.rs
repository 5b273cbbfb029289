//! What a publish has to do, decided without touching the network: the local files (with
//! content hashes) are compared with the bucket's manifest and its listing. The manifest says
//! what an earlier publish knows it uploaded; the listing says what is really there. A file is
//! left alone only when both agree with the local copy, so a publish that was interrupted (or
//! objects changed behind Playbill's back) is repaired by the next run.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The bucket's record of what Playbill uploaded, stored beside the portal under this name.
pub const MANIFEST_NAME: &str = ".playbill-manifest.json";

/// A file of the built portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalFile {
    /// Relative, `/`-separated.
    pub path: String,
    pub size: u64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Hex MD5 of the content: what S3 (and GCS) report as the ETag of a single-part upload.
    pub md5: String,
}

/// An object as the bucket's listing shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub size: u64,
    pub e_tag: Option<String>,
}

impl Listed {
    /// Whether the store vouches for this exact content. Only an ETag that is the plain MD5
    /// does; multipart (`md5-N`), Azure (`0x...`) and other ETags never match.
    fn holds(&self, file: &LocalFile) -> bool {
        self.size == file.size
            && self
                .e_tag
                .as_deref()
                .is_some_and(|e| e.trim_matches('"').eq_ignore_ascii_case(&file.md5))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub files: BTreeMap<String, ManifestEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub sha256: String,
    pub size: u64,
}

impl Manifest {
    pub const VERSION: u32 = 1;

    pub fn new() -> Manifest {
        Manifest {
            version: Manifest::VERSION,
            files: BTreeMap::new(),
        }
    }
}

/// Upload order: readers of the live portal must never follow a link to something that is
/// not there yet, so what pages refer to goes first and the pages that lead in go last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Hashed assets, search shards, data files, images: everything that is not a page.
    Assets,
    /// HTML pages.
    Pages,
    /// `index.html` and `404.html` at the root: the ways into the portal.
    EntryPoints,
}

impl Stage {
    pub fn of(path: &str) -> Stage {
        if matches!(path, "index.html" | "404.html") {
            Stage::EntryPoints
        } else if is_html(path) {
            Stage::Pages
        } else {
            Stage::Assets
        }
    }
}

/// Why a file is uploaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Not in the bucket.
    New,
    /// The content differs from what the manifest records.
    Changed,
    /// The manifest records it, but the listing lacks it or shows another size.
    Damaged,
    /// Listed, but not in the manifest (an interrupted publish): its content is unknown.
    Unverified,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::New => "new",
            Reason::Changed => "changed",
            Reason::Damaged => "missing or wrong size in the bucket",
            Reason::Unverified => "not in the bucket manifest",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub stage: Stage,
    pub reason: Reason,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Sorted by stage, then path.
    pub uploads: Vec<Upload>,
    /// Objects in the bucket that the portal no longer has, sorted.
    pub deletes: Vec<String>,
    /// Files already in the bucket as they are locally.
    pub unchanged: usize,
}

impl Plan {
    pub fn upload_bytes(&self) -> u64 {
        self.uploads.iter().map(|u| u.size).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.uploads.is_empty() && self.deletes.is_empty()
    }
}

/// Diffs the local portal against the bucket. `listing` maps relative object names (the
/// manifest object itself excluded) to what the listing says of them.
pub fn plan(local: &[LocalFile], manifest: &Manifest, listing: &BTreeMap<String, Listed>) -> Plan {
    let mut plan = Plan::default();
    for file in local {
        let listed = listing.get(&file.path);
        let reason = match (manifest.files.get(&file.path), listed) {
            // An MD5 ETag proves the content, whatever the manifest says (or lacks).
            (_, Some(l)) if l.holds(file) => None,
            (None, None) => Some(Reason::New),
            (None, Some(_)) => Some(Reason::Unverified),
            (Some(entry), _) if entry.sha256 != file.sha256 => Some(Reason::Changed),
            (Some(entry), Some(l)) if entry.size == l.size && l.size == file.size => None,
            (Some(_), _) => Some(Reason::Damaged),
        };
        match reason {
            Some(reason) => plan.uploads.push(Upload {
                path: file.path.clone(),
                size: file.size,
                sha256: file.sha256.clone(),
                stage: Stage::of(&file.path),
                reason,
            }),
            None => plan.unchanged += 1,
        }
    }
    plan.uploads
        .sort_by(|a, b| (a.stage, &a.path).cmp(&(b.stage, &b.path)));
    let local_paths: std::collections::BTreeSet<&str> =
        local.iter().map(|f| f.path.as_str()).collect();
    plan.deletes = listing
        .keys()
        .filter(|k| !local_paths.contains(k.as_str()))
        .cloned()
        .collect();
    plan
}

fn is_html(path: &str) -> bool {
    matches!(crate::paths::extension(path), "html" | "htm")
}

/// Content-Type by file extension (the portal's own files, plus what docs commonly attach).
pub fn content_type(path: &str) -> &'static str {
    match crate::paths::extension(path).to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "txt" | "md" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "yaml" | "yml" => "application/yaml",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "wasm" => "application/wasm",
        "gz" => "application/gzip",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// Pages and the manifest must be revalidated (they change in place); files whose name
/// carries a content hash never change; other data may change on any publish, so caches keep
/// it briefly.
pub fn cache_control(path: &str) -> &'static str {
    if is_html(path) || path == MANIFEST_NAME {
        "no-cache"
    } else if is_content_hashed(path) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=60"
    }
}

/// `static/playbill.3f2a9c1b0d.css`, `search/shard-3.0a1b2c3d4e.js`: a dot-separated part of
/// the file name (not the first) of at least 8 lower-case hex digits.
pub fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('.').skip(1).any(|part| {
        part.len() >= 8
            && part
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(path: &str, content: &str) -> LocalFile {
        LocalFile {
            path: path.to_string(),
            size: content.len() as u64,
            sha256: format!("h-{content}"),
            md5: format!("m-{content}"),
        }
    }

    fn listed(size: u64) -> Listed {
        Listed { size, e_tag: None }
    }

    fn bucket(files: &[LocalFile]) -> (Manifest, BTreeMap<String, Listed>) {
        let mut manifest = Manifest::new();
        let mut listing = BTreeMap::new();
        for f in files {
            manifest.files.insert(
                f.path.clone(),
                ManifestEntry {
                    sha256: f.sha256.clone(),
                    size: f.size,
                },
            );
            listing.insert(f.path.clone(), listed(f.size));
        }
        (manifest, listing)
    }

    fn paths(plan: &Plan) -> Vec<&str> {
        plan.uploads.iter().map(|u| u.path.as_str()).collect()
    }

    #[test]
    fn an_empty_bucket_gets_everything_in_stage_order() {
        let files = vec![
            local("index.html", "home"),
            local("catalog/index.html", "cat"),
            local("static/playbill.0123456789.css", "css"),
            local("404.html", "nf"),
            local("data/status.json", "{}"),
        ];
        let p = plan(&files, &Manifest::new(), &BTreeMap::new());
        assert_eq!(
            paths(&p),
            [
                "data/status.json",
                "static/playbill.0123456789.css",
                "catalog/index.html",
                "404.html",
                "index.html"
            ]
        );
        assert!(p.uploads.iter().all(|u| u.reason == Reason::New));
        assert_eq!(p.upload_bytes(), 4 + 3 + 3 + 2 + 2);
        assert!(p.deletes.is_empty());
    }

    #[test]
    fn an_unchanged_portal_uploads_nothing() {
        let files = vec![local("index.html", "home"), local("a/index.html", "a")];
        let (manifest, listing) = bucket(&files);
        let p = plan(&files, &manifest, &listing);
        assert!(p.is_empty());
        assert_eq!(p.unchanged, 2);
    }

    #[test]
    fn changed_files_go_up_and_stale_objects_are_deleted() {
        let old = vec![local("index.html", "home"), local("gone/index.html", "x")];
        let (manifest, listing) = bucket(&old);
        let new = vec![local("index.html", "home2"), local("b/index.html", "b")];
        let p = plan(&new, &manifest, &listing);
        assert_eq!(paths(&p), ["b/index.html", "index.html"]);
        assert_eq!(p.uploads[0].reason, Reason::New);
        assert_eq!(p.uploads[1].reason, Reason::Changed);
        assert_eq!(p.deletes, ["gone/index.html"]);
    }

    #[test]
    fn the_listing_overrules_the_manifest() {
        let files = vec![
            local("a.js", "aaaa"),
            local("b.js", "bbbb"),
            local("c.js", "cccc"),
        ];
        let (manifest, mut listing) = bucket(&files);
        listing.remove("a.js"); // deleted behind our back
        listing.insert("b.js".into(), listed(1)); // truncated
        let mut manifest = manifest;
        manifest.files.remove("c.js"); // uploaded by a run that stopped before the manifest
        let p = plan(&files, &manifest, &listing);
        let reasons: Vec<_> = p
            .uploads
            .iter()
            .map(|u| (u.path.as_str(), u.reason))
            .collect();
        assert_eq!(
            reasons,
            [
                ("a.js", Reason::Damaged),
                ("b.js", Reason::Damaged),
                ("c.js", Reason::Unverified)
            ]
        );
    }

    #[test]
    fn objects_only_the_listing_knows_are_deleted() {
        let files = vec![local("index.html", "home")];
        let (manifest, mut listing) = bucket(&files);
        listing.insert("left/over.html".into(), listed(3));
        let p = plan(&files, &manifest, &listing);
        assert_eq!(p.deletes, ["left/over.html"]);
    }

    #[test]
    fn an_md5_etag_vouches_for_content_the_manifest_does_not_know() {
        let files = vec![local("a.js", "aaaa"), local("b.js", "bbbb")];
        let mut listing = BTreeMap::new();
        let etag = |s: &str| Listed {
            size: 4,
            e_tag: Some(s.to_string()),
        };
        listing.insert("a.js".to_string(), etag("\"m-aaaa\""));
        listing.insert("b.js".to_string(), etag("\"m-aaaa-2\""));
        let p = plan(&files, &Manifest::new(), &listing);
        assert_eq!(paths(&p), ["b.js"]);
        assert_eq!(p.unchanged, 1);
    }

    #[test]
    fn headers_follow_the_kind_of_file() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("static/x.0123456789.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("logo.SVG"), "image/svg+xml");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
        assert_eq!(content_type(".hidden"), "application/octet-stream");
        assert_eq!(cache_control("docs/x/index.html"), "no-cache");
        assert_eq!(cache_control(MANIFEST_NAME), "no-cache");
        assert_eq!(
            cache_control("static/playbill.3f2a9c1b0d.css"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_control("search/shard-3.0a1b2c3d4e.js"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("clusters/status.json"), "public, max-age=60");
        assert!(!is_content_hashed("deadbeef.png"));
        assert!(!is_content_hashed("static/app.1234.js"));
    }
}
