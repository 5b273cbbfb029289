//! Sharded builds: the docs, most of a large portal's work, split over several machines by
//! repository, and the rest assembled on one. `build --shard I/N` renders the docs sites of the
//! repositories whose stable hash falls in shard I and writes them with a manifest
//! ([`MANIFEST`]): the sites without their pages' bodies and sections, the shard's diagnostics
//! and its file list. Beside it go the sites' search-index parts ([`SEARCH_PARTS`]), so that
//! docs text is analysed on the machine that rendered it. `build --assemble DIR...` reads every
//! shard's manifest and parts in place of rendering docs, renders everything else, and copies
//! the shards' files in. Docs pages show nothing that differs between machines, so the
//! assembled portal has the bytes of a one-machine build.

use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, Diagnostics, Stored as Problem};
use crate::docs::{DocSets, DocSite};
use crate::gather::Workspace;
use crate::render_cache::RenderCache;
use crate::search::is_searched;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The manifest a shard writes at the top of its output directory.
pub const MANIFEST: &str = "playbill-shard.json";
/// Bumped when the manifest's shape changes; assembling refuses another.
const FORMAT: u32 = 2;

/// Shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// `I/N`, with 1 ≤ I ≤ N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {text}: expected I/N with 1 ≤ I ≤ N, e.g. 2/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether this shard renders `repo`'s docs: a hash of the name, the same on every machine
    /// and independent of which other repositories exist.
    pub fn holds(&self, repo: &str) -> bool {
        let digest = Sha256::digest(repo.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The file a shard writes beside its manifest: each of its docs sites' search-index part
/// ([`crate::search::site_part_bytes`]), so that the assembly does not walk their text again.
/// Not one of the portal's files.
pub const SEARCH_PARTS: &str = "playbill-shard-search.bin";
/// The first word of [`SEARCH_PARTS`]'s first line.
const PARTS_MAGIC: &str = "playbill-shard-search";

/// Written with the sites borrowed, read with them owned.
#[derive(Serialize, Deserialize)]
struct Manifest<Sites> {
    format: u32,
    version: String,
    shard: String,
    sites: Sites,
    /// The docs stage's problems, which the portal's pages list.
    diagnostics: Vec<Problem>,
    /// Docs pages that could not be rendered (reported after the pages, as one machine does).
    page_problems: Vec<Problem>,
    /// Pages the shard rendered.
    pages: usize,
    /// Every file the shard wrote but this manifest, relative to its output directory.
    files: Vec<String>,
}

/// The manifest of a shard that rendered `docs` into `files`. Its pages' sections are dropped
/// from `docs` and left out: the search-index parts of [`SEARCH_PARTS`] carry what the index
/// needs of them.
pub fn manifest(
    shard: Shard,
    docs: &mut DocSets,
    [diagnostics, page_problems]: [&Diagnostics; 2],
    (pages, files): (usize, Vec<String>),
) -> Result<Vec<u8>, String> {
    for page in docs.sites.iter_mut().flat_map(|s| &mut s.pages) {
        page.sections = Vec::new();
    }
    let manifest = Manifest {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        shard: shard.to_string(),
        sites: &docs.sites,
        diagnostics: diagnostics.iter().map(Problem::from).collect(),
        page_problems: page_problems.iter().map(Problem::from).collect(),
        pages,
        files,
    };
    serde_json::to_vec(&manifest).map_err(|e| format!("cannot write the shard manifest: {e}"))
}

/// The [`SEARCH_PARTS`] file of a shard's `docs`: the line `playbill-shard-search FORMAT
/// VERSION`, then for each searched site its base and its part, each after its length (8
/// bytes, little endian).
pub fn search_parts(docs: &DocSets, cache: Option<&RenderCache>) -> Result<Vec<u8>, String> {
    use rayon::prelude::*;
    use std::io::{Read, Seek, Write};
    let failed = |e: std::io::Error| format!("cannot write the shard's search-index parts: {e}");
    // Through a scratch file, a few sites at a time, then read back whole: a large shard's
    // parts are tens of megabytes, which held all at once and copied into the file's bytes
    // would take twice their size.
    let mut scratch = tempfile::tempfile().map_err(failed)?;
    let mut writer = std::io::BufWriter::new(&mut scratch);
    let version = env!("CARGO_PKG_VERSION");
    writeln!(writer, "{PARTS_MAGIC} {FORMAT} {version}").map_err(failed)?;
    let searched: Vec<&DocSite> = docs.sites.iter().filter(|s| is_searched(s)).collect();
    for chunk in searched.chunks(PARTS_AT_ONCE) {
        let parts: Vec<Option<Vec<u8>>> = chunk
            .par_iter()
            .map(|site| crate::search::site_part_bytes(site, cache))
            .collect();
        for (site, part) in chunk.iter().zip(parts) {
            let part =
                part.ok_or_else(|| format!("{}: cannot analyse it for search", site.base))?;
            for field in [site.base.as_bytes(), &part] {
                writer
                    .write_all(&(field.len() as u64).to_le_bytes())
                    .map_err(failed)?;
                writer.write_all(field).map_err(failed)?;
            }
        }
    }
    writer.flush().map_err(failed)?;
    drop(writer);
    let len = scratch.stream_position().map_err(failed)?;
    scratch.rewind().map_err(failed)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or_default());
    scratch.read_to_end(&mut bytes).map_err(failed)?;
    Ok(bytes)
}

/// Sites whose parts are made at once, in parallel, before they go to the scratch file.
const PARTS_AT_ONCE: usize = 32;

/// The parts of a [`SEARCH_PARTS`] file by site base; none when it is missing, damaged or of
/// another version.
fn read_search_parts(bytes: &[u8]) -> HashMap<&str, &[u8]> {
    let version = env!("CARGO_PKG_VERSION");
    let head = format!("{PARTS_MAGIC} {FORMAT} {version}\n");
    let Some(mut rest) = bytes.strip_prefix(head.as_bytes()) else {
        return HashMap::new();
    };
    let mut take = || {
        let (len, after) = rest.split_first_chunk::<8>()?;
        let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
        let field = after.get(..len)?;
        rest = &after[len..];
        Some(field)
    };
    let mut parts = HashMap::new();
    while let (Some(base), Some(part)) = (take(), take()) {
        match std::str::from_utf8(base) {
            Ok(base) => parts.insert(base, part),
            Err(_) => return HashMap::new(),
        };
    }
    parts
}

/// Gives `cache` the search-index parts of `dir`'s [`SEARCH_PARTS`] file for `sites`: every
/// searched site must have one, since the manifest does not carry its sections.
fn take_search_parts(dir: &Path, sites: &mut [DocSite], cache: &RenderCache) -> Result<(), String> {
    let path = dir.join(SEARCH_PARTS);
    let bytes = std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read {}: {e}; pass the whole output of `playbill build --shard I/N`",
            path.display()
        )
    })?;
    let parts = read_search_parts(&bytes);
    for site in sites.iter_mut().filter(|s| is_searched(s)) {
        let Some(part) = parts.get(site.base.as_str()) else {
            return Err(format!(
                "{} has no search-index part for {}; build the shard again",
                path.display(),
                site.base
            ));
        };
        crate::search::take_site_part(site, part, cache)?;
    }
    Ok(())
}

