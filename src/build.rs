//! The pipeline end to end, as the CLI and the tests run it: config → gather → catalog → site
//! → write. Stages report progress through a callback so the CLI can draw a spinner and tests
//! stay quiet.

use crate::catalog::{build_catalog, Catalog};
use crate::config::{Config, Source};
use crate::diagnostics::Diagnostics;
use crate::docs::{build_docs, DocSets};
use crate::gather::{gather_with_progress, Workspace};
use crate::output::PageSink;
use crate::render_cache::{CacheStats, RenderCache};
use crate::shard::Shard;
use crate::site::apidocs::{Held, ReferenceStats};
use crate::site::{render_site, Scope, Site, SiteInputs};
use crate::timings::{StageTime, Stopwatch};
use crate::write::{check_out_dir, write_site, Streamed, WriteStats};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One repository the build read.
#[derive(Clone, Debug, Serialize)]
pub struct SourceRead {
    pub repo: String,
    /// Index of the `[[sources]]` entry.
    pub source: usize,
    pub commit: Option<String>,
    pub origin: Option<String>,
    pub catalog_files: usize,
}

/// What a build produced and found.
pub struct BuildReport {
    pub repos: usize,
    /// Every repository read, with its commit: the audit trail's sources.
    pub sources: Vec<SourceRead>,
    /// A line of figures per remote source (repositories fetched, API calls, rate limit).
    pub remote_summaries: Vec<String>,
    /// Clusters of the snapshot the pages show: requests made, staleness, errors.
    pub clusters: Vec<crate::cluster::model::ClusterInfo>,
    pub entities: usize,
    pub pages: usize,
    pub docs_pages: usize,
    /// Docs pages whose rendering came from their repository's CI (`[docs] prebuilt`).
    pub docs_pages_prebuilt: usize,
    pub files: usize,
    pub write: WriteStats,
    pub diagnostics: Diagnostics,
    pub elapsed: Duration,
    /// Changes found against the previous state (None: there was none to compare with).
    pub changes: Option<usize>,
    /// The onboarding webhook's records: one per Component new since the previous state, with
    /// the fields its body template sees. Sent by the CLI after the build (`--no-webhooks`).
    pub onboarding: Vec<(String, serde_json::Value)>,
    /// Wall and CPU time of each stage.
    pub timings: Vec<StageTime>,
    /// Pages (docs Markdown and finished pages) rendered anew and reused from the cache.
    pub render_cache: CacheStats,
    /// API definitions parsed and references taken from the cache.
    pub api_references: ReferenceStats,
    /// The process's peak resident memory, where the platform tells.
    pub peak_rss_bytes: Option<u64>,
}

/// Gathers and reads the catalog: everything `check` needs.
pub fn load_catalog(config: &Config, progress: &dyn Fn(&str)) -> (Workspace, Catalog, Diagnostics) {
    load_catalog_timed(config, progress, &mut Stopwatch::default())
}

fn load_catalog_timed(
    config: &Config,
    progress: &dyn Fn(&str),
    watch: &mut Stopwatch,
) -> (Workspace, Catalog, Diagnostics) {
    progress("gathering repositories");
    let (workspace, mut diagnostics) = gather_with_progress(config, progress);
    watch.lap("gather");
    progress(&format!(
        "reading the catalog of {} repositories",
        workspace.repos.len()
    ));
    let (catalog, catalog_diags) = build_catalog(&workspace, config);
    diagnostics.extend(catalog_diags);
    watch.lap("catalog");
    (workspace, catalog, diagnostics)
}

/// Which part of the portal a build makes.
#[derive(Clone, Debug, Default)]
pub enum Part {
    #[default]
    Whole,
    /// The docs sites of one shard's repositories, with the shard's manifest.
    Shard(Shard),
    /// Everything else, with the docs of the shards in these directories.
    Assemble(Vec<PathBuf>),
}

/// Everything a build produced in memory, before writing.
pub struct Rendered {
    pub workspace: Workspace,
    pub catalog: Catalog,
    pub docs: DocSets,
    pub site: Site,
    pub diagnostics: Diagnostics,
    /// The clusters of the snapshot the pages show (none without `[kubernetes]`).
    pub clusters: Vec<crate::cluster::model::ClusterInfo>,
    /// This build compared with the previous state.
    pub changes: crate::changes::Outcome,
    /// Wall and CPU time of each stage so far.
    pub watch: Stopwatch,
    /// Pages rendered anew and taken from the render cache.
    pub render_cache: CacheStats,
    /// API definitions parsed and references taken from the render cache.
    pub api_references: ReferenceStats,
    /// Files the shards rendered, to be copied in: path in the portal, where it is now.
    pub shard_files: Vec<(String, PathBuf)>,
}

