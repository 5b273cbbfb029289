//! Pull-request previews in the bucket: `previews/<repo>/<id>/` holds one pull request's docs,
//! built by `docs build --preview` in the repository's own CI and published on their own.
//!
//! A preview build leaves a marker in its output directory naming the preview's path, so that
//! `publish` syncs only that prefix (with a manifest of its own) and deletes nothing outside
//! it. A portal publish leaves `previews/` alone; `publish --prune-previews DAYS` removes the
//! previews whose `preview.json` (else newest object) is older than DAYS.

use super::store::Store;
use crate::diagnostics::{Diagnostic, Diagnostics};
use futures::stream::TryStreamExt;
use object_store::ObjectStoreExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folder of the bucket (and of a preview build's output) that holds every preview.
pub const PREVIEWS_DIR: &str = "previews";

/// What a preview holds of itself: which pull request, when it was built, its first page.
pub const PREVIEW_MANIFEST: &str = "preview.json";

/// In a preview build's output directory: the preview's path, one line.
pub const MARKER: &str = ".playbill-preview";

const MAX_SEGMENT: usize = 100;

/// `preview.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewManifest {
    pub repository: String,
    pub pull_request: String,
    /// RFC 3339, UTC: when the preview was built; its age for pruning.
    pub built_at: String,
    /// The page to open, relative to the preview's folder.
    pub entry: String,
    /// Where the entry page is served, when the build knew the portal's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A repository name or pull-request id from a CI variable, lower-cased, if it is safe as one
/// path segment: letters, digits, `.`, `_` and `-`, starting with a letter or digit.
pub fn segment(what: &str, flag: &str, text: &str) -> Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= MAX_SEGMENT
        && text.as_bytes()[0].is_ascii_alphanumeric()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(text.to_ascii_lowercase())
    } else {
        Err(format!(
            "{flag} \"{text}\": the {what} must be a pull-request number or letters, digits, '.', \
             '_' and '-' (starting with a letter or digit, at most {MAX_SEGMENT}); pass the bare \
             name, such as the pull request's number or the repository's name without its owner"
        ))
    }
}

/// `previews/<repo>/<id>`.
pub fn preview_path(repository: &str, pull_request: &str) -> String {
    format!("{PREVIEWS_DIR}/{repository}/{pull_request}")
}

