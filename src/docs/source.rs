//! Which docs an entity has: `backstage.io/techdocs-ref` resolved to a directory of a gathered
//! repository (`dir:` relative to the entity's catalog file, `url:` into a repository whose
//! origin it names), never outside that repository.

use crate::catalog::Entity;
use crate::diagnostics::Diagnostic;
use crate::gather::{Repo, Workspace};
use crate::paths::RepoPath;

pub const TECHDOCS_REF: &str = "backstage.io/techdocs-ref";
pub const TECHDOCS_ENTITY: &str = "backstage.io/techdocs-entity";

/// Where a docs site's mkdocs.yml lives.
pub(super) struct DocsSource<'a> {
    pub repo: &'a Repo,
    pub dir: RepoPath,
}

/// The repository an entity was read from.
pub(super) fn entity_repo<'a>(workspace: &'a Workspace, entity: &Entity) -> Option<&'a Repo> {
    workspace
        .repos
        .iter()
        .find(|r| r.name == entity.source.repo && r.source == entity.source.repo_source)
}

/// Resolves an entity's techdocs-ref; None (with a diagnostic) when it cannot be used.
pub(super) fn resolve<'a>(
    workspace: &'a Workspace,
    entity: &Entity,
    reference: &str,
) -> Result<DocsSource<'a>, Box<Diagnostic>> {
    let path = crate::catalog::yaml::annotation_path(TECHDOCS_REF);
    let fail = |code: &'static str, message: String| {
        Box::new(entity.diagnostic(Diagnostic::warning(code, message), &path))
    };
    if let Some(dir) = reference.strip_prefix("dir:") {
        let repo = entity_repo(workspace, entity).ok_or_else(|| {
            fail(
                "docs/ref-not-resolved",
                "the entity's repository is not gathered".into(),
            )
        })?;
        let resolved = entity.source.file.parent().join(dir.trim()).map_err(|e| {
            entity.diagnostic(
                Diagnostic::error(
                    "docs/outside-repo",
                    format!("{TECHDOCS_REF} \"{reference}\": {e}; no docs were built"),
                ),
                &path,
            )
        })?;
        return Ok(DocsSource {
            repo,
            dir: resolved,
        });
    }
    if let Some(url) = reference.strip_prefix("url:") {
        let url = url.trim().trim_end_matches('/');
        for repo in &workspace.repos {
            let Some(origin) = &repo.origin else { continue };
            // `<origin>`, `<origin>/tree/<branch>/<dir>` or `<origin>/blob/<branch>/<dir>`.
            let Some(dir) = crate::references::path_in_origin(origin, url) else {
                continue;
            };
            let dir = RepoPath::root()
                .join(if dir.is_empty() { "." } else { &dir })
                .map_err(|e| {
                    fail(
                        "docs/outside-repo",
                        format!("{TECHDOCS_REF} \"{reference}\": {e}"),
                    )
                })?;
            return Ok(DocsSource { repo, dir });
        }
        return Err(fail("docs/ref-not-resolved", format!("{TECHDOCS_REF} \"{reference}\" points at no repository Playbill gathered; no docs were built")));
    }
    Err(fail("docs/ref-not-resolved", format!("{TECHDOCS_REF} \"{reference}\" is neither dir:<path> nor url:<address>; no docs were built")))
}
