//! Discovery over GraphQL: for the repositories the listing shows as pushed since the last run,
//! their head commit and the catalog file (blob id and text, through
//! `object(expression: "<branch>:<path>")`), up to 100 repositories per request, instead of
//! two REST requests each. What GraphQL cannot say (no GraphQL, a repository it does not
//! find, a catalog file too large to come as text, a catalog glob) is left to REST.

use super::graphql::{in_batches, literal};
use super::Ctx;
use crate::paths::RepoPath;
use serde_json::Value;
use std::collections::BTreeMap;

/// Repositories per discovery request.
const BATCH: usize = 100;

/// What GraphQL said of one repository's catalog file.
pub(super) enum CatalogText {
    /// No such file at the head commit.
    Absent,
    /// The file's path, blob id and bytes.
    Text(String, String, Vec<u8>),
    /// Not known from GraphQL (binary, truncated, or a glob): ask REST.
    Unknown,
}

/// One repository's head and catalog file, as one GraphQL answer gave them.
pub(super) struct Discovered {
    /// Head commit id and time; None when the branch does not exist (an empty repository).
    pub(super) head: Option<(String, Option<i64>)>,
    pub(super) catalog: CatalogText,
}

/// Heads and catalog files of `repos` (name, branch) by name; repositories missing from the
/// map are left to REST.
pub(super) async fn discover(
    ctx: &Ctx,
    repos: Vec<(String, String)>,
) -> BTreeMap<String, Discovered> {
    let mut found = BTreeMap::new();
    if repos.is_empty() || !ctx.graphql_on() {
        return found;
    }
    let literal_path = crate::gather::is_literal_pattern(&ctx.source.catalog_path)
        .then(|| RepoPath::root().join(&ctx.source.catalog_path).ok())
        .flatten()
        .map(|p| p.to_string());
    let org = literal(&ctx.source.organization);
    let batches = in_batches(ctx, repos, BATCH, &[], |batch, _| {
        let mut q = String::from("query { rateLimit { cost remaining resetAt }\n");
        for (i, (name, branch)) in batch.iter().enumerate() {
            q.push_str(&format!(
                "r{i}: repository(owner: {org}, name: {}) {{ ref(qualifiedName: {}) {{ target {{ oid ... on Commit {{ committedDate }} }} }}",
                literal(name),
                literal(&format!("refs/heads/{branch}"))
            ));
            if let Some(path) = &literal_path {
                q.push_str(&format!(
                    " object(expression: {}) {{ ... on Blob {{ oid isBinary isTruncated text }} }}",
                    literal(&format!("{branch}:{path}"))
                ));
            }
            q.push_str(" }\n");
        }
        q.push('}');
        q
    })
    .await;
    for (batch, answer) in batches.answers {
        for (i, (name, _)) in batch.into_iter().enumerate() {
            let repo = &answer.data[format!("r{i}")];
            if let Some(d) = read_repo(repo, literal_path.as_deref()) {
                found.insert(name, d);
            }
        }
    }
    found
}

/// One repository's part of the answer; None when GraphQL gave nothing for it.
fn read_repo(repo: &Value, path: Option<&str>) -> Option<Discovered> {
    if !repo.is_object() {
        return None;
    }
    let target = &repo["ref"]["target"];
    let Some(oid) = target["oid"].as_str() else {
        return Some(Discovered {
            head: None,
            catalog: CatalogText::Absent,
        });
    };
    let time = target["committedDate"]
        .as_str()
        .and_then(crate::time::parse_rfc3339);
    let blob = &repo["object"];
    let catalog = match (path, blob["text"].as_str(), blob["oid"].as_str()) {
        (None, _, _) => CatalogText::Unknown,
        (Some(_), _, _) if blob.is_null() => CatalogText::Absent,
        (Some(p), Some(text), Some(blob_id))
            if blob["isTruncated"] == false && blob["isBinary"] != true =>
        {
            CatalogText::Text(p.to_string(), blob_id.to_string(), text.as_bytes().to_vec())
        }
        _ => CatalogText::Unknown,
    };
    Some(Discovered {
        head: Some((oid.to_string(), time)),
        catalog,
    })
}
