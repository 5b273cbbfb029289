//! Docs rendered by repositories' own CI (`docs build`) and taken by the portal's build: the
//! demo built with them has the bytes of a build that renders every page itself; a rendering
//! that is not inert, or that was made from other sources, is rendered here instead.

use crate::common;

use playbill::build::{build, BuildReport};
use playbill::config::Config;
use playbill::docs::prebuilt::{Prebuilt, FILE};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The bundled demo, with its render cache in `cache`, taking prebuilt docs from `prebuilt`.
fn demo(cache: &Path, prebuilt: Option<&Path>) -> Config {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config::load(&root.join("site.toml")).unwrap();
    config.cache_dir = cache.to_path_buf();
    config.prebuilt_docs = prebuilt.map(Path::to_path_buf);
    config
}

/// Runs `playbill docs build` in every demo repository with docs and copies each output's
/// `docs/` into one directory, as their CI jobs would publish them to one bucket. Returns it
/// and the prebuilt files by site (`<ns>/<kind>/<name>`).
fn publish_prebuilt(tmp: &Path) -> (PathBuf, BTreeMap<String, Prebuilt>) {
    let org = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-org");
    let published = tmp.join("prebuilt");
    for entry in std::fs::read_dir(&org).unwrap() {
        let repo = entry.unwrap().path();
        let catalog = std::fs::read_to_string(repo.join("catalog-info.yaml")).unwrap_or_default();
        if !catalog.contains("backstage.io/techdocs-ref") {
            continue;
        }
        let (result, out) = common::docs_build(&repo);
        let docs = out.path().join("docs");
        assert!(docs.is_dir(), "{}: {result:?}", repo.display());
        for file in common::files_below(&docs) {
            let to = published.join(&file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(docs.join(&file), to).unwrap();
        }
    }
    let sites = common::files_below(&published)
        .into_iter()
        .filter_map(|f| Some(f.strip_suffix(&format!("/{FILE}"))?.to_string()))
        .map(|site| {
            let bytes = std::fs::read(published.join(&site).join(FILE)).unwrap();
            (site, Prebuilt::decode(&bytes).unwrap())
        })
        .collect();
    (published, sites)
}

fn pages(file: &Prebuilt) -> usize {
    assert_eq!(file.offered, file.pages.len());
    file.offered
}

fn codes(report: &BuildReport, prefix: &str) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.code.starts_with(prefix))
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

#[test]
fn docs_rendered_by_each_repositorys_ci_give_the_bytes_of_rendering_them_here() {
    let tmp = tempfile::tempdir().unwrap();
    let (published, sites) = publish_prebuilt(tmp.path());
    assert!(
        sites.len() >= 5,
        "too few sites with docs: {:?}",
        sites.keys()
    );
    let offered: usize = sites.values().map(pages).sum();

    let here = tmp.path().join("here");
    build(&demo(&tmp.path().join("cache-here"), None), &here, &|_| {}).unwrap();
    let taken = tmp.path().join("taken");
    let config = demo(&tmp.path().join("cache-taken"), Some(&published));
    let report = build(&config, &taken, &|_| {}).unwrap();

    // Every page the repositories rendered matched and was taken; older versions, which
    // their CI did not build, were rendered here.
    assert_eq!(report.docs_pages_prebuilt, offered);
    assert!(report.docs_pages > offered);
    assert_eq!(codes(&report, "docs/prebuilt"), Vec::<String>::new());
    let (a, b) = (common::build_output(&here), common::build_output(&taken));
    assert_eq!(common::differing_paths(&a, &b), Vec::<&String>::new());
    assert!(
        !b.keys().any(|f| f.ends_with(FILE)),
        "a prebuilt file was published"
    );

    // With the render cache of that build, nothing is taken or rendered again.
    let again = build(&config, &tmp.path().join("again"), &|_| {}).unwrap();
    assert_eq!(again.docs_pages_prebuilt, 0);
    assert_eq!(again.render_cache.rendered, 0);
    assert_eq!(codes(&again, "docs/prebuilt"), Vec::<String>::new());
}