/// A warning for each site a shard rendered at another commit than the assembly read: a
/// repository pushed between the jobs. Its docs stay the shard's; failing the whole nightly
/// for it would cost more than docs one push behind.
fn moved_commits(sites: &[DocSite], workspace: &Workspace) -> Diagnostics {
    let commits: HashMap<&str, &str> = workspace
        .repos
        .iter()
        .filter_map(|r| Some((r.name.as_str(), r.commit.as_deref()?)))
        .collect();
    let mut warnings = Diagnostics::new();
    // An older version is of its tag's commit by design: only latest can have moved.
    for site in sites.iter().filter(|s| s.version.is_none()) {
        let now = commits.get(site.repo.as_str()).copied();
        if let (Some(shard), Some(now)) = (site.commit.as_deref(), now) {
            if shard != now {
                warnings.push(
                    Diagnostic::warning(
                        "docs/shard-commit",
                        format!("the docs are of commit {shard}, the catalog of commit {now}; the next build renders them anew"),
                    )
                    .repo(&site.repo)
                    .entity(site.entity.to_string()),
                );
            }
        }
    }
    warnings
}

/// What the shards rendered, read back for the assembly.
pub struct Assembled {
    pub docs: DocSets,
    pub diagnostics: Diagnostics,
    pub page_problems: Diagnostics,
    /// Pages the shards rendered.
    pub pages: usize,
    /// Each shard file: its path in the portal and where it is now.
    pub files: Vec<(String, PathBuf)>,
}

