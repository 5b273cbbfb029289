//! Reads one repository's catalog files, document by document, following Location entities
//! (relative to the declaring file, never outside the repository, cycles cut) in a fixed,
//! depth-first order. Each document is resolved, validated and filtered here, so a Location is
//! followed only when it is itself accepted.

use super::document::{add_location_annotations, formable_ref, type_name, unsafe_urls};
use super::yaml::{self, Seg};
use super::{placeholders, relations, rules, validate, DocumentRecord, Entity, EntitySource};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::frozen::Frozen;
use crate::gather::{ReadError, Repo, Workspace};
use crate::paths::RepoPath;
use crate::references::{self, TargetField};
use serde_json::Value;
use std::collections::HashSet;

/// What one repository contributes before conflicts are settled.
#[derive(Default)]
pub(super) struct RepoContents {
    pub entities: Vec<Entity>,
    pub documents: Vec<DocumentRecord>,
    pub diagnostics: Diagnostics,
    /// Location targets that are URLs into other gathered repositories, read in a later pass.
    pub remote: Vec<RemoteTarget>,
}

/// A Location target in another repository of the workspace.
pub(super) struct RemoteTarget {
    /// Index of the repository in the workspace.
    pub repo: usize,
    pub path: RepoPath,
    pub optional: bool,
    /// The diagnostic to report, at the Location, when the file does not exist.
    pub missing: Diagnostic,
}

struct Pending {
    file: RepoPath,
    /// Files whose Locations led here, the first being the origin (cycle detection).
    chain: Vec<RepoPath>,
}

pub(super) fn read_repo(
    repo: &Repo,
    config: &Config,
    workspace: &Workspace,
    visited: &mut HashSet<RepoPath>,
) -> RepoContents {
    read_files(repo, config, workspace, &repo.catalog_files, visited)
}

/// Reads `roots` and every file their Locations lead to inside `repo`, skipping files in
/// `visited` (already read) and adding the ones read to it.
pub(super) fn read_files(
    repo: &Repo,
    config: &Config,
    workspace: &Workspace,
    roots: &[RepoPath],
    visited: &mut HashSet<RepoPath>,
) -> RepoContents {
    let mut out = RepoContents::default();
    let mut stack: Vec<Pending> = roots
        .iter()
        .rev()
        .map(|f| Pending {
            file: f.clone(),
            chain: Vec::new(),
        })
        .collect();
    while let Some(pending) = stack.pop() {
        if !visited.insert(pending.file.clone()) {
            continue;
        }
        let targets = read_file(repo, config, workspace, &pending, &mut out);
        let mut chain = pending.chain.clone();
        chain.push(pending.file.clone());
        for target in targets.into_iter().rev() {
            stack.push(Pending {
                file: target,
                chain: chain.clone(),
            });
        }
    }
    out
}

fn diag_at(repo: &Repo, file: &RepoPath, d: Diagnostic) -> Diagnostic {
    d.repo(repo.name.clone()).file(file.to_string())
}

