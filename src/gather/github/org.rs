//! Teams and members of the organisation (`org_data`) as Group and User entities, the way
//! Backstage's GitHub org provider makes them, written to a generated `org.yaml` that is a
//! repository of its own for the catalog stage.

use super::client::{encode_path, Ctx};
use super::graphql::literal;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::gather::cache::OrgCache;
use crate::gather::Repo;
use crate::paths::RepoPath;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::task::JoinSet;

#[derive(Deserialize)]
struct Team {
    slug: String,
    name: String,
    description: Option<String>,
    parent: Option<Box<Team>>,
}

#[derive(Deserialize)]
struct Member {
    login: String,
    avatar_url: Option<String>,
}

/// The organisation's teams and members as a repository holding `org.yaml`; None (with a
/// warning when they could not be read) when there is nothing to add.
pub(super) async fn org_entities(
    ctx: &Arc<Ctx>,
    index: usize,
    diagnostics: &mut Diagnostics,
) -> Option<Repo> {
    let org = &ctx.source.organization;
    match org_data(ctx).await {
        Ok(yaml) => org_repo(
            index,
            &ctx.cache,
            org,
            &web_root(&ctx.source.api_url),
            &yaml,
        ),
        Err(message) => {
            diagnostics.push(Diagnostic::warning(
                "github/org-data",
                format!("cannot read the teams and members of {org}: {message}; no Group or User entities were made from them"),
            ));
            None
        }
    }
}

/// Teams, each team's member logins (entity names, sorted) by slug, and the members.
type OrgPeople = (Vec<Team>, BTreeMap<String, Vec<String>>, Vec<Member>);

/// Teams as Group entities (with parents and children) and members as User entities, as
/// Backstage's GitHub org provider makes them. YAML text, one document per entity.
async fn org_data(ctx: &Arc<Ctx>) -> Result<String, String> {
    let found = match org_graphql(ctx).await {
        Some(found) => found,
        None => org_rest(ctx).await?,
    };
    org_yaml(&ctx.source.organization, found)
}

/// Teams and members over REST: the teams, each team's members, the organisation's members.
async fn org_rest(ctx: &Arc<Ctx>) -> Result<OrgPeople, String> {
    let org = encode_path(&ctx.source.organization);
    let teams: Vec<Team> = ctx
        .paginate(&format!("/orgs/{org}/teams?per_page=100"))
        .await?;
    let mut tasks = JoinSet::new();
    for team in &teams {
        let ctx = ctx.clone();
        let path = format!(
            "/orgs/{org}/teams/{}/members?per_page=100",
            encode_path(&team.slug)
        );
        let slug = team.slug.clone();
        tasks.spawn(async move { (slug, ctx.paginate::<Member>(&path).await) });
    }
    let members: Vec<Member> = ctx
        .paginate(&format!("/orgs/{org}/members?per_page=100"))
        .await?;
    let mut team_members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (slug, list) = joined.map_err(|e| e.to_string())?;
        let mut logins: Vec<String> = list?.into_iter().map(|m| name_of(&m.login)).collect();
        logins.sort();
        team_members.insert(slug, logins);
    }
    Ok((teams, team_members, members))
}