/// The docs stage's result, rendered here or read from the shards.
struct DocsStage {
    docs: DocSets,
    diagnostics: Diagnostics,
    /// Shards' page problems, reported after the pages as a one-machine build does.
    page_problems: Diagnostics,
    /// Pages and files the shards rendered (none unless assembling).
    shard_pages: usize,
    shard_files: Vec<(String, PathBuf)>,
}

fn docs_stage(
    part: &Part,
    (workspace, catalog, config): (&Workspace, &Catalog, &Config),
    pool: &rayon::ThreadPool,
    cache: Option<&RenderCache>,
) -> Result<DocsStage, String> {
    let rendered = |(docs, diagnostics)| DocsStage {
        docs,
        diagnostics,
        page_problems: Diagnostics::new(),
        shard_pages: 0,
        shard_files: Vec::new(),
    };
    Ok(match part {
        Part::Whole => rendered(pool.install(|| build_docs(workspace, catalog, config, cache))),
        Part::Shard(shard) => rendered(pool.install(|| {
            let wanted = |e: &crate::catalog::Entity| shard.holds(&e.source.repo);
            crate::docs::build_sites(workspace, catalog, config, cache, &wanted)
        })),
        Part::Assemble(dirs) => {
            let cache = cache.ok_or(
                "the assembly needs a render cache, and no scratch directory could be made for one",
            )?;
            let mut shards = crate::shard::assemble(dirs, (workspace, catalog), cache)?;
            crate::docs::link_entities(&mut shards.docs, catalog, &mut shards.diagnostics);
            DocsStage {
                docs: shards.docs,
                diagnostics: shards.diagnostics,
                page_problems: shards.page_problems,
                shard_pages: shards.pages,
                shard_files: shards.files,
            }
        }
    })
}

/// Renders the site in memory.
pub fn render(config: &Config, progress: &dyn Fn(&str)) -> Result<Rendered, String> {
    render_part(config, &Part::Whole, None, progress)
}

