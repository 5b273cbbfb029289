//! `playbill publish` against real-protocol servers on loopback: moto (S3), azurite (Azure) and
//! fake-gcs-server behind tests/servers/gcs_shim.py (GCS), plus file:// targets. Each test
//! starts the servers it needs on free ports and stops them when it ends.
//!
//! tests/servers/install.sh installs the servers. Without them a test is skipped with a
//! message, unless PLAYBILL_REQUIRE_SERVERS is set (tests/run-all.sh sets it), when it fails.
//! Every client gets dummy credentials and a loopback endpoint, so none of them ever looks for
//! real credentials or an instance-metadata address.

use crate::common::server::{self, Response, TestServer};
use async_trait::async_trait;
use futures::stream::BoxStream;
use object_store::path::Path as ObjectPath;
use object_store::{
    Attribute, CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, ObjectStoreExt, PutMultipartOptions, PutOptions, PutPayload, PutResult,
};
use playbill::diagnostics::Diagnostics;
use playbill::publish::plan::MANIFEST_NAME;
use playbill::publish::store::Store;
use playbill::publish::sync::{self, Options, Summary};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::common::object_stores::{
    azure_store, azurite, bucket, fake_gcs, gcs_store, moto, portal, runtime, s3_store, write, REPO,
};

// ---------------------------------------------------------------------------------------------
// Portals

pub(crate) fn publish(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    out: &Path,
) -> Result<Summary, Diagnostics> {
    let local = sync::scan_local(out, &[])?;
    rt.block_on(sync::sync(store, out, &local, &Options::default()))
}

fn counts(s: &Summary) -> (usize, usize, usize) {
    (s.uploaded, s.deleted, s.unchanged)
}

fn get(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    rel: &str,
) -> (Vec<u8>, BTreeMap<String, String>) {
    rt.block_on(async {
        let got = store.inner.get(&store.key(rel).unwrap()).await.unwrap();
        let attributes: BTreeMap<String, String> = got
            .attributes
            .iter()
            .filter_map(|(k, v)| match k {
                Attribute::ContentType => Some(("content-type".to_string(), v.to_string())),
                Attribute::CacheControl => Some(("cache-control".to_string(), v.to_string())),
                _ => None,
            })
            .collect();
        (got.bytes().await.unwrap().to_vec(), attributes)
    })
}

