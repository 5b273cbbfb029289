//! `playbill docs build` and `playbill docs serve`: one repository's docs, for its own CI and
//! its authors.

use super::{print_diagnostics, with_spinner};
use crate::cli::{DocsBuildArgs, DocsServeArgs};
use playbill::build;
use playbill::config::Config;
use playbill::diagnostics::Diagnostics;
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn run_docs_build(args: DocsBuildArgs) -> ExitCode {
    let (repo, out, strict) = (args.repo.as_path(), args.out.as_path(), args.strict);
    if !repo.is_dir() {
        eprintln!("error: {} is not a directory", repo.display());
        return ExitCode::from(2);
    }
    let preview_args = &args.preview;
    let preview = match playbill::preview::Preview::from_args(
        repo,
        out,
        preview_args.preview.as_deref(),
        preview_args.repository.as_deref(),
        preview_args.base_url.as_deref(),
    ) {
        Ok(p) => p,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let mut config =
        Config::for_repository(repo, preview.as_ref().map_or(out, |p| p.dir.as_path()));
    config.preview = preview.as_ref().map(|p| p.banner.clone());
    // Each site's renderings go beside its pages, for the portal's build to take; a preview
    // is not the docs of the default branch.
    config.record_prebuilt = preview.is_none();
    if let Some(file) = &args.portal_config {
        match Config::load(file) {
            Ok(portal) => config.take_rendering_settings(portal),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    match standalone_catalog(repo, args.entity.as_deref()) {
        Ok(generated) => config.generated_catalog = generated,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    }
    let report = match with_spinner(|progress| build::build(&config, &config.out_dir, progress)) {
        Ok(r) => r,
        Err(code) => return code,
    };
    // The repository's catalog may name entities defined elsewhere: only docs problems count.
    let docs_diagnostics: Diagnostics = report
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with("docs/"))
        .cloned()
        .collect();
    print_diagnostics(&docs_diagnostics);
    let docs_pages = report.docs_pages;
    let c = docs_diagnostics.counts();
    eprintln!(
        "Built {docs_pages} docs pages in {:.2}s — {} errors, {} warnings → {}",
        report.elapsed.as_secs_f64(),
        c.errors,
        c.warnings,
        config.out_dir.display()
    );
    if docs_pages == 0 {
        eprintln!(
            "error: no entity in {} has a backstage.io/techdocs-ref with docs to build",
            repo.display()
        );
        return ExitCode::from(1);
    }
    if let Some(preview) = &preview {
        if let Err(message) = preview.announce(preview_args.base_url.as_deref()) {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    }
    if c.errors > 0 || (strict && c.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The catalog to build a plain mkdocs repository with: made up when `--entity` is given or
/// the repository has no catalog file but an mkdocs.yml; None: read the repository's own.
fn standalone_catalog(repo: &Path, entity: Option<&str>) -> Result<Option<String>, String> {
    use playbill::docs::standalone;
    let entity = match entity {
        Some(text) => standalone::parse_entity(text)?,
        None if !repo.join(playbill::gather::GENERATED_CATALOG).exists()
            && standalone::has_mkdocs(repo) =>
        {
            standalone::default_entity(repo)
        }
        None => return Ok(None),
    };
    if !standalone::has_mkdocs(repo) {
        return Err(format!(
            "{} has no mkdocs.yml to build the docs of {}/{}/{} from",
            repo.display(),
            entity.namespace,
            entity.kind,
            entity.name
        ));
    }
    Ok(Some(standalone::catalog_text(&entity)))
}

/// A docs author's preview: one repository built into a temporary directory and served.
pub(crate) fn run_docs_serve(args: DocsServeArgs) -> ExitCode {
    let out = args.out.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("playbill-docs-{}", std::process::id()))
    });
    super::serve::serve_config(
        Config::for_repository(&args.repo, &out),
        args.port,
        None,
        None,
    )
}
