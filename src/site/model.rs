//! Page models: the plain data each template receives. Built from the catalog only; every URL
//! here is relative to the site root, and templates prefix it with the page's `root`.

use crate::catalog::summary::{
    first_target, link, safe_url, summary, targets, EntityLink, EntitySummary,
};
use crate::catalog::{Catalog, Entity, EntityRef};
use crate::diagnostics::Diagnostic;
use crate::frozen::Frozen;
use crate::highlight;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};

#[derive(Serialize)]
pub struct KeyValue {
    pub key: String,
    pub value: String,
}

#[derive(Serialize)]
pub struct Annotation {
    pub key: String,
    pub value: String,
    pub href: String,
}

#[derive(Serialize)]
pub struct Link {
    pub url: String,
    pub title: String,
    pub icon: String,
    #[serde(rename = "type")]
    pub link_type: String,
}

#[derive(Serialize)]
pub struct RelationGroup {
    pub title: &'static str,
    pub items: Vec<EntityLink>,
}

#[derive(Serialize)]
pub struct Profile {
    pub display_name: String,
    pub email: String,
    pub picture: String,
}

#[derive(Serialize)]
pub struct SourceInfo {
    pub repo: String,
    pub file: String,
    pub line: u32,
    pub view_url: String,
}

#[derive(Debug, Serialize)]
pub struct Definition {
    pub language: String,
    /// Empty when the definition is too long for its page (see `file`).
    pub html: String,
    /// Where the text of a definition too long to show inline is, and how long it is.
    pub file: Option<DefinitionFile>,
}

/// A definition's text as a file beside the entity page.
#[derive(Debug, Serialize)]
pub struct DefinitionFile {
    /// Relative to the entity page.
    pub url: &'static str,
    pub kilobytes: usize,
    pub lines: usize,
}

/// Definitions longer than this (bytes of text) are not highlighted on the entity page, which
/// they would push over the page budget (highlighting makes text about five times heavier):
/// the page links their text, and their reference page, instead.
pub const INLINE_DEFINITION_BYTES: usize = 10_000;
/// The name of that file, in the entity's page directory.
const DEFINITION_FILE: &str = "definition.txt";

#[derive(Serialize)]
pub struct TemplateField {
    pub name: String,
    pub title: String,
    #[serde(rename = "type")]
    pub field_type: String,
    pub required: bool,
    pub description: String,
}

#[derive(Serialize)]
pub struct TemplatePage {
    pub title: String,
    pub description: String,
    pub fields: Vec<TemplateField>,
}

#[derive(Serialize)]
pub struct TemplateStep {
    pub id: String,
    pub name: String,
    pub action: String,
}

