//! The catalog stage: Workspace in, Catalog out. Reads every catalog file (following
//! Locations), resolves placeholders, validates each document as Backstage does, applies the
//! rules allow-list, settles conflicts (first in source order wins), and computes relations in
//! both directions. Pure apart from reading repository files through `Repo::read`.

mod document;
mod issue;
mod placeholders;
mod read;
pub mod refs;
mod relations;
mod rules;
pub mod summary;
mod template;
pub mod validate;
pub mod yaml;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::gather::{Repo, Workspace};
use crate::paths::RepoPath;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::frozen::Frozen;
use crate::held::{HeldText, Spill};
pub use refs::EntityRef;
pub use relations::{Relation, Relations};
use yaml::Seg;

/// An accepted entity: its identity, the document (placeholders resolved, location
/// annotations added) and where it came from.
#[derive(Clone, Debug)]
pub struct Entity {
    pub key: EntityRef,
    pub api_version: String,
    /// As written (`Component`), kinds being case-sensitive.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The document, without a `spec.definition` text: that is in `definition`.
    pub value: Frozen,
    pub source: EntitySource,
    definition: Option<HeldText>,
}

#[derive(Clone, Debug)]
pub struct EntitySource {
    pub repo: String,
    /// Index of the `[[sources]]` entry (conflicts: the first source wins).
    pub repo_source: usize,
    pub file: RepoPath,
    /// Position of the document in its file, empty documents counted.
    pub index: usize,
    pub first_line: u32,
    /// The document's text, to find the line of a field for later diagnostics; held like a
    /// definition, as it is rarely read again.
    text: HeldText,
}

impl EntitySource {
    pub fn new(repo: &Repo, file: &RepoPath, index: usize, first_line: u32, text: &str) -> Self {
        EntitySource {
            repo: repo.name.clone(),
            repo_source: repo.source,
            file: file.clone(),
            index,
            first_line,
            text: HeldText::Memory(text.to_string()),
        }
    }

    /// The document's text (see [`HeldText::text`] for one that cannot be read back).
    pub fn text(&self) -> Cow<'_, str> {
        self.text.text()
    }
}

impl Entity {
    /// Takes a `spec.definition` text out of the document, and freezes the rest.
    fn new(identity: validate::Identity, mut value: Value, source: EntitySource) -> Entity {
        let spec = value.get_mut("spec").and_then(Value::as_object_mut);
        let definition = spec
            .filter(|s| s.get("definition").is_some_and(Value::is_string))
            .and_then(|s| s.remove("definition"))
            .and_then(|definition| match definition {
                Value::String(text) => Some(HeldText::Memory(text)),
                _ => None,
            });
        Entity {
            key: EntityRef::new(&identity.kind, &identity.namespace, &identity.name),
            api_version: identity.api_version,
            kind: identity.kind,
            namespace: identity.namespace,
            name: identity.name,
            value: Frozen::from(value),
            source,
            definition,
        }
    }

    /// Moves the document's text and its `spec.definition` text into `spill` (see
    /// [`crate::held`]).
    fn hold_texts(&mut self, spill: Option<&Arc<Spill>>) {
        if let HeldText::Memory(text) = &mut self.source.text {
            self.source.text = HeldText::hold(std::mem::take(text), spill);
        }
        if let Some(HeldText::Memory(text)) = &mut self.definition {
            self.definition = Some(HeldText::hold(std::mem::take(text), spill));
        }
    }