/// Renders `part` of the site; pages go to `sink` as they are rendered (None: they are kept
/// in the result, with the other files).
///
/// Long on purpose: the pipeline, a paragraph per stage in the order they run, so the whole
/// build reads top to bottom in one place.
pub fn render_part(
    config: &Config,
    part: &Part,
    sink: Option<&dyn PageSink>,
    progress: &dyn Fn(&str),
) -> Result<Rendered, String> {
    let mut watch = Stopwatch::default();
    let (workspace, catalog, mut diagnostics) = load_catalog_timed(config, progress, &mut watch);
    diagnostics.sort();
    progress("rendering the docs");
    let pool = render_pool()?;
    let cache = open_cache(config, part, sink.is_some());
    let prebuilt = fetched_prebuilt(config, (&catalog, part), &mut diagnostics, progress);
    let docs_config = prebuilt.as_ref().map_or(config, |fetched| &fetched.config);
    let inputs = (&workspace, &catalog, docs_config);
    let docs_stage = docs_stage(part, inputs, &pool, cache.as_ref())?;
    let DocsStage {
        docs,
        page_problems,
        shard_pages,
        shard_files,
        ..
    } = docs_stage;
    diagnostics.extend(docs_stage.diagnostics.clone());
    diagnostics.sort();
    watch.lap("docs");
    if let Part::Shard(shard) = part {
        let shard_docs = ShardDocs {
            shard: *shard,
            docs,
            diagnostics: docs_stage.diagnostics,
        };
        return render_shard(
            config,
            (workspace, catalog),
            shard_docs,
            (&pool, cache, sink),
            watch,
        );
    }
    progress(&format!(
        "rendering {} entities and {} docs sites",
        catalog.entities.len(),
        docs.sites.len()
    ));
    let Facts {
        snapshot,
        changes,
        built_at,
        apis,
        api_references,
        scorecards,
    } = facts(
        config,
        (&catalog, &docs),
        (&pool, cache.as_ref()),
        &mut diagnostics,
        &mut watch,
    );
    let entities = crate::search::Entities::Of(&catalog);
    let search =
        pool.install(|| crate::search::index_files(&catalog, entities, &docs, cache.as_ref()));
    // Out of memory before the pages are rendered, when there is somewhere to put it.
    let mut early = Site::default();
    hand_over(sink, search, (cache.as_ref(), &mut early))?;
    watch.lap("search");
    let summaries: Vec<_> = catalog
        .entities
        .iter()
        .map(|e| crate::catalog::summary::summary(&catalog, e))
        .collect();
    let scope = match part {
        Part::Assemble(_) => Scope::AllButDocs,
        _ => Scope::All,
    };
    let (mut site, site_diags) = pool.install(|| {
        render_site(SiteInputs {
            config,
            catalog: &catalog,
            summaries,
            docs: &docs,
            snapshot: snapshot.as_ref(),
            changes: &changes,
            diagnostics: &diagnostics,
            apis,
            scorecards,
            cache: cache.as_ref(),
            scope,
            sink,
        })
    })?;
    site.pages += shard_pages;
    site.files.extend(early.files);
    site.streamed.extend(early.streamed);
    site.files.extend(crate::site::feed::files(
        &changes.state,
        &catalog,
        &config.title,
        config.base_url.as_deref(),
    ));
    site.files
        .extend([crate::changes::state_file(&changes.state)]);
    site.files
        .extend([crate::freshness::build_file(&config.freshness, built_at)]);
    diagnostics.extend(site_diags);
    diagnostics.extend(page_problems);
    diagnostics.sort();
    watch.lap("pages");
    if let Some(cache) = &cache {
        use crate::docs::{BODY_KIND, MARKDOWN_KIND, SECTIONS_KIND};
        use crate::site::apidocs::kept::{PROBLEMS_KIND, REFERENCE_KIND};
        cache.save(&[
            MARKDOWN_KIND,
            BODY_KIND,
            SECTIONS_KIND,
            "page",
            crate::search::LISTING_KIND,
            crate::search::FILE_KIND,
            crate::search::SITE_KIND,
            REFERENCE_KIND,
            PROBLEMS_KIND,
        ]);
    }
    Ok(Rendered {
        workspace,
        catalog,
        docs,
        site,
        diagnostics,
        clusters: snapshot.map(|s| s.clusters).unwrap_or_default(),
        changes,
        watch,
        render_cache: cache.map(|c| c.stats()).unwrap_or_default(),
        api_references,
        shard_files,
    })
}

/// The prebuilt docs of `[docs] prebuilt`'s bucket, fetched for the sites `part` renders.
fn fetched_prebuilt(
    config: &Config,
    (catalog, part): (&Catalog, &Part),
    diagnostics: &mut Diagnostics,
    progress: &dyn Fn(&str),
) -> Option<crate::publish::prebuilt::Fetched> {
    config.prebuilt_bucket.as_ref()?;
    let shard = match part {
        Part::Whole => None,
        Part::Shard(shard) => Some(shard),
        Part::Assemble(_) => return None,
    };
    let wanted = |e: &crate::catalog::Entity| shard.is_none_or(|s| s.holds(&e.source.repo));
    progress("fetching the docs repositories' CI rendered");
    crate::publish::prebuilt::fetch(config, catalog, &wanted, diagnostics)
}

/// What the portal's pages show beside the catalog and the docs.
struct Facts {
    snapshot: Option<crate::cluster::model::Snapshot>,
    changes: crate::changes::Outcome,
    /// The build's time, which the change history and the portal's age are stamped with.
    built_at: i64,
    apis: std::collections::HashMap<String, Held>,
    api_references: ReferenceStats,
    scorecards: Option<crate::scorecard::Scorecards>,
}