/// Teams (with their members) and members over GraphQL, following each connection's cursor;
/// None when GraphQL cannot answer, for REST to.
async fn org_graphql(ctx: &Ctx) -> Option<OrgPeople> {
    if !ctx.graphql_on() {
        return None;
    }
    let org = literal(&ctx.source.organization);
    let page = "pageInfo { hasNextPage endCursor }";
    let after = |c: &Option<String>| {
        c.as_deref()
            .map(|c| format!(", after: {}", literal(c)))
            .unwrap_or_default()
    };
    let (mut teams, mut team_members, mut members) = (Vec::new(), BTreeMap::new(), Vec::new());
    let mut more_members: Vec<(String, Option<String>)> = Vec::new();
    // (cursor, done) of the teams and the members connections.
    let (mut team_cursor, mut member_cursor) = ((None, false), (None, false));
    for _ in 0..1000 {
        if team_cursor.1 && member_cursor.1 {
            break;
        }
        let mut q = format!(
            "query {{ rateLimit {{ cost remaining resetAt }} organization(login: {org}) {{"
        );
        if !team_cursor.1 {
            q.push_str(&format!(" teams(first: 100{}) {{ {page} nodes {{ slug name description parentTeam {{ slug }} members(first: 100) {{ {page} nodes {{ login }} }} }} }}", after(&team_cursor.0)));
        }
        if !member_cursor.1 {
            q.push_str(&format!(
                " membersWithRole(first: 100{}) {{ {page} nodes {{ login avatarUrl }} }}",
                after(&member_cursor.0)
            ));
        }
        q.push_str(" } }");
        let data = ctx.graphql(&q).await.ok()?.data;
        let found = &data["organization"];
        if !team_cursor.1 {
            for node in found["teams"]["nodes"].as_array()? {
                let team = team_of(node)?;
                let logins = logins_of(&node["members"]);
                if node["members"]["pageInfo"]["hasNextPage"] == true {
                    more_members.push((team.slug.clone(), cursor_of(&node["members"])));
                }
                team_members.insert(team.slug.clone(), logins);
                teams.push(team);
            }
            team_cursor = next_page(&found["teams"]);
        }
        if !member_cursor.1 {
            for node in found["membersWithRole"]["nodes"].as_array()? {
                members.push(Member {
                    login: node["login"].as_str()?.to_string(),
                    avatar_url: node["avatarUrl"].as_str().map(str::to_string),
                });
            }
            member_cursor = next_page(&found["membersWithRole"]);
        }
    }
    for (slug, mut cursor) in more_members {
        for _ in 0..1000 {
            let q = format!("query {{ rateLimit {{ cost remaining resetAt }} organization(login: {org}) {{ team(slug: {}) {{ members(first: 100{}) {{ {page} nodes {{ login }} }} }} }} }}", literal(&slug), after(&cursor));
            let data = ctx.graphql(&q).await.ok()?.data;
            let connection = &data["organization"]["team"]["members"];
            team_members
                .entry(slug.clone())
                .or_default()
                .extend(logins_of(connection));
            match next_page(connection) {
                (next, false) => cursor = next,
                _ => break,
            }
        }
        team_members.entry(slug).or_default().sort();
    }
    Some((teams, team_members, members))
}

fn team_of(node: &Value) -> Option<Team> {
    let slug = node["slug"].as_str()?.to_string();
    let parent = node["parentTeam"]["slug"].as_str().map(|p| {
        Box::new(Team {
            slug: p.to_string(),
            name: p.to_string(),
            description: None,
            parent: None,
        })
    });
    Some(Team {
        name: node["name"].as_str().unwrap_or(&slug).to_string(),
        slug,
        description: node["description"].as_str().map(str::to_string),
        parent,
    })
}

