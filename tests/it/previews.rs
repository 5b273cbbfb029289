//! Pull-request previews: `playbill docs build --preview ID` builds a repository's docs into
//! `previews/<repo>/<id>/` with a banner and `noindex` on every page and links that stay inside;
//! `playbill publish` syncs only that folder, a portal publish keeps it, and
//! `--prune-previews DAYS` removes old ones. Publishing runs against the real-protocol servers
//! of `common::object_stores` (moto, azurite, fake-gcs-server).

use crate::common::object_stores::{
    azure_store, azurite, bucket, fake_gcs, gcs_store, moto, portal, runtime, s3_store, write,
};
use crate::common::{files_below, start_tags, write_file};
use playbill::publish::previews::{self, PreviewManifest};
use playbill::publish::store::Store;
use playbill::publish::sync::{self, Options, Summary};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DAY: i64 = 86_400;

/// A repository `payments` with a catalog file, mkdocs.yml, two pages and an image.
fn repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("payments");
    write_file(
        &repo,
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  \
         annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  \
         lifecycle: production\n  owner: team-a\n",
    );
    write_file(&repo, "mkdocs.yml", "site_name: Payments\n");
    write_file(
        &repo,
        "docs/index.md",
        "# Payments\n\nSee the [guide](guide.md).\n\n![logo](img/logo.svg)\n",
    );
    write_file(
        &repo,
        "docs/guide.md",
        "# Guide\n\nBack [home](index.md).\n",
    );
    write_file(
        &repo,
        "docs/img/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\"/>",
    );
    (dir, repo)
}

/// Runs playbill in `dir` with only PATH and `env` set.
fn playbill(args: &[&str], dir: &Path, env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_playbill"));
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

/// `docs build payments --preview ID --out OUT` (plus `extra`); asserts success.
fn build_preview(repo: &Path, out: &Path, id: &str, extra: &[&str]) -> Output {
    let mut args = vec!["docs", "build", "payments", "--preview", id];
    args.extend_from_slice(&["--out", out.to_str().unwrap()]);
    args.extend_from_slice(extra);
    let built = playbill(&args, repo.parent().unwrap(), &[]);
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "{stderr}");
    built
}

