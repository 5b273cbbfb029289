//! One loopback HTTP(S) server for the tests that need a fake of a web service (the GitHub API,
//! a webhook receiver, a throttling proxy in front of an object store). A test gives it a
//! handler from [`Request`] to [`Response`]; the server runs hyper on its own thread and
//! calls the handler on tokio's blocking pool, so a handler may lock, sleep or make blocking
//! calls. Every connection carries one request and is then closed, so what a test counts is
//! the client's behaviour, not a server's connection reuse. With [`TestServer::https`] it
//! serves TLS with a certificate for 127.0.0.1 signed by a certificate authority of its own,
//! made with rcgen for that server alone ([`TestServer::ca_pem`]).

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_rustls::rustls;

/// A request as the handler sees it: the whole body read, header names lower-cased.
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub method: String,
    /// Path and query, as sent (`/api/v3/orgs/x/repos?page=2`).
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The port the server listens on, for answers that carry absolute URLs.
    pub port: u16,
}

impl Request {
    /// The first value of a header (any case).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// An answer; `Content-Length` is added unless the headers carry one.
#[derive(Clone, Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub(crate) fn new(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub(crate) fn header(mut self, name: &str, value: impl ToString) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

type Handler = dyn Fn(Request) -> Response + Send + Sync;

/// A running server; stops (and joins its thread) when dropped.
pub(crate) struct TestServer {
    addr: SocketAddr,
    ca_pem: Option<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Plain HTTP on 127.0.0.1.
    pub(crate) fn http(
        handler: impl Fn(Request) -> Response + Send + Sync + 'static,
    ) -> TestServer {
        TestServer::start(None, Arc::new(handler))
    }

    /// HTTPS on 127.0.0.1, with a certificate authority made for this server.
    pub(crate) fn https(
        handler: impl Fn(Request) -> Response + Send + Sync + 'static,
    ) -> TestServer {
        let (config, ca_pem) = certificates();
        TestServer::start(Some((config, ca_pem)), Arc::new(handler))
    }

    /// `http://127.0.0.1:PORT` or `https://…`, without a trailing slash.
    pub(crate) fn url(&self) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// The PEM of the certificate authority that signed an HTTPS server's certificate.
    pub(crate) fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    fn start(tls: Option<(rustls::ServerConfig, String)>, handler: Arc<Handler>) -> TestServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (ca_pem, acceptor) = match tls {
            Some((config, pem)) => (
                Some(pem),
                Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))),
            ),
            None => (None, None),
        };
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    tokio::select! {
                        _ = &mut stop_rx => break,
                        accepted = listener.accept() => {
                            let Ok((tcp, _)) = accepted else { continue };
                            let (handler, acceptor) = (handler.clone(), acceptor.clone());
                            tokio::spawn(async move {
                                match acceptor {
                                    Some(acceptor) => {
                                        if let Ok(tls) = acceptor.accept(tcp).await {
                                            serve_connection(tls, handler, addr.port()).await;
                                        }
                                    }
                                    None => serve_connection(tcp, handler, addr.port()).await,
                                }
                            });
                        }
                    }
                }
            });
        });
        TestServer {
            addr,
            ca_pem,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve_connection<S>(stream: S, handler: Arc<Handler>, port: u16)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let handler = handler.clone();
        async move {
            let request = read_request(req, port).await;
            let response = tokio::task::spawn_blocking(move || handler(request))
                .await
                .unwrap_or_else(|e| Response::new(500, format!("handler panicked: {e}")));
            Ok::<_, std::convert::Infallible>(to_hyper(response))
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
        .await;
}

async fn read_request(req: hyper::Request<Incoming>, port: u16) -> Request {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    Request {
        method: parts.method.to_string(),
        target: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_string(), |p| p.to_string()),
        headers: header_pairs(&parts.headers),
        body,
        port,
    }
}

fn header_pairs(headers: &hyper::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn to_hyper(response: Response) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder().status(response.status);
    for (k, v) in &response.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    builder
        .body(Full::new(Bytes::from(response.body)))
        .unwrap_or_else(|e| {
            hyper::Response::builder()
                .status(500)
                .body(Full::new(Bytes::from(format!("bad test response: {e}"))))
                .unwrap()
        })
}

/// Sends `request` on to the plain HTTP server at 127.0.0.1:`port` (one connection, closed
/// afterwards) and returns its answer, for handlers that act as a proxy. Call it from a
/// handler: it runs on the server's runtime.
pub(crate) fn forward(port: u16, request: &Request) -> Response {
    let hop_by_hop = |k: &str| {
        k.eq_ignore_ascii_case("connection") || k.eq_ignore_ascii_case("transfer-encoding")
    };
    let mut builder = hyper::Request::builder()
        .method(request.method.as_str())
        .uri(request.target.as_str());
    for (k, v) in request.headers.iter().filter(|(k, _)| !hop_by_hop(k)) {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let outgoing = builder
        .header("connection", "close")
        .body(Full::new(Bytes::from(request.body.clone())))
        .expect("a request hyper can send");
    tokio::runtime::Handle::current().block_on(async move {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("upstream listens");
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
                .await
                .expect("HTTP/1.1 handshake with upstream");
        tokio::spawn(connection);
        let answer = sender
            .send_request(outgoing)
            .await
            .expect("upstream answers");
        let status = answer.status().as_u16();
        let headers = header_pairs(answer.headers())
            .into_iter()
            .filter(|(k, _)| !hop_by_hop(k))
            .collect();
        let body = answer
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes().to_vec())
            .unwrap_or_default();
        Response {
            status,
            headers,
            body,
        }
    })
}

/// A server configuration for 127.0.0.1 and localhost, and the PEM of the authority that
/// signed its certificate.
fn certificates() -> (rustls::ServerConfig, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Playbill Test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf_params =
        rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .unwrap();
    leaf_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = leaf_params.signed_by(&leaf_key, &ca).unwrap();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    (config, ca.pem())
}
