//! `playbill docs build DIR --preview ID`: one repository's docs (and entity pages) built as a
//! small portal of their own into `OUT/previews/<repo>/<id>/`, every page carrying the pull
//! request's banner and `noindex`. All links are relative, so the folder works wherever it is
//! put: in the bucket beside the portal, or opened from disk. The portal's search never sees
//! it (only the portal's own build writes that index).
//!
//! After the build: the 404 page goes (its links start from the server's root, outside the
//! preview), `preview.json` records the pull request and the time for pruning, and a marker in
//! OUT tells `playbill publish` to sync only this folder.

use crate::config::preview::PreviewBanner;
use crate::publish::previews::{self, PreviewManifest, PREVIEW_MANIFEST};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A preview build's names and folders.
#[derive(Clone, Debug)]
pub struct Preview {
    pub banner: PreviewBanner,
    /// `previews/<repo>/<id>`, relative to `out`.
    pub path: String,
    /// The output directory named on the command line; the marker goes here.
    pub out: PathBuf,
    /// `out/path`: where the docs are built.
    pub dir: PathBuf,
}

impl Preview {
    /// Checks the id and the repository's name (default: the directory's name): both come
    /// from CI variables and become path segments.
    pub fn new(
        repo_dir: &Path,
        out: &Path,
        repository: Option<&str>,
        id: &str,
    ) -> Result<Preview, String> {
        let dir_name = std::fs::canonicalize(repo_dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        let repository = match repository {
            Some(name) => previews::segment("repository name", "--repository", name)?,
            None => previews::segment("repository name", "--repository", &dir_name)
                .map_err(|e| format!("{e} (the default is the directory's name)"))?,
        };
        let pull_request = previews::segment("pull request id", "--preview", id)?;
        let path = previews::preview_path(&repository, &pull_request);
        Ok(Preview {
            dir: out.join(&path),
            out: out.to_path_buf(),
            path,
            banner: PreviewBanner {
                repository,
                pull_request,
            },
        })
    }

    /// The preview `--preview ID` asks for, if any, its other options checked.
    pub fn from_args(
        repo_dir: &Path,
        out: &Path,
        id: Option<&str>,
        repository: Option<&str>,
        base_url: Option<&str>,
    ) -> Result<Option<Preview>, String> {
        let Some(id) = id else { return Ok(None) };
        if let Some(base) = base_url {
            check_base_url(base)?;
        }
        Preview::new(repo_dir, out, repository, id).map(Some)
    }

    /// Completes the built preview and prints its address on stdout (for a CI step to pass
    /// on), or the path of its first page when the portal's address is unknown.
    pub fn announce(&self, base_url: Option<&str>) -> Result<(), String> {
        let manifest = self.finish(base_url, crate::time::now())?;
        let local = self.dir.join(&manifest.entry).display().to_string();
        eprintln!(
            "Preview of pull request #{} of {} in {}; publish it with `playbill publish --out {} --to <bucket URL>`",
            manifest.pull_request,
            manifest.repository,
            self.dir.display(),
            self.out.display()
        );
        println!("{}", manifest.url.unwrap_or(local));
        Ok(())
    }

    /// Completes a built preview: drops the 404 page, writes `preview.json` (built at `now`,
    /// Unix seconds) and the marker. Returns the manifest, whose `url` is set with `base_url`.
    pub fn finish(&self, base_url: Option<&str>, now: i64) -> Result<PreviewManifest, String> {
        let list_path = self.dir.join(crate::output::MANIFEST);
        let mut files = crate::output::read_manifest(&self.dir)
            .ok_or_else(|| format!("{} was not written", list_path.display()))?;
        if files.remove("404.html") {
            let _ = std::fs::remove_file(self.dir.join("404.html"));
        }
        let entry = entry_page(&files);
        let url = base_url.map(|base| url(base, &self.path, &entry));
        let manifest = PreviewManifest {
            repository: self.banner.repository.clone(),
            pull_request: self.banner.pull_request.clone(),
            built_at: crate::time::iso_datetime(now),
            entry,
            url,
        };
        let json = crate::output::pretty_json(&manifest);
        write(&self.dir.join(PREVIEW_MANIFEST), &json)?;
        files.insert(PREVIEW_MANIFEST.to_string());
        let list: String = files.iter().map(|f| format!("{f}\n")).collect();
        write(&list_path, list.as_bytes())?;
        write(
            &self.out.join(previews::MARKER),
            format!("{}\n", self.path).as_bytes(),
        )?;
        Ok(manifest)
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The first docs site's home page (`docs/<ns>/<kind>/<name>/index.html`), else the home page.
fn entry_page(files: &BTreeSet<String>) -> String {
    files
        .iter()
        .find(|f| {
            let parts: Vec<&str> = f.split('/').collect();
            matches!(parts[..], ["docs", _, _, _, "index.html"])
        })
        .cloned()
        .unwrap_or_else(|| "index.html".to_string())
}

/// `<base_url>/previews/<repo>/<id>/<entry>`.
pub fn url(base_url: &str, path: &str, entry: &str) -> String {
    format!("{}/{path}/{entry}", base_url.trim_end_matches('/'))
}

/// The address of the preview that `out` held, once published: from its build's
/// `--base-url`, else the portal's `base_url`.
pub fn published_address(out: &Path, base_url: Option<&str>) -> Option<String> {
    let path = previews::read_marker(out).ok()??;
    let manifest = previews::read_manifest(&out.join(&path))?;
    manifest
        .url
        .or_else(|| base_url.map(|base| url(base, &path, &manifest.entry)))
}

/// Whether `publish` goes without site.toml: a repository's CI publishing its preview has
/// none, and needs nothing of it but the target.
pub fn publishes_without_config(config_path: &Path, out: Option<&Path>) -> bool {
    !config_path.exists() && out.is_some_and(|o| o.join(previews::MARKER).is_file())
}

/// `--base-url` must be an http(s) address: it is printed for people to open.
pub fn check_base_url(text: &str) -> Result<(), String> {
    match url::Url::parse(text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(()),
        _ => Err(format!(
            "--base-url \"{text}\" is not an http(s) URL; pass where the portal is served, such as https://portal.example/"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_is_the_first_docs_home_page() {
        let files: BTreeSet<String> = [
            "index.html",
            "docs/default/component/a/guide/index.html",
            "docs/default/component/a/index.html",
            "docs/default/component/b/index.html",
        ]
        .map(String::from)
        .into();
        assert_eq!(entry_page(&files), "docs/default/component/a/index.html");
        assert_eq!(entry_page(&BTreeSet::new()), "index.html");
        assert_eq!(
            url("https://p.example/", "previews/r/4", "index.html"),
            "https://p.example/previews/r/4/index.html"
        );
        assert!(check_base_url("ftp://x").is_err());
        assert!(check_base_url("https://p.example/portal/").is_ok());
    }
}