/// Reads the manifests in `dirs`: exactly one of each shard of one count, built by this
/// version. Sites come back in catalog order, as one machine has them.
///
/// Each site's search-index part goes into `cache` as its shard is read, to be read back when
/// the index is weighed, so the assembly never holds every shard's parts at once.
pub fn assemble(
    dirs: &[PathBuf],
    (workspace, catalog): (&Workspace, &Catalog),
    cache: &RenderCache,
) -> Result<Assembled, String> {
    let mut manifests = Vec::new();
    for dir in dirs {
        let mut manifest = read_manifest(dir)?;
        take_search_parts(dir, &mut manifest.sites, cache)?;
        manifests.push((dir, manifest));
    }
    check_complete(&manifests)?;
    let mut sites = Vec::new();
    let mut diagnostics = Diagnostics::new();
    let mut page_problems = Diagnostics::new();
    let mut files = Vec::new();
    let mut pages = 0;
    for (dir, m) in manifests {
        for p in m.diagnostics {
            diagnostics.push(from_manifest(p)?);
        }
        for p in m.page_problems {
            page_problems.push(from_manifest(p)?);
        }
        for file in m.files {
            if !crate::output::is_plain_relative(&file) {
                return Err(format!("{}: the manifest names {file:?}", dir.display()));
            }
            files.push((file.clone(), dir.join(&file)));
        }
        diagnostics.extend(moved_commits(&m.sites, workspace));
        sites.extend(m.sites);
        pages += m.pages;
    }
    let order: HashMap<_, _> = catalog
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| (&e.key, i))
        .collect();
    sites.sort_by_key(|s| order.get(&s.entity).copied().unwrap_or(usize::MAX));
    Ok(Assembled {
        docs: DocSets::of_sites(sites),
        diagnostics,
        page_problems,
        pages,
        files,
    })
}

fn read_manifest(dir: &Path) -> Result<Manifest<Vec<DocSite>>, String> {
    let path = dir.join(MANIFEST);
    let file = std::fs::File::open(&path).map_err(|e| {
        format!(
            "cannot read {}: {e}; is {} the output of `playbill build --shard I/N`?",
            path.display(),
            dir.display()
        )
    })?;
    // Read as it is parsed.
    let manifest: Manifest<Vec<DocSite>> =
        serde_json::from_reader(std::io::BufReader::new(file))
            .map_err(|e| format!("{} is not a shard manifest: {e}", path.display()))?;
    if manifest.format != FORMAT || manifest.version != env!("CARGO_PKG_VERSION") {
        return Err(format!(
            "{} was written by Playbill {}; assemble with the version that built the shards",
            path.display(),
            manifest.version
        ));
    }
    Ok(manifest)
}

/// Every shard of one count, once.
fn check_complete(manifests: &[(&PathBuf, Manifest<Vec<DocSite>>)]) -> Result<(), String> {
    let shards: Vec<Shard> = manifests
        .iter()
        .map(|(_, m)| Shard::parse(&m.shard))
        .collect::<Result<_, _>>()?;
    let count = shards.first().map_or(0, |s| s.count);
    let mut seen: Vec<u32> = shards.iter().map(|s| s.index).collect();
    seen.sort_unstable();
    let expected: Vec<u32> = (1..=count).collect();
    if count == 0 || shards.iter().any(|s| s.count != count) || seen != expected {
        let given: Vec<String> = shards.iter().map(Shard::to_string).collect();
        return Err(format!(
            "the assembly needs every shard of one build exactly once; given {}",
            given.join(", ")
        ));
    }
    Ok(())
}

/// A diagnostic the manifest carries, or why it cannot be read back.
fn from_manifest(problem: Problem) -> Result<Diagnostic, String> {
    let code = problem.code.clone();
    problem
        .into_diagnostic()
        .ok_or_else(|| format!("a shard reports an unknown code {code}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_parts_read_back_by_site_and_never_from_another_version() {
        let head = |version: &str| format!("{PARTS_MAGIC} {FORMAT} {version}\n").into_bytes();
        let mut bytes = head(env!("CARGO_PKG_VERSION"));
        for field in [&b"docs/default/component/a"[..], b"part a", b"docs/x", b""] {
            bytes.extend((field.len() as u64).to_le_bytes());
            bytes.extend(field);
        }
        let parts = read_search_parts(&bytes);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts["docs/default/component/a"], b"part a");
        assert_eq!(parts["docs/x"], b"");
        // Cut short, the file gives the parts before the cut.
        assert_eq!(read_search_parts(&bytes[..bytes.len() - 9]).len(), 1);
        let mut other = head("0.0.0-other");
        other.extend(&bytes[head(env!("CARGO_PKG_VERSION")).len()..]);
        assert!(read_search_parts(&other).is_empty());
    }

    #[test]
    fn shards_parse_and_split_every_repository_once() {
        assert_eq!(Shard::parse("2/4"), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        let shards: Vec<Shard> = (1..=4).map(|i| Shard { index: i, count: 4 }).collect();
        let mut sizes = [0; 4];
        for n in 0..400 {
            let repo = format!("svc-{n}");
            let holders: Vec<usize> = (0..4).filter(|&i| shards[i].holds(&repo)).collect();
            assert_eq!(holders.len(), 1, "{repo}");
            sizes[holders[0]] += 1;
        }
        assert!(sizes.iter().all(|&s| s > 60), "uneven: {sizes:?}");
    }
}