/// A catalog file's text, without a byte-order mark; None (with a diagnostic) when it
/// cannot be read, is too large or is not UTF-8.
fn read_text(
    repo: &Repo,
    file: &RepoPath,
    max_bytes: u64,
    out: &mut RepoContents,
) -> Option<String> {
    let bytes = match repo.read(file, max_bytes) {
        Ok(b) => b,
        Err(e) => {
            let d = match e {
                ReadError::TooLarge { size } => Diagnostic::error(
                    "catalog/file-too-large",
                    format!("the file is {size} bytes, over the limit of {max_bytes} (limits.max_file_bytes); it was not read"),
                ),
                ReadError::OutsideRepo => Diagnostic::error(
                    "gather/symlink-outside-repo",
                    "this path is a symlink that leads outside the repository; it was not read",
                ),
                other => Diagnostic::error("gather/unreadable", format!("cannot read the file: {other}")),
            };
            out.diagnostics.push(diag_at(repo, file, d));
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..valid]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u32
                + 1;
            out.diagnostics.push(
                diag_at(
                    repo,
                    file,
                    Diagnostic::error(
                        "catalog/invalid-utf8",
                        "the file is not valid UTF-8 text; re-save it as UTF-8",
                    ),
                )
                .line(Some(line)),
            );
            return None;
        }
    };
    Some(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Reads one file; returns the Location targets to read next.
fn read_file(
    repo: &Repo,
    config: &Config,
    workspace: &Workspace,
    pending: &Pending,
    out: &mut RepoContents,
) -> Vec<RepoPath> {
    let file = &pending.file;
    let Some(text) = read_text(repo, file, config.limits.max_file_bytes, out) else {
        return Vec::new();
    };
    let redacted = config.secrets.redact(&text);
    for finding in &redacted.findings {
        out.diagnostics
            .push(diag_at(repo, file, finding.diagnostic()));
    }
    let text = &redacted.text;
    let mut docs = yaml::split_documents(text);
    if docs.len() > config.limits.max_documents_per_file {
        out.diagnostics.push(diag_at(
            repo,
            file,
            Diagnostic::error(
                "catalog/too-many-documents",
                format!("the file holds {} YAML documents, over the limit of {} (limits.max_documents_per_file); the rest were skipped", docs.len(), config.limits.max_documents_per_file),
            ),
        ));
        docs.truncate(config.limits.max_documents_per_file);
    }
    let mut targets = Vec::new();
    for doc in &docs {
        if doc.is_empty() {
            continue;
        }
        if let Some(entity) = read_document(repo, config, pending, doc, out) {
            if entity.kind == "Location" {
                targets.extend(location_targets(
                    repo, config, workspace, pending, &entity, out,
                ));
            }
            out.entities.push(entity);
        }
    }
    targets
}

fn read_document(
    repo: &Repo,
    config: &Config,
    pending: &Pending,
    doc: &yaml::Document<'_>,
    out: &mut RepoContents,
) -> Option<Entity> {
    let file = &pending.file;
    let mut record = DocumentRecord {
        repo: repo.name.clone(),
        file: file.to_string(),
        index: doc.index,
        entity_ref: None,
        valid: false,
    };
    let checked = check_document(repo, config, file, doc, out, &mut record);
    out.documents.push(record);
    let (identity, mut value, place) = checked?;
    warn_about_unsafe_content(&value, &place, out);
    let spec_type = value.pointer("/spec/type").and_then(Value::as_str);
    let rules = config.catalog.rules.as_deref();
    if !rules::allowed(rules, &identity.kind, spec_type, &repo.display_path(file)) {
        out.diagnostics.push(place.at(Diagnostic::warning("catalog/rejected-by-rules", format!("kind {} is not allowed here by the [catalog] rules in site.toml; the entity was not added", identity.kind)), &[Seg::key("kind")]));
        return None;
    }
    let origin = pending.chain.first().unwrap_or(file);
    add_location_annotations(&mut value, repo, file, origin);
    Some(Entity::new(
        identity,
        value,
        EntitySource::new(repo, file, doc.index, doc.first_line, doc.text),
    ))
}

/// Where one document's diagnostics point: its repository, file and lines, and its entity
/// once kind and name are known.
struct Place<'a> {
    repo: &'a Repo,
    file: &'a RepoPath,
    doc: &'a yaml::Document<'a>,
    entity: Option<String>,
}

impl Place<'_> {
    /// `d` at the line of `path` in the document, or at its first line.
    fn at(&self, d: Diagnostic, path: &[Seg]) -> Diagnostic {
        let line = yaml::locate(self.doc.text, path).map(|l| self.doc.first_line + l - 1);
        let d = diag_at(self.repo, self.file, d).line(line.or(Some(self.doc.first_line)));
        self.of_entity(d)
    }

    fn of_entity(&self, d: Diagnostic) -> Diagnostic {
        match &self.entity {
            Some(r) => d.entity(r.clone()),
            None => d,
        }
    }
}

