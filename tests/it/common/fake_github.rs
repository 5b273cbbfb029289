//! A fake GitHub API server on loopback for the github source's tests, reached through
//! `api_url` with a GitHub Enterprise style `/api/v3` prefix. It speaks the REST parts Playbill
//! uses: the organisation's repository listing with Link pagination and ETags, commits,
//! contents, recursive trees, blobs, teams and members, App installation tokens, rate-limit
//! headers, workflow runs, open pull requests and security alerts (403 where the token may not
//! read them); faults (500s, secondary and primary rate limits) are injected per path. At
//! `POST /api/graphql` it answers GraphQL from the same organisation (`fake_graphql`).

use super::codes;
use super::server::{Request, Response, TestServer};
use playbill::config::Config;
use playbill::gather::Workspace;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) const ORG: &str = "kloudvin";
pub(crate) const APP_TOKEN: &str = "ghs_installation_token_1";
/// Where GitHub Enterprise serves GraphQL, beside the REST root `/api/v3`.
pub(crate) const GRAPHQL: &str = "/api/graphql";

#[derive(Clone)]
pub(crate) struct FakeRepo {
    pub files: BTreeMap<String, Vec<u8>>,
    pub pushed_at: String,
    pub archived: bool,
    pub fork: bool,
}

impl FakeRepo {
    pub(crate) fn new(files: &[(&str, &str)]) -> FakeRepo {
        FakeRepo {
            files: files
                .iter()
                .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
                .collect(),
            pushed_at: "2026-01-01T00:00:00Z".into(),
            archived: false,
            fork: false,
        }
    }

    pub(crate) fn commit(&self) -> String {
        let mut h = Sha256::new();
        for (p, b) in &self.files {
            h.update(p.as_bytes());
            h.update(b);
        }
        hex(&h.finalize())[..40].to_string()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn blob_sha(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))[..40].to_string()
}

pub(crate) struct Fault {
    pub path: String,
    pub status: u16,
    pub times: usize,
    pub retry_after: Option<u64>,
    /// A primary rate limit: remaining 0, reset in a second.
    pub exhausted: bool,
}

/// What the health endpoints answer for a repository; `None` alerts answer 403.
#[derive(Default)]
pub(crate) struct FakeHealth {
    /// (workflow id, name, status, conclusion, created_at), newest first.
    pub runs: Vec<(
        u64,
        &'static str,
        &'static str,
        Option<&'static str>,
        &'static str,
    )>,
    pub open_pulls: usize,
    pub dependabot: Option<Vec<&'static str>>,
    pub code_scanning: Option<Vec<&'static str>>,
}

#[derive(Default)]
pub(crate) struct World {
    pub repos: BTreeMap<String, FakeRepo>,
    pub health: BTreeMap<String, FakeHealth>,
    /// (slug, name, parent slug, member logins)
    pub teams: Vec<(String, String, Option<String>, Vec<String>)>,
    pub members: Vec<String>,
    pub faults: Vec<Fault>,
    /// (path and query, Authorization header)
    pub log: Vec<(String, Option<String>)>,
    /// (path and query, status) of every answer, for counting requests by kind.
    pub answered: Vec<(String, u16)>,
    /// A server without GraphQL (an older GitHub Enterprise): `/api/graphql` answers 404.
    pub no_graphql: bool,
    /// Field names the GraphQL schema does not have (an older GitHub Enterprise).
    pub gql_refuse: Vec<&'static str>,
    /// More `repository` fields than this in one query time out (502).
    pub gql_max_repos: Option<usize>,
    /// GraphQL rate-limit points spent.
    pub points_spent: u64,
}

/// Requests by kind, as the server saw them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub graphql: usize,
    pub rest: usize,
    /// REST requests answered 304, which cost no rate limit.
    pub not_modified: usize,
}

impl Counts {
    /// What counts against a rate limit: everything but the 304s.
    pub(crate) fn rate_limited(&self) -> usize {
        self.graphql + self.rest - self.not_modified
    }
}

/// The fake API on the shared loopback server, which closes every connection after one
/// request, so what the tests measure is the client's behaviour, not a server's connection
/// reuse.
pub(crate) struct FakeGithub {
    pub world: Arc<Mutex<World>>,
    pub server: TestServer,
}

