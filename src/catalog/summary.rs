//! Entity summaries: the projection of an entity that every listing shows (catalog, search,
//! change feed, webhooks), its page URL, links to other entities, and which URLs from input may
//! become links at all.

use super::{Catalog, Entity, EntityRef};
use crate::frozen::Frozen;
use serde::Serialize;

/// A reference to another entity; `url` is empty when it is not in the catalog.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntityLink {
    #[serde(rename = "ref")]
    pub entity_ref: String,
    pub title: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub url: String,
    pub resolved: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct EntitySummary {
    #[serde(rename = "ref")]
    pub entity_ref: String,
    pub kind: String,
    pub kind_lc: String,
    pub namespace: String,
    pub name: String,
    pub title: String,
    pub description: String,
    #[serde(rename = "type")]
    pub spec_type: String,
    pub lifecycle: String,
    pub owner: Option<EntityLink>,
    pub system: Option<EntityLink>,
    pub tags: Vec<String>,
    pub url: String,
}

pub fn entity_url(key: &EntityRef) -> String {
    format!("{}/index.html", key.page_dir())
}

/// The display name of a kind written in lower case in a ref (`api` -> `API`).
fn kind_name(kind_lc: &str) -> String {
    const KINDS: &[&str] = &[
        "Component",
        "API",
        "Resource",
        "System",
        "Domain",
        "Group",
        "User",
        "Location",
        "Template",
    ];
    KINDS
        .iter()
        .find(|k| k.eq_ignore_ascii_case(kind_lc))
        .map(|k| k.to_string())
        .unwrap_or_else(|| kind_lc.to_string())
}

pub fn link(catalog: &Catalog, key: &EntityRef) -> EntityLink {
    match catalog.get(key) {
        Some(e) => EntityLink {
            entity_ref: key.to_string(),
            title: e.title().to_string(),
            kind: e.kind.clone(),
            name: e.name.clone(),
            namespace: e.namespace.clone(),
            url: entity_url(key),
            resolved: true,
        },
        None => EntityLink {
            entity_ref: key.to_string(),
            title: key.to_string(),
            kind: kind_name(&key.kind),
            name: key.name.clone(),
            namespace: key.namespace.clone(),
            url: String::new(),
            resolved: false,
        },
    }
}

pub(crate) fn first_target<'a>(
    catalog: &'a Catalog,
    key: &EntityRef,
    kind: &str,
    target_kind: Option<&str>,
) -> Option<&'a EntityRef> {
    catalog
        .relations_of(key)
        .filter(|r| r.kind == kind && target_kind.is_none_or(|k| r.target.kind == k))
        .map(|r| r.target)
        .next()
}

pub(crate) fn targets<'a>(catalog: &'a Catalog, key: &EntityRef, kind: &str) -> Vec<&'a EntityRef> {
    catalog
        .relations_of(key)
        .filter(|r| r.kind == kind)
        .map(|r| r.target)
        .collect()
}

pub fn summary(catalog: &Catalog, e: &Entity) -> EntitySummary {
    let tags = e
        .value
        .pointer("/metadata/tags")
        .and_then(Frozen::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Frozen::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    EntitySummary {
        entity_ref: e.key.to_string(),
        kind: e.kind.clone(),
        kind_lc: e.key.kind.clone(),
        namespace: e.namespace.clone(),
        name: e.name.clone(),
        title: e.title().to_string(),
        description: e.metadata_str("description").unwrap_or("").to_string(),
        spec_type: e.spec_str("type").unwrap_or("").to_string(),
        lifecycle: e.spec_str("lifecycle").unwrap_or("").to_string(),
        owner: first_target(catalog, &e.key, "ownedBy", None).map(|t| link(catalog, t)),
        system: first_target(catalog, &e.key, "partOf", Some("system")).map(|t| link(catalog, t)),
        tags,
        url: entity_url(&e.key),
    }
}

/// Only web and mail links become links; anything else (javascript:, data:, file:) is text.
pub fn safe_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    matches!(parsed.scheme(), "http" | "https" | "mailto").then(|| parsed.to_string())
}