#[test]
fn a_rendering_that_is_not_inert_or_not_of_these_sources_is_rendered_here() {
    let tmp = tempfile::tempdir().unwrap();
    let (published, sites) = publish_prebuilt(tmp.path());
    let offered: usize = sites.values().map(pages).sum();
    let ledger = "default/component/payments-ledger";
    let path = published.join(ledger).join(FILE);
    let mut file = Prebuilt::decode(&std::fs::read(&path).unwrap()).unwrap();
    let [tampered, moved, ..] = &mut file.pages[..] else {
        panic!("the ledger's docs have fewer than two pages");
    };
    // A CI job that puts script into a body, and one that built other text than the portal
    // reads (the page was pushed since).
    let payload = "<img src=x onerror=alert(document.cookie)>";
    tampered.rendered.html.push_str(payload);
    moved.key = "0".repeat(64);
    std::fs::write(&path, Prebuilt::encode(&file.pages).unwrap()).unwrap();
    // A file another Playbill version wrote is not an error; a damaged one is.
    let other = "default/component/payments-gateway";
    let path = published.join(other).join(FILE);
    let bytes = std::fs::read(&path).unwrap();
    let header = bytes.iter().position(|&b| b == b'\n').unwrap();
    let version = format!(" {} ", env!("CARGO_PKG_VERSION"));
    let older = String::from_utf8_lossy(&bytes[..header]).replace(&version, " 0.0.1 ");
    std::fs::write(&path, [older.as_bytes(), &bytes[header..]].concat()).unwrap();
    let damaged = sites
        .keys()
        .find(|s| ![ledger, other].contains(&s.as_str()));
    let damaged = damaged.unwrap();
    let path = published.join(damaged).join(FILE);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();

    let here = tmp.path().join("here");
    build(&demo(&tmp.path().join("cache-here"), None), &here, &|_| {}).unwrap();
    let taken = tmp.path().join("taken");
    let report = build(
        &demo(&tmp.path().join("c"), Some(&published)),
        &taken,
        &|_| {},
    )
    .unwrap();

    let skipped = 2 + pages(&sites[other]) + pages(&sites[damaged]);
    assert_eq!(report.docs_pages_prebuilt, offered - skipped);
    let refused = common::find(&report.diagnostics, "docs/prebuilt-refused");
    assert_eq!(refused.len(), 1, "{:?}", codes(&report, "docs/"));
    assert!(
        refused[0].message.contains("onerror"),
        "{}",
        refused[0].message
    );
    assert!(refused[0].file.as_deref().unwrap().ends_with(".md"));
    assert_eq!(refused[0].repo.as_deref(), Some("payments-ledger"));
    let unmatched = common::find(&report.diagnostics, "docs/prebuilt-unmatched");
    assert_eq!(unmatched.len(), 1);
    assert!(unmatched[0].message.contains(other));
    let unusable = common::find(&report.diagnostics, "docs/prebuilt-unusable");
    assert_eq!(unusable.len(), 1);
    assert!(unusable[0].message.contains(damaged.as_str()));
    // Each page refused or not matched was rendered here: the docs have the same bytes (the
    // warnings show on other pages).
    let (a, b) = (common::build_output(&here), common::build_output(&taken));
    let differing = common::differing_paths(&a, &b);
    assert!(
        !differing.iter().any(|f| f.starts_with("docs/")),
        "{differing:?}"
    );
    let payload = b"alert(document.cookie)";
    assert!(!b
        .values()
        .any(|f| f.windows(payload.len()).any(|w| w == payload)));
}

