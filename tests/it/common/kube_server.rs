//! A Kubernetes API server for tests, on loopback over HTTPS with its own certificate
//! authority: it serves list endpoints from an in-memory world, checks the bearer token,
//! honours `labelSelector`, `limit` and `continue`, records every request, and can be told to
//! misbehave (hang, 503, 401, 403 on one type, an expired continue token, 503s on the first
//! requests of some types, one type that never answers).
#![allow(dead_code)]

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use playbill::cluster::selector::Selector;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_rustls::rustls;

#[derive(Clone, Debug, Default)]
pub(crate) struct Faults {
    /// Never answer.
    pub hang: bool,
    /// Answer every request with this status.
    pub status: Option<u16>,
    /// Plurals whose lists are forbidden (403).
    pub forbidden: Vec<String>,
    /// The first request that carries a continue token gets 410 Gone.
    pub expire_first_continue: bool,
    /// Resource path (`/api/v1/pods`, namespace left out) → how many of its first requests
    /// are answered 503 Service Unavailable.
    pub flaky: BTreeMap<String, u32>,
    /// Resource paths whose requests are never answered.
    pub hang_paths: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
}

struct State {
    token: String,
    /// Resource path without namespace (`/api/v1/pods`, `/apis/apps/v1/deployments`) → objects.
    world: BTreeMap<String, Vec<Value>>,
    faults: Faults,
    requests: Vec<Recorded>,
    expired_once: bool,
    /// Requests seen per resource path, for `Faults::flaky`.
    seen: BTreeMap<String, u32>,
}

pub(crate) struct KubeServer {
    pub url: String,
    /// The CA that signed the server's certificate, PEM.
    pub ca_pem: String,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// The path a list of this group/version/plural is served at, cluster-wide.
pub(crate) fn resource_path(group: &str, version: &str, plural: &str) -> String {
    if group.is_empty() {
        format!("/api/{version}/{plural}")
    } else {
        format!("/apis/{group}/{version}/{plural}")
    }
}

impl KubeServer {
    /// Starts a server with `world` (resource path → objects), accepting `token`.
    pub(crate) fn start(
        token: &str,
        world: BTreeMap<String, Vec<Value>>,
        faults: Faults,
    ) -> KubeServer {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "playbill test CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let leaf_key = rcgen::KeyPair::generate().unwrap();
        let leaf =
            rcgen::CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
                .unwrap()
                .signed_by(&leaf_key, &ca)
                .unwrap();
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(
                vec![leaf.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let state = Arc::new(Mutex::new(State {
            token: token.to_string(),
            world,
            faults,
            requests: Vec::new(),
            expired_once: false,
            seen: BTreeMap::new(),
        }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let shared = state.clone();
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
                            let acceptor = acceptor.clone();
                            let state = shared.clone();
                            tokio::spawn(async move {
                                let Ok(tls) = acceptor.accept(tcp).await else { return };
                                let service = hyper::service::service_fn(move |req| {
                                    let state = state.clone();
                                    async move { Ok::<_, std::convert::Infallible>(handle(&state, req).await) }
                                });
                                let _ = hyper::server::conn::http1::Builder::new()
                                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                                    .await;
                            });
                        }
                    }
                }
            });
        });
        KubeServer {
            url: format!("https://127.0.0.1:{}", addr.port()),
            ca_pem: ca.pem(),
            state,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }
}

impl Drop for KubeServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn reply(status: u16, body: Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap()
}

fn status_body(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "code": code})
}

fn query_params(query: &str) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// `/api/v1/namespaces/ns/pods` → (`/api/v1/pods`, Some(ns)).
fn split_namespace(path: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let prefix = if parts.first() == Some(&"api") { 2 } else { 3 };
    if parts.len() == prefix + 3 && parts[prefix] == "namespaces" {
        let mut p: Vec<&str> = parts[..prefix].to_vec();
        p.push(parts[prefix + 2]);
        (
            format!("/{}", p.join("/")),
            Some(parts[prefix + 1].to_string()),
        )
    } else {
        (path.to_string(), None)
    }
}

async fn handle(state: &Arc<Mutex<State>>, req: Request<Incoming>) -> Response<Full<Bytes>> {
    // Long on purpose: one arm per API path the fake Kubernetes server answers.
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let (faults, token) = {
        let mut s = state.lock().unwrap();
        s.requests.push(Recorded {
            method: req.method().to_string(),
            path: path.clone(),
            query: query.clone(),
        });
        (s.faults.clone(), s.token.clone())
    };
    if faults.hang {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    if let Some(code) = faults.status {
        return reply(code, status_body(code, "InternalError", "injected failure"));
    }
    if auth != format!("Bearer {token}") {
        return reply(401, status_body(401, "Unauthorized", "Unauthorized"));
    }
    if req.method() != hyper::Method::GET {
        return reply(
            405,
            status_body(405, "MethodNotAllowed", "read-only test server"),
        );
    }
    let (resource, namespace) = split_namespace(&path);
    if faults.hang_paths.contains(&resource) {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    let seen = {
        let mut s = state.lock().unwrap();
        let n = s.seen.entry(resource.clone()).or_default();
        *n += 1;
        *n
    };
    if faults
        .flaky
        .get(&resource)
        .is_some_and(|&failing| seen <= failing)
    {
        return reply(
            503,
            status_body(
                503,
                "ServiceUnavailable",
                "the server is currently unable to handle the request",
            ),
        );
    }
    let plural = resource.rsplit('/').next().unwrap_or("").to_string();
    if faults.forbidden.contains(&plural) {
        let msg = format!("{plural} is forbidden: User \"system:serviceaccount:playbill:playbill\" cannot list resource \"{plural}\"");
        return reply(403, status_body(403, "Forbidden", &msg));
    }
    let params = query_params(&query);
    let offset: usize = match params.get("continue") {
        Some(c) => {
            let mut s = state.lock().unwrap();
            if s.faults.expire_first_continue && !s.expired_once {
                s.expired_once = true;
                return reply(
                    410,
                    status_body(410, "Expired", "The provided continue parameter is too old"),
                );
            }
            c.strip_prefix("offset-")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        }
        None => 0,
    };
    let selector = match params.get("labelSelector").map(|s| Selector::parse(s)) {
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return reply(400, status_body(400, "BadRequest", &e)),
        None => None,
    };
    let limit: usize = params
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(usize::MAX);
    let s = state.lock().unwrap();
    let Some(all) = s.world.get(&resource) else {
        return reply(
            404,
            status_body(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ),
        );
    };
    let matching: Vec<&Value> = all
        .iter()
        .filter(|o| {
            namespace.as_deref().is_none_or(|ns| {
                o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(ns)
            })
        })
        .filter(|o| {
            selector.as_ref().is_none_or(|sel| {
                let labels: BTreeMap<String, String> = o
                    .pointer("/metadata/labels")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                            .collect()
                    })
                    .unwrap_or_default();
                sel.matches(&labels)
            })
        })
        .collect();
    let page: Vec<&Value> = matching.iter().skip(offset).take(limit).copied().collect();
    let next = offset.saturating_add(limit);
    let mut metadata = json!({"resourceVersion": "4242"});
    if next < matching.len() {
        metadata["continue"] = json!(format!("offset-{next}"));
        metadata["remainingItemCount"] = json!(matching.len() - next);
    }
    let kind = format!("{}List", plural);
    reply(
        200,
        json!({"kind": kind, "apiVersion": "v1", "metadata": metadata, "items": page}),
    )
}