/// Parses one document, resolves its placeholders and validates it; each problem goes to
/// `out`, and the document's verdict to `record`.
fn check_document<'a>(
    repo: &'a Repo,
    config: &Config,
    file: &'a RepoPath,
    doc: &'a yaml::Document<'a>,
    out: &mut RepoContents,
    record: &mut DocumentRecord,
) -> Option<(validate::Identity, Value, Place<'a>)> {
    let mut value = match yaml::parse_document(doc) {
        Ok(v) => v,
        Err(e) => {
            let message = format!("YAML syntax error in document {}: {}", doc.index, e.message);
            let d = Diagnostic::error("catalog/yaml-syntax", message);
            out.diagnostics
                .push(diag_at(repo, file, d).line(e.line).column(e.column));
            return None;
        }
    };
    let mut place = Place {
        repo,
        file,
        doc,
        entity: None,
    };
    if !value.is_object() {
        out.diagnostics.push(place.at(Diagnostic::error("catalog/not-a-mapping", format!("document {} is a {}, not a mapping; an entity is a mapping with apiVersion, kind, metadata and spec", doc.index, type_name(&value))), &[]));
        return None;
    }
    record.entity_ref = formable_ref(&value);
    place.entity = record.entity_ref.clone();
    let mut reader = placeholders::Reader {
        repo,
        max_bytes: config.limits.max_file_bytes,
        secrets: &config.secrets,
        findings: Vec::new(),
    };
    let resolved = placeholders::resolve(&mut value, &mut reader, &file.parent());
    for (source, finding) in reader.findings {
        let d = diag_at(repo, &source, finding.diagnostic());
        out.diagnostics.push(place.of_entity(d));
    }
    if let Err(e) = resolved {
        let code = if e.outside_repo {
            "catalog/location-outside-repo"
        } else {
            "catalog/placeholder"
        };
        let message = format!("{}; the entity was not added", e.message);
        out.diagnostics
            .push(place.at(Diagnostic::error(code, message), &e.path));
        return None;
    }
    let identity = match validate::validate(&value) {
        Ok(identity) => identity,
        Err(issues) => {
            for issue in issues {
                let d = Diagnostic::error(issue.code, issue.message);
                out.diagnostics.push(place.at(d, &issue.path));
            }
            return None;
        }
    };
    // Backstage parses the relation fields after validation and rejects the whole entity
    // when one is malformed; check_references reports which.
    record.valid = relations::outgoing_of(&identity.kind, &identity.namespace, &value)
        .iter()
        .all(|o| o.target.is_ok());
    Some((identity, value, place))
}

/// Markup in titles and descriptions, and links with script schemes: shown as text, and the
/// author told why.
fn warn_about_unsafe_content(value: &Value, place: &Place<'_>, out: &mut RepoContents) {
    for field in ["title", "description"] {
        let text = value
            .pointer(&format!("/metadata/{field}"))
            .and_then(Value::as_str);
        if let Some(what) = text.and_then(crate::html_hazards::dangerous) {
            let path = [Seg::key("metadata"), Seg::key(field)];
            out.diagnostics.push(place.at(Diagnostic::warning("catalog/unsafe-content", format!("metadata.{field} holds {what}; the portal shows it as text, never as markup")), &path));
        }
    }
    for (path, scheme) in unsafe_urls(value) {
        out.diagnostics.push(place.at(
            Diagnostic::warning(
                "catalog/unsafe-url",
                format!(
                    "`{scheme}:` URLs are never rendered as links; use an http(s) or mailto URL"
                ),
            ),
            &path,
        ));
    }
}

/// The path inside `repo` that a URL names (`<origin>/blob/<ref>/<path>` or `/tree/`), if any.
fn url_in_repo(repo: &Repo, target: &str) -> Option<String> {
    references::path_in_origin(repo.origin.as_deref()?, target).filter(|p| !p.is_empty())
}

/// Whether a URL into `repo` names the branch or commit that was gathered (true when the
/// gathered branch is not known, as for local checkouts).
fn names_gathered_ref(repo: &Repo, target: &str) -> bool {
    let Some(branch) = repo.branch.as_deref() else {
        return true;
    };
    let Some(rest) = repo.origin.as_deref().and_then(|o| target.strip_prefix(o)) else {
        return true;
    };
    let Some(ref_path) = references::ref_and_path(rest.trim_start_matches('/')) else {
        return true;
    };
    [Some(branch), repo.commit.as_deref()]
        .into_iter()
        .flatten()
        .any(|r| ref_path == r || ref_path.starts_with(&format!("{r}/")))
}

