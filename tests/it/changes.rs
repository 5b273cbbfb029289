//! The change feed across builds: a small organisation built, modified (a component added and
//! one removed, an owner and a lifecycle changed, an image rolled out, a problem appearing) and
//! built again against the first build's state; an unchanged third build; a corrupt state; and
//! the onboarding webhook against a receiver on loopback.

use crate::common;

use common::server::{Response, TestServer};
use common::Fixture;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const T1: i64 = 1_795_000_000; // 2026-11-18 11:06:40 UTC
const T2: i64 = 1_795_100_000; // 2026-11-19 14:53:20 UTC
const T3: i64 = 1_795_200_000;
const SECRET: &str = "Basic c2VjcmV0LXdlYmhvb2stdmFsdWU=";

fn component(name: &str, owner: &str, lifecycle: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  title: {name} service\n  description: Does {name} things.\n  annotations:\n    backstage.io/kubernetes-id: {name}\nspec:\n  type: service\n  lifecycle: {lifecycle}\n  owner: {owner}\n"
    )
}

const GROUPS: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-b\nspec:\n  type: team\n  children: []\n";

/// The fixture's cluster snapshot: svc-a runs `tag`; svc-b has `problem` when given.
fn snapshot(tag: &str, problem: bool) -> String {
    let status = |name: &str, tag: &str, problems: Value| {
        json!({
            "selector": format!("backstage.io/kubernetes-id={name}"),
            "clusters": { "prod": {
                "workloads": [{ "kind": "Deployment", "namespace": "apps", "name": name,
                    "desired": 2, "ready": 2, "available": 2, "updated": 2,
                    "images": [format!("registry.example/{name}:{tag}")] }],
                "problems": problems,
            }},
        })
    };
    let problems = if problem {
        json!([{ "severity": 8, "rule": "oom-killed", "object": "Pod apps/svc-b-1",
                 "message": "container api was OOM-killed" }])
    } else {
        json!([])
    };
    json!({
        "version": 1,
        "taken_at": T1,
        "clusters": [{ "name": "prod", "title": "prod", "taken_at": T1 }],
        "entities": {
            "component:default/svc-a": status("svc-a", tag, json!([])),
            "component:default/svc-b": status("svc-b", "2.0", problems),
        },
    })
    .to_string()
}

fn org() -> Fixture {
    Fixture::new()
        .file("org/catalog-info.yaml", GROUPS)
        .file(
            "svc-a/catalog-info.yaml",
            component("svc-a", "team-a", "production"),
        )
        .file(
            "svc-b/catalog-info.yaml",
            component("svc-b", "team-a", "production"),
        )
        .file(
            "svc-c/catalog-info.yaml",
            component("svc-c", "team-b", "production"),
        )
        .config("[kubernetes]\nsnapshot = \"snapshot.json\"")
}

fn write_snapshot(f: &Fixture, tag: &str, problem: bool) {
    std::fs::write(f.dir.path().join("snapshot.json"), snapshot(tag, problem)).unwrap();
}

/// The second state of the organisation: svc-d added, svc-c removed, svc-a moves to team-b and
/// runs 1.1, svc-b is deprecated and has a new problem.
fn modify(f: &Fixture) {
    let repos = f.repos();
    std::fs::remove_dir_all(repos.join("svc-c")).unwrap();
    std::fs::create_dir_all(repos.join("svc-d")).unwrap();
    std::fs::write(
        repos.join("svc-d/catalog-info.yaml"),
        component("svc-d", "team-b", "experimental"),
    )
    .unwrap();
    std::fs::write(
        repos.join("svc-a/catalog-info.yaml"),
        component("svc-a", "team-b", "production"),
    )
    .unwrap();
    std::fs::write(
        repos.join("svc-b/catalog-info.yaml"),
        component("svc-b", "team-a", "deprecated"),
    )
    .unwrap();
    write_snapshot(f, "1.1", true);
}

/// Runs `playbill build` at time `at` into `out`, with extra arguments and environment.
fn build(f: &Fixture, at: i64, out: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    f.load_config();
    let mut command = Command::new(env!("CARGO_BIN_EXE_playbill"));
    command
        .args(["build", "--config", "site.toml", "--out"])
        .arg(out)
        .args(args)
        .current_dir(f.dir.path())
        .env("SOURCE_DATE_EPOCH", at.to_string());
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().expect("runs");
    assert!(
        output.status.success(),
        "build fails: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn state_of(out: &Path) -> String {
    out.join("changes/state.json").display().to_string()
}

/// A minimal XML well-formedness check: declaration first, every tag closed in order, only
/// the five predefined entities, one root.
fn assert_well_formed(xml: &str) {
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    let body = &xml[xml.find("?>").unwrap() + 2..];
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..text[i..].find(';').map(|e| i + e + 1).expect("entity ends")];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].contains(&entity),
                "unknown entity {entity}"
            );
        }
        let end = rest[start..].find('>').expect("tag closes") + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "closing tag order");
        } else if !tag.ends_with('/') {
            if stack.is_empty() {
                roots += 1;
            }
            stack.push(tag.split_whitespace().next().unwrap().to_string());
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(roots, 1);
}