/// The behaviour every target must have: first publish uploads all, an unchanged portal
/// uploads nothing, one changed page uploads one object, a removed entity's objects go,
/// and objects lost behind Playbill's back come back.
fn incremental_cycle(store: &Store, shards: usize, headers: bool) {
    // Long on purpose: one publish cycle against a real store, step by step, shared by the three stores.
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let mut files = portal(shards);
    let total = files.len();
    write(&out, &files);

    let first = publish(&rt, store, &out).unwrap();
    assert_eq!(counts(&first), (total, 0, 0));
    let listed = bucket(&rt, store);
    assert_eq!(listed.len(), total + 1, "every file plus the manifest");
    assert!(listed.contains_key(MANIFEST_NAME));

    let second = publish(&rt, store, &out).unwrap();
    assert_eq!(
        counts(&second),
        (0, 0, total),
        "an unchanged portal uploads nothing"
    );

    let page = "catalog/default/component/a/index.html";
    files.insert(page.into(), b"<h1>a, changed</h1>".to_vec());
    write(&out, &files);
    let third = publish(&rt, store, &out).unwrap();
    assert_eq!(counts(&third), (1, 0, total - 1));
    assert_eq!(third.plan.uploads[0].path, page);
    assert_eq!(get(&rt, store, page).0, b"<h1>a, changed</h1>");

    files.retain(|k, _| !k.starts_with("catalog/default/component/b/"));
    write(&out, &files);
    let fourth = publish(&rt, store, &out).unwrap();
    assert_eq!(
        counts(&fourth),
        (0, 2, total - 2),
        "entity b's two pages go"
    );
    let listed = bucket(&rt, store);
    assert!(!listed.keys().any(|k| k.contains("component/b/")));
    assert_eq!(listed.len(), total - 2 + 1);

    // Lost behind Playbill's back: the listing wins over the manifest.
    rt.block_on(
        store
            .inner
            .delete(&store.key("catalog/index.html").unwrap()),
    )
    .unwrap();
    let fifth = publish(&rt, store, &out).unwrap();
    assert_eq!(counts(&fifth), (1, 0, total - 3));

    if headers {
        let expect = [
            ("index.html", "text/html; charset=utf-8", "no-cache"),
            (page, "text/html; charset=utf-8", "no-cache"),
            (
                "static/playbill.0123456789.css",
                "text/css; charset=utf-8",
                "public, max-age=31536000, immutable",
            ),
            (
                "search/shard-0000.0000000001.js",
                "text/javascript; charset=utf-8",
                "public, max-age=31536000, immutable",
            ),
            (
                "clusters/status.json",
                "application/json",
                "public, max-age=60",
            ),
            (
                "docs/default/component/a/img/logo.png",
                "image/png",
                "public, max-age=60",
            ),
            (MANIFEST_NAME, "application/json", "no-cache"),
        ];
        for (rel, content_type, cache_control) in expect {
            if rel.starts_with("search/") && shards == 0 {
                continue;
            }
            let (_, attributes) = get(&rt, store, rel);
            assert_eq!(attributes["content-type"], content_type, "{rel}");
            assert_eq!(attributes["cache-control"], cache_control, "{rel}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fault injection

/// Passes everything through to a real store, but fails every put after the first `allowed`
/// (the connection is gone), or every put of `broken` (one object cannot be written).
#[derive(Debug)]
struct FailingStore {
    inner: Arc<dyn ObjectStore>,
    allowed: AtomicUsize,
    broken: Option<&'static str>,
}

impl std::fmt::Display for FailingStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FailingStore({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for FailingStore {
    async fn put_opts(
        &self,
        location: &ObjectPath,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        let left = self
            .allowed
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if left.is_err() || self.broken == Some(location.as_ref()) {
            return Err(object_store::Error::Generic {
                store: "test",
                source: "injected fault: connection reset".into(),
            });
        }
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &ObjectPath,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(
        &self,
        location: &ObjectPath,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<ObjectPath>>,
    ) -> BoxStream<'static, object_store::Result<ObjectPath>> {
        self.inner.delete_stream(locations)
    }

    fn list(
        &self,
        prefix: Option<&ObjectPath>,
    ) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(
        &self,
        prefix: Option<&ObjectPath>,
    ) -> object_store::Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(
        &self,
        from: &ObjectPath,
        to: &ObjectPath,
        options: CopyOptions,
    ) -> object_store::Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

/// A loopback proxy in front of `upstream` that answers the first `throttle` PUTs with S3's
/// 503 SlowDown and passes everything else through, one request per connection. Returns the
/// proxy and the count of 503s sent.
fn throttling_proxy(upstream: u16, throttle: usize) -> (TestServer, Arc<AtomicUsize>) {
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let proxy = TestServer::http(move |request| {
        if request.method == "PUT"
            && counter
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                    (n < throttle).then_some(n + 1)
                })
                .is_ok()
        {
            let xml = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
            return Response::new(503, xml).header("Content-Type", "application/xml");
        }
        server::forward(upstream, &request)
    });
    (proxy, sent)
}

// ---------------------------------------------------------------------------------------------
// Tests

#[test]
fn s3_incremental_sync_headers_and_pagination() {
    let Some(server) = moto() else { return };
    // 1,050 shards: the listing spans two pages of 1,000, and an unchanged run must still
    // upload nothing.
    let store = s3_store(&server, "portal");
    incremental_cycle(&store, 1050, true);
    // Single-part uploads: S3's ETag is the MD5 of what arrived, byte for byte.
    use md5::{Digest, Md5};
    let rt = runtime();
    for rel in ["index.html", "static/playbill.0123456789.css"] {
        let head = rt
            .block_on(store.inner.head(&store.key(rel).unwrap()))
            .unwrap();
        let md5 = Md5::digest(&portal(0)[rel]);
        let hex: String = md5.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            head.e_tag.as_deref(),
            Some(format!("\"{hex}\"").as_str()),
            "{rel}"
        );
    }
}

#[test]
fn s3_interrupted_publish_converges() {
    // Long on purpose: one interrupted publish and its recovery, in order.
    let Some(server) = moto() else { return };
    let real = s3_store(&server, "portal");
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let files = portal(30);
    let total = files.len();
    write(&out, &files);

    let failing = |allowed: usize, broken: Option<&'static str>| {
        let inner = Arc::new(FailingStore {
            inner: real.inner.clone(),
            allowed: AtomicUsize::new(allowed),
            broken,
        });
        Store::new(inner, "portal", true, "s3://site/portal").unwrap()
    };

    // The connection dies after five uploads: not even the manifest can be written.
    let err = publish(&rt, &failing(5, None), &out).unwrap_err();
    let first = err.iter().next().unwrap();
    assert_eq!(first.code, "publish/failed");
    assert!(
        first.message.contains("injected fault"),
        "{}",
        first.message
    );
    assert!(
        first.message.contains("portal/"),
        "names the object: {}",
        first.message
    );
    let listed = bucket(&rt, &real);
    // Assets go first: no page, let alone an entry point, refers to a missing asset.
    assert!(!listed.contains_key("index.html"));
    assert!(!listed.keys().any(|k| k.ends_with(".html")));
    assert_eq!(
        listed.len() - usize::from(listed.contains_key(MANIFEST_NAME)),
        5
    );

    // Re-run: the five listed objects are in no manifest, but their MD5 ETags vouch for them.
    let again = publish(&rt, &real, &out).unwrap();
    assert_eq!(counts(&again), (total - 5, 0, 5));
    let last = publish(&rt, &real, &out).unwrap();
    assert_eq!(counts(&last), (0, 0, total), "converged");
    assert_eq!(bucket(&rt, &real).len(), total + 1);

    // One object cannot be written: the manifest keeps what did go up, and the re-run
    // uploads only the rest.
    let mut files = files;
    for (path, bytes) in files.iter_mut() {
        if !path.starts_with("search/") {
            bytes.extend_from_slice(b" v2");
        }
    }
    write(&out, &files);
    let err = publish(
        &rt,
        &failing(usize::MAX, Some("portal/clusters/status.json")),
        &out,
    )
    .unwrap_err();
    let d = err.iter().next().unwrap();
    assert_eq!(d.file.as_deref(), Some("clusters/status.json"));
    assert!(
        d.message.contains("portal/clusters/status.json"),
        "{}",
        d.message
    );
    assert_eq!(
        get(&rt, &real, "index.html").0,
        b"<h1>home</h1>",
        "old entry point kept"
    );
    let resumed = publish(&rt, &real, &out).unwrap();
    assert_eq!(
        resumed
            .plan
            .uploads
            .iter()
            .map(|u| u.path.as_str())
            .collect::<Vec<_>>(),
        [
            "clusters/status.json",
            "catalog/default/component/a/index.html",
            "catalog/default/component/b/index.html",
            "catalog/default/component/b/kubernetes/index.html",
            "catalog/index.html",
            "404.html",
            "index.html"
        ]
    );
    assert_eq!(counts(&publish(&rt, &real, &out).unwrap()), (0, 0, total));
}

#[test]
fn s3_throttling_is_retried_with_backoff() {
    let Some(server) = moto() else { return };
    let (proxy, throttled) = throttling_proxy(server.port, 3);
    let s3 = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(proxy.url())
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_bucket_name("site")
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .with_retry(playbill::publish::store::retry_config())
        .build()
        .unwrap();
    let store = Store::new(Arc::new(s3), "portal", true, "s3://site/portal").unwrap();
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let files = portal(0);
    write(&out, &files);
    let summary = publish(&rt, &store, &out).unwrap();
    assert_eq!(counts(&summary), (files.len(), 0, 0));
    assert_eq!(
        throttled.load(Ordering::SeqCst),
        3,
        "three PUTs were throttled"
    );
    assert_eq!(bucket(&rt, &store).len(), files.len() + 1);
}

#[test]
fn azure_incremental_sync_and_headers() {
    let Some(server) = azurite() else { return };
    incremental_cycle(&azure_store(&server), 20, true);
}

#[test]
fn gcs_incremental_sync_and_headers() {
    let Some((_gcs, shim)) = fake_gcs() else {
        return;
    };
    incremental_cycle(&gcs_store(&shim), 20, true);
}

#[test]
fn file_target_incremental_sync() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("mirror");
    let url = url::Url::from_directory_path(&target).unwrap().to_string();
    let store = playbill::publish::store::Target::parse(&url)
        .unwrap()
        .open(&url)
        .unwrap();
    incremental_cycle(&store, 3, false);
    assert!(target.join("index.html").is_file());
    assert!(
        !target.join("catalog/default/component/b").exists(),
        "empty directories go too"
    );
}

// --- the command line ---

fn playbill(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_playbill"))
        .args(args)
        .current_dir(dir)
        // Nothing from the caller's environment may steer the clients or count as a secret.
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap()
}

fn site_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("public"), &portal(2));
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"T\"\nout_dir = \"public\"\n",
    )
    .unwrap();
    dir
}