/// A member connection's logins as entity names, sorted.
fn logins_of(connection: &Value) -> Vec<String> {
    let mut logins: Vec<String> = connection["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["login"].as_str().map(name_of))
        .collect();
    logins.sort();
    logins
}

fn cursor_of(connection: &Value) -> Option<String> {
    connection["pageInfo"]["endCursor"]
        .as_str()
        .map(str::to_string)
}

/// The cursor of a connection's next page, and whether it was the last.
fn next_page(connection: &Value) -> (Option<String>, bool) {
    let more = connection["pageInfo"]["hasNextPage"] == true;
    (cursor_of(connection), !more)
}

/// The entities of the teams and members, as YAML documents.
fn org_yaml(org: &str, (teams, team_members, members): OrgPeople) -> Result<String, String> {
    let mut member_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (slug, logins) in &team_members {
        for login in logins {
            member_of
                .entry(login.clone())
                .or_default()
                .push(name_of(slug));
        }
    }
    let mut docs = Vec::new();
    let mut sorted: Vec<&Team> = teams.iter().collect();
    sorted.sort_by(|a, b| a.slug.cmp(&b.slug));
    for team in sorted {
        let members = team_members.get(&team.slug).cloned().unwrap_or_default();
        docs.push(group(org, team, &teams, members));
    }
    let mut users: Vec<&Member> = members.iter().collect();
    users.sort_by(|a, b| a.login.cmp(&b.login));
    for member in users {
        docs.push(user(member, &member_of));
    }
    let mut out = String::new();
    for doc in docs {
        out.push_str("---\n");
        out.push_str(&serde_yaml::to_string(&doc).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// A team as a Group entity, with its parent, its children among `teams` and its members.
fn group(org: &str, team: &Team, teams: &[Team], members: Vec<String>) -> Value {
    let children: Vec<String> = teams
        .iter()
        .filter(|t| t.parent.as_ref().is_some_and(|p| p.slug == team.slug))
        .map(|t| name_of(&t.slug))
        .collect();
    let mut spec = json!({
        "type": "team",
        "profile": { "displayName": team.name },
        "children": children,
        "members": members,
    });
    if let Some(parent) = &team.parent {
        spec["parent"] = json!(name_of(&parent.slug));
    }
    let mut metadata = json!({
        "name": name_of(&team.slug),
        "annotations": { "github.com/team-slug": format!("{org}/{}", team.slug) },
    });
    if let Some(d) = team.description.as_deref().filter(|d| !d.is_empty()) {
        metadata["description"] = json!(d);
    }
    json!({ "apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": metadata, "spec": spec })
}

/// A member as a User entity, with the teams it belongs to.
fn user(member: &Member, member_of: &BTreeMap<String, Vec<String>>) -> Value {
    let name = name_of(&member.login);
    let mut spec = json!({ "memberOf": member_of.get(&name).cloned().unwrap_or_default() });
    if let Some(picture) = &member.avatar_url {
        spec["profile"] = json!({ "picture": picture });
    }
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "User",
        "metadata": { "name": name, "annotations": { "github.com/user-login": member.login } },
        "spec": spec,
    })
}

/// An entity name from a login or slug (Backstage's default transformers keep them as they are,
/// lower-cased where entity names would clash).
fn name_of(login: &str) -> String {
    login.to_ascii_lowercase()
}

/// The generated org.yaml as a repository of its own.
fn org_repo(index: usize, cache: &OrgCache, org: &str, web: &str, yaml: &str) -> Option<Repo> {
    let dir = cache.generated_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join("org.yaml");
    if std::fs::read_to_string(&file).ok().as_deref() != Some(yaml) {
        std::fs::write(&file, yaml).ok()?;
    }
    let mut repo = Repo::new(
        format!("{org}-github-teams"),
        index,
        std::fs::canonicalize(&dir).ok()?,
    );
    repo.origin = Some(format!("{web}/{org}"));
    repo.catalog_files = vec![RepoPath::from_walked("org.yaml")];
    Some(repo)
}

/// `https://github.com` for api.github.com; the host of a GitHub Enterprise API.
fn web_root(api_url: &str) -> String {
    match url::Url::parse(api_url) {
        Ok(u) => match u.host_str() {
            Some("api.github.com") | None => "https://github.com".to_string(),
            Some(host) => match u.port() {
                Some(port) => format!("{}://{host}:{port}", u.scheme()),
                None => format!("{}://{host}", u.scheme()),
            },
        },
        Err(_) => "https://github.com".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enterprise_web_root() {
        assert_eq!(web_root("https://api.github.com"), "https://github.com");
        assert_eq!(
            web_root("https://github.example.com/api/v3"),
            "https://github.example.com"
        );
    }
}
