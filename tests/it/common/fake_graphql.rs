//! GraphQL for the fake GitHub (`POST /api/graphql`): the query is parsed with graphql-parser
//! and resolved field by field over the same organisation the REST side serves, with aliases,
//! inline fragments on `__typename`, cursor pagination (`first`, `after`, `pageInfo`) and
//! GitHub's point cost (the requests each connection implies, per 100, at least 1) in
//! `rateLimit`. It can play an older GitHub Enterprise: no GraphQL at all (404), fields the
//! schema does not have (a validation error, no data), and queries that time out (502) when
//! they ask for too many repositories.

use super::fake_github::{blob_sha, Answer, FakeHealth, World, ORG};
use graphql_parser::query::{self as q, Definition, OperationDefinition, Selection};
use serde_json::{json, Map, Value};

type Field = q::Field<'static, String>;
type SelectionSet = q::SelectionSet<'static, String>;

const POINT_LIMIT: u64 = 5000;

/// A node of the organisation's graph.
#[derive(Clone)]
enum Node {
    Query,
    Repo(String),
    Ref(String),
    Commit(String),
    Blob(Vec<u8>),
    Org,
    Team(usize),
    /// A page of a connection: its nodes, total count and page info.
    Page(Vec<Node>, usize, Value),
    Json(Value),
}

