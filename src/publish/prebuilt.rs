//! Docs rendered by repositories' own CI, read from the bucket they were published to
//! (`[docs] prebuilt = "s3://..."`). Before the docs stage, the prebuilt file of each docs site
//! the build renders is fetched into a scratch directory, which the docs stage then reads as
//! it reads a directory given locally: the same checks, the same keys. A site whose file the
//! bucket does not hold is rendered as usual.

use super::store::{quick_retry_config, Target};
use crate::catalog::{Catalog, Entity};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::docs::prebuilt::FILE;

/// Files fetched at once.
const FETCHES_AT_ONCE: usize = 16;

/// The build's settings with `[docs] prebuilt` pointing at the fetched files.
pub struct Fetched {
    pub config: Config,
    /// Holds the files until the build is done with them.
    _dir: tempfile::TempDir,
}

/// Fetches from `config.prebuilt_bucket` the prebuilt file of each docs site of the entities
/// `wanted` picks. None when no bucket is set, or when it cannot be read at all (a warning
/// then says why, and every page is rendered here).
pub fn fetch(
    config: &Config,
    catalog: &Catalog,
    wanted: &dyn Fn(&Entity) -> bool,
    diagnostics: &mut Diagnostics,
) -> Option<Fetched> {
    let url = config.prebuilt_bucket.as_deref()?;
    let rels: Vec<String> = crate::docs::with_own_docs(catalog)
        .filter(|(e, _)| wanted(e))
        .map(|(e, _)| crate::docs::site_base(&e.key, None))
        .filter_map(|base| Some(format!("{}/{FILE}", base.strip_prefix("docs/")?)))
        .collect();
    let unusable = |why: String| {
        Diagnostic::warning(
            "docs/prebuilt-unusable",
            format!(
                "the prebuilt docs in {url} cannot be read ({why}); their pages are rendered here"
            ),
        )
    };
    let fetched = (|| {
        let dir = tempfile::tempdir().map_err(|e| format!("no scratch directory: {e}"))?;
        let store = Target::parse(url)?.open_with_retry(url, quick_retry_config())?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the runtime: {e}"))?;
        let found = runtime.block_on(store.fetch_into(&rels, dir.path(), FETCHES_AT_ONCE));
        Ok::<_, String>((dir, found))
    })();
    let (dir, found) = match fetched {
        Ok(fetched) => fetched,
        Err(why) => {
            diagnostics.push(unusable(why));
            return None;
        }
    };
    if let Some((rel, why)) = found.failed.first() {
        let failed = found.failed.len();
        let (read, missing) = (found.fetched, found.missing);
        diagnostics.push(unusable(format!(
            "{failed} files failed, {rel} first: {why}; {read} read, {missing} not published"
        )));
    }
    Some(Fetched {
        config: Config {
            prebuilt_docs: Some(dir.path().to_path_buf()),
            prebuilt_bucket: None,
            ..config.clone()
        },
        _dir: dir,
    })
}