impl FakeGithub {
    pub(crate) fn start(world: World, token: &str) -> FakeGithub {
        FakeGithub::start_with(world, token, false)
    }

    /// Over HTTPS, with a certificate authority of the server's own.
    pub(crate) fn start_tls(world: World, token: &str) -> FakeGithub {
        FakeGithub::start_with(world, token, true)
    }

    pub(crate) fn start_with(world: World, token: &str, tls: bool) -> FakeGithub {
        let world = Arc::new(Mutex::new(world));
        let remaining = AtomicU64::new(5000);
        let (w, token) = (world.clone(), token.to_string());
        let handler = move |request: Request| serve(&request, &w, &token, &remaining);
        let server = if tls {
            TestServer::https(handler)
        } else {
            TestServer::http(handler)
        };
        FakeGithub { world, server }
    }

    pub(crate) fn api_url(&self) -> String {
        format!("{}/api/v3", self.server.url())
    }

    pub(crate) fn requests(&self) -> usize {
        self.world.lock().unwrap().log.len()
    }

    pub(crate) fn clear_log(&self) {
        let mut world = self.world.lock().unwrap();
        world.log.clear();
        world.answered.clear();
    }

    pub(crate) fn counts(&self) -> Counts {
        let world = self.world.lock().unwrap();
        let graphql = world.answered.iter().filter(|(u, _)| u == GRAPHQL).count();
        Counts {
            graphql,
            rest: world.answered.len() - graphql,
            not_modified: world.answered.iter().filter(|(_, s)| *s == 304).count(),
        }
    }

    pub(crate) fn fault(&self, path: &str, status: u16, times: usize, retry_after: Option<u64>) {
        self.world.lock().unwrap().faults.push(Fault {
            path: path.into(),
            status,
            times,
            retry_after,
            exhausted: false,
        });
    }
}

/// Answers one request.
pub(crate) fn serve(
    request: &Request,
    world: &Mutex<World>,
    token: &str,
    remaining: &AtomicU64,
) -> Response {
    let url = request.target.clone();
    let auth = request.header("authorization").map(str::to_string);
    let (status, body, mut extra) = {
        let mut world = world.lock().unwrap();
        world.log.push((url.clone(), auth.clone()));
        // A GitHub App signs its installation lookup and token minting with a JWT;
        // everything else carries the token.
        let jwt = url.ends_with("/installation") || url.contains("/app/installations/");
        let allowed = if jwt {
            auth.as_deref().is_some_and(|a| a.starts_with("Bearer ey"))
        } else {
            auth.as_deref() == Some(&format!("Bearer {token}"))
        };
        if let Some(faulty) = allowed.then(|| injected_fault(&mut world, &url)).flatten() {
            faulty
        } else if allowed && request.method == "POST" && url == GRAPHQL {
            super::fake_graphql::answer(&mut world, &request.body)
        } else if allowed {
            respond(
                &mut world,
                &url,
                request.header("if-none-match"),
                request.port,
            )
        } else {
            (
                401,
                br#"{"message":"Bad credentials"}"#.to_vec(),
                Vec::new(),
            )
        }
    };
    world.lock().unwrap().answered.push((url.clone(), status));
    // 304s do not count against the limit, as on GitHub.
    let left = if status == 304 {
        remaining.load(Ordering::Relaxed)
    } else {
        remaining.fetch_sub(1, Ordering::Relaxed) - 1
    };
    if !extra.iter().any(|(k, _)| k == "x-ratelimit-remaining") {
        extra.push(("x-ratelimit-remaining".into(), left.to_string()));
        extra.push(("x-ratelimit-reset".into(), (now() + 3600).to_string()));
    }
    extra.push(("x-ratelimit-limit".into(), "5000".into()));
    Response {
        status,
        headers: extra,
        body,
    }
}

pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub(crate) type Answer = (u16, Vec<u8>, Vec<(String, String)>);

pub(crate) fn json_answer(value: serde_json::Value, if_none_match: Option<&str>) -> Answer {
    let body = serde_json::to_vec(&value).unwrap();
    let etag = format!("\"{}\"", blob_sha(&body));
    if if_none_match == Some(etag.as_str()) {
        return (304, Vec::new(), vec![("ETag".into(), etag)]);
    }
    (
        200,
        body,
        vec![
            ("ETag".into(), etag),
            ("Content-Type".into(), "application/json".into()),
        ],
    )
}

