//! Carries out a plan against a bucket: uploads stage by stage (assets, pages, entry points),
//! then the manifest, then deletions. The manifest only ever records what is known to be in the
//! bucket, so a run that stops anywhere leaves a state the next run repairs.

use super::plan::{
    self, Listed, LocalFile, Manifest, ManifestEntry, Plan, Stage, Upload, MANIFEST_NAME,
};
use super::secrets::{Scanner, Secret};
use super::store::Store;
use crate::diagnostics::{Diagnostic, Diagnostics};
use futures::stream::{self, StreamExt, TryStreamExt};
use md5::{Digest as _, Md5};
use object_store::{Attribute, Attributes, ObjectStoreExt, PutOptions, PutPayload};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Uploads in flight at once: enough to hide latency, few enough not to be throttled.
pub const DEFAULT_CONCURRENCY: usize = 16;

/// The share of a target's objects one publish may delete unless told otherwise (percent).
pub const DEFAULT_MAX_DELETE_PERCENT: u8 = 50;

/// Targets smaller than this are not guarded: wiping a handful of objects is cheap to redo.
const GUARDED_FROM_OBJECTS: usize = 20;

#[derive(Clone, Debug)]
pub struct Options {
    pub dry_run: bool,
    pub concurrency: usize,
    /// A plan deleting more than this share of the target's objects is refused: a build that
    /// lost most of its inputs (a revoked token, an empty checkout) must not wipe the portal.
    pub max_delete_percent: u8,
    /// Lifts that bound, for an intended shrink.
    pub allow_mass_delete: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dry_run: false,
            concurrency: DEFAULT_CONCURRENCY,
            max_delete_percent: DEFAULT_MAX_DELETE_PERCENT,
            allow_mass_delete: false,
        }
    }
}

/// Why a plan deletes too much of what the target holds (`listed` objects), if it does.
pub fn mass_delete(plan: &Plan, listed: usize, options: &Options) -> Option<String> {
    let deletes = plan.deletes.len();
    let too_many = deletes * 100 > usize::from(options.max_delete_percent) * listed;
    if options.allow_mass_delete || listed < GUARDED_FROM_OBJECTS || !too_many {
        return None;
    }
    Some(format!(
        "this publish would delete {deletes} of the {listed} objects in the target (more than \
         {}%), so nothing was changed; check that the build gathered every source (see its \
         diagnostics), or pass --allow-mass-delete if the portal really shrank",
        options.max_delete_percent
    ))
}

#[derive(Clone, Debug)]
pub struct Summary {
    pub plan: Plan,
    pub uploaded: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub bytes: u64,
    pub elapsed: Duration,
    pub dry_run: bool,
}

fn fatal(code: &'static str, message: String) -> Diagnostics {
    std::iter::once(Diagnostic::error(code, message)).collect()
}

/// Reads the files the last build wrote (its `.playbill-files` list, so strays in the
/// directory never go up), hashes them, and refuses if any holds a secret.
pub fn scan_local(out_dir: &Path, secrets: &[Secret]) -> Result<Vec<LocalFile>, Diagnostics> {
    let listed = crate::output::read_manifest(out_dir).ok_or_else(|| {
        fatal(
            "publish/not-built",
            format!(
                "{} holds no built portal (no {}); run `playbill build` first",
                out_dir.display(),
                crate::output::MANIFEST
            ),
        )
    })?;
    let scanner = Scanner::new(secrets);
    let results: Vec<Result<LocalFile, Box<Diagnostic>>> = listed
        .par_iter()
        .filter(|p| !p.is_empty())
        .map(|rel| read_local(out_dir, rel, &scanner))
        .collect();
    let mut files = Vec::new();
    let mut problems = Diagnostics::new();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(d) => problems.push(*d),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        problems.sort();
        Err(problems)
    }
}

fn read_local(out_dir: &Path, rel: &str, scanner: &Scanner) -> Result<LocalFile, Box<Diagnostic>> {
    let problem =
        |code: &'static str, message: String| Box::new(Diagnostic::error(code, message).file(rel));
    if !crate::output::is_plain_relative(rel) || rel == MANIFEST_NAME {
        let list = crate::output::MANIFEST;
        return Err(problem(
            "publish/not-built",
            format!("{list} lists `{rel}`, which cannot be published; rebuild"),
        ));
    }
    let bytes = std::fs::read(out_dir.join(rel)).map_err(|e| {
        problem(
            "publish/not-built",
            format!("cannot read {rel} of the built portal: {e}; rebuild"),
        )
    })?;
    let found = scanner.find(&bytes);
    if !found.is_empty() {
        return Err(problem(
            "publish/secret-in-output",
            format!(
                "{rel} contains the value of {}; nothing was published",
                found.join(", ")
            ),
        ));
    }
    Ok(LocalFile {
        path: rel.to_string(),
        size: bytes.len() as u64,
        sha256: crate::output::hex(&Sha256::digest(&bytes)),
        md5: crate::output::hex(&Md5::digest(&bytes)),
    })
}

