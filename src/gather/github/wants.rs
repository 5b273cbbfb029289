//! What a fetched file points at, as wants: a catalog file's Location targets, placeholders
//! and techdocs-ref (read with `references`, as the catalog stage reads them), an mkdocs.yml's
//! docs_dir; each a path or pattern inside the repository, or a URL into another repository of
//! the organisation. Pure: `fetch` and `cross` resolve the wants against a tree listing.

use crate::gather::cache::CrossWant;
use crate::gather::is_literal_pattern;
use crate::paths::RepoPath;
use crate::references::{self, TechdocsRef};
use serde::Deserialize;
use serde_json::Value;

/// What a fetched file is read for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// Catalog YAML: its Locations, placeholders and techdocs-refs point at more files.
    Catalog,
    /// mkdocs.yml: its docs_dir is fetched.
    Mkdocs,
    Plain,
}

/// Files a repository's catalog needs, found while reading what was already fetched.
pub(super) enum Want {
    File(String, Role),
    Glob(String, Role),
    Dir(String),
    /// A file or docs directory in another repository of the organisation.
    Cross(CrossWant),
}

impl Want {
    /// What the want asks for, as remembered with the paths it resolved to.
    pub(super) fn key(&self) -> String {
        match self {
            Want::File(p, role) => format!("file:{role:?}:{p}"),
            Want::Glob(p, role) => format!("glob:{role:?}:{p}"),
            Want::Dir(d) => format!("dir:{d}"),
            Want::Cross(c) => format!("cross:{}/{}", c.repo, c.ref_path),
        }
    }
}

/// What a fetched catalog file or mkdocs.yml points at, as wants: inside the repository, or
/// (by URL) in another repository of the organisation.
pub(super) fn wanted_by(path: &str, bytes: &[u8], role: Role, origin: &str) -> Vec<Want> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    let dir = RepoPath::from_walked(path).parent();
    if role == Role::Mkdocs {
        return dir
            .join(&references::docs_dir(text))
            .map(|d| Want::Dir(d.to_string()))
            .into_iter()
            .collect();
    }
    // A target in this repository: relative to the file, or a URL under its origin.
    let relative = |target: &str| -> Option<RepoPath> {
        if target.contains("://") {
            let p = references::path_in_origin(origin, target)?;
            RepoPath::root()
                .join(if p.is_empty() { "." } else { &p })
                .ok()
        } else {
            dir.join(target).ok()
        }
    };
    let mut wants = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let Ok(value) = Value::deserialize(doc) else {
            continue;
        };
        let found = references::references(&value);
        for target in found.targets {
            if let Some(p) = relative(target.text) {
                let p = p.to_string();
                wants.push(if is_literal_pattern(&p) {
                    Want::File(p, Role::Catalog)
                } else {
                    Want::Glob(p, Role::Catalog)
                });
            } else if let Some(c) = elsewhere(target.text, origin, path, false) {
                wants.push(Want::Cross(c));
            }
        }
        let docs = match found.techdocs {
            Some(TechdocsRef::Dir(d)) => dir.join(d).ok(),
            Some(TechdocsRef::Url(u)) => {
                let here = relative(u);
                if here.is_none() {
                    wants.extend(elsewhere(u, origin, path, true).map(Want::Cross));
                }
                here
            }
            Some(TechdocsRef::Other) | None => None,
        };
        for name in ["mkdocs.yml", "mkdocs.yaml"] {
            if let Some(p) = docs.as_ref().and_then(|d| d.join(name).ok()) {
                wants.push(Want::File(p.to_string(), Role::Mkdocs));
            }
        }
        // Placeholders name files relative to the declaring file.
        for placeholder in found.placeholders.iter().filter(|p| !p.is_url()) {
            if let Ok(p) = dir.join(placeholder.target) {
                wants.push(Want::File(p.to_string(), Role::Plain));
            }
        }
    }
    wants
}

/// The want a URL states when it points into another repository of the organisation of
/// `origin` (`<web>/<org>/<name>`): `<web>/<org>/<repo>` or `…/<repo>/(blob|tree)/<ref>/<path>`.
fn elsewhere(url: &str, origin: &str, from: &str, docs: bool) -> Option<CrossWant> {
    let org_root = &origin[..origin.rfind('/')? + 1];
    let head = url.get(..org_root.len())?;
    if !head.eq_ignore_ascii_case(org_root) {
        return None;
    }
    let rest = &url[org_root.len()..];
    let (repo, rest) = rest.split_once('/').unwrap_or((rest, ""));
    if repo.is_empty() {
        return None;
    }
    let ref_path = if rest.is_empty() {
        ""
    } else {
        crate::references::ref_and_path(rest)?
    };
    Some(CrossWant {
        repo: repo.to_string(),
        ref_path: ref_path.trim_matches('/').to_string(),
        docs,
        url: url.to_string(),
        from: from.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_files_point_at_docs_locations_and_placeholders() {
        let yaml = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  definition:\n    $text: ./api.yaml\n---\nkind: Location\nspec:\n  targets: [./svc/*.yaml, https://github.com/o/r/blob/main/x/catalog-info.yaml, https://github.com/o/teams/blob/main/org/groups.yaml, https://elsewhere/y.yaml]\n";
        let wants = wanted_by(
            "sub/catalog-info.yaml",
            yaml.as_bytes(),
            Role::Catalog,
            "https://github.com/o/r",
        );
        let names: Vec<String> = wants
            .iter()
            .map(|w| match w {
                Want::File(p, r) => format!("file {p} {r:?}"),
                Want::Glob(p, r) => format!("glob {p} {r:?}"),
                Want::Dir(d) => format!("dir {d}"),
                Want::Cross(c) => format!("cross {} {} from {}", c.repo, c.ref_path, c.from),
            })
            .collect();
        assert_eq!(
            names,
            vec![
                "file sub/mkdocs.yml Mkdocs",
                "file sub/mkdocs.yaml Mkdocs",
                "file sub/api.yaml Plain",
                "glob sub/svc/*.yaml Catalog",
                "file x/catalog-info.yaml Catalog",
                "cross teams main/org/groups.yaml from sub/catalog-info.yaml",
            ]
        );
        let mk = wanted_by(
            "sub/mkdocs.yml",
            b"site_name: x\ndocs_dir: pages\n",
            Role::Mkdocs,
            "",
        );
        assert!(matches!(&mk[..], [Want::Dir(d)] if d == "sub/pages"));
    }

    #[test]
    fn urls_into_other_repositories() {
        let origin = "https://github.com/o/portal";
        let want = elsewhere(
            "https://github.com/O/teams/blob/main/org/groups.yaml",
            origin,
            "catalog-info.yaml",
            false,
        )
        .unwrap();
        assert_eq!(
            (want.repo.as_str(), want.ref_path.as_str()),
            ("teams", "main/org/groups.yaml")
        );
        let root = elsewhere("https://github.com/o/handbook", origin, "x", true).unwrap();
        assert_eq!(root.ref_path, "");
        assert!(elsewhere("https://github.com/o/teams/issues/1", origin, "x", false).is_none());
        assert!(elsewhere(
            "https://github.com/other/teams/blob/main/a.yaml",
            origin,
            "x",
            false
        )
        .is_none());
        assert!(elsewhere(
            "https://gitlab.com/o/teams/blob/main/a.yaml",
            origin,
            "x",
            false
        )
        .is_none());
    }
}