    /// `spec.definition` when it is a text (see [`HeldText::text`] for one that cannot be read
    /// back).
    pub fn definition_text(&self) -> Option<Cow<'_, str>> {
        match &self.definition {
            Some(held) => Some(held.text()),
            None => self.written_definition()?.as_str().map(Cow::Borrowed),
        }
    }

    /// `spec.definition` in whatever form the document gave it.
    pub fn definition(&self) -> Option<Value> {
        match self.definition_text() {
            Some(text) => Some(Value::String(text.into_owned())),
            None => self.written_definition().map(Frozen::to_value),
        }
    }

    /// The length of the `spec.definition` text, without reading it back.
    pub fn definition_len(&self) -> Option<usize> {
        match &self.definition {
            Some(held) => Some(held.byte_len()),
            None => self.written_definition()?.as_str().map(str::len),
        }
    }

    pub fn has_definition(&self) -> bool {
        self.definition.is_some() || self.written_definition().is_some()
    }

    /// `spec.definition` as it is in the document, when it is not a text.
    fn written_definition(&self) -> Option<&Frozen> {
        self.value.pointer("/spec/definition")
    }

    /// The file line of a field, where it can be found.
    pub fn line_of(&self, path: &[Seg]) -> Option<u32> {
        yaml::locate(&self.source.text(), path).map(|l| self.source.first_line + l - 1)
    }

    pub fn metadata_str(&self, key: &str) -> Option<&str> {
        self.value.get("metadata")?.get(key)?.as_str()
    }

    /// A text of `spec`; not `definition`, which is held apart ([`Self::definition_text`]).
    pub fn spec_str(&self, key: &str) -> Option<&str> {
        self.value.get("spec")?.get(key)?.as_str()
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.value
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }

    /// `metadata.title`, else (Users and Groups) `spec.profile.displayName`, else the name:
    /// people are known by their names, not their logins.
    pub fn title(&self) -> &str {
        let display_name = || {
            let profile = self.value.pointer("/spec/profile/displayName")?;
            profile.as_str().filter(|t| !t.trim().is_empty())
        };
        self.metadata_str("title")
            .filter(|t| !t.trim().is_empty())
            .or_else(display_name)
            .unwrap_or(&self.name)
    }

    /// A diagnostic placed at this entity's document (and field, when `path` is found).
    pub fn diagnostic(&self, d: Diagnostic, path: &[Seg]) -> Diagnostic {
        d.repo(self.source.repo.clone())
            .file(self.source.file.to_string())
            .line(self.line_of(path).or(Some(self.source.first_line)))
            .entity(self.key.to_string())
    }
}

/// One YAML document read, for `check --format json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentRecord {
    pub repo: String,
    pub file: String,
    pub index: usize,
    #[serde(rename = "ref")]
    pub entity_ref: Option<String>,
    pub valid: bool,
}

/// Every accepted entity, sorted by ref, with its relations.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub entities: Vec<Entity>,
    /// Sorted by source, then kind, then target; set with the spans below by
    /// [`set_relations`](Self::set_relations).
    relations: Vec<relations::Kept>,
    /// Each source of relations (an entity, or a ref the catalog does not hold), in order,
    /// with where its run in `relations` ends.
    relation_sources: Vec<(relations::End, u32)>,
    /// Where each entity's relations are in `relations`, by the entity's position: pictures
    /// ask for them so often that two binary searches over refs a time were a twentieth of an
    /// unchanged build.
    relation_spans: Vec<(u32, u32)>,
    pub documents: Vec<DocumentRecord>,
    /// Committer time of each repository's HEAD, by repository name, where it is known: when
    /// an entity's definition last changed, at the latest.
    pub commit_times: BTreeMap<String, i64>,
    /// CI runs, pull requests and alerts of each repository gathered from GitHub, by name.
    pub repo_health: BTreeMap<String, crate::gather::health::RepoHealth>,
    index: FxHashMap<EntityRef, usize>,
}

impl Catalog {
    pub fn get(&self, key: &EntityRef) -> Option<&Entity> {
        self.index.get(key).map(|&i| &self.entities[i])
    }