/// Scans, plans and syncs, on a runtime of its own (the binary's entry point).
pub fn publish(
    store: &Store,
    out_dir: &Path,
    secrets: &[Secret],
    options: &Options,
) -> Result<Summary, Diagnostics> {
    let start = Instant::now();
    let local = scan_local(out_dir, secrets)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| fatal("publish/failed", format!("cannot start the runtime: {e}")))?;
    let mut summary = runtime.block_on(sync(store, out_dir, &local, options))?;
    summary.elapsed = start.elapsed();
    Ok(summary)
}

/// Brings the bucket in line with `local` (as `scan_local` returned it).
///
/// Long on purpose: the order of uploads and deletions is what makes an interrupted publish
/// safe, and it reads best in one piece.
pub async fn sync(
    store: &Store,
    out_dir: &Path,
    local: &[LocalFile],
    options: &Options,
) -> Result<Summary, Diagnostics> {
    let start = Instant::now();
    let manifest = read_manifest(store).await?;
    let listing = list(store).await?;
    let plan = plan::plan(local, &manifest, &listing);
    if let Some(why) = mass_delete(&plan, listing.len(), options) {
        return Err(fatal("publish/too-many-deletes", why));
    }
    let mut summary = Summary {
        unchanged: plan.unchanged,
        plan: plan.clone(),
        uploaded: 0,
        deleted: 0,
        bytes: 0,
        elapsed: Duration::ZERO,
        dry_run: options.dry_run,
    };
    if options.dry_run {
        summary.elapsed = start.elapsed();
        return Ok(summary);
    }

    // What the bucket is known to hold: files verified unchanged, then each finished upload.
    let mut known = Manifest::new();
    let planned: std::collections::BTreeSet<&str> =
        plan.uploads.iter().map(|u| u.path.as_str()).collect();
    for f in local.iter().filter(|f| !planned.contains(f.path.as_str())) {
        known
            .files
            .insert(f.path.clone(), entry(f.sha256.clone(), f.size));
    }

    for stage in [Stage::Assets, Stage::Pages, Stage::EntryPoints] {
        let batch: Vec<&Upload> = plan.uploads.iter().filter(|u| u.stage == stage).collect();
        let mut results = stream::iter(batch)
            .map(|u| upload(store, out_dir, u))
            .buffer_unordered(options.concurrency.max(1));
        let mut failures = Diagnostics::new();
        while let Some(result) = results.next().await {
            match result {
                Ok(u) => {
                    summary.uploaded += 1;
                    summary.bytes += u.size;
                    known
                        .files
                        .insert(u.path.clone(), entry(u.sha256.clone(), u.size));
                }
                Err(d) => failures.push(d),
            }
        }
        if !failures.is_empty() {
            // Keep what did get up, so the next run does not upload it again. Best effort:
            // when the bucket is unreachable this fails too, and the next run re-checks.
            let _ = write_manifest(store, &known).await;
            failures.sort();
            return Err(failures);
        }
    }
    write_manifest(store, &known)
        .await
        .map_err(|d| std::iter::once(d).collect::<Diagnostics>())?;

    // Stale objects go last: until now, pages of the previous portal could still link to them.
    if !plan.deletes.is_empty() {
        let (deleted, errors) = store.delete_all(&plan.deletes).await;
        summary.deleted += deleted;
        let failures: Diagnostics = errors
            .into_iter()
            .map(|e| {
                Diagnostic::error(
                    "publish/failed",
                    format!("cannot delete a stale object from {}: {e}", store.url),
                )
            })
            .collect();
        if !failures.is_empty() {
            return Err(failures);
        }
    }
    summary.elapsed = start.elapsed();
    Ok(summary)
}

fn entry(sha256: String, size: u64) -> ManifestEntry {
    ManifestEntry { sha256, size }
}