/// The cluster snapshot, the changes since the previous state, the API references and the
/// scorecards, each stage timed; their problems join `diagnostics`.
fn facts(
    config: &Config,
    (catalog, docs): (&Catalog, &DocSets),
    (pool, cache): (&rayon::ThreadPool, Option<&RenderCache>),
    diagnostics: &mut Diagnostics,
    watch: &mut Stopwatch,
) -> Facts {
    let (snapshot, cluster_diags) = crate::cluster::obtain(config, catalog);
    diagnostics.extend(cluster_diags);
    watch.lap("clusters");
    let (previous, unreadable) = crate::changes::previous::load(config);
    if let Some(warning) = unreadable {
        diagnostics.push(warning);
    }
    let built_at = crate::changes::build_time();
    let mut changes = crate::changes::compare(
        (catalog, Some(docs)),
        snapshot.as_ref(),
        previous.as_ref(),
        built_at,
    );
    watch.lap("changes");
    // The built-in templates take schema trees drawn; a site's own get them whole.
    let drawn = config.templates_dir.is_none();
    let apis = pool.install(|| crate::site::apidocs::build_all(catalog, cache, drawn));
    for problem in apis.diagnostics {
        diagnostics.push(problem);
    }
    let scorecards = crate::scorecard::for_portal(
        config,
        catalog,
        docs,
        snapshot.as_ref(),
        diagnostics.as_slice(),
    );
    let measures = crate::changes::trends::Measures {
        scores: scorecards.as_ref().map(|s| s.scores()).unwrap_or_default(),
        teams: scorecards
            .as_ref()
            .map(|s| s.team_scores(catalog))
            .unwrap_or_default(),
        problems: crate::changes::trends::problem_counts(&changes.state, diagnostics.as_slice()),
    };
    changes.state.trends.record(&measures, built_at);
    watch.lap("apis and scorecards");
    Facts {
        snapshot,
        changes,
        built_at,
        apis: apis.pages,
        api_references: apis.stats,
        scorecards,
    }
}

/// Gives the search index's `files` to `sink` at once, or keeps them in `site` when there is
/// none.
fn hand_over(
    sink: Option<&dyn PageSink>,
    files: Vec<crate::search::IndexFile>,
    (cache, site): (Option<&RenderCache>, &mut Site),
) -> Result<(), String> {
    match sink {
        Some(sink) => site
            .streamed
            .extend(crate::search::put_index(files, sink, cache)?),
        None => {
            for file in files {
                let (path, bytes) = file.into_bytes(cache)?;
                site.files.insert(path, bytes);
            }
        }
    }
    Ok(())
}

/// The render cache `part` renders through. A build told not to use it that writes as it
/// renders still keeps its docs bodies in a scratch one; one whose result is all in memory
/// keeps them there. An assembly always has one to keep its shards' search-index parts in: a
/// scratch one when another build holds the directory.
fn open_cache(config: &Config, part: &Part, streams: bool) -> Option<RenderCache> {
    let assembles = matches!(part, Part::Assemble(_));
    match (config.render_cache, streams || assembles) {
        (true, _) => {
            let cache = RenderCache::open(&cache_dir(config, part));
            if assembles && !cache.is_held() {
                RenderCache::scratch()
            } else {
                Some(cache)
            }
        }
        (false, true) => RenderCache::scratch(),
        (false, false) => None,
    }
}

/// Where `part` keeps its render cache: each shard its own, so that one shard's pruning never
/// removes another's entries when they share a directory.
fn cache_dir(config: &Config, part: &Part) -> PathBuf {
    match part {
        Part::Shard(s) => config
            .cache_dir
            .join(format!("shard-{}-of-{}", s.index, s.count)),
        _ => config.cache_dir.clone(),
    }
}

/// What one shard rendered in the docs stage.
struct ShardDocs {
    shard: Shard,
    docs: DocSets,
    diagnostics: Diagnostics,
}