#[test]
fn cli_publishes_to_a_directory_and_dry_run_changes_nothing() {
    let dir = site_dir();
    let target = dir.path().join("mirror");
    let url = format!("file://{}", target.display());
    let dry = playbill(&["publish", "--to", &url, "--dry-run"], dir.path());
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let plan = String::from_utf8_lossy(&dry.stdout);
    assert!(plan.contains("upload index.html ("), "{plan}");
    assert!(String::from_utf8_lossy(&dry.stderr).contains("Dry run: would upload 13 files"));
    assert!(!target.join("index.html").exists());

    let real = playbill(&["publish", "--to", &url], dir.path());
    let stderr = String::from_utf8_lossy(&real.stderr);
    assert!(real.status.success(), "{stderr}");
    assert!(stderr.contains("13 uploaded"), "{stderr}");
    assert_eq!(
        std::fs::read(target.join("index.html")).unwrap(),
        b"<h1>home</h1>"
    );
    // The audit trail records what reached the target; a dry run records nothing.
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("playbill-report.json")).expect("a report"),
    )
    .unwrap();
    assert_eq!(report["published"]["target"], url.as_str());
    let uploaded = report["published"]["uploaded"].as_array().unwrap();
    assert_eq!(uploaded.len(), 13);
    assert!(uploaded.iter().any(|p| p == "index.html"));
    let again = playbill(&["publish", "--to", &url], dir.path());
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 uploaded"));
}