#[test]
fn docs_build_renders_with_the_portals_settings_when_given_its_site_toml() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-org/payments-ledger");
    let site = "default/component/payments-ledger";
    // A portal that scans for one secret rule fewer than the defaults.
    let portal = tmp.path().join("site.toml");
    let settings = "[secrets]\ndisable = [\"private-key\"]\n";
    std::fs::write(&portal, format!("title = \"P\"\n{settings}")).unwrap();
    let mut built = Vec::new();
    for extra in [&[][..], &["--portal-config", portal.to_str().unwrap()][..]] {
        let out = tmp.path().join(format!("out-{}", built.len()));
        let result = common::docs_build_into(&repo, &out, extra);
        assert!(result.status.success(), "{result:?}");
        let published = tmp.path().join(format!("published-{}", built.len()));
        std::fs::create_dir_all(published.join(site)).unwrap();
        let file = out.join("docs").join(site).join(FILE);
        std::fs::copy(file, published.join(site).join(FILE)).unwrap();
        let mut config = demo(&tmp.path().join(format!("cache-{}", built.len())), None);
        config.secrets = playbill::secrets::Scanner::new(&[], &["private-key".into()]).unwrap();
        config.prebuilt_docs = Some(published);
        built.push(build(&config, &tmp.path().join("portal"), &|_| {}).unwrap());
    }
    // Rendered with the defaults, nothing matches the portal's pages; with its settings, all do.
    assert_eq!(built[0].docs_pages_prebuilt, 0);
    assert_eq!(
        common::find(&built[0].diagnostics, "docs/prebuilt-unmatched").len(),
        1
    );
    assert!(built[1].docs_pages_prebuilt > 0);
    assert_eq!(codes(&built[1], "docs/prebuilt"), Vec::<String>::new());
}

/// The same files read straight from the bucket the repositories' CI published them to (S3,
/// here moto): the portal has the bytes of one built from a copy on disk. A site whose file
/// the bucket lacks is rendered here, without a warning; a bucket that cannot be reached is
/// one warning, and every page is rendered here.
#[test]
fn docs_prebuilt_in_a_bucket_are_fetched_for_the_sites_the_build_renders() {
    use crate::common::object_stores::{moto, runtime, s3_store};
    use object_store::ObjectStoreExt;
    let Some(server) = moto() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let (published, sites) = publish_prebuilt(tmp.path());
    let (rt, store) = (runtime(), s3_store(&server, "techdocs"));
    let files = common::files_below(&published);
    // One site's file stays out of the bucket.
    let left_out = sites.keys().next().unwrap().clone();
    rt.block_on(async {
        for file in files
            .iter()
            .filter(|f| !f.starts_with(&format!("{left_out}/")))
        {
            let bytes = std::fs::read(published.join(file)).unwrap();
            store
                .inner
                .put(&store.key(file).unwrap(), bytes.into())
                .await
                .unwrap();
        }
    });
    // The bucket's address and credentials come from the environment, as for publish; each
    // test runs in its own process.
    for (name, value) in [
        ("AWS_ENDPOINT", format!("http://127.0.0.1:{}", server.port)),
        ("AWS_ALLOW_HTTP", "true".to_string()),
        ("AWS_ACCESS_KEY_ID", "test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
    ] {
        std::env::set_var(name, value);
    }
    let from_bucket = |cache: &str, url: &str, out: &str| {
        let mut config = demo(&tmp.path().join(cache), None);
        config.prebuilt_bucket = Some(url.to_string());
        build(&config, &tmp.path().join(out), &|_| {}).unwrap()
    };
    let fetched = from_bucket("cache-bucket", "s3://site/techdocs", "bucket");
    assert_eq!(codes(&fetched, "docs/prebuilt"), Vec::<String>::new());
    let offered: usize = sites
        .iter()
        .filter(|(site, _)| **site != left_out)
        .map(|(_, file)| pages(file))
        .sum();
    assert_eq!(fetched.docs_pages_prebuilt, offered);

    std::fs::remove_dir_all(published.join(&left_out)).unwrap();
    let mut config = demo(&tmp.path().join("cache-disk"), Some(&published));
    config.prebuilt_bucket = None;
    let on_disk = build(&config, &tmp.path().join("disk"), &|_| {}).unwrap();
    assert_eq!(on_disk.docs_pages_prebuilt, offered);
    let (a, b) = (
        common::build_output(&tmp.path().join("bucket")),
        common::build_output(&tmp.path().join("disk")),
    );
    let differing = common::differing_paths(&a, &b);
    assert!(
        differing.is_empty(),
        "bucket and disk differ: {differing:?}"
    );

    drop(server);
    let unreachable = from_bucket("cache-gone", "s3://site/techdocs", "gone");
    assert_eq!(unreachable.docs_pages_prebuilt, 0);
    let warned = codes(&unreachable, "docs/prebuilt");
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].contains("s3://site/techdocs cannot be read"),
        "{warned:?}"
    );
    assert_eq!(unreachable.docs_pages, fetched.docs_pages);
}