/// A shard's pages: its docs sites' pages and files, and the manifest the assembly reads.
fn render_shard(
    config: &Config,
    (workspace, catalog): (Workspace, Catalog),
    shard_docs: ShardDocs,
    (pool, cache, sink): (
        &rayon::ThreadPool,
        Option<RenderCache>,
        Option<&dyn PageSink>,
    ),
    mut watch: Stopwatch,
) -> Result<Rendered, String> {
    let ShardDocs {
        shard,
        mut docs,
        diagnostics,
    } = shard_docs;
    let changes = crate::changes::compare((&catalog, None), None, None, 0);
    let summaries: Vec<_> = catalog
        .entities
        .iter()
        .map(|e| crate::catalog::summary::summary(&catalog, e))
        .collect();
    let (mut site, page_problems) = pool.install(|| {
        render_site(SiteInputs {
            config,
            catalog: &catalog,
            summaries,
            docs: &docs,
            snapshot: None,
            changes: &changes,
            diagnostics: &diagnostics,
            apis: Default::default(),
            scorecards: None,
            cache: cache.as_ref(),
            scope: Scope::Docs,
            sink,
        })
    })?;
    watch.lap("pages");
    let mut files: Vec<String> = site.files.keys().cloned().collect();
    files.extend(site.streamed.iter().cloned());
    files.sort_unstable();
    files.dedup();
    let mut all = diagnostics.clone();
    all.extend(page_problems.clone());
    all.sort();
    // The sites' search-index parts are made from their sections, which the render cache
    // holds: before the manifest, which leaves the sections out.
    let search_parts = pool.install(|| crate::shard::search_parts(&docs, cache.as_ref()))?;
    let manifest = crate::shard::manifest(
        shard,
        &mut docs,
        [&diagnostics, &page_problems],
        (site.pages, files),
    )?;
    for (name, bytes) in [
        (crate::shard::MANIFEST, manifest),
        (crate::shard::SEARCH_PARTS, search_parts),
    ] {
        match sink {
            Some(sink) => {
                sink.put(name, bytes)?;
                site.streamed.push(name.to_string());
            }
            None => {
                site.files.insert(name.to_string(), bytes);
            }
        }
    }
    if let Some(cache) = &cache {
        use crate::docs::{BODY_KIND, MARKDOWN_KIND, SECTIONS_KIND};
        let kinds = [MARKDOWN_KIND, BODY_KIND, SECTIONS_KIND, "page"];
        cache.save(&[&kinds[..], &[crate::search::SITE_KIND]].concat());
    }
    let render_cache = cache.map(|c| c.stats()).unwrap_or_default();
    Ok(Rendered {
        workspace,
        catalog,
        docs,
        site,
        diagnostics: all,
        clusters: Vec::new(),
        changes,
        watch,
        render_cache,
        api_references: ReferenceStats::default(),
        shard_files: Vec::new(),
    })
}

/// Stack of each rendering thread. Every walk over input is bounded, and within the bounds the
/// hostile corpus renders on 2 MiB; the rest is margin, so that a bound missed somewhere costs
/// a page (a caught panic or a problem) rather than a stack overflow, which nothing can catch.
/// Only the pages of it that are touched are ever mapped.
const RENDER_STACK_BYTES: usize = 64 << 20;

/// The threads that render docs and pages: rayon's, with [`RENDER_STACK_BYTES`] of stack.
fn render_pool() -> Result<rayon::ThreadPool, String> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(RENDER_STACK_BYTES)
        .thread_name(|i| format!("render-{i}"))
        .build()
        .map_err(|e| format!("cannot start the rendering threads: {e}"))
}

/// Renders and writes the site to `out_dir`. Errors are fatal problems (unwritable output);
/// problems with the inputs are in the report's diagnostics.
pub fn build(
    config: &Config,
    out_dir: &Path,
    progress: &dyn Fn(&str),
) -> Result<BuildReport, String> {
    build_part(config, &Part::Whole, out_dir, progress)
}

/// Renders and writes `part` of the site to `out_dir`, as [`build`] does the whole.
pub fn build_part(
    config: &Config,
    part: &Part,
    out_dir: &Path,
    progress: &dyn Fn(&str),
) -> Result<BuildReport, String> {
    let started = Instant::now();
    let mut protected = vec![config.base_dir.clone()];
    protected.extend(config.sources.iter().filter_map(|s| match s {
        Source::Local { path, .. } => Some(path.clone()),
        Source::Github(_) => None,
    }));
    if let Part::Assemble(dirs) = part {
        protected.extend(dirs.iter().cloned());
    }
    check_out_dir(out_dir, &protected)?;
    let streamed = Streamed::new(out_dir)?;
    let Rendered {
        workspace,
        catalog,
        docs,
        site,
        mut diagnostics,
        clusters,
        changes,
        mut watch,
        render_cache,
        api_references,
        shard_files,
    } = render_part(config, part, Some(&streamed), progress)?;
    progress(&format!(
        "writing {} files",
        site.files.len() + shard_files.len()
    ));
    let mut write = write_site(&site, &shard_files, out_dir)?;
    write.add(streamed.stats());
    streamed.save_ledger();
    watch.lap("write");
    if let Some(over) = page_budget(&site, &docs, out_dir) {
        diagnostics.push(over);
        diagnostics.sort();
    }
    let sources = workspace
        .repos
        .iter()
        .map(|r| SourceRead {
            repo: r.name.clone(),
            source: r.source,
            commit: r.commit.clone(),
            origin: r.origin.clone(),
            catalog_files: r.catalog_files.len(),
        })
        .collect();
    Ok(BuildReport {
        repos: workspace.repos.len(),
        sources,
        remote_summaries: workspace.github.iter().map(|g| g.to_string()).collect(),
        clusters,
        entities: catalog.entities.len(),
        pages: site.pages,
        docs_pages: docs.sites.iter().map(|s| s.pages.len()).sum(),
        docs_pages_prebuilt: docs.sites.iter().map(|s| s.prebuilt_pages).sum(),
        files: site.files.len() + site.streamed.len() + shard_files.len(),
        write,
        diagnostics,
        elapsed: started.elapsed(),
        changes: changes.compared.then_some(changes.found),
        onboarding: onboarding_records(config, &catalog, &changes),
        timings: watch.into_stages(),
        render_cache,
        api_references,
        peak_rss_bytes: crate::timings::peak_rss_bytes(),
    })
}