/// The files a Location entity points at, checked: inside the repository, present (unless
/// `presence: optional`), and not already on the chain that led here. A target Backstage could
/// not read makes the Location's document invalid, as Backstage rejects the entity for it.
fn location_targets(
    repo: &Repo,
    config: &Config,
    workspace: &Workspace,
    pending: &Pending,
    entity: &Entity,
    out: &mut RepoContents,
) -> Vec<RepoPath> {
    let spec = entity.value.get("spec");
    let optional = spec
        .and_then(|s| s.get("presence"))
        .and_then(Frozen::as_str)
        == Some("optional");
    let location_type = spec.and_then(|s| s.get("type")).and_then(Frozen::as_str);
    let file = &pending.file;
    let mut found = Vec::new();
    let mut problems = Vec::new();
    if let Some(problem) = unsupported_type(location_type) {
        problems.push((vec![Seg::key("spec"), Seg::key("type")], problem));
    }
    for written in references::location_targets(&entity.value) {
        let target = written.text;
        let path = match written.field {
            TargetField::Target => vec![Seg::key("spec"), Seg::key("target")],
            TargetField::Targets(i) => vec![Seg::key("spec"), Seg::key("targets"), Seg::Index(i)],
        };
        if let Some(problem) = unreadable_target(location_type, target) {
            problems.push((path, problem));
            continue;
        }
        let diag = |d: Diagnostic| {
            diag_at(repo, file, d)
                .line(entity.line_of(&path))
                .entity(entity.key.to_string())
        };
        let joined = if target.contains("://") {
            match url_in_repo(repo, target) {
                Some(path) => RepoPath::root().join(&path),
                None => {
                    follow_elsewhere(workspace, target, optional, &diag, out);
                    continue;
                }
            }
        } else {
            file.parent().join(target)
        };
        let resolved = match joined {
            Ok(p) => p,
            Err(e) => {
                problems.push((
                    path,
                    Diagnostic::error(
                        "catalog/location-outside-repo",
                        format!("Location target \"{target}\": {e}; it was not read"),
                    ),
                ));
                continue;
            }
        };
        match candidates(repo, target, resolved, optional) {
            Ok(c) => found.extend(c.into_iter().map(|c| (c, path.clone(), target))),
            Err(Some(problem)) => problems.push((path, *problem)),
            Err(None) => {}
        }
    }
    if !problems.is_empty() {
        reject(out, file, entity.source.index);
    }
    for (path, problem) in problems {
        let d = diag_at(repo, file, problem).line(entity.line_of(&path));
        out.diagnostics.push(d.entity(entity.key.to_string()));
    }
    found
        .into_iter()
        .filter(|(candidate, path, target)| {
            let problem = cycle_or_too_deep(candidate, target, pending, config);
            if let Some(d) = &problem {
                let d = diag_at(repo, file, d.clone()).line(entity.line_of(path));
                out.diagnostics.push(d.entity(entity.key.to_string()));
            }
            problem.is_none()
        })
        .map(|(candidate, _, _)| candidate)
        .collect()
}

/// A Location target that leads back along the chain that reached it, or one level too deep.
fn cycle_or_too_deep(
    candidate: &RepoPath,
    target: &str,
    pending: &Pending,
    config: &Config,
) -> Option<Diagnostic> {
    let max = config.limits.max_location_depth;
    if *candidate == pending.file || pending.chain.contains(candidate) {
        Some(Diagnostic::warning("catalog/location-cycle", format!("Location target \"{target}\" ({candidate}) leads back to a file that led here; the loop was cut")))
    } else if pending.chain.len() + 1 >= max {
        Some(Diagnostic::error("catalog/location-cycle", format!("Location target \"{target}\" is nested deeper than {max} Locations (limits.max_location_depth); it was not read")))
    } else {
        None
    }
}

/// Marks a document read earlier as invalid.
fn reject(out: &mut RepoContents, file: &RepoPath, index: usize) {
    let file = file.to_string();
    if let Some(record) = out
        .documents
        .iter_mut()
        .rev()
        .find(|d| d.file == file && d.index == index)
    {
        record.valid = false;
    }
}

