//! `playbill serve`: builds, serves the output on 127.0.0.1, and rebuilds when an input
//! changes (polling file metadata once a second: no platform-specific watcher to go wrong);
//! open pages reload after each rebuild (`live_reload`).

use crate::config::{Config, Source};
use crate::live_reload;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

/// A fingerprint of every input's path, size and modification time.
pub fn inputs_fingerprint(config: &Config) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut roots: Vec<PathBuf> = config.file.iter().cloned().collect();
    roots.extend(config.sources.iter().filter_map(|s| match s {
        Source::Local { path, .. } => Some(path.clone()),
        Source::Github(_) => None,
    }));
    roots.extend(config.templates_dir.iter().cloned());
    roots.extend(config.static_dir.iter().cloned());
    for root in roots {
        let walker = walkdir::WalkDir::new(&root)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                !(e.file_type().is_dir() && crate::gather::SKIPPED_DIRS.contains(&name.as_ref()))
                    && e.path() != config.out_dir
            });
        for entry in walker.filter_map(Result::ok) {
            entry.path().hash(&mut hasher);
            if let Ok(meta) = entry.metadata() {
                meta.len().hash(&mut hasher);
                if let Ok(t) = meta.modified() {
                    t.duration_since(UNIX_EPOCH)
                        .unwrap_or_default()
                        .as_nanos()
                        .hash(&mut hasher);
                }
            }
        }
    }
    hasher.finish()
}

/// Maps a request path to a file in the output directory, refusing anything that climbs out.
pub fn resolve_request(out_dir: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = crate::paths::percent_decode(path)?;
    let mut resolved = out_dir.to_path_buf();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains('\\') => return None,
            p => resolved.push(p),
        }
    }
    if resolved.is_dir() {
        resolved.push("index.html");
    }
    resolved.is_file().then_some(resolved)
}

/// Headers of every file served: its Content-Type (the table `publish` gives the bucket), and
/// the response headers the manual (docs/publishing.md) asks the CDN or proxy in front of the bucket to add.
pub fn file_headers(path: &Path) -> Vec<(&'static str, String)> {
    let name = path.to_string_lossy();
    let mut headers = vec![(
        "Content-Type",
        crate::publish::plan::content_type(&name).to_string(),
    )];
    headers.extend(crate::site::response_headers());
    headers
}

/// What the sign-in proxy's user endpoint would answer for `url`: with `serve --as EMAIL`, the
/// path of `[sso] userinfo_url` answers as oauth2-proxy does for that reader, so "My services"
/// can be previewed without a proxy. None for every other path.
pub fn userinfo_answer(config: &Config, signed_in: Option<&str>, url: &str) -> Option<String> {
    let email = signed_in?;
    let endpoint = config.sso.userinfo_url.as_deref()?;
    let path = url.split(['?', '#']).next().unwrap_or("");
    if path != endpoint {
        return None;
    }
    let user = email.split('@').next().unwrap_or(email);
    let answer = serde_json::json!({
        "user": user,
        "email": email,
        "preferredUsername": user,
        "groups": [],
    });
    Some(answer.to_string())
}

/// Serves `out_dir` until the process is stopped; `rebuild` runs whenever inputs change.
/// `signed_in` plays the sign-in proxy's reader (see [`userinfo_answer`]).
///
/// Each connection is served on its own task, so a browser's kept-alive connections never
/// hold up a new one (tiny_http, used before, could queue a connection behind them).
pub fn serve(
    config: &Config,
    out_dir: &Path,
    port: u16,
    signed_in: Option<&str>,
    rebuild: &(dyn Fn() + Sync),
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    eprintln!(
        "Serving {} at http://127.0.0.1:{port}/ (Ctrl-C to stop)",
        out_dir.display()
    );
    let answers = Arc::new(Answers {
        config: config.clone(),
        out_dir: out_dir.to_path_buf(),
        signed_in: signed_in.map(str::to_string),
        generation: live_reload::Generation::default(),
    });
    std::thread::scope(|scope| {
        scope.spawn(|| rebuild_on_change(config, &answers.generation, rebuild));
        runtime.block_on(accept(listener, Arc::clone(&answers)));
    });
    Ok(())
}

/// Polls the inputs once a second; rebuilds and counts the rebuild when they changed.
fn rebuild_on_change(
    config: &Config,
    generation: &live_reload::Generation,
    rebuild: &(dyn Fn() + Sync),
) {
    let mut last = inputs_fingerprint(config);
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let now = inputs_fingerprint(config);
        if now != last {
            last = now;
            rebuild();
            generation.bump();
        }
    }
}

/// Serves every connection `listener` accepts, each on a task of its own.
async fn accept(listener: tokio::net::TcpListener, answers: Arc<Answers>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, say: wait for connections to close.
                eprintln!("warning: cannot accept a connection: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let answers = Arc::clone(&answers);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let response = answers.respond(request.uri());
                async move { Ok::<_, std::convert::Infallible>(response) }
            });
            // A connection the browser drops mid-request ends here; the others go on.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// What the server answers from.
