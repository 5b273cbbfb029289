//! The `playbill` binary as CI and people run it: exit codes, `check` in text and JSON, and
//! `--help` for every command.

use crate::common;

use common::{component, Fixture};
use std::process::{Command, Output};

pub(crate) fn playbill(args: &[&str], cwd: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbill"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("runs")
}

/// Asserts the exit code, showing stderr when it differs.
pub(crate) fn expect_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn check_paths_without_a_site_toml_prints_json_lines() {
    let fx = Fixture::new()
        .file("svc/.git/HEAD", "ref: refs/heads/main\n")
        .file(
            "svc/catalog-info.yaml",
            format!("{}---\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Bad!\nspec:\n  type: service\n  lifecycle: production\n  owner: t\n---\n- x\n", component("payments-ledger", "team-a")),
        );
    let repo = fx.repos().join("svc");
    let out = playbill(&["check", "--format", "json", "catalog-info.yaml"], &repo);
    expect_code(&out, 1);
    let lines = json_lines(&out);
    let diagnostics: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l.get("severity").is_some())
        .collect();
    let documents: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l.get("kind").is_some()).collect();
    // Diagnostics first, then one line per document.
    let first_doc = lines.iter().position(|l| l.get("kind").is_some()).unwrap();
    assert!(lines[..first_doc]
        .iter()
        .all(|l| l.get("severity").is_some()));
    for d in &diagnostics {
        for key in [
            "severity", "code", "message", "repo", "file", "line", "column", "entity",
        ] {
            assert!(d.get(key).is_some(), "diagnostic lacks {key}: {d}");
        }
    }
    let invalid_name = diagnostics
        .iter()
        .find(|d| d["code"] == "catalog/invalid-field")
        .expect("invalid name reported");
    assert_eq!(invalid_name["file"], "catalog-info.yaml");
    assert_eq!(invalid_name["line"], 14);
    assert_eq!(invalid_name["severity"], "error");
    assert_eq!(documents.len(), 3);
    assert_eq!(documents[0]["kind"], "entity");
    assert_eq!(documents[0]["index"], 0);
    assert_eq!(documents[0]["ref"], "component:default/payments-ledger");
    assert_eq!(documents[0]["valid"], true);
    assert_eq!(documents[1]["index"], 2);
    assert_eq!(documents[1]["valid"], false);
    assert_eq!(documents[2]["index"], 3);
    assert!(documents[2]["ref"].is_null());
}

#[test]
fn check_a_clean_directory_exits_zero_and_follows_locations_inside_the_work_tree() {
    let fx = Fixture::new()
        .file("svc/.git/HEAD", "ref: refs/heads/main\n")
        .file("svc/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: l\nspec:\n  targets: [./a.yaml, ../../outside.yaml]\n")
        .file("svc/a.yaml", component("a", "t"));
    let repo = fx.repos().join("svc");
    let out = playbill(&["check", "."], &repo);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("catalog/location-outside-repo"), "{text}");
    std::fs::write(repo.join("catalog-info.yaml"), "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: l\nspec:\n  targets: [./a.yaml]\n").unwrap();
    let out = playbill(&["check", "."], &repo);
    let text = String::from_utf8_lossy(&out.stdout);
    // The owner `t` is not in this repository: a warning, not an error.
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("2 entities"), "{text}");
    assert_eq!(
        playbill(&["check", "--strict", "."], &repo).status.code(),
        Some(1)
    );
}

#[test]
fn build_exits_one_on_errors_only_when_strict_and_two_on_a_bad_config() {
    let fx = Fixture::new().file("a/catalog-info.yaml", "kind: [broken\n");
    fx.load_config();
    let dir = fx.dir.path();
    let out = playbill(&["build"], dir);
    expect_code(&out, 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("catalog/yaml-syntax"), "{stderr}");
    assert!(stderr.contains("Built 0 entities"), "{stderr}");
    assert!(dir.join("public/index.html").is_file());
    assert_eq!(playbill(&["build", "--strict"], dir).status.code(), Some(1));
    std::fs::write(
        dir.join("bad.toml"),
        "title = \"x\"\n[[sources]]\ntype = \"local\"\npath = \"repos\"\nbranch = \"main\"\n",
    )
    .unwrap();
    let out = playbill(&["build", "--config", "bad.toml"], dir);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 5") && stderr.contains("branch"),
        "{stderr}"
    );
    let out = playbill(&["build", "--out", "."], dir);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an output directory holding the inputs is refused"
    );
}