pub(crate) fn not_found() -> Answer {
    (404, br#"{"message":"Not Found"}"#.to_vec(), Vec::new())
}

/// The answer of a fault injected for `url`, while it lasts.
fn injected_fault(world: &mut World, url: &str) -> Option<Answer> {
    let fault = world
        .faults
        .iter_mut()
        .find(|f| f.times > 0 && url.contains(&f.path))?;
    fault.times -= 1;
    let mut headers = Vec::new();
    if let Some(secs) = fault.retry_after {
        headers.push(("Retry-After".to_string(), secs.to_string()));
    }
    if fault.exhausted {
        headers.push(("x-ratelimit-remaining".into(), "0".into()));
        headers.push(("x-ratelimit-reset".into(), (now() + 1).to_string()));
    }
    Some((fault.status, br#"{"message":"injected"}"#.to_vec(), headers))
}

pub(crate) fn respond(
    world: &mut World,
    url: &str,
    if_none_match: Option<&str>,
    port: u16,
) -> Answer {
    // Long on purpose: one arm per GitHub REST route the fake server answers.
    let Some(path) = url.strip_prefix("/api/v3") else {
        return not_found();
    };
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .map(str::to_string)
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["orgs", org, "repos"] if *org == ORG => {
            let per_page: usize = param("per_page").and_then(|p| p.parse().ok()).unwrap_or(30);
            let per_page = per_page.clamp(1, 100);
            let page: usize = param("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let all: Vec<serde_json::Value> = world
                .repos
                .iter()
                .map(|(name, r)| {
                    serde_json::json!({
                        "name": name,
                        "full_name": format!("{ORG}/{name}"),
                        "html_url": format!("https://github.example.com/{ORG}/{name}"),
                        "default_branch": "main",
                        "pushed_at": r.pushed_at,
                        "archived": r.archived,
                        "fork": r.fork,
                        "topics": [],
                    })
                })
                .collect();
            let last = all.len().div_ceil(per_page).max(1);
            let items: Vec<_> = all.into_iter().skip((page - 1) * per_page).take(per_page).collect();
            let mut answer = json_answer(serde_json::Value::Array(items), if_none_match);
            let link = |p: usize, rel: &str| {
                format!("<http://127.0.0.1:{port}/api/v3/orgs/{ORG}/repos?per_page=100&type=all&page={p}>; rel=\"{rel}\"")
            };
            let mut links = Vec::new();
            if page < last {
                links.push(link(page + 1, "next"));
            }
            links.push(link(last, "last"));
            answer.2.push(("Link".into(), links.join(", ")));
            answer
        }
        ["repos", org, name, rest @ ..] if *org == ORG => {
            let Some(repo) = world.repos.get(*name) else {
                return not_found();
            };
            match rest {
                ["commits", "main"] => json_answer(
                    serde_json::json!({
                        "sha": repo.commit(),
                        "commit": { "committer": { "date": "2026-01-01T10:00:00Z" } },
                    }),
                    if_none_match,
                ),
                ["contents", file @ ..] => {
                    if param("ref").as_deref() != Some(repo.commit().as_str()) {
                        return not_found();
                    }
                    match repo.files.get(&file.join("/")) {
                        Some(bytes) => (200, bytes.clone(), Vec::new()),
                        None => not_found(),
                    }
                }
                ["git", "trees", sha] if *sha == repo.commit() => json_answer(
                    serde_json::json!({
                        "sha": sha,
                        "truncated": false,
                        "tree": repo.files.iter().map(|(p, b)| serde_json::json!({
                            "path": p, "type": "blob", "sha": blob_sha(b), "size": b.len(), "mode": "100644",
                        })).collect::<Vec<_>>(),
                    }),
                    None,
                ),
                ["git", "blobs", sha] => match repo.files.values().find(|b| blob_sha(b) == *sha) {
                    Some(bytes) => (200, bytes.clone(), Vec::new()),
                    None => not_found(),
                },
                health_path => match world.health.get(*name) {
                    Some(health) => health_answer(health, health_path, &param, if_none_match, port),
                    None => not_found(),
                },
            }
        }
        ["orgs", org, "installation"] if *org == ORG => {
            json_answer(serde_json::json!({ "id": 7 }), None)
        }
        ["app", "installations", "7", "access_tokens"] => json_answer(
            serde_json::json!({
                "token": APP_TOKEN,
                "expires_at": "2099-01-01T00:00:00Z",
                "permissions": { "contents": "read", "metadata": "read" },
            }),
            None,
        ),
        ["orgs", org, "teams"] if *org == ORG => json_answer(
            serde_json::Value::Array(
                world
                    .teams
                    .iter()
                    .map(|(slug, name, parent, _)| {
                        serde_json::json!({
                            "slug": slug, "name": name, "description": format!("The {name} team"),
                            "parent": parent.as_ref().map(|p| serde_json::json!({"slug": p, "name": p})),
                        })
                    })
                    .collect(),
            ),
            if_none_match,
        ),
        ["orgs", org, "teams", slug, "members"] if *org == ORG => {
            match world.teams.iter().find(|t| t.0 == *slug) {
                Some(team) => json_answer(
                    serde_json::Value::Array(
                        team.3
                            .iter()
                            .map(|l| serde_json::json!({ "login": l }))
                            .collect(),
                    ),
                    if_none_match,
                ),
                None => not_found(),
            }
        }
        ["orgs", org, "members"] if *org == ORG => json_answer(
            serde_json::Value::Array(
                world
                    .members
                    .iter()
                    .map(|l| serde_json::json!({ "login": l, "avatar_url": format!("https://avatars.example.com/{l}") }))
                    .collect(),
            ),
            if_none_match,
        ),
        _ => not_found(),
    }
}

pub(crate) fn health_answer(
    health: &FakeHealth,
    path: &[&str],
    param: &dyn Fn(&str) -> Option<String>,
    if_none_match: Option<&str>,
    port: u16,
) -> Answer {
    let forbidden = || {
        (
            403,
            br#"{"message":"Resource not accessible by personal access token"}"#.to_vec(),
            Vec::new(),
        )
    };
    match path {
        ["actions", "runs"] if param("branch").as_deref() == Some("main") => json_answer(
            serde_json::json!({
                "total_count": health.runs.len(),
                "workflow_runs": health.runs.iter().enumerate().map(|(i, (id, name, status, conclusion, at))| serde_json::json!({
                    "id": 1000 + i, "workflow_id": id, "name": name, "status": status,
                    "conclusion": conclusion, "created_at": at, "head_branch": "main",
                    "html_url": format!("https://github.example.com/{ORG}/r/actions/runs/{}", 1000 + i),
                    "repository": { "full_name": "padding the real answers carry" },
                })).collect::<Vec<_>>(),
            }),
            if_none_match,
        ),
        ["pulls"] => {
            let first: Vec<serde_json::Value> = (0..health.open_pulls.min(1))
                .map(|n| serde_json::json!({ "number": n + 1, "title": "A change" }))
                .collect();
            let mut answer = json_answer(serde_json::Value::Array(first), if_none_match);
            if health.open_pulls > 1 {
                answer.2.push(("Link".into(), format!(
                    "<http://127.0.0.1:{port}/api/v3/repos/{ORG}/r/pulls?state=open&per_page=1&page=2>; rel=\"next\", <http://127.0.0.1:{port}/api/v3/repos/{ORG}/r/pulls?state=open&per_page=1&page={}>; rel=\"last\"",
                    health.open_pulls
                )));
            }
            answer
        }
        ["dependabot", "alerts"] => match &health.dependabot {
            Some(list) => json_answer(
                serde_json::Value::Array(list.iter().map(|s| serde_json::json!({
                    "state": "open", "security_advisory": { "severity": s, "summary": "x" },
                })).collect()),
                if_none_match,
            ),
            None => forbidden(),
        },
        ["code-scanning", "alerts"] => match &health.code_scanning {
            Some(list) => json_answer(
                serde_json::Value::Array(list.iter().map(|s| serde_json::json!({
                    "state": "open", "rule": { "security_severity_level": s, "severity": "error" },
                })).collect()),
                if_none_match,
            ),
            None => forbidden(),
        },
        _ => not_found(),
    }
}

pub(crate) fn component(name: &str, extra_annotations: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n    {extra_annotations}\nspec:\n  type: service\n  lifecycle: production\n  owner: platform\n"
    )
}

/// An organisation of `n` repositories: every third one without a catalog file, every tenth
/// one with TechDocs, one with Locations and a placeholder, one archived.
pub(crate) fn organisation(n: usize) -> World {
    let mut world = World::default();
    for i in 0..n {
        let name = format!("svc-{i:03}");
        let repo = if i % 3 == 2 {
            FakeRepo::new(&[("README.md", "no catalog here")])
        } else if i % 10 == 0 {
            FakeRepo::new(&[
                (
                    "catalog-info.yaml",
                    &component(&name, "backstage.io/techdocs-ref: dir:."),
                ),
                ("mkdocs.yml", "site_name: Docs\ndocs_dir: pages\n"),
                (
                    "pages/index.md",
                    "# Welcome\n\nSee [the guide](guide.md).\n",
                ),
                ("pages/guide.md", "# Guide\n"),
                ("src/main.rs", "fn main() {}"),
            ])
        } else {
            FakeRepo::new(&[
                ("catalog-info.yaml", &component(&name, "a.example.com/x: y")),
                ("src/lib.rs", "// code"),
            ])
        };
        world.repos.insert(name, repo);
    }
    let platform = format!(
        "{}---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: more\nspec:\n  targets:\n    - ./more/*.yaml\n    - https://github.example.com/{ORG}/platform/blob/main/extra/x.yaml\n",
        component("platform-api", "a.example.com/x: y")
    );
    let mut api = component("platform-db", "a.example.com/x: y");
    api = api.replace("kind: Component", "kind: API").replace(
        "owner: platform\n",
        "owner: platform\n  definition:\n    $text: ../openapi.yaml\n",
    );
    world.repos.insert(
        "platform".into(),
        FakeRepo::new(&[
            ("catalog-info.yaml", &platform),
            (
                "more/a.yaml",
                &component("platform-worker", "a.example.com/x: y"),
            ),
            ("more/b.yaml", &api),
            ("openapi.yaml", "openapi: 3.0.0\n"),
            (
                "extra/x.yaml",
                &component("platform-extra", "a.example.com/x: y"),
            ),
        ]),
    );
    let mut old = FakeRepo::new(&[("catalog-info.yaml", &component("old-thing", "a/b: c"))]);
    old.archived = true;
    world.repos.insert("old-thing".into(), old);
    world.teams = vec![
        (
            "platform".into(),
            "Platform".into(),
            None,
            vec!["Alice".into(), "bob".into()],
        ),
        (
            "payments".into(),
            "Payments".into(),
            Some("platform".into()),
            vec!["carol".into()],
        ),
    ];
    world.members = vec!["Alice".into(), "bob".into(), "carol".into()];
    world
}

pub(crate) fn site(dir: &Path, api_url: &str, token_env: &str) -> Config {
    github_site(
        dir,
        api_url,
        &format!("catalog_path = \"/catalog-info.yaml\"\ntoken_env = \"{token_env}\"\norg_data = true\nconcurrency = 6\nrepo_health = false"),
    )
}

/// A site.toml with one github source for the test organisation; `settings` are its other keys.
pub(crate) fn github_site(dir: &Path, api_url: &str, settings: &str) -> Config {
    let text = format!(
        "title = \"Test\"\nout_dir = \"public\"\ncache_dir = \"cache\"\n\n[[sources]]\ntype = \"github\"\norganization = \"{ORG}\"\napi_url = \"{api_url}\"\n{settings}\n"
    );
    let file = dir.join("site.toml");
    std::fs::write(&file, text).unwrap();
    Config::load(&file).unwrap()
}

pub(crate) fn assert_no_github_problems(diagnostics: &playbill::diagnostics::Diagnostics) {
    let github: Vec<_> = codes(diagnostics)
        .into_iter()
        .filter(|c| c.starts_with("github/"))
        .collect();
    assert!(github.is_empty(), "{diagnostics:?}");
}

pub(crate) fn gather(
    config: &Config,
) -> (
    Workspace,
    playbill::catalog::Catalog,
    playbill::diagnostics::Diagnostics,
) {
    playbill::build::load_catalog(config, &|_| {})
}