/// Every relative `href`, `src` and form `action` of a page, without query and fragment.
fn local_links(html: &str) -> Vec<String> {
    start_tags(html)
        .into_iter()
        .flat_map(|(_, attrs)| attrs)
        .filter(|(name, _)| matches!(name.as_str(), "href" | "src" | "action"))
        .map(|(_, value)| value)
        .filter(|v| !v.starts_with('#') && !v.starts_with("https:") && !v.starts_with("mailto:"))
        .map(|v| v.split(['#', '?']).next().unwrap_or_default().to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

/// Where `link` on page `page` (both relative to `root`) leads, if it stays inside `root`.
fn resolve(page: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for part in link.split('/') {
        match part {
            ".." => {
                parts.pop()?;
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[test]
fn a_preview_has_the_banner_on_every_page_and_links_that_stay_inside() {
    let (dir, repo) = repo();
    let out = dir.path().join("out");
    let built = build_preview(
        &repo,
        &out,
        "42",
        &["--base-url", "https://portal.example/"],
    );
    let url =
        "https://portal.example/previews/payments/42/docs/default/component/payments/index.html";
    assert_eq!(String::from_utf8_lossy(&built.stdout).trim(), url);

    // Only the preview's folder and the marker for publish.
    let preview = out.join("previews/payments/42");
    let outside: Vec<String> = files_below(&out)
        .into_iter()
        .filter(|f| !f.starts_with("previews/payments/42/"))
        .collect();
    assert_eq!(outside, [previews::MARKER]);
    let manifest: PreviewManifest =
        serde_json::from_slice(&std::fs::read(preview.join("preview.json")).unwrap()).unwrap();
    assert_eq!(
        (manifest.repository.as_str(), manifest.pull_request.as_str()),
        ("payments", "42")
    );
    assert_eq!(manifest.url.as_deref(), Some(url));
    assert!(playbill::time::parse_rfc3339(&manifest.built_at).is_some());
    assert!(!preview.join("404.html").exists(), "its links start at /");

    let files = files_below(&preview);
    let pages: Vec<&String> = files.iter().filter(|f| f.ends_with(".html")).collect();
    for needed in [
        "index.html",
        "catalog/default/component/payments/index.html",
        "docs/default/component/payments/index.html",
        "docs/default/component/payments/guide/index.html",
    ] {
        assert!(files.iter().any(|f| f == needed), "{needed} in {files:?}");
    }
    for page in &pages {
        let html = std::fs::read_to_string(preview.join(page)).unwrap();
        assert!(
            html.contains("Preview of pull request #42 of payments"),
            "no banner on {page}"
        );
        let robots = start_tags(&html).into_iter().any(|(name, attrs)| {
            name == "meta"
                && attrs.contains(&("name".into(), "robots".into()))
                && attrs.contains(&("content".into(), "noindex, nofollow".into()))
        });
        assert!(robots, "{page} may be indexed");
        for link in local_links(&html) {
            assert!(!link.starts_with('/'), "{page}: {link} leaves the preview");
            let target =
                resolve(page, &link).unwrap_or_else(|| panic!("{page}: {link} leaves the preview"));
            let target = playbill::paths::percent_decode(&target).unwrap();
            assert!(
                files.contains(&target) || files.contains(&format!("{target}/index.html")),
                "{page}: {link} -> {target} is not in the preview"
            );
        }
    }
}

#[test]
fn a_portal_build_has_no_banner() {
    let (dir, repo) = repo();
    let out = dir.path().join("out");
    let args = ["docs", "build", "payments", "--out", out.to_str().unwrap()];
    let built = playbill(&args, repo.parent().unwrap(), &[]);
    assert!(built.status.success());
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!home.contains("preview-banner") && !home.contains("noindex"));
    assert!(!out.join(previews::MARKER).exists());
}

#[test]
fn bad_preview_ids_and_repository_names_are_refused() {
    let (dir, repo) = repo();
    let out = dir.path().join("out");
    let cases: [&[&str]; 4] = [
        &["--preview", "../../etc"],
        &["--preview", "4 2"],
        &["--preview", "42", "--repository", "acme/payments"],
        &["--preview", "42", "--base-url", "portal.example"],
    ];
    for extra in cases {
        let mut args = vec!["docs", "build", "payments", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let run = playbill(&args, repo.parent().unwrap(), &[]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{extra:?}: {stderr}");
        let flag = extra[extra.len() - 2];
        assert!(stderr.contains(flag), "{extra:?} names {flag}: {stderr}");
        assert!(!out.exists(), "{extra:?} wrote nothing");
    }
}

// ---------------------------------------------------------------------------------------------
// Publishing and pruning

/// Publishes `out` as `playbill publish` does: a preview build to its own folder.
fn publish(rt: &tokio::runtime::Runtime, store: &Store, out: &Path) -> Summary {
    let (store, dir) = previews::scope(store.clone(), out).unwrap();
    let local = sync::scan_local(&dir, &[]).unwrap();
    rt.block_on(sync::sync(&store, &dir, &local, &Options::default()))
        .unwrap()
}

/// Makes a built preview `days` days old (as if built then) in its manifest.
fn age(preview_dir: &Path, days: i64) {
    let path = preview_dir.join("preview.json");
    let mut manifest: PreviewManifest =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let then = playbill::time::parse_rfc3339(&manifest.built_at).unwrap() - days * DAY;
    manifest.built_at = playbill::time::iso_datetime(then);
    std::fs::write(&path, serde_json::to_vec(&manifest).unwrap()).unwrap();
}

fn under<'a>(objects: &'a BTreeMap<String, u64>, prefix: &str) -> Vec<&'a String> {
    objects.keys().filter(|k| k.starts_with(prefix)).collect()
}

/// The behaviour every store must have: a preview goes only under its prefix, a portal publish
/// keeps it, and pruning removes the old preview and keeps the fresh one and the portal.
fn preview_cycle(store: &Store) {
    let rt = runtime();
    let (dir, repo) = repo();
    let portal_out = dir.path().join("public");
    let mut files = portal(0);
    write(&portal_out, &files);
    publish(&rt, store, &portal_out);
    let portal_objects = bucket(&rt, store);

    let fresh = dir.path().join("fresh");
    build_preview(&repo, &fresh, "42", &[]);
    let summary = publish(&rt, store, &fresh);
    let after = bucket(&rt, store);
    let added: Vec<&String> = after
        .keys()
        .filter(|k| !portal_objects.contains_key(*k))
        .collect();
    assert!(summary.uploaded > 10, "{summary:?}");
    assert_eq!(summary.deleted, 0);
    assert_eq!(
        added.len(),
        summary.uploaded + 1,
        "the files and a manifest"
    );
    assert!(added.iter().all(|k| k.starts_with("previews/payments/42/")));
    assert_eq!(under(&after, "").len() - added.len(), portal_objects.len());

    // The portal shrinks by one page: that page goes, the preview stays.
    files.remove("catalog/default/component/a/index.html");
    write(&portal_out, &files);
    let again = publish(&rt, store, &portal_out);
    assert_eq!((again.uploaded, again.deleted), (0, 1));
    let kept = bucket(&rt, store);
    assert_eq!(under(&kept, "previews/"), under(&after, "previews/"));

    let old = dir.path().join("old");
    build_preview(&repo, &old, "7", &[]);
    age(&old.join("previews/payments/7"), 30);
    publish(&rt, store, &old);
    let now = playbill::time::now();
    let found = rt.block_on(previews::list(store)).unwrap();
    let ages: Vec<(&str, i64)> = found
        .iter()
        .map(|f| (f.path.as_str(), f.age_days(now)))
        .collect();
    assert_eq!(
        ages,
        [("previews/payments/42", 0), ("previews/payments/7", 30)]
    );

    let dry = previews::prune(store, 14, now, true).unwrap();
    assert_eq!(dry.len(), 1, "{dry:?}");
    assert!(dry[0].starts_with("would prune previews/payments/7/ (pull request #7 of payments"));
    assert_eq!(bucket(&rt, store).len(), kept.len() + summary.uploaded + 1);
    let pruned = previews::prune(store, 14, now, false).unwrap();
    assert!(
        pruned[0].starts_with("pruned previews/payments/7/"),
        "{pruned:?}"
    );
    assert_eq!(
        bucket(&rt, store),
        kept,
        "the fresh preview and the portal stay"
    );
}

#[test]
fn s3_preview_publish_and_prune() {
    let Some(server) = moto() else { return };
    preview_cycle(&s3_store(&server, "portal"));
}

#[test]
fn azure_preview_publish_and_prune() {
    let Some(server) = azurite() else { return };
    preview_cycle(&azure_store(&server));
}

#[test]
fn gcs_preview_publish_and_prune() {
    let Some((_gcs, shim)) = fake_gcs() else {
        return;
    };
    preview_cycle(&gcs_store(&shim));
}