#[derive(Serialize)]
pub struct TitledUrl {
    pub title: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct TemplateInfo {
    pub parameters: Vec<TemplatePage>,
    pub steps: Vec<TemplateStep>,
    pub output_links: Vec<TitledUrl>,
}

#[derive(Serialize)]
pub struct EntityPage {
    #[serde(flatten)]
    pub summary: EntitySummary,
    pub api_version: String,
    pub labels: Vec<KeyValue>,
    pub annotations: Vec<Annotation>,
    pub links: Vec<Link>,
    pub domain: Option<EntityLink>,
    pub relations: Vec<RelationGroup>,
    /// The first rows of what it owns (the rest are on the list's own pages), and the count.
    pub owned: Vec<EntitySummary>,
    pub owned_total: usize,
    pub owned_more: usize,
    /// The first rows of its parts, and the count.
    pub parts: Vec<EntitySummary>,
    pub parts_total: usize,
    pub parts_more: usize,
    pub members: Vec<EntityLink>,
    pub children: Vec<EntityLink>,
    pub parent: Option<EntityLink>,
    pub profile: Option<Profile>,
    pub source: SourceInfo,
    pub definition: Option<Definition>,
    pub template: Option<TemplateInfo>,
    pub diagnostics: Vec<Diagnostic>,
    pub copy_ref: String,
}

/// Relation types in display order. `ownerOf` and `hasPart` are shown as tables instead.
const RELATION_TITLES: &[(&str, &str)] = &[
    ("ownedBy", "Owner"),
    ("partOf", "Part of"),
    ("providesApi", "Provides APIs"),
    ("consumesApi", "Consumes APIs"),
    ("apiProvidedBy", "API provided by"),
    ("apiConsumedBy", "API consumed by"),
    ("dependsOn", "Depends on"),
    ("dependencyOf", "Dependency of"),
    ("childOf", "Parent"),
    ("parentOf", "Children"),
    ("hasMember", "Members"),
    ("memberOf", "Member of"),
];

fn str_map(value: Option<&Frozen>) -> Vec<(String, String)> {
    value
        .and_then(Frozen::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.to_string(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn str_of(v: Option<&Frozen>) -> String {
    v.and_then(Frozen::as_str).unwrap_or("").to_string()
}

/// An entity's page model.
///
/// Long on purpose: one field per section of the page, each filled by a helper.
pub fn entity_page(catalog: &Catalog, e: &Entity, diagnostics: Vec<Diagnostic>) -> EntityPage {
    let own = summary(catalog, e);
    let metadata = e.value.get("metadata");
    let labels = str_map(metadata.and_then(|m| m.get("labels")))
        .into_iter()
        .map(|(key, value)| KeyValue { key, value })
        .collect();
    let annotations = str_map(metadata.and_then(|m| m.get("annotations")))
        .into_iter()
        .map(|(key, value)| {
            let href = safe_url(value.strip_prefix("url:").unwrap_or(&value))
                .filter(|u| !u.starts_with("mailto:"))
                .unwrap_or_default();
            Annotation { key, value, href }
        })
        .collect();
    let links = metadata
        .and_then(|m| m.get("links"))
        .and_then(Frozen::as_array)
        .map(|links| {
            links
                .iter()
                .filter_map(|l| {
                    Some(Link {
                        url: safe_url(l.get("url")?.as_str()?)?,
                        title: str_of(l.get("title")),
                        icon: str_of(l.get("icon")),
                        link_type: str_of(l.get("type")),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let relations = RELATION_TITLES
        .iter()
        .filter_map(|(kind, title)| {
            let items: Vec<EntityLink> = targets(catalog, &e.key, kind)
                .into_iter()
                .map(|t| link(catalog, t))
                .collect();
            (!items.is_empty()).then_some(RelationGroup { title, items })
        })
        .collect();
    let owned = super::lists::entities(catalog, e, super::lists::List::Owned);
    let parts = super::lists::entities(catalog, e, super::lists::List::Parts);
    let shown = super::lists::SHOWN;
    let domain = match e.key.kind.as_str() {
        "system" => {
            first_target(catalog, &e.key, "partOf", Some("domain")).map(|d| link(catalog, d))
        }
        _ => first_target(catalog, &e.key, "partOf", Some("system"))
            .and_then(|s| first_target(catalog, s, "partOf", Some("domain")))
            .map(|d| link(catalog, d)),
    };
    let profile = e
        .value
        .pointer("/spec/profile")
        .filter(|p| p.is_object())
        .map(|p| Profile {
            display_name: str_of(p.get("displayName")),
            email: str_of(p.get("email")),
            picture: safe_url(&str_of(p.get("picture"))).unwrap_or_default(),
        });
    let view_url = e
        .annotation("backstage.io/view-url")
        .and_then(safe_url)
        .or_else(|| {
            e.annotation("backstage.io/managed-by-location")
                .and_then(|l| l.strip_prefix("url:"))
                .and_then(safe_url)
                .map(|u| format!("{u}#L{}", e.source.first_line))
        })
        .unwrap_or_default();
    EntityPage {
        api_version: e.api_version.clone(),
        labels,
        annotations,
        links,
        domain,
        relations,
        owned_total: owned.len(),
        owned_more: owned.len().saturating_sub(shown),
        owned: owned.into_iter().take(shown).collect(),
        parts_total: parts.len(),
        parts_more: parts.len().saturating_sub(shown),
        parts: parts.into_iter().take(shown).collect(),
        members: targets(catalog, &e.key, "hasMember")
            .into_iter()
            .map(|t| link(catalog, t))
            .collect(),
        children: targets(catalog, &e.key, "parentOf")
            .into_iter()
            .map(|t| link(catalog, t))
            .collect(),
        parent: first_target(catalog, &e.key, "childOf", None).map(|t| link(catalog, t)),
        profile,
        source: SourceInfo {
            repo: e.source.repo.clone(),
            file: e.source.file.to_string(),
            line: e.source.first_line,
            view_url,
        },
        definition: definition_text(e).map(|text| match text.len() {
            // Too long to show: linked, and not highlighted only to be left out.
            len if len > INLINE_DEFINITION_BYTES => Definition {
                language: definition_language(e, &text).to_string(),
                html: String::new(),
                file: Some(DefinitionFile {
                    url: DEFINITION_FILE,
                    kilobytes: len.div_ceil(1000),
                    lines: text.lines().count(),
                }),
            },
            _ => highlighted(e, &text),
        }),
        template: template_info(e),
        diagnostics,
        copy_ref: e.key.to_string(),
        summary: own,
    }
}

/// An API's definition text.
fn definition_text(e: &Entity) -> Option<Cow<'_, str>> {
    if e.kind != "API" {
        return None;
    }
    e.definition_text()
}

/// The APIs whose definitions are too long for their entity pages, with the path of the file
/// beside the page that holds the text instead.
pub fn definition_files(catalog: &Catalog) -> impl Iterator<Item = (String, &Entity)> {
    catalog.entities.iter().filter_map(|e| {
        let long = e.kind == "API" && e.definition_len()? > INLINE_DEFINITION_BYTES;
        long.then(|| (format!("{}/{DEFINITION_FILE}", e.key.page_dir()), e))
    })
}

/// An API's definition, highlighted in the language its type implies.
pub(crate) fn definition(e: &Entity) -> Option<Definition> {
    Some(highlighted(e, &definition_text(e)?))
}

fn highlighted(e: &Entity, text: &str) -> Definition {
    let language = definition_language(e, text);
    let (html, _) = highlight::highlight(text, language);
    Definition {
        language: language.to_string(),
        html,
        file: None,
    }
}

/// The language an API's definition is highlighted in, from its type and its text.
fn definition_language(e: &Entity, text: &str) -> &'static str {
    let api_type = e.spec_str("type").unwrap_or("").to_ascii_lowercase();
    match api_type.as_str() {
        "openapi" | "asyncapi" | "swagger" if text.trim_start().starts_with('{') => "json",
        "openapi" | "asyncapi" | "swagger" => "yaml",
        "graphql" => "graphql",
        "grpc" => "proto",
        _ => "txt",
    }
}

fn template_info(e: &Entity) -> Option<TemplateInfo> {
    if e.kind != "Template" {
        return None;
    }
    let spec = e.value.get("spec")?;
    let pages: Vec<&Frozen> = match spec.get("parameters") {
        Some(Frozen::Array(items)) => items.iter().collect(),
        Some(v @ Frozen::Object(_)) => vec![v],
        _ => Vec::new(),
    };
    let parameters = pages
        .into_iter()
        .map(|page| {
            let required: HashSet<&str> = page
                .get("required")
                .and_then(Frozen::as_array)
                .map(|r| r.iter().filter_map(Frozen::as_str).collect())
                .unwrap_or_default();
            let fields = page
                .get("properties")
                .and_then(Frozen::as_object)
                .map(|props| {
                    props
                        .iter()
                        .map(|(name, p)| TemplateField {
                            name: name.to_string(),
                            title: str_of(p.get("title")),
                            field_type: str_of(p.get("type")),
                            required: required.contains(&**name),
                            description: str_of(p.get("description")),
                        })
                        .collect()
                })
                .unwrap_or_default();
            TemplatePage {
                title: str_of(page.get("title")),
                description: str_of(page.get("description")),
                fields,
            }
        })
        .collect();
    let steps = spec
        .get("steps")
        .and_then(Frozen::as_array)
        .map(|steps| {
            steps
                .iter()
                .map(|s| TemplateStep {
                    id: str_of(s.get("id")),
                    name: str_of(s.get("name")),
                    action: str_of(s.get("action")),
                })
                .collect()
        })
        .unwrap_or_default();
    let output_links = spec
        .pointer("/output/links")
        .and_then(Frozen::as_array)
        .map(|links| {
            links
                .iter()
                .map(|l| TitledUrl {
                    title: str_of(l.get("title")),
                    url: safe_url(&str_of(l.get("url"))).unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(TemplateInfo {
        parameters,
        steps,
        output_links,
    })
}

#[derive(Serialize)]
pub struct KindCount {
    pub kind: String,
    pub kind_lc: String,
    pub count: usize,
    pub url: String,
}

pub fn kind_counts(catalog: &Catalog) -> Vec<KindCount> {
    let mut counts: BTreeMap<&str, (String, usize)> = BTreeMap::new();
    for e in &catalog.entities {
        let slot = counts
            .entry(e.key.kind.as_str())
            .or_insert_with(|| (e.kind.clone(), 0));
        slot.1 += 1;
    }
    counts
        .into_iter()
        .map(|(kind_lc, (kind, count))| KindCount {
            kind,
            kind_lc: kind_lc.to_string(),
            count,
            url: format!("catalog/index.html?kind={kind_lc}"),
        })
        .collect()
}

#[derive(Serialize)]
pub struct Facets {
    pub kinds: Vec<String>,
    pub types: Vec<String>,
    pub lifecycles: Vec<String>,
    pub owners: Vec<RefTitle>,
    pub systems: Vec<RefTitle>,
    pub tags: Vec<String>,
    pub namespaces: Vec<String>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct RefTitle {
    pub title: String,
    #[serde(rename = "ref")]
    pub entity_ref: String,
}

pub fn facets(summaries: &[EntitySummary]) -> Facets {
    let mut kinds = BTreeSet::new();
    let mut types = BTreeSet::new();
    let mut lifecycles = BTreeSet::new();
    let mut owners = BTreeSet::new();
    let mut systems = BTreeSet::new();
    let mut tags = BTreeSet::new();
    let mut namespaces = BTreeSet::new();
    for s in summaries {
        kinds.insert(s.kind_lc.clone());
        if !s.spec_type.is_empty() {
            types.insert(s.spec_type.clone());
        }
        if !s.lifecycle.is_empty() {
            lifecycles.insert(s.lifecycle.clone());
        }
        if let Some(o) = &s.owner {
            owners.insert(RefTitle {
                title: o.title.clone(),
                entity_ref: o.entity_ref.clone(),
            });
        }
        if let Some(o) = &s.system {
            systems.insert(RefTitle {
                title: o.title.clone(),
                entity_ref: o.entity_ref.clone(),
            });
        }
        tags.extend(s.tags.iter().cloned());
        namespaces.insert(s.namespace.clone());
    }
    Facets {
        kinds: kinds.into_iter().collect(),
        types: types.into_iter().collect(),
        lifecycles: lifecycles.into_iter().collect(),
        owners: owners.into_iter().collect(),
        systems: systems.into_iter().collect(),
        tags: tags.into_iter().collect(),
        namespaces: namespaces.into_iter().collect(),
    }
}

#[derive(Serialize)]
pub struct TeamNode {
    pub group: EntityLink,
    #[serde(rename = "type")]
    pub group_type: String,
    pub display_name: String,
    pub email: String,
    pub member_count: usize,
    pub owned_count: usize,
    /// Owned by the team and its sub-teams.
    pub owned_total: usize,
    pub children: Vec<TeamNode>,
}

/// Groups as a forest: roots are groups whose parent is not in the catalog.
pub fn team_tree(catalog: &Catalog) -> Vec<TeamNode> {
    let groups: Vec<&Entity> = catalog
        .entities
        .iter()
        .filter(|e| e.key.kind == "group")
        .collect();
    let roots: Vec<&Entity> = groups
        .iter()
        .copied()
        .filter(|g| {
            first_target(catalog, &g.key, "childOf", Some("group"))
                .is_none_or(|p| catalog.get(p).is_none())
        })
        .collect();
    let mut seen = HashSet::new();
    let mut forest: Vec<TeamNode> = roots
        .into_iter()
        .map(|g| team_node(catalog, g, &mut seen))
        .collect();
    // Groups only reachable through a parent loop still get listed.
    for g in groups {
        if !seen.contains(&g.key) {
            forest.push(team_node(catalog, g, &mut seen));
        }
    }
    forest
}

fn team_node(catalog: &Catalog, g: &Entity, seen: &mut HashSet<EntityRef>) -> TeamNode {
    seen.insert(g.key.clone());
    let children: Vec<TeamNode> = targets(catalog, &g.key, "parentOf")
        .into_iter()
        .filter_map(|c| catalog.get(c))
        .filter(|c| c.key.kind == "group")
        .collect::<Vec<_>>()
        .into_iter()
        .filter_map(|c| {
            if seen.contains(&c.key) {
                None
            } else {
                Some(team_node(catalog, c, seen))
            }
        })
        .collect();
    TeamNode {
        group: link(catalog, &g.key),
        group_type: g.spec_str("type").unwrap_or("").to_string(),
        display_name: g
            .value
            .pointer("/spec/profile/displayName")
            .and_then(Frozen::as_str)
            .unwrap_or("")
            .to_string(),
        email: g
            .value
            .pointer("/spec/profile/email")
            .and_then(Frozen::as_str)
            .unwrap_or("")
            .to_string(),
        member_count: targets(catalog, &g.key, "hasMember").len(),
        owned_count: targets(catalog, &g.key, "ownerOf").len(),
        owned_total: targets(catalog, &g.key, "ownerOf").len()
            + children
                .iter()
                .map(|c: &TeamNode| c.owned_total)
                .sum::<usize>(),
        children,
    }
}

#[derive(Serialize)]
pub struct IssueFile {
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Serialize)]
pub struct IssueRepo {
    pub name: String,
    pub files: Vec<IssueFile>,
}

#[derive(Serialize)]
pub struct CodeCount {
    pub code: String,
    pub count: usize,
}

pub fn issues_by_repo(diagnostics: &[Diagnostic]) -> (Vec<IssueRepo>, Vec<CodeCount>) {
    let mut repos: BTreeMap<String, BTreeMap<String, Vec<Diagnostic>>> = BTreeMap::new();
    let mut codes: BTreeMap<&str, usize> = BTreeMap::new();
    for d in diagnostics {
        let repo = d.repo.clone().unwrap_or_else(|| "(site)".to_string());
        let file = d.file.clone().unwrap_or_default();
        repos
            .entry(repo)
            .or_default()
            .entry(file)
            .or_default()
            .push(d.clone());
        *codes.entry(d.code).or_default() += 1;
    }
    let repos = repos
        .into_iter()
        .map(|(name, files)| IssueRepo {
            name,
            files: files
                .into_iter()
                .map(|(file, diagnostics)| IssueFile { file, diagnostics })
                .collect(),
        })
        .collect();
    let codes = codes
        .into_iter()
        .map(|(code, count)| CodeCount {
            code: code.to_string(),
            count,
        })
        .collect();
    (repos, codes)
}