#[test]
fn build_writes_an_audit_report_and_logs_json_lines() {
    let token = format!("ghp_{}", "Tq9wE3rT5yU7iO9pA1sD3fG5hJ7kL9zX1cV3");
    let fx = Fixture::new()
        .file(
            "ledger/catalog-info.yaml",
            component("ledger", "team-a")
                .replace("spec:", &format!("  description: key {token}\nspec:")),
        )
        .file("other/catalog-info.yaml", "kind: [broken\n");
    fx.load_config();
    let dir = fx.dir.path();
    let out = playbill(
        &[
            "build",
            "--log-format",
            "json",
            "--report",
            "audit/report.json",
        ],
        dir,
    );
    expect_code(&out, 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains(&token));
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let kinds: Vec<&str> = lines.iter().filter_map(|l| l["kind"].as_str()).collect();
    assert!(
        kinds.contains(&"diagnostic") && kinds.last() == Some(&"summary"),
        "{kinds:?}"
    );
    assert!(lines
        .iter()
        .any(|l| l["code"] == "security/secret" && l["line"] == 5));

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("audit/report.json")).unwrap()).unwrap();
    let repos: Vec<&str> = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["repo"].as_str())
        .collect();
    assert_eq!(repos, ["ledger", "other"]);
    assert_eq!(report["diagnostics"]["by_code"]["security/secret"], 1);
    assert_eq!(report["diagnostics"]["by_code"]["catalog/yaml-syntax"], 1);
    assert_eq!(report["secrets_redacted"][0]["file"], "catalog-info.yaml");
    assert_eq!(report["secrets_redacted"][0]["line"], 5);
    assert!(report["finished_at"].as_str().unwrap().ends_with('Z'));
    let text = std::fs::read_to_string(dir.join("audit/report.json")).unwrap();
    assert!(!text.contains(&token));
    // The report stays out of the published site by default.
    let out = playbill(&["build"], dir);
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.join("playbill-report.json").is_file());
    assert!(!common::files_below(&dir.join("public"))
        .iter()
        .any(|f| f.contains("report")));
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["build", "check", "serve"] {
        let out = playbill(&[command, "--help"], dir.path());
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("--config"),
            "{command}"
        );
    }
}

fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split(' ').nth(1)?.parse().ok()?;
    Some((status, response))
}

/// A browser opens several connections at once and keeps them open between requests. Sixteen
/// opened together, and kept open, must each be answered at once; so must a burst of sixteen
/// more while they stay open.
fn connections_kept_alive_hold_up_no_other(port: u16) {
    use std::io::{BufRead, BufReader, Read, Write};
    let kept: Vec<std::net::TcpStream> = (0..16)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    for mut stream in &kept {
        write!(stream, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    }
    for stream in &kept {
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut length = 0;
        let mut line = String::new();
        while reader
            .read_line(&mut line)
            .expect("a kept-alive connection was answered")
            > 2
        {
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            line.clear();
        }
        reader.take(length).read_to_end(&mut Vec::new()).unwrap();
    }
    let burst: Vec<_> = (0..16)
        .map(|_| std::thread::spawn(move || http_get(port, "/index.html").map(|(s, _)| s)))
        .collect();
    for answer in burst {
        assert_eq!(answer.join().unwrap(), Some(200));
    }
    drop(kept);
}

/// Stops the server when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_answers_on_loopback_and_rebuilds_when_an_input_changes() {
    let fx = Fixture::new().file("a/catalog-info.yaml", component("first", "t"));
    fx.load_config();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Child(
        Command::new(env!("CARGO_BIN_EXE_playbill"))
            .args(["serve", "--port", &port.to_string()])
            .current_dir(fx.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let wait_for = |path: &str, status: u16| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            if let Some((s, body)) = http_get(port, path) {
                if s == status {
                    return body;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("{path} did not answer {status}");
    };
    let home = wait_for("/", 200);
    assert!(home.contains("text/html"), "{home}");
    connections_kept_alive_hold_up_no_other(port);
    wait_for("/catalog/default/component/first/index.html", 200);
    wait_for("/../site.toml", 404);
    wait_for("/%2e%2e/site.toml", 404);
    std::fs::create_dir_all(fx.repos().join("b")).unwrap();
    std::fs::write(
        fx.repos().join("b/catalog-info.yaml"),
        component("second", "t"),
    )
    .unwrap();
    wait_for("/catalog/default/component/second/index.html", 200);
    // Live reload: served pages carry the script and the count of rebuilds has moved; the
    // files on disk, which get published, do not carry it.
    let page = wait_for("/catalog/default/component/second/index.html", 200);
    assert!(page.contains("/__playbill/live-reload.js"), "{page}");
    assert!(wait_for("/__playbill/live-reload.js", 200).contains("location.reload"));
    // The count moves when the rebuild has ended, a little after its pages are written.
    let rebuilds = || -> (u64, String) {
        let generation = wait_for("/__playbill/generation", 200);
        let body = generation.rsplit("\r\n\r\n").next().unwrap().trim();
        (body.parse().unwrap(), generation.clone())
    };
    let started = std::time::Instant::now();
    let (mut count, mut generation) = rebuilds();
    while count == 0 && started.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(100));
        (count, generation) = rebuilds();
    }
    assert!(count >= 1, "{generation}");
    let built = walkdir::WalkDir::new(fx.dir.path())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "index.html")
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect::<Vec<_>>();
    assert!(!built.is_empty());
    assert!(built.iter().all(|html| !html.contains("__playbill")));
}