/// The pages of `site` heavier than the page budget, as written to `out_dir` (a page the build
/// left in place weighs what it did), docs print views aside.
fn page_budget(
    site: &Site,
    docs: &DocSets,
    out_dir: &Path,
) -> Option<crate::diagnostics::Diagnostic> {
    let exempt = docs
        .sites
        .iter()
        .filter(|s| crate::site::print::available(s))
        .map(crate::site::print::path)
        .collect();
    let sizes = site
        .streamed
        .iter()
        .chain(site.files.keys())
        .filter(|path| path.ends_with(".html"))
        .filter_map(|path| {
            Some((
                path.clone(),
                std::fs::metadata(out_dir.join(path)).ok()?.len(),
            ))
        });
    crate::site::budget::check(sizes, &exempt)
}

/// The webhook's records for the components this build onboarded (none without a webhook).
fn onboarding_records(
    config: &Config,
    catalog: &Catalog,
    changes: &crate::changes::Outcome,
) -> Vec<(String, serde_json::Value)> {
    if config.changes.webhook.is_none() {
        return Vec::new();
    }
    changes
        .onboarded
        .iter()
        .filter_map(|key| {
            let record = crate::changes::webhook::record(catalog, key, config.base_url.as_deref())?;
            Some((key.clone(), record))
        })
        .collect()
}

/// What `playbill snapshot` did.
pub struct SnapshotReport {
    pub snapshot: crate::cluster::model::Snapshot,
    pub diagnostics: Diagnostics,
    /// Status files rewritten in the site given with `--update-site`.
    pub updated: usize,
}

/// Takes a snapshot of every configured cluster; with `site_dir`, rewrites the status files of
/// a site built earlier (only those whose bytes changed; no other page is touched).
pub fn snapshot(
    config: &Config,
    previous: Option<&crate::cluster::model::Snapshot>,
    site_dir: Option<&Path>,
    progress: &dyn Fn(&str),
) -> Result<SnapshotReport, String> {
    let kubernetes = config
        .kubernetes
        .as_ref()
        .filter(|k| !k.clusters.is_empty())
        .ok_or("site.toml has no [[kubernetes.clusters]] to take a snapshot of")?;
    if let Some(dir) = site_dir {
        if !dir.join("clusters/status.js").is_file() {
            return Err(format!(
                "{} is not a site built with cluster pages (no clusters/status.js)",
                dir.display()
            ));
        }
    }
    let (_, catalog, _) = load_catalog(config, progress);
    progress(&format!("listing {} clusters", kubernetes.clusters.len()));
    let (snapshot, diagnostics) =
        crate::cluster::take_snapshot(kubernetes, &catalog, previous, crate::time::now());
    let mut updated = 0;
    if let Some(dir) = site_dir {
        let mut stage = Diagnostics::new();
        let tera = crate::site::theme::templates(config.templates_dir.as_deref(), &mut stage)?;
        let (files, _) = crate::site::kubernetes::status_files(&tera, &catalog, Some(&snapshot));
        for (path, bytes) in files {
            let target = dir.join(&path);
            if std::fs::read(&target).ok().as_deref() == Some(bytes.as_slice()) {
                continue;
            }
            if !target.parent().is_some_and(Path::is_dir) {
                // An entity added since the site was built: its pages need a full build.
                continue;
            }
            std::fs::write(&target, &bytes)
                .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
            updated += 1;
        }
    }
    Ok(SnapshotReport {
        snapshot,
        diagnostics,
        updated,
    })
}