struct Answers {
    config: Config,
    out_dir: PathBuf,
    signed_in: Option<String>,
    generation: live_reload::Generation,
}

type Response = hyper::Response<http_body_util::Full<hyper::body::Bytes>>;

impl Answers {
    /// The answer to a request for `uri`: the live-reload paths, the reader's userinfo, a file
    /// of the output (HTML with the live-reload script) or its 404 page. Never cached.
    fn respond(&self, uri: &hyper::Uri) -> Response {
        let url = uri.path_and_query().map_or("/", |p| p.as_str());
        let (status, headers, body) = self.answer(url);
        let mut response = hyper::Response::builder().status(status);
        for (name, value) in headers.iter().map(|(n, v)| (*n, v.as_str())) {
            response = response.header(name, value);
        }
        response
            .header("Cache-Control", "no-store")
            .body(http_body_util::Full::new(body.into()))
            .unwrap_or_else(|e| {
                let mut failed = Response::new(format!("cannot answer: {e}").into());
                *failed.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
                failed
            })
    }

    fn answer(&self, url: &str) -> (u16, Vec<(&'static str, String)>, Vec<u8>) {
        if let Some((body, content_type)) = live_reload::answer(url, &self.generation) {
            return (200, vec![("Content-Type", content_type.to_string())], body);
        }
        let signed_in = self.signed_in.as_deref();
        if let Some(json) = userinfo_answer(&self.config, signed_in, url) {
            let headers = vec![("Content-Type", "application/json".to_string())];
            return (200, headers, json.into_bytes());
        }
        let Some(path) = resolve_request(&self.out_dir, url) else {
            let not_found = self.out_dir.join("404.html");
            let body = std::fs::read(&not_found)
                .map(|b| with_live_reload(&not_found, b))
                .unwrap_or_else(|_| b"not found".to_vec());
            let headers = vec![("Content-Type", "text/html; charset=utf-8".to_string())];
            return (404, headers, body);
        };
        match std::fs::read(&path) {
            Ok(bytes) => (200, file_headers(&path), with_live_reload(&path, bytes)),
            Err(_) => (500, Vec::new(), b"cannot read file".to_vec()),
        }
    }
}

/// An HTML page as served: with the live-reload script (never written to the output).
fn with_live_reload(path: &Path, bytes: Vec<u8>) -> Vec<u8> {
    let html = path.extension().is_some_and(|e| e == "html");
    if html {
        live_reload::inject(bytes)
    } else {
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_carries_its_type_and_the_security_headers() {
        let headers = |p: &str| file_headers(Path::new(p));
        let value = |p: &str, name: &str| {
            headers(p)
                .into_iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v)
                .unwrap_or_default()
        };
        assert_eq!(value("out/docs/a/d.svg", "Content-Type"), "image/svg+xml");
        assert_eq!(
            value("out/docs/a/notes.md", "Content-Type"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            value("out/docs/a/blob", "Content-Type"),
            "application/octet-stream"
        );
        for file in ["out/index.html", "out/docs/a/d.svg", "out/x.json"] {
            assert_eq!(value(file, "X-Content-Type-Options"), "nosniff");
            let csp = value(file, "Content-Security-Policy");
            assert!(
                csp.starts_with("default-src 'none'; script-src 'self'"),
                "{csp}"
            );
            assert!(csp.ends_with("frame-ancestors 'none'"), "{csp}");
        }
    }

    #[test]
    fn the_manual_gives_the_cdn_the_headers_serve_sends() {
        let manual = include_str!("../docs/publishing.md");
        for (name, value) in crate::site::response_headers() {
            let line = format!("{name}: {value}");
            assert!(manual.contains(&line), "docs/publishing.md lacks `{line}`");
        }
    }

    #[test]
    fn the_userinfo_path_answers_for_the_reader_given_with_as() {
        let mut config = Config::defaults(Path::new("/tmp"));
        let reader = Some("ingrid.halvorsen@kloudvin.example");
        assert_eq!(userinfo_answer(&config, reader, "/oauth2/userinfo"), None);
        config.sso.userinfo_url = Some("/oauth2/userinfo".into());
        assert_eq!(userinfo_answer(&config, None, "/oauth2/userinfo"), None);
        assert_eq!(userinfo_answer(&config, reader, "/index.html"), None);
        let answer = userinfo_answer(&config, reader, "/oauth2/userinfo?x=1").unwrap();
        let json: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(json["email"], "ingrid.halvorsen@kloudvin.example");
        assert_eq!(json["user"], "ingrid.halvorsen");
    }

    #[test]
    fn requests_never_leave_the_output_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("catalog")).unwrap();
        std::fs::write(dir.path().join("catalog/index.html"), "x").unwrap();
        assert_eq!(
            resolve_request(dir.path(), "/catalog/?kind=api"),
            Some(dir.path().join("catalog/index.html"))
        );
        assert_eq!(resolve_request(dir.path(), "/../etc/passwd"), None);
        assert_eq!(resolve_request(dir.path(), "/%2e%2e/etc/passwd"), None);
        assert_eq!(resolve_request(dir.path(), "/missing.html"), None);
    }
}