#[test]
fn cli_refuses_to_delete_most_of_the_target_unless_told() {
    let dir = site_dir();
    let out = dir.path().join("public");
    write(&out, &portal(40));
    let target = dir.path().join("mirror");
    let url = format!("file://{}", target.display());
    let first = playbill(&["publish", "--to", &url], dir.path());
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );

    // A build that lost most of its inputs: two pages are left.
    let shrunk: BTreeMap<String, Vec<u8>> = portal(0).into_iter().take(2).collect();
    std::fs::remove_dir_all(&out).unwrap();
    write(&out, &shrunk);
    let refused = playbill(&["publish", "--to", &url], dir.path());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("publish/too-many-deletes"), "{stderr}");
    assert!(stderr.contains("--allow-mass-delete"), "{stderr}");
    let shard = "search/shard-0001.0000001ef0.js";
    assert!(target.join(shard).is_file(), "nothing was deleted");

    let allowed = playbill(
        &["publish", "--to", &url, "--allow-mass-delete"],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&allowed.stderr);
    assert!(allowed.status.success(), "{stderr}");
    assert!(!target.join(shard).exists(), "{stderr}");
}

#[test]
fn cli_refuses_a_portal_that_contains_a_secret() {
    let dir = site_dir();
    let token = "ghp_0123456789abcdefSECRET";
    std::fs::write(
        dir.path().join("public/catalog/index.html"),
        format!("<p>{token}</p>"),
    )
    .unwrap();
    let target = dir.path().join("mirror");
    let url = format!("file://{}", target.display());
    let out = Command::new(env!("CARGO_BIN_EXE_playbill"))
        .args(["publish", "--to", &url])
        .current_dir(dir.path())
        .env_clear()
        .env("GITHUB_TOKEN", token)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("publish/secret-in-output"), "{stderr}");
    assert!(
        stderr.contains("catalog/index.html"),
        "names the file: {stderr}"
    );
    assert!(
        stderr.contains("GITHUB_TOKEN"),
        "names the variable: {stderr}"
    );
    assert!(!stderr.contains(token), "never prints the secret");
    assert!(!target.join("index.html").exists(), "nothing published");
}