async fn upload<'a>(
    store: &Store,
    out_dir: &Path,
    u: &'a Upload,
) -> Result<&'a Upload, Diagnostic> {
    let key = store
        .key(&u.path)
        .map_err(|e| Diagnostic::error("publish/failed", e).file(u.path.clone()))?;
    let bytes = tokio::fs::read(out_dir.join(&u.path)).await.map_err(|e| {
        Diagnostic::error("publish/failed", format!("cannot read {}: {e}", u.path))
            .file(u.path.clone())
    })?;
    // What goes up must be what was scanned for secrets and recorded in the manifest.
    if crate::output::hex(&Sha256::digest(&bytes)) != u.sha256 {
        return Err(Diagnostic::error(
            "publish/failed",
            format!(
                "{} changed while publishing; publish again once the build is done",
                u.path
            ),
        )
        .file(u.path.clone()));
    }
    let opts = put_options(store, &u.path);
    store
        .inner
        .put_opts(&key, PutPayload::from(bytes), opts)
        .await
        .map_err(|e| {
            Diagnostic::error(
                "publish/failed",
                format!("cannot upload {key} to {}: {e}", store.url),
            )
            .file(u.path.clone())
        })?;
    Ok(u)
}

fn put_options(store: &Store, rel: &str) -> PutOptions {
    let mut attributes = Attributes::new();
    if store.attributes {
        attributes.insert(Attribute::ContentType, plan::content_type(rel).into());
        attributes.insert(Attribute::CacheControl, plan::cache_control(rel).into());
    }
    PutOptions {
        attributes,
        ..PutOptions::default()
    }
}

async fn read_manifest(store: &Store) -> Result<Manifest, Diagnostics> {
    let key = store
        .key(MANIFEST_NAME)
        .map_err(|e| fatal("publish/failed", e))?;
    let bytes = match store.inner.get(&key).await {
        Ok(got) => got.bytes().await,
        Err(object_store::Error::NotFound { .. }) => return Ok(Manifest::new()),
        Err(e) => Err(e),
    }
    .map_err(|e| {
        fatal(
            "publish/failed",
            format!("cannot read {key} from {}: {e}", store.url),
        )
    })?;
    // An unreadable manifest only costs a full upload: every listed file is then unverified.
    Ok(serde_json::from_slice::<Manifest>(&bytes)
        .ok()
        .filter(|m| m.version == Manifest::VERSION)
        .unwrap_or_default())
}

async fn write_manifest(store: &Store, manifest: &Manifest) -> Result<(), Diagnostic> {
    let key = store
        .key(MANIFEST_NAME)
        .map_err(|e| Diagnostic::error("publish/failed", e))?;
    let json = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    store
        .inner
        .put_opts(
            &key,
            PutPayload::from(json),
            put_options(store, MANIFEST_NAME),
        )
        .await
        .map_err(|e| {
            Diagnostic::error(
                "publish/failed",
                format!("cannot upload {key} to {}: {e}", store.url),
            )
        })?;
    Ok(())
}

/// Every object under the prefix by relative name, the manifest and previews excluded.
async fn list(store: &Store) -> Result<BTreeMap<String, Listed>, Diagnostics> {
    let prefix = store.list_prefix();
    let objects: Vec<object_store::ObjectMeta> = store
        .inner
        .list(prefix.as_ref())
        .try_collect()
        .await
        .map_err(|e| fatal("publish/failed", format!("cannot list {}: {e}", store.url)))?;
    Ok(objects
        .into_iter()
        .filter_map(|m| {
            let listed = Listed {
                size: m.size,
                e_tag: m.e_tag,
            };
            Some((store.relative(&m.location)?, listed))
        })
        .filter(|(rel, _)| rel != MANIFEST_NAME)
        // Previews are published from the repositories' own CI, and pruned by age.
        .filter(|(rel, _)| !super::previews::is_preview_object(rel))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_deleting(n: usize) -> Plan {
        Plan {
            deletes: (0..n).map(|i| format!("gone/{i}.html")).collect(),
            ..Plan::default()
        }
    }

    #[test]
    fn deleting_more_than_the_allowed_share_is_refused() {
        let options = Options::default();
        assert!(mass_delete(&plan_deleting(50), 100, &options).is_none());
        let why = mass_delete(&plan_deleting(51), 100, &options).expect("refused");
        assert!(why.contains("51 of the 100 objects"), "{why}");
        let lifted = Options {
            allow_mass_delete: true,
            ..Options::default()
        };
        assert!(mass_delete(&plan_deleting(100), 100, &lifted).is_none());
        let strict = Options {
            max_delete_percent: 10,
            ..Options::default()
        };
        assert!(mass_delete(&plan_deleting(11), 100, &strict).is_some());
    }

    #[test]
    fn small_targets_are_not_guarded() {
        let options = Options::default();
        assert!(mass_delete(&plan_deleting(19), 19, &options).is_none());
        assert!(mass_delete(&plan_deleting(20), 20, &options).is_some());
    }
}