    /// Relations whose source is `key`.
    pub fn relations_of(&self, key: &EntityRef) -> Relations<'_> {
        Relations::new(self.kept_relations_of(key), &self.entities)
    }

    fn kept_relations_of(&self, key: &EntityRef) -> &[relations::Kept] {
        let span = self
            .index
            .get(key)
            .and_then(|&i| self.relation_spans.get(i));
        if let Some(&(start, end)) = span {
            return &self.relations[start as usize..end as usize];
        }
        let sources = &self.relation_sources;
        let at = sources.binary_search_by(|(source, _)| source.key(&self.entities).cmp(key));
        match at {
            Ok(at) => {
                let start = at.checked_sub(1).map_or(0, |before| sources[before].1);
                &self.relations[start as usize..sources[at].1 as usize]
            }
            Err(_) => &[],
        }
    }

    /// Every relation with its source, sorted by source, then kind, then target.
    pub fn all_relations(&self) -> impl Iterator<Item = (&EntityRef, Relation<'_>)> {
        let mut start = 0;
        self.relation_sources.iter().flat_map(move |(source, end)| {
            let run = &self.relations[start as usize..*end as usize];
            start = *end;
            let source = source.key(&self.entities);
            Relations::new(run, &self.entities).map(move |r| (source, r))
        })
    }

    fn set_relations(&mut self, sorted: relations::Sorted) {
        let mut spans = vec![(0, 0); self.entities.len()];
        let mut start = 0;
        for (source, end) in &sorted.sources {
            if let relations::End::Held(i) = source {
                spans[*i as usize] = (start, *end);
            }
            start = *end;
        }
        self.relations = sorted.relations;
        self.relation_sources = sorted.sources;
        self.relation_spans = spans;
    }
}

/// Builds the catalog from every repository of the workspace.
pub fn build_catalog(workspace: &Workspace, config: &Config) -> (Catalog, Diagnostics) {
    let spill = Spill::new();
    let hold = |entities: &mut Vec<Entity>| {
        entities
            .iter_mut()
            .for_each(|e| e.hold_texts(spill.as_ref()))
    };
    let (mut contents, mut visited): (Vec<read::RepoContents>, Vec<HashSet<RepoPath>>) = workspace
        .repos
        .par_iter()
        .map(|repo| {
            let mut visited = HashSet::new();
            let mut contents = read::read_repo(repo, config, workspace, &mut visited);
            hold(&mut contents.entities);
            (contents, visited)
        })
        .unzip();
    let mut extra = read_remote_targets(workspace, config, &mut contents, &mut visited);
    hold(&mut extra.entities);
    contents.push(extra);
    let mut diagnostics = Diagnostics::new();
    let mut candidates = Vec::new();
    let mut documents = Vec::new();
    for c in contents {
        candidates.extend(c.entities);
        documents.extend(c.documents);
        diagnostics.extend(c.diagnostics);
    }
    let entities = first_definitions(candidates, config.limits.max_entities, &mut diagnostics);
    let index = entities
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key.clone(), i))
        .collect();
    let mut catalog = Catalog {
        entities,
        relations: Vec::new(),
        relation_sources: Vec::new(),
        relation_spans: Vec::new(),
        documents,
        commit_times: workspace
            .repos
            .iter()
            .filter_map(|r| Some((r.name.clone(), r.commit_time?)))
            .collect(),
        repo_health: workspace
            .repos
            .iter()
            .filter_map(|r| Some((r.name.clone(), r.health.clone()?)))
            .collect(),
        index,
    };
    diagnostics.extend(check_references(&catalog));
    let relations = relations::relations(&catalog.entities, &catalog.index);
    catalog.set_relations(relations);
    (catalog, diagnostics)
}