#[test]
fn cli_reports_a_missing_or_bad_target_and_an_unbuilt_portal() {
    let dir = site_dir();
    let none = playbill(&["publish"], dir.path());
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("publish/target-invalid"));
    let bad = playbill(&["publish", "--to", "ftp://x/y"], dir.path());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unsupported scheme"));
    let inside = format!("file://{}", dir.path().join("public/copy").display());
    let overlap = playbill(&["publish", "--to", &inside], dir.path());
    assert_eq!(overlap.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&overlap.stderr).contains("overlaps the output directory"));
    let url = format!("file://{}", dir.path().join("mirror").display());
    let unbuilt = playbill(&["publish", "--to", &url, "--out", "nothing"], dir.path());
    assert_eq!(unbuilt.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unbuilt.stderr).contains("publish/not-built"));
}

#[test]
fn cli_publishes_the_demo_to_s3_from_the_environment() {
    let Some(server) = moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let config = Path::new(REPO).join("site.toml");
    let config = config.to_str().unwrap();
    let built = playbill(
        &["build", "--config", config, "--out", out.to_str().unwrap()],
        dir.path(),
    );
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let files = playbill::output::read_manifest(&out).unwrap().len();

    let run = |extra: &[&str]| {
        let mut args = vec![
            "publish",
            "--config",
            config,
            "--out",
            out.to_str().unwrap(),
            "--to",
            "s3://site/demo",
        ];
        args.extend_from_slice(extra);
        let output = Command::new(env!("CARGO_BIN_EXE_playbill"))
            .args(&args)
            .current_dir(dir.path())
            .env_clear()
            .env("AWS_ENDPOINT", format!("http://127.0.0.1:{}", server.port))
            .env("AWS_ALLOW_HTTP", "true")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(output.status.success(), "{stderr}");
        stderr
    };
    let first = run(&[]);
    assert!(
        first.contains(&format!("Published: {files} uploaded")),
        "{first}"
    );
    let second = run(&[]);
    assert!(
        second.contains(&format!(
            "0 uploaded (0 bytes), 0 deleted, {files} unchanged"
        )),
        "{second}"
    );
    let dry = run(&["--dry-run"]);
    assert!(dry.contains("would upload 0 files"), "{dry}");
    eprintln!("demo: {files} files\n  first:  {first}  second: {second}");
}