/// Backstage's catalog reads Locations of type `file` and `url` (the type of the file that
/// declares them, when none is written); any other type is refused.
fn unsupported_type(location_type: Option<&str>) -> Option<Diagnostic> {
    let t = location_type?;
    (!matches!(t, "file" | "url")).then(|| {
        Diagnostic::error(
            "catalog/location-type",
            format!("Location type \"{t}\" is not one the catalog reads; use `file` or `url`, or leave `type` out"),
        )
    })
}

/// A target no reader takes: a `url` target that is not an http(s) URL, or a file target that
/// ends in a separator (a directory).
fn unreadable_target(location_type: Option<&str>, target: &str) -> Option<Diagnostic> {
    let message = if location_type == Some("url") {
        let url = url::Url::parse(target).ok();
        let readable = url.is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
        (!readable).then(|| format!("Location target \"{target}\" has type url but is not an http(s) URL; write the full URL, or use type file for a path"))
    } else {
        (!target.contains("://") && target.ends_with('/')).then(|| format!("Location target \"{target}\" ends with a separator; name a file (a pattern such as dir/*.yaml reads several)"))
    };
    message.map(|m| Diagnostic::error("catalog/location-target", m))
}

/// A Location target that is a URL outside its own repository: a URL into another gathered
/// repository is read from there, after every repository's own files; anything else is not
/// fetched.
fn follow_elsewhere(
    workspace: &Workspace,
    target: &str,
    optional: bool,
    diag: &dyn Fn(Diagnostic) -> Diagnostic,
    out: &mut RepoContents,
) {
    let other = workspace
        .repos
        .iter()
        .enumerate()
        .find_map(|(i, r)| Some((i, RepoPath::root().join(&url_in_repo(r, target)?).ok()?)));
    match other {
        // Another branch than the one gathered: the github source reports it
        // (github/ref-not-gathered), and nothing here says what is there.
        Some((index, _)) if !names_gathered_ref(&workspace.repos[index], target) => {}
        Some((index, path)) => out.remote.push(RemoteTarget {
            repo: index,
            path,
            optional,
            missing: diag(Diagnostic::error(
                "catalog/location-target-missing",
                format!("Location target \"{target}\" does not exist in that repository; fix the URL or set `presence: optional`"),
            )),
        }),
        None => out.diagnostics.push(diag(Diagnostic::warning("catalog/location-not-followed", format!("Location target \"{target}\" is a URL into no gathered repository, so it was not followed")))),
    }
}

/// The files a resolved Location target names in its repository: the file itself when it is
/// a path, the files of the repository's list that match when it is a pattern. An error
/// carries the problem to report (none for a missing optional target).
fn candidates(
    repo: &Repo,
    target: &str,
    resolved: RepoPath,
    optional: bool,
) -> Result<Vec<RepoPath>, Option<Box<Diagnostic>>> {
    if crate::gather::is_literal_pattern(resolved.as_str()) {
        return match repo.check_file(&resolved) {
            Ok(()) => Ok(vec![resolved]),
            Err(ReadError::OutsideRepo) => Err(Some(Box::new(Diagnostic::error("catalog/location-outside-repo", format!("Location target \"{target}\" is a symlink that leads outside the repository; it was not read"))))),
            Err(_) if optional => Err(None),
            Err(_) => Err(Some(Box::new(Diagnostic::error("catalog/location-target-missing", format!("Location target \"{target}\" ({resolved}) does not exist; fix the path or set `presence: optional`"))))),
        };
    }
    match globset::GlobBuilder::new(resolved.as_str())
        .literal_separator(true)
        .build()
    {
        Ok(glob) => match repo.files_matching(&glob.compile_matcher()) {
            found if !found.is_empty() || optional => Ok(found),
            _ => Err(Some(Box::new(Diagnostic::error("catalog/location-target-missing", format!("Location target \"{target}\" ({resolved}) matches no file; fix the pattern or set `presence: optional`"))))),
        },
        Err(e) => Err(Some(Box::new(Diagnostic::error(
            "catalog/location-target-missing",
            format!("Location target \"{target}\" is not a valid pattern: {e}"),
        )))),
    }
}