#[test]
fn two_builds_report_what_changed_and_an_unchanged_third_is_identical() {
    // Long on purpose: three builds in sequence, each checked against the one before.
    let f = org();
    write_snapshot(&f, "1.0", false);
    let (out1, out2, out3) = (
        f.dir.path().join("out1"),
        f.dir.path().join("out2"),
        f.dir.path().join("out3"),
    );
    let first = build(&f, T1, &out1, &[], &[]);
    assert!(String::from_utf8_lossy(&first.stderr).contains("No previous state"));
    assert!(read(&out1, "changes/index.html").contains("No earlier build to compare with"));
    let state: Value = serde_json::from_str(&read(&out1, "changes/state.json")).unwrap();
    assert_eq!(
        state["entities"]["component:default/svc-a"]["owner"],
        "group:default/team-a"
    );
    assert_eq!(
        state["entities"]["component:default/svc-a"]["clusters"]["prod"]["workloads"]
            ["Deployment apps/svc-a"],
        json!(["registry.example/svc-a:1.0"])
    );
    assert_eq!(state["history"], json!([]));

    modify(&f);
    let second = build(&f, T2, &out2, &["--previous-state", &state_of(&out1)], &[]);
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("6 changes since the previous build"),
        "{stderr}"
    );

    let changes: Value = serde_json::from_str(&read(&out2, "changes/changes.json")).unwrap();
    let sets = changes["change_sets"].as_array().unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0]["at"], "2026-11-19T14:53:20Z");
    let found: Vec<(String, String, String, String)> = sets[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or("").to_string();
            (s("entity"), s("change"), s("old"), s("new"))
        })
        .collect();
    let expected = [
        (
            "component:default/svc-a",
            "owner",
            "group:default/team-a",
            "group:default/team-b",
        ),
        ("component:default/svc-a", "version", "1.0", "1.1"),
        (
            "component:default/svc-b",
            "lifecycle",
            "production",
            "deprecated",
        ),
        (
            "component:default/svc-b",
            "problem",
            "",
            "oom-killed: container api was OOM-killed",
        ),
        ("component:default/svc-c", "removed", "", ""),
        ("component:default/svc-d", "added", "", ""),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(found, expected);
    let version = &sets[0]["changes"][1];
    assert_eq!(version["cluster"], "prod");
    assert_eq!(version["object"], "Deployment apps/svc-a");
    assert_eq!(version["url"], "catalog/default/component/svc-a/index.html");
    assert!(
        sets[0]["changes"][4].get("url").is_none(),
        "a removed entity has no page"
    );

    let feed = read(&out2, "changes/feed.xml");
    assert_well_formed(&feed);
    assert!(feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert!(feed.contains("<updated>2026-11-19T14:53:20Z</updated>"));
    assert_eq!(feed.matches("<entry>").count(), 1);
    assert!(feed.contains(&format!("<id>{}</id>", sets[0]["id"].as_str().unwrap())));
    assert!(feed.contains("href=\"index.html#set-"));
    assert!(feed.contains("Version changed: svc-a service (component:default/svc-a)"));

    let page = read(&out2, "changes/index.html");
    assert!(
        page.contains("application/atom+xml"),
        "the page names its feed"
    );
    assert!(page.contains("../catalog/default/component/svc-d/index.html"));
    assert!(
        page.contains("../catalog/default/group/team-b/index.html"),
        "owner links"
    );
    assert!(
        page.contains("svc-c service"),
        "the removed entity is named"
    );
    assert!(
        !page.contains("component/svc-c/index.html"),
        "but not linked"
    );
    assert!(page.contains("oom-killed: container api was OOM-killed"));
    assert!(page.contains("data-change=\"lifecycle\""));
    let home = read(&out2, "index.html");
    assert!(
        home.contains("changes/index.html#set-"),
        "the home page links the newest set"
    );
    assert!(
        home.contains("Deployment apps/svc-a in prod: 1.0 → 1.1"),
        "the home page says what changed, not only where"
    );

    // Nothing changed since: every change file is byte-identical, whatever the clock says.
    build(&f, T3, &out3, &["--previous-state", &state_of(&out2)], &[]);
    for file in [
        "changes/index.html",
        "changes/feed.xml",
        "changes/changes.json",
        "changes/state.json",
        "index.html",
    ] {
        assert!(read(&out2, file) == read(&out3, file), "{file} differs");
    }
}

#[test]
fn a_corrupt_state_is_a_warning_and_the_publish_target_is_the_default_location() {
    let f = org();
    write_snapshot(&f, "1.0", false);
    let corrupt = f.dir.path().join("corrupt.json");
    std::fs::write(&corrupt, "{\"version\": 1, \"entities\": [").unwrap();
    let out = f.dir.path().join("out");
    let run = build(
        &f,
        T1,
        &out,
        &["--previous-state", corrupt.to_str().unwrap()],
        &[],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("warning[changes/previous-state-unreadable]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("corrupt.json"),
        "names the location: {stderr}"
    );
    assert!(read(&out, "changes/index.html").contains("No earlier build"));

    // Without --previous-state, `[publish] to` is where the last published state is.
    let published = f.dir.path().join("published");
    build(&f, T1, &published, &[], &[]);
    let f = f.config(&format!(
        "[publish]\nto = \"file://{}\"",
        published.display()
    ));
    modify(&f);
    let second = build(&f, T2, &out, &[], &[]);
    assert!(String::from_utf8_lossy(&second.stderr).contains("6 changes"));
}

/// One request a receiver got.
#[derive(Clone, Debug)]
struct Received {
    method: String,
    path: String,
    auth: Option<String>,
    content_type: Option<String>,
    body: String,
}

/// A webhook receiver on loopback answering the n-th request with `answer(n)` (status,
/// Retry-After); stops when dropped.
struct Receiver {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
    _server: TestServer,
}

impl Receiver {
    fn start(answer: fn(usize) -> (u16, Option<&'static str>)) -> Receiver {
        let received = Arc::new(Mutex::new(Vec::new()));
        let r = received.clone();
        let server = TestServer::http(move |request| {
            let header = |name: &str| request.header(name).map(str::to_string);
            let got = Received {
                method: request.method.clone(),
                path: request.target.clone(),
                auth: header("X-Auth"),
                content_type: header("Content-Type"),
                body: request.body_text(),
            };
            let n = {
                let mut all = r.lock().unwrap();
                all.push(got);
                all.len() - 1
            };
            let (status, retry_after) = answer(n);
            let response = Response::new(status, "{}");
            match retry_after {
                Some(secs) => response.header("Retry-After", secs),
                None => response,
            }
        });
        Receiver {
            url: format!("{}/api/now/table/change_request", server.url()),
            received,
            _server: server,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn webhook_config(url: &str, retries: u32) -> String {
    format!(
        "[changes.webhook]\nurl = \"{url}\"\nauth_header = \"X-Auth\"\nauth_env = \"CHANGES_TEST_AUTH\"\nretries = {retries}\ntimeout_secs = 5\nbody = '''{{% set short = \"Onboard \" ~ title %}}{{\"short_description\": {{{{ short | json_encode() }}}}, \"owner\": {{{{ owner | json_encode() }}}}, \"url\": {{{{ url | json_encode() }}}}, \"repo\": {{{{ repo | json_encode() }}}}}}'''"
    )
}

/// Every file below `dir` and the build report, as text, for "the secret never lands" checks.
fn all_text(dir: &Path, report: &Path) -> String {
    let mut text = std::fs::read_to_string(report).unwrap_or_default();
    for file in common::files_below(dir) {
        text.push_str(&String::from_utf8_lossy(
            &std::fs::read(dir.join(file)).unwrap(),
        ));
    }
    text
}

fn onboard_two(f: &Fixture) {
    for name in ["svc-d", "svc-e"] {
        let dir: PathBuf = f.repos().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("catalog-info.yaml"),
            component(name, "team-b", "production"),
        )
        .unwrap();
    }
    std::fs::create_dir_all(f.repos().join("api-x")).unwrap();
    std::fs::write(
        f.repos().join("api-x/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api-x\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: \"openapi: 3.0.0\"\n",
    )
    .unwrap();
}

#[test]
fn the_webhook_gets_one_record_per_new_component_and_retries_a_503() {
    let receiver = Receiver::start(|n| {
        if n == 0 {
            (503, Some("0"))
        } else {
            (201, None)
        }
    });
    let f = org().config(&webhook_config(&receiver.url, 2));
    write_snapshot(&f, "1.0", false);
    let out1 = f.dir.path().join("out1");
    let env = [("CHANGES_TEST_AUTH", SECRET)];
    build(&f, T1, &out1, &[], &env);
    assert!(
        receiver.received().is_empty(),
        "a first build sends nothing"
    );

    onboard_two(&f);
    let out2 = f.dir.path().join("out2");
    let dry = build(
        &f,
        T2,
        &out2,
        &["--previous-state", &state_of(&out1), "--no-webhooks"],
        &env,
    );
    assert!(
        receiver.received().is_empty(),
        "--no-webhooks sends nothing"
    );
    assert!(!String::from_utf8_lossy(&dry.stderr).contains("webhook"));

    let run = build(&f, T2, &out2, &["--previous-state", &state_of(&out1)], &env);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("2 onboarding webhooks sent, 0 failed"),
        "{stderr}"
    );
    let received = receiver.received();
    assert_eq!(received.len(), 3, "the 503 was retried once: {received:?}");
    assert_eq!(
        received[0].body, received[1].body,
        "the retry repeats the record"
    );
    let mut records: Vec<Value> = received[1..]
        .iter()
        .map(|r| {
            assert_eq!(r.method, "POST");
            assert_eq!(r.path, "/api/now/table/change_request");
            assert_eq!(r.auth.as_deref(), Some(SECRET));
            assert_eq!(r.content_type.as_deref(), Some("application/json"));
            serde_json::from_str(&r.body).expect("the body is the rendered JSON template")
        })
        .collect();
    records.sort_by_key(|r| r["url"].as_str().unwrap().to_string());
    assert_eq!(
        records,
        vec![
            json!({ "short_description": "Onboard svc-d service", "owner": "group:default/team-b",
                    "url": "catalog/default/component/svc-d/index.html", "repo": "svc-d" }),
            json!({ "short_description": "Onboard svc-e service", "owner": "group:default/team-b",
                    "url": "catalog/default/component/svc-e/index.html", "repo": "svc-e" }),
        ]
    );
    let report = f.dir.path().join("playbill-report.json");
    let audit: Value = serde_json::from_str(&read(f.dir.path(), "playbill-report.json")).unwrap();
    assert_eq!(audit["webhooks"], json!({ "posted": 2, "failed": 0 }));
    assert_eq!(audit["changes"], 3, "two components and an API");
    assert!(!stderr.contains(SECRET));
    assert!(
        !all_text(&out2, &report).contains(SECRET),
        "the credential never lands"
    );
}

#[test]
fn a_failing_receiver_is_a_warning_and_the_build_succeeds() {
    let receiver = Receiver::start(|_| (500, Some("0")));
    let f = org().config(&webhook_config(&receiver.url, 1));
    write_snapshot(&f, "1.0", false);
    let out1 = f.dir.path().join("out1");
    let env = [("CHANGES_TEST_AUTH", SECRET)];
    build(&f, T1, &out1, &[], &env);
    onboard_two(&f);
    let out2 = f.dir.path().join("out2");
    let run = build(
        &f,
        T2,
        &out2,
        &["--previous-state", &state_of(&out1), "--strict"],
        &env,
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(receiver.received().len(), 4, "each record tried twice");
    assert_eq!(
        stderr.matches("warning[changes/webhook-failed]").count(),
        2,
        "{stderr}"
    );
    assert!(stderr.contains("component:default/svc-d"));
    assert!(
        stderr.contains("HTTP 500 Internal Server Error after 2 attempts"),
        "{stderr}"
    );
    assert!(
        stderr.contains("0 onboarding webhooks sent, 2 failed"),
        "{stderr}"
    );
    assert!(!stderr.contains(SECRET));
    assert!(read(&out2, "changes/index.html").contains("svc-d service"));

    // Without the credential in the environment nothing is sent, and the build still succeeds.
    let out3 = f.dir.path().join("out3");
    let run = build(&f, T2, &out3, &["--previous-state", &state_of(&out1)], &[]);
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("CHANGES_TEST_AUTH (auth_env) is not set")
    );
    assert_eq!(receiver.received().len(), 4);
}

#[test]
fn a_refusing_receiver_is_not_retried() {
    let receiver = Receiver::start(|_| (400, None));
    let f = org().config(&webhook_config(&receiver.url, 3));
    write_snapshot(&f, "1.0", false);
    let env = [("CHANGES_TEST_AUTH", SECRET)];
    let out1 = f.dir.path().join("out1");
    build(&f, T1, &out1, &[], &env);
    onboard_two(&f);
    let run = build(
        &f,
        T2,
        &f.dir.path().join("out2"),
        &["--previous-state", &state_of(&out1)],
        &env,
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(receiver.received().len(), 2, "one request per record");
    assert_eq!(
        stderr.matches("HTTP 400 Bad Request").count(),
        2,
        "{stderr}"
    );
    assert!(!stderr.contains("after 4 attempts"), "{stderr}");
}