/// Locations whose targets are URLs into other gathered repositories: those files are read
/// from their own repository, a round per level of nesting, skipping files already read.
fn read_remote_targets(
    workspace: &Workspace,
    config: &Config,
    contents: &mut [read::RepoContents],
    visited: &mut [HashSet<RepoPath>],
) -> read::RepoContents {
    let mut pending: Vec<read::RemoteTarget> = contents
        .iter_mut()
        .flat_map(|c| c.remote.drain(..))
        .collect();
    let mut extra = read::RepoContents::default();
    for _ in 0..config.limits.max_location_depth {
        if pending.is_empty() {
            break;
        }
        let mut roots: BTreeMap<usize, Vec<RepoPath>> = BTreeMap::new();
        for target in pending.drain(..) {
            let repo = &workspace.repos[target.repo];
            if repo.check_file(&target.path).is_ok() {
                roots.entry(target.repo).or_default().push(target.path);
            } else if !target.optional {
                extra.diagnostics.push(target.missing);
            }
        }
        for (index, files) in roots {
            let repo = &workspace.repos[index];
            let mut more = read::read_files(repo, config, workspace, &files, &mut visited[index]);
            pending.append(&mut more.remote);
            extra.entities.append(&mut more.entities);
            extra.documents.append(&mut more.documents);
            extra.diagnostics.extend(more.diagnostics);
        }
    }
    extra
}

/// One entity per ref: the first definition in source order, then repository, then path
/// wins, and at most `max_entities`; sorted by ref.
fn first_definitions(
    mut candidates: Vec<Entity>,
    max_entities: usize,
    diagnostics: &mut Diagnostics,
) -> Vec<Entity> {
    fn source_order(s: &EntitySource) -> (usize, &str, &RepoPath, usize) {
        (s.repo_source, &s.repo, &s.file, s.index)
    }
    candidates.sort_by(|a, b| source_order(&a.source).cmp(&source_order(&b.source)));
    let mut entities: Vec<Entity> = Vec::with_capacity(candidates.len());
    let mut seen: HashMap<EntityRef, usize> = HashMap::new();
    for entity in candidates {
        if let Some(&winner) = seen.get(&entity.key) {
            let w: &Entity = &entities[winner];
            let message = format!(
                "{} is also defined in {}/{} (line {}), which comes first and wins; this definition is ignored",
                entity.key, w.source.repo, w.source.file, w.source.first_line
            );
            diagnostics.push(entity.diagnostic(
                Diagnostic::warning("catalog/duplicate-entity", message),
                &[Seg::key("metadata"), Seg::key("name")],
            ));
            continue;
        }
        if entities.len() >= max_entities {
            diagnostics.push(entity.diagnostic(
                Diagnostic::error("catalog/too-many-entities", format!("the catalog already holds {max_entities} entities (limits.max_entities); this and later entities were skipped")),
                &[],
            ));
            break;
        }
        seen.insert(entity.key.clone(), entities.len());
        entities.push(entity);
    }
    entities.sort_by(|a, b| a.key.cmp(&b.key));
    entities
}

/// Malformed references are errors; references to missing entities are warnings (the relation
/// is kept and shown as unresolved).
fn check_references(catalog: &Catalog) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    for entity in &catalog.entities {
        for o in relations::outgoing(entity) {
            match &o.target {
                Err(message) => diagnostics.push(entity.diagnostic(
                    Diagnostic::error(
                        "catalog/invalid-ref",
                        format!("spec.{}: {message}; Backstage rejects the whole entity for it (here the relation is skipped)", o.field),
                    ),
                    &o.path,
                )),
                Ok(target) => {
                    if catalog.get(target).is_none() {
                        diagnostics.push(entity.diagnostic(
                            Diagnostic::warning(
                                "catalog/unresolved-ref",
                                format!(
                                    "spec.{} refers to {target}, which is not in the catalog",
                                    o.field
                                ),
                            ),
                            &o.path,
                        ));
                    } else if o.field == "owner"
                        && !matches!(target.kind.as_str(), "group" | "user")
                    {
                        diagnostics.push(entity.diagnostic(
                            Diagnostic::warning("catalog/unexpected-owner-kind", format!("spec.owner refers to {target}; an owner should be a Group or a User")),
                            &o.path,
                        ));
                    }
                }
            }
        }
    }
    diagnostics
}