/// Whether an object (relative to the portal's prefix) belongs to a preview.
pub fn is_preview_object(rel: &str) -> bool {
    rel.strip_prefix(PREVIEWS_DIR)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// The preview a build left in `out_dir` (its path), None when it holds no preview build.
pub fn read_marker(out_dir: &Path) -> Result<Option<String>, String> {
    let Ok(text) = std::fs::read_to_string(out_dir.join(MARKER)) else {
        return Ok(None);
    };
    let path = text.trim();
    let parts: Vec<&str> = path.split('/').collect();
    let valid = matches!(parts[..], [PREVIEWS_DIR, repo, id]
        if segment("repository", "", repo).is_ok() && segment("id", "", id).is_ok());
    if !valid {
        return Err(format!(
            "{} names `{path}`, not a preview; build the preview again",
            out_dir.join(MARKER).display()
        ));
    }
    if out_dir.join(crate::output::MANIFEST).exists() {
        return Err(format!(
            "{} holds both a portal and a preview build; build the preview into an empty directory",
            out_dir.display()
        ));
    }
    Ok(Some(path.to_string()))
}

/// The output directory and the store a publish of `out_dir` syncs: a preview's own folder on
/// both sides when `out_dir` holds a preview build, else both as given.
pub fn scope(store: Store, out_dir: &Path) -> Result<(Store, PathBuf), String> {
    let Some(path) = read_marker(out_dir)? else {
        return Ok((store, out_dir.to_path_buf()));
    };
    let prefix = match store.prefix.as_str() {
        "" => path.clone(),
        root => format!("{root}/{path}"),
    };
    let scoped = Store::new(store.inner.clone(), &prefix, store.attributes, &store.url)?;
    Ok((scoped, out_dir.join(path)))
}

/// The preview's manifest in a built preview folder.
pub fn read_manifest(preview_dir: &Path) -> Option<PreviewManifest> {
    let bytes = std::fs::read(preview_dir.join(PREVIEW_MANIFEST)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// One preview in the bucket and how old it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// `previews/<repo>/<id>`.
    pub path: String,
    /// Unix seconds of `built_at` in its manifest, else of its newest object.
    pub time: i64,
    /// Its objects, relative to the portal's prefix.
    pub objects: Vec<String>,
    pub manifest: Option<PreviewManifest>,
}

impl Found {
    pub fn age_days(&self, now: i64) -> i64 {
        (now - self.time).div_euclid(86_400)
    }
}

/// The previews older than `max_age_days` at `now`.
pub fn stale(found: &[Found], max_age_days: u32, now: i64) -> Vec<&Found> {
    let limit = i64::from(max_age_days) * 86_400;
    found.iter().filter(|f| now - f.time > limit).collect()
}

fn failed(message: String) -> Diagnostics {
    std::iter::once(Diagnostic::error("publish/failed", message)).collect()
}

/// Every preview under the store's `previews/`, sorted by path.
pub async fn list(store: &Store) -> Result<Vec<Found>, Diagnostics> {
    let prefix = store
        .key(PREVIEWS_DIR)
        .map_err(|e| failed(format!("{}: {e}", store.url)))?;
    let objects: Vec<object_store::ObjectMeta> = store
        .inner
        .list(Some(&prefix))
        .try_collect()
        .await
        .map_err(|e| failed(format!("cannot list {prefix} in {}: {e}", store.url)))?;
    let mut groups: BTreeMap<String, Found> = BTreeMap::new();
    for meta in objects {
        let Some(rel) = store.relative(&meta.location) else {
            continue;
        };
        let parts: Vec<&str> = rel.splitn(4, '/').collect();
        let [_, repo, id, _] = parts[..] else {
            continue;
        };
        let found = groups.entry(preview_path(repo, id)).or_insert(Found {
            path: preview_path(repo, id),
            time: i64::MIN,
            objects: Vec::new(),
            manifest: None,
        });
        found.time = found.time.max(meta.last_modified.timestamp());
        found.objects.push(rel);
    }
    for found in groups.values_mut() {
        found.manifest = fetch_manifest(store, &found.path).await;
        if let Some(t) = found
            .manifest
            .as_ref()
            .and_then(|m| parse_time(&m.built_at))
        {
            found.time = t;
        }
    }
    Ok(groups.into_values().collect())
}

fn parse_time(text: &str) -> Option<i64> {
    crate::time::parse_rfc3339(text)
}

/// A preview's manifest; None when it has none or it does not parse (its objects' times count).
async fn fetch_manifest(store: &Store, path: &str) -> Option<PreviewManifest> {
    let key = store.key(&format!("{path}/{PREVIEW_MANIFEST}")).ok()?;
    let bytes = store.inner.get(&key).await.ok()?.bytes().await.ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Deletes every object of `preview`.
pub async fn delete(store: &Store, preview: &Found) -> Result<usize, Diagnostics> {
    let (deleted, errors) = store.delete_all(&preview.objects).await;
    match errors.into_iter().next() {
        None => Ok(deleted),
        Some(e) => Err(failed(format!(
            "cannot delete {} from {}: {e}",
            preview.path, store.url
        ))),
    }
}

/// Removes the previews older than `max_age_days` (or only says which, on a dry run) and
/// returns one line for each.
pub fn prune(
    store: &Store,
    max_age_days: u32,
    now: i64,
    dry_run: bool,
) -> Result<Vec<String>, Diagnostics> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| failed(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let found = list(store).await?;
        let mut lines = Vec::new();
        for preview in stale(&found, max_age_days, now) {
            let objects = if dry_run {
                preview.objects.len()
            } else {
                delete(store, preview).await?
            };
            lines.push(describe(preview, now, objects, dry_run));
        }
        Ok(lines)
    })
}

fn describe(preview: &Found, now: i64, objects: usize, dry_run: bool) -> String {
    let verb = if dry_run { "would prune" } else { "pruned" };
    let what = match &preview.manifest {
        Some(m) => format!(
            "pull request #{} of {}, built {}",
            m.pull_request, m.repository, m.built_at
        ),
        None => "no preview.json; newest object".to_string(),
    };
    format!(
        "{verb} {}/ ({what}, {} days old, {objects} objects)",
        preview.path,
        preview.age_days(now)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_must_be_one_safe_segment() {
        assert_eq!(segment("id", "--preview", "42").unwrap(), "42");
        assert_eq!(
            segment("id", "--preview", "Feature_x-1.2").unwrap(),
            "feature_x-1.2"
        );
        for bad in [
            "",
            "..",
            ".",
            ".hidden",
            "a/b",
            "acme/payments",
            "a b",
            "42\n",
            "é",
            "-x",
        ] {
            let e = segment("id", "--preview", bad).expect_err(bad);
            assert!(e.contains("--preview"), "{e}");
        }
        assert!(segment("id", "--preview", &"9".repeat(101)).is_err());
    }

    #[test]
    fn only_objects_under_previews_belong_to_previews() {
        assert!(is_preview_object("previews/payments/42/index.html"));
        assert!(!is_preview_object("previews.html"));
        assert!(!is_preview_object("docs/previews/x.html"));
        assert!(!is_preview_object("previewsx/a"));
    }

    #[test]
    fn previews_older_than_the_limit_are_stale() {
        let now = 100 * 86_400;
        let at = |path: &str, time: i64| Found {
            path: path.to_string(),
            time,
            objects: Vec::new(),
            manifest: None,
        };
        let found = [
            at("previews/a/1", now - 15 * 86_400),
            at("previews/a/2", now - 14 * 86_400),
            at("previews/b/3", now - 3600),
        ];
        let paths: Vec<&str> = stale(&found, 14, now)
            .iter()
            .map(|f| f.path.as_str())
            .collect();
        assert_eq!(paths, ["previews/a/1"]);
        assert_eq!(found[0].age_days(now), 15);
        assert_eq!(stale(&found, 0, now).len(), 3);
    }
}