/// What a field resolves to.
enum Child {
    Node(Node),
    List(Vec<Node>),
    /// Null, with an error of this type (`FORBIDDEN`, `NOT_FOUND`) when there is one.
    Null(Option<&'static str>),
}

pub(crate) fn answer(world: &mut World, body: &[u8]) -> Answer {
    if world.no_graphql {
        return (404, br#"{"message":"Not Found"}"#.to_vec(), Vec::new());
    }
    let request: Value = serde_json::from_slice(body).unwrap_or_default();
    let text = request["query"].as_str().unwrap_or_default().to_string();
    let set = match q::parse_query::<String>(&text) {
        Ok(doc) => match doc.into_static().definitions.into_iter().next() {
            Some(Definition::Operation(OperationDefinition::Query(query))) => query.selection_set,
            Some(Definition::Operation(OperationDefinition::SelectionSet(set))) => set,
            _ => return errors(json!([{ "message": "no query" }])),
        },
        Err(e) => return errors(json!([{ "message": format!("Parse error: {e}") }])),
    };
    let mut refused = Vec::new();
    walk(&set, &mut |f| {
        if world.gql_refuse.contains(&f.name.as_str()) {
            refused.push(json!({
                "message": format!("Field '{}' doesn't exist on type 'Repository'", f.name),
                "extensions": { "code": "undefinedField", "fieldName": f.name },
            }));
        }
    });
    if !refused.is_empty() {
        return errors(Value::Array(refused));
    }
    let repositories = fields(&set).filter(|f| f.name == "repository").count();
    if world.gql_max_repos.is_some_and(|max| repositories > max) {
        let message = "Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug.";
        return (
            502,
            json!({ "data": null, "errors": [{ "message": message }] })
                .to_string()
                .into_bytes(),
            Vec::new(),
        );
    }
    let cost = (requests(&set, 1) as f64 / 100.0).round().max(1.0) as u64;
    world.points_spent += cost;
    let mut found = Vec::new();
    let data = resolve(world, &Node::Query, &set, &mut Vec::new(), &mut found, cost);
    let mut answer = json!({ "data": data });
    if !found.is_empty() {
        answer["errors"] = Value::Array(found);
    }
    (
        200,
        answer.to_string().into_bytes(),
        vec![("Content-Type".into(), "application/json".into())],
    )
}

fn errors(list: Value) -> Answer {
    (
        200,
        json!({ "errors": list }).to_string().into_bytes(),
        Vec::new(),
    )
}

fn fields(set: &SelectionSet) -> impl Iterator<Item = &Field> {
    set.items.iter().filter_map(|s| match s {
        Selection::Field(f) => Some(f),
        _ => None,
    })
}

/// Calls `visit` on every field of the query, fragments included.
fn walk(set: &SelectionSet, visit: &mut dyn FnMut(&Field)) {
    for item in &set.items {
        match item {
            Selection::Field(f) => {
                visit(f);
                walk(&f.selection_set, visit);
            }
            Selection::InlineFragment(frag) => walk(&frag.selection_set, visit),
            Selection::FragmentSpread(_) => {}
        }
    }
}

fn arg<'a>(field: &'a Field, name: &str) -> Option<&'a q::Value<'static, String>> {
    field
        .arguments
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn arg_str(field: &Field, name: &str) -> Option<String> {
    match arg(field, name)? {
        q::Value::String(s) | q::Value::Enum(s) => Some(s.clone()),
        _ => None,
    }
}

fn first(field: &Field) -> Option<u64> {
    match arg(field, "first")? {
        q::Value::Int(n) => n.as_i64().and_then(|n| u64::try_from(n).ok()),
        _ => None,
    }
}

/// GitHub's count of the requests a query implies: each connection costs one per parent item.
fn requests(set: &SelectionSet, parents: u64) -> u64 {
    let mut total = 0;
    for item in &set.items {
        match item {
            Selection::Field(f) => match first(f) {
                Some(n) => total += parents + requests(&f.selection_set, parents * n),
                None => total += requests(&f.selection_set, parents),
            },
            Selection::InlineFragment(frag) => total += requests(&frag.selection_set, parents),
            Selection::FragmentSpread(_) => {}
        }
    }
    total
}

fn typename(node: &Node) -> &'static str {
    match node {
        Node::Query => "Query",
        Node::Repo(_) => "Repository",
        Node::Ref(_) => "Ref",
        Node::Commit(_) => "Commit",
        Node::Blob(_) => "Blob",
        Node::Org => "Organization",
        Node::Team(_) => "Team",
        Node::Page(..) => "Connection",
        Node::Json(v) => match v["__typename"].as_str() {
            Some("CheckRun") => "CheckRun",
            Some("StatusContext") => "StatusContext",
            _ => "Object",
        },
    }
}

fn resolve(
    world: &World,
    node: &Node,
    set: &SelectionSet,
    path: &mut Vec<String>,
    found: &mut Vec<Value>,
    cost: u64,
) -> Value {
    let mut out = Map::new();
    for item in &set.items {
        match item {
            Selection::Field(f) => {
                let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
                path.push(key.clone());
                let value = match field(world, node, f, cost) {
                    Child::Node(Node::Json(v)) if f.selection_set.items.is_empty() => v,
                    Child::Node(n) => resolve(world, &n, &f.selection_set, path, found, cost),
                    Child::List(list) => Value::Array(
                        list.iter()
                            .map(|n| resolve(world, n, &f.selection_set, path, found, cost))
                            .collect(),
                    ),
                    Child::Null(error) => {
                        if let Some(kind) = error {
                            found.push(json!({ "type": kind, "path": path.clone(), "message": "Resource not accessible by integration" }));
                        }
                        Value::Null
                    }
                };
                path.pop();
                out.insert(key, value);
            }
            Selection::InlineFragment(frag) => {
                let applies = match &frag.type_condition {
                    Some(q::TypeCondition::On(t)) => t == typename(node),
                    None => true,
                };
                if applies {
                    if let Value::Object(more) =
                        resolve(world, node, &frag.selection_set, path, found, cost)
                    {
                        out.extend(more);
                    }
                }
            }
            Selection::FragmentSpread(_) => {}
        }
    }
    Value::Object(out)
}

fn json_node(v: Value) -> Child {
    match v {
        Value::Null => Child::Null(None),
        Value::Array(items) => Child::List(items.into_iter().map(Node::Json).collect()),
        other => Child::Node(Node::Json(other)),
    }
}

/// One page of `items` after the `after` cursor (`c<index>`).
fn page(items: Vec<Node>, f: &Field) -> Child {
    let start = arg_str(f, "after")
        .and_then(|c| c.strip_prefix('c').and_then(|n| n.parse::<usize>().ok()))
        .map_or(0, |n| n + 1);
    let size = first(f).unwrap_or(100) as usize;
    let total = items.len();
    let nodes: Vec<Node> = items.into_iter().skip(start).take(size).collect();
    let end = start + nodes.len();
    let info = json!({ "hasNextPage": end < total, "endCursor": (end > start).then(|| format!("c{}", end - 1)) });
    Child::Node(Node::Page(nodes, total, info))
}

fn field(world: &World, node: &Node, f: &Field, cost: u64) -> Child {
    let name = f.name.as_str();
    if name == "__typename" {
        return json_node(json!(typename(node)));
    }
    match node {
        Node::Query => match name {
            "rateLimit" => json_node(json!({
                "cost": cost, "limit": POINT_LIMIT,
                "remaining": POINT_LIMIT.saturating_sub(world.points_spent),
                "resetAt": "2099-01-01T00:00:00Z",
            })),
            "repository" => match arg_str(f, "name") {
                Some(n) if arg_str(f, "owner").as_deref() == Some(ORG) && world.repos.contains_key(&n) => Child::Node(Node::Repo(n)),
                _ => Child::Null(Some("NOT_FOUND")),
            },
            "organization" if arg_str(f, "login").as_deref() == Some(ORG) => Child::Node(Node::Org),
            _ => Child::Null(Some("NOT_FOUND")),
        },
        Node::Repo(repo) => repo_field(world, repo, f),
        Node::Ref(repo) if name == "target" => Child::Node(Node::Commit(repo.clone())),
        Node::Commit(repo) => match name {
            "oid" => json_node(json!(world.repos[repo].commit())),
            "committedDate" => json_node(json!("2026-01-01T10:00:00Z")),
            "statusCheckRollup" => rollup(world.health.get(repo)),
            _ => Child::Null(None),
        },
        Node::Blob(bytes) => json_node(match name {
            "oid" => json!(blob_sha(bytes)),
            "text" => json!(String::from_utf8_lossy(bytes)),
            "byteSize" => json!(bytes.len()),
            _ => json!(false),
        }),
        Node::Org => match name {
            "teams" => page((0..world.teams.len()).map(Node::Team).collect(), f),
            "team" => match world.teams.iter().position(|t| Some(&t.0) == arg_str(f, "slug").as_ref()) {
                Some(i) => Child::Node(Node::Team(i)),
                None => Child::Null(None),
            },
            "membersWithRole" => page(
                world.members.iter().map(|l| Node::Json(json!({ "login": l, "avatarUrl": format!("https://avatars.example.com/{l}") }))).collect(),
                f,
            ),
            _ => Child::Null(None),
        },
        Node::Team(i) => {
            let (slug, team_name, parent, members) = &world.teams[*i];
            match name {
                "members" => page(members.iter().map(|l| Node::Json(json!({ "login": l }))).collect(), f),
                "parentTeam" => json_node(parent.as_ref().map_or(Value::Null, |p| json!({ "slug": p }))),
                _ => json_node(json!({ "slug": slug, "name": team_name, "description": format!("The {team_name} team") })[name].clone()),
            }
        }
        Node::Page(nodes, total, info) => match name {
            "nodes" => Child::List(nodes.clone()),
            "totalCount" => json_node(json!(total)),
            "pageInfo" => json_node(info.clone()),
            _ => Child::Null(None),
        },
        Node::Json(v) => match (v.get(name), first(f)) {
            (Some(Value::Array(items)), Some(_)) => page(items.iter().cloned().map(Node::Json).collect(), f),
            (Some(v), _) => json_node(v.clone()),
            (None, _) => Child::Null(None),
        },
        Node::Ref(_) => Child::Null(None),
    }
}

fn repo_field(world: &World, repo: &str, f: &Field) -> Child {
    let health = world.health.get(repo);
    match f.name.as_str() {
        "name" => json_node(json!(repo)),
        "ref" => match arg_str(f, "qualifiedName").as_deref() {
            Some("refs/heads/main") => Child::Node(Node::Ref(repo.to_string())),
            _ => Child::Null(None),
        },
        "object" => {
            let expression = arg_str(f, "expression").unwrap_or_default();
            match expression.split_once(':') {
                Some(("main", path)) => match world.repos[repo].files.get(path) {
                    Some(bytes) => Child::Node(Node::Blob(bytes.clone())),
                    None => Child::Null(None),
                },
                _ => Child::Null(None),
            }
        }
        "pullRequests" => json_node(json!({ "totalCount": health.map_or(0, |h| h.open_pulls) })),
        "vulnerabilityAlerts" => match health.and_then(|h| h.dependabot.as_ref()) {
            Some(list) => page(
                list.iter()
                    .map(|s| {
                        Node::Json(
                            json!({ "securityVulnerability": { "severity": s.to_uppercase() } }),
                        )
                    })
                    .collect(),
                f,
            ),
            None if health.is_some() => Child::Null(Some("FORBIDDEN")),
            None => Child::Null(Some("NOT_FOUND")),
        },
        _ => Child::Null(None),
    }
}

/// The head commit's checks: the latest run of each workflow, as the REST side lists them.
fn rollup(health: Option<&FakeHealth>) -> Child {
    let Some(health) = health.filter(|h| !h.runs.is_empty()) else {
        return Child::Null(None);
    };
    let mut seen = Vec::new();
    let mut contexts = Vec::new();
    for (i, (id, name, status, conclusion, at)) in health.runs.iter().enumerate() {
        if seen.contains(id) {
            continue;
        }
        seen.push(*id);
        contexts.push(json!({
            "__typename": "CheckRun", "name": "build", "status": status.to_uppercase(),
            "conclusion": conclusion.map(str::to_uppercase), "startedAt": at,
            "detailsUrl": format!("https://github.example.com/{ORG}/r/runs/{}", 1000 + i),
            "checkSuite": { "workflowRun": {
                "url": format!("https://github.example.com/{ORG}/r/actions/runs/{}", 1000 + i),
                "workflow": { "name": name },
            } },
        }));
    }
    json_node(json!({ "state": "FAILURE", "contexts": contexts }))
}
