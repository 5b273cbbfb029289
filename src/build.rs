//! The pipeline end to end, as the CLI and the tests run it: config → gather → catalog → site
//! → write. Stages report progress through a callback so the CLI can draw a spinner and tests
//! stay quiet.

use crate::catalog::{build_catalog, Catalog};
use crate::config::{Config, Source};
use crate::diagnostics::Diagnostics;
use crate::docs::DocSets;
use crate::gather::{gather_with_progress, Workspace};
use crate::site::{render_site, Site};
use crate::write::{check_out_dir, write_site, WriteStats};
use std::path::Path;
use std::time::{Duration, Instant};

/// What a build produced and found.
pub struct BuildReport {
    pub repos: usize,
    /// A line of figures per remote source (repositories fetched, API calls, rate limit).
    pub sources: Vec<String>,
    pub entities: usize,
    pub pages: usize,
    pub docs_pages: usize,
    pub files: usize,
    pub write: WriteStats,
    pub diagnostics: Diagnostics,
    pub elapsed: Duration,
}

/// Gathers and reads the catalog: everything `check` needs.
pub fn load_catalog(config: &Config, progress: &dyn Fn(&str)) -> (Workspace, Catalog, Diagnostics) {
    progress("gathering repositories");
    let (workspace, mut diagnostics) = gather_with_progress(config, progress);
    progress(&format!(
        "reading the catalog of {} repositories",
        workspace.repos.len()
    ));
    let (catalog, catalog_diags) = build_catalog(&workspace, config);
    diagnostics.extend(catalog_diags);
    (workspace, catalog, diagnostics)
}

/// Renders the site in memory.
pub fn render(
    config: &Config,
    progress: &dyn Fn(&str),
) -> Result<(Workspace, Catalog, DocSets, Site, Diagnostics), String> {
    let (workspace, catalog, mut diagnostics) = load_catalog(config, progress);
    diagnostics.sort();
    progress("rendering the docs");
    let (docs, docs_diags) = crate::docs::build_docs(&workspace, &catalog, config);
    diagnostics.extend(docs_diags);
    diagnostics.sort();
    progress(&format!(
        "rendering {} entities and {} docs sites",
        catalog.entities.len(),
        docs.sites.len()
    ));
    let (site, site_diags) = render_site(config, &catalog, &docs, &diagnostics)?;
    diagnostics.extend(site_diags);
    diagnostics.sort();
    Ok((workspace, catalog, docs, site, diagnostics))
}

/// Renders and writes the site to `out_dir`. Errors are fatal problems (unwritable output);
/// problems with the inputs are in the report's diagnostics.
pub fn build(
    config: &Config,
    out_dir: &Path,
    progress: &dyn Fn(&str),
) -> Result<BuildReport, String> {
    let started = Instant::now();
    let mut protected = vec![config.base_dir.clone()];
    protected.extend(config.sources.iter().filter_map(|s| match s {
        Source::Local { path, .. } => Some(path.clone()),
        Source::Github(_) => None,
    }));
    check_out_dir(out_dir, &protected)?;
    let (workspace, catalog, docs, site, diagnostics) = render(config, progress)?;
    progress(&format!("writing {} files", site.files.len()));
    let write = write_site(&site, out_dir)?;
    Ok(BuildReport {
        repos: workspace.repos.len(),
        sources: workspace.github.iter().map(|g| g.to_string()).collect(),
        entities: catalog.entities.len(),
        pages: site.pages,
        docs_pages: docs.sites.iter().map(|s| s.pages.len()).sum(),
        files: site.files.len(),
        write,
        diagnostics,
        elapsed: started.elapsed(),
    })
}
