//! mkdocs-monorepo-plugin's includes (techdocs-core always adds the plugin). A nav entry
//! `Title: '!include sub/mkdocs.yml'` mounts that sub-project's docs_dir under a directory named
//! after its `site_name` (as written when it is only letters, digits and `_.-/`, else slugified)
//! and puts its nav in the entry's place, every page path prefixed with that directory; without
//! a nav, one is made from its files as the plugin makes it. `Title: '*include glob/mkdocs.yml'`
//! does the same for every file the glob matches, each a section titled with its site name.
//!
//! In: the root nav, the directory of mkdocs.yml and the repository's files. Out: the nav with
//! includes expanded, the mounts (directory name, docs_dir) in order, and the problems, each at
//! its include's line. A sub-project cannot include others (the plugin refuses that too), so
//! includes go one level deep; a missing, malformed or outside include is reported and left out.

use super::mkdocs::{self, Mkdocs, NavItem};
use crate::paths::RepoPath;
use std::collections::BTreeSet;

/// One included sub-project: where its docs go in the site and where they come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Mount {
    /// The directory of the site its pages go to (`payments`, `team/billing`).
    pub alias: String,
    pub docs_dir: RepoPath,
    pub mkdocs_file: RepoPath,
    pub repo_url: Option<String>,
    pub edit_uri: Option<String>,
}

/// What an include needs from the repository.
pub(super) trait Files {
    fn read_text(&self, path: &RepoPath) -> Result<String, String>;
    /// Every file below `dir`, sorted (the repository's files for the root).
    fn files_under(&self, dir: &RepoPath) -> Vec<RepoPath>;
}

/// A problem with one include, at its line of mkdocs.yml.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Problem {
    pub line: Option<u32>,
    pub message: String,
}

/// The nav with every include expanded, the sub-projects it mounts, and the problems.
#[derive(Debug, Default)]
pub(super) struct Expanded {
    pub nav: Vec<NavItem>,
    pub mounts: Vec<Mount>,
    pub problems: Vec<Problem>,
}

/// More sub-projects than this in one site are left out (a wildcard over a huge repository).
const MAX_MOUNTS: usize = 500;

/// Expands the includes of `nav`, read from mkdocs.yml in `config_dir`.
pub(super) fn expand(nav: &[NavItem], config_dir: &RepoPath, files: &dyn Files) -> Expanded {
    let mut out = Expanded::default();
    let nav = expand_items(nav, config_dir, files, &mut out);
    Expanded { nav, ..out }
}

fn expand_items(
    items: &[NavItem],
    config_dir: &RepoPath,
    files: &dyn Files,
    out: &mut Expanded,
) -> Vec<NavItem> {
    let mut expanded = Vec::new();
    for item in items {
        match item {
            NavItem::Section { title, children } => expanded.push(NavItem::Section {
                title: title.clone(),
                children: expand_items(children, config_dir, files, out),
            }),
            NavItem::Include {
                title,
                target,
                wildcard,
                line,
            } => {
                let mut skipped = Vec::new();
                let found = if *wildcard {
                    wildcard_include(title, target, config_dir, files, &out.mounts, &mut skipped)
                } else {
                    include(title.as_deref(), target, config_dir, files, &out.mounts)
                };
                let mut problem = |message: String| {
                    out.problems.push(Problem {
                        line: *line,
                        message: format!("nav include \"{target}\": {message}"),
                    })
                };
                skipped.into_iter().for_each(&mut problem);
                match found {
                    Ok((section, mounts)) => {
                        expanded.push(section);
                        out.mounts.extend(mounts);
                    }
                    Err(message) => problem(format!("{message}; it was left out")),
                }
            }
            other => expanded.push(other.clone()),
        }
    }
    expanded
}

/// A nav section and the sub-projects it mounts.
type Found = (NavItem, Vec<Mount>);

/// `'!include path'`: the sub-project as a section titled `title` (its site name when the
/// entry has none).
fn include(
    title: Option<&str>,
    target: &str,
    config_dir: &RepoPath,
    files: &dyn Files,
    mounted: &[Mount],
) -> Result<Found, String> {
    let file = config_dir
        .join(target)
        .map_err(|e| format!("{e} (an include must stay inside the repository)"))?;
    let (site_name, nav, mount) = load(&file, files, mounted)?;
    let section = NavItem::Section {
        title: title.map_or(site_name, str::to_string),
        children: nav,
    };
    Ok((section, vec![mount]))
}

/// `'*include glob'`: a section holding one section per matching mkdocs file, in path order;
/// a file that cannot be used is reported and the others kept.
fn wildcard_include(
    title: &Option<String>,
    pattern: &str,
    config_dir: &RepoPath,
    files: &dyn Files,
    mounted: &[Mount],
    skipped: &mut Vec<String>,
) -> Result<Found, String> {
    if !is_yaml(pattern) {
        return Err("the pattern must end with .yml or .yaml".into());
    }
    let glob = config_dir
        .join(pattern)
        .map_err(|e| format!("{e} (an include must stay inside the repository)"))?;
    let matcher = globset::GlobBuilder::new(glob.as_str())
        .literal_separator(true)
        .build()
        .map_err(|e| format!("not a glob pattern ({e})"))?
        .compile_matcher();
    let mut matches: Vec<RepoPath> = files
        .files_under(&RepoPath::root())
        .into_iter()
        .filter(|f| matcher.is_match(f.as_str()))
        .collect();
    // As Python sorts paths: part by part.
    matches.sort_by(|a, b| a.as_str().split('/').cmp(b.as_str().split('/')));
    let (mut children, mut mounts) = (Vec::new(), Vec::new());
    for file in matches {
        let taken: Vec<Mount> = mounted.iter().chain(&mounts).cloned().collect();
        match load(&file, files, &taken) {
            Ok((site_name, nav, mount)) => {
                children.push(NavItem::Section {
                    title: site_name,
                    children: nav,
                });
                mounts.push(mount);
            }
            Err(e) => skipped.push(format!("{e}; that project was left out")),
        }
    }
    if children.is_empty() {
        return Err("it matches no usable mkdocs file".into());
    }
    let section = NavItem::Section {
        title: title.clone().unwrap_or_default(),
        children,
    };
    Ok((section, mounts))
}

fn is_yaml(path: &str) -> bool {
    path.ends_with(".yml") || path.ends_with(".yaml")
}

/// Reads an included mkdocs file: its site name, its nav under its alias, and its mount.
fn load(
    file: &RepoPath,
    files: &dyn Files,
    mounted: &[Mount],
) -> Result<(String, Vec<NavItem>, Mount), String> {
    if !is_yaml(file.as_str()) {
        return Err("it must name a .yml or .yaml file".into());
    }
    if mounted.len() >= MAX_MOUNTS {
        return Err(format!("a site may include at most {MAX_MOUNTS} projects"));
    }
    let text = files
        .read_text(file)
        .map_err(|e| format!("cannot read {file}: {e}"))?;
    let (sub, _) = mkdocs::parse(&text).map_err(|e| format!("{file} does not parse ({e})"))?;
    if sub.site_name.trim().is_empty() {
        return Err(format!(
            "{file} has no site_name, which names the directory its pages go to"
        ));
    }
    let alias = alias_of(&sub.site_name);
    if mounted.iter().any(|m| m.alias == alias) {
        return Err(format!(
            "another included project already uses the directory \"{alias}\" (site names must differ)"
        ));
    }
    let docs_dir = file
        .parent()
        .join(&sub.docs_dir)
        .map_err(|e| format!("docs_dir \"{}\": {e}", sub.docs_dir))?;
    let nav = match sub.nav {
        Some(nav) => nav,
        None => derived_nav(&docs_dir, &files.files_under(&docs_dir)),
    };
    if nav.is_empty() {
        return Err(format!(
            "{file} has no nav and {docs_dir} no Markdown pages"
        ));
    }
    let nav = under_alias(&alias, &nav, file)?;
    let mount = Mount {
        alias,
        docs_dir,
        mkdocs_file: file.clone(),
        repo_url: sub.repo_url,
        edit_uri: sub.edit_uri,
    };
    Ok((sub.site_name, nav, mount))
}

/// The directory a sub-project's pages go to: its site name when that is a plain path, else
/// the site name as python-slugify makes it (ASCII letters and digits joined by `-`).
pub(super) fn alias_of(site_name: &str) -> String {
    let plain = site_name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c));
    if plain {
        return site_name.to_string();
    }
    use unicode_normalization::UnicodeNormalization;
    let ascii: String = site_name
        .replace('\'', "-")
        .as_str()
        .nfkd()
        .filter(char::is_ascii)
        .collect::<String>()
        .to_lowercase();
    let mut slug = String::new();
    for (n, word) in ascii
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .flat_map(|w| w.split('-'))
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        if n > 0 {
            slug.push('-');
        }
        slug.push_str(word);
    }
    slug
}

/// The sub-project's nav with page paths under `alias` (as the plugin joins them: `./` parts
/// dropped, `..` kept, so a path out of the sub-project names no page as with mkdocs).
fn under_alias(alias: &str, nav: &[NavItem], file: &RepoPath) -> Result<Vec<NavItem>, String> {
    nav.iter()
        .map(|item| {
            Ok(match item {
                NavItem::Page { title, path } => NavItem::Page {
                    title: title.clone(),
                    path: format!("{alias}/{path}")
                        .split('/')
                        .filter(|part| *part != "." && !part.is_empty())
                        .collect::<Vec<_>>()
                        .join("/"),
                },
                NavItem::Section { title, children } => NavItem::Section {
                    title: title.clone(),
                    children: under_alias(alias, children, file)?,
                },
                NavItem::Include { .. } => {
                    return Err(format!(
                    "{file} includes another project, which the monorepo plugin does not support"
                ))
                }
                link => link.clone(),
            })
        })
        .collect()
}

/// The nav the plugin makes for a sub-project without one: per directory, sub-directories
/// first (titled from their names), then Markdown files by name (titled by their pages).
fn derived_nav(docs_dir: &RepoPath, files: &[RepoPath]) -> Vec<NavItem> {
    let prefix = match docs_dir.as_str() {
        "" => String::new(),
        dir => format!("{dir}/"),
    };
    let pages: Vec<&str> = files
        .iter()
        .filter_map(|f| f.as_str().strip_prefix(&prefix))
        .filter(|p| p.ends_with(".md"))
        .collect();
    derived_dir(&pages, "")
}

fn derived_dir(pages: &[&str], dir: &str) -> Vec<NavItem> {
    let mut subdirs = BTreeSet::new();
    let mut out = Vec::new();
    for page in pages {
        let Some(rest) = page.strip_prefix(dir) else {
            continue;
        };
        match rest.split_once('/') {
            Some((sub, _)) => {
                subdirs.insert(sub);
            }
            None => out.push(NavItem::Page {
                title: None,
                path: page.to_string(),
            }),
        }
    }
    let sections = subdirs.into_iter().filter_map(|sub| {
        let children = derived_dir(pages, &format!("{dir}{sub}/"));
        (!children.is_empty()).then(|| NavItem::Section {
            title: mkdocs::title_from_name(sub),
            children,
        })
    });
    sections
        .collect::<Vec<_>>()
        .into_iter()
        .chain(out)
        .collect()
}

/// The repository settings an included project's pages are edited with, as the plugin takes
/// them: its own repo_url and edit_uri, else the root's, with the root's docs_dir in edit_uri
/// replaced by the project's (both as written from the root's mkdocs.yml).
pub(super) fn edit_settings(root: &Mkdocs, config_dir: &RepoPath, mount: &Mount) -> Mkdocs {
    let repo_url = mount.repo_url.clone().or_else(|| root.repo_url.clone());
    let edit_uri = mount.edit_uri.clone().or_else(|| {
        let github = repo_url
            .as_deref()
            .is_some_and(|u| u.contains("github.com"));
        let uri = root
            .edit_uri
            .clone()
            .or_else(|| github.then(|| "edit/master/docs/".to_string()))?;
        let from_config = |dir: &RepoPath| {
            let prefix = format!("{config_dir}/");
            match config_dir.as_str() {
                "" => dir.to_string(),
                _ => dir
                    .as_str()
                    .strip_prefix(&prefix)
                    .unwrap_or(dir.as_str())
                    .to_string(),
            }
        };
        let from = config_dir
            .join(&root.docs_dir)
            .map(|d| from_config(&d))
            .ok()?;
        Some(uri.replace(&from, &from_config(&mount.docs_dir)))
    });
    Mkdocs {
        repo_url,
        edit_uri,
        ..Mkdocs::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A repository in memory: path -> text.
    struct Memory(BTreeMap<String, String>);

    impl Files for Memory {
        fn read_text(&self, path: &RepoPath) -> Result<String, String> {
            self.0
                .get(path.as_str())
                .cloned()
                .ok_or_else(|| "file not found".into())
        }
        fn files_under(&self, dir: &RepoPath) -> Vec<RepoPath> {
            let prefix = format!("{dir}/");
            self.0
                .keys()
                .filter(|p| dir.as_str().is_empty() || p.starts_with(&prefix))
                .map(|p| RepoPath::root().join(p).unwrap())
                .collect()
        }
    }

    fn repo(files: &[(&str, &str)]) -> Memory {
        Memory(
            files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
        )
    }

    fn expand_root(root: &str, files: &Memory) -> Expanded {
        let (mk, warnings) = mkdocs::parse(root).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        expand(&mk.nav.unwrap(), &RepoPath::root(), files)
    }

    fn page(title: Option<&str>, path: &str) -> NavItem {
        NavItem::Page {
            title: title.map(str::to_string),
            path: path.into(),
        }
    }

    fn section(title: &str, children: Vec<NavItem>) -> NavItem {
        NavItem::Section {
            title: title.into(),
            children,
        }
    }

    #[test]
    fn an_include_mounts_the_project_under_its_site_name() {
        let files = repo(&[
            (
                "svc/pay/mkdocs.yml",
                "site_name: Pay Ments!\ndocs_dir: pages\nnav:\n  - Overview: ./index.md\n  - api/x.md\n  - Up: ../elsewhere.md\n",
            ),
            ("svc/pay/pages/index.md", "# Pay\n"),
        ]);
        let out = expand_root(
            "nav:\n  - index.md\n  - Payments: '!include ./svc/pay/mkdocs.yml'\n",
            &files,
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.mounts.len(), 1);
        assert_eq!(out.mounts[0].alias, "pay-ments");
        assert_eq!(out.mounts[0].docs_dir.as_str(), "svc/pay/pages");
        assert_eq!(
            out.nav,
            vec![
                page(None, "index.md"),
                section(
                    "Payments",
                    vec![
                        page(Some("Overview"), "pay-ments/index.md"),
                        page(None, "pay-ments/api/x.md"),
                        page(Some("Up"), "pay-ments/../elsewhere.md"),
                    ]
                ),
            ]
        );
    }

    #[test]
    fn a_wildcard_includes_each_match_and_derives_a_missing_nav() {
        let files = repo(&[
            (
                "teams/b/mkdocs.yml",
                "site_name: b/team\nnav:\n  - index.md\n",
            ),
            ("teams/a/mkdocs.yml", "site_name: A\n"),
            ("teams/a/docs/index.md", "# A\n"),
            ("teams/a/docs/zeta.md", "# Z\n"),
            ("teams/a/docs/on-call/pager.md", "# P\n"),
        ]);
        let out = expand_root("nav:\n  - Teams: '*include teams/*/mkdocs.yml'\n", &files);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let aliases: Vec<&str> = out.mounts.iter().map(|m| m.alias.as_str()).collect();
        assert_eq!(aliases, ["A", "b/team"]);
        assert_eq!(
            out.nav,
            vec![section(
                "Teams",
                vec![
                    section(
                        "A",
                        vec![
                            section("On call", vec![page(None, "A/on-call/pager.md")]),
                            page(None, "A/index.md"),
                            page(None, "A/zeta.md"),
                        ]
                    ),
                    section("b/team", vec![page(None, "b/team/index.md")]),
                ]
            )]
        );
    }

    #[test]
    fn bad_includes_are_reported_at_their_line_and_the_rest_kept() {
        let files = repo(&[
            ("ok/mkdocs.yml", "site_name: ok\nnav:\n  - index.md\n"),
            ("again/mkdocs.yml", "site_name: ok\nnav:\n  - index.md\n"),
            (
                "nested/mkdocs.yml",
                "site_name: nested\nnav:\n  - Self: '!include ../nested/mkdocs.yml'\n",
            ),
            ("nameless/mkdocs.yml", "nav:\n  - index.md\n"),
            ("broken/mkdocs.yml", "site_name: [unclosed\n"),
        ]);
        let root = "site_name: Root\nnav:\n  - index.md\n  - Ok: '!include ok/mkdocs.yml'\n  - Out: '!include ../../etc/mkdocs.yml'\n  - Gone: '!include gone/mkdocs.yml'\n  - Section:\n      - Again: '!include again/mkdocs.yml'\n      - Nested: '!include nested/mkdocs.yml'\n  - Nameless: '!include nameless/mkdocs.yml'\n  - Broken: '!include broken/mkdocs.yml'\n  - Text: '!include ok/README.md'\n  - None: '*include nothing/*/mkdocs.yml'\n";
        let out = expand_root(root, &files);
        let lines: Vec<Option<u32>> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(
            lines,
            [5, 6, 8, 9, 10, 11, 12, 13].map(Some),
            "{:#?}",
            out.problems
        );
        let says = |n: usize, what: &str| {
            assert!(
                out.problems[n].message.contains(what),
                "{}",
                out.problems[n].message
            )
        };
        says(0, "inside the repository");
        says(1, "cannot read gone/mkdocs.yml");
        says(2, "already uses the directory \"ok\"");
        says(3, "does not support");
        says(4, "no site_name");
        says(5, "does not parse");
        says(6, ".yml or .yaml");
        says(7, "matches no usable");
        assert_eq!(out.mounts.len(), 1);
        assert_eq!(
            out.nav,
            vec![
                page(None, "index.md"),
                section("Ok", vec![page(None, "ok/index.md")]),
                // Left empty, it is dropped when the nav is resolved against the pages.
                section("Section", vec![]),
            ]
        );
    }

    #[test]
    fn aliases_are_plain_site_names_or_their_slugs() {
        assert_eq!(alias_of("payments"), "payments");
        assert_eq!(alias_of("team/billing_v2.x"), "team/billing_v2.x");
        assert_eq!(alias_of("Platform Team"), "platform-team");
        assert_eq!(alias_of("  Crème brûlée -- API's  "), "creme-brulee-api-s");
    }

    #[test]
    fn included_pages_are_edited_in_their_own_directory() {
        let root = Mkdocs {
            repo_url: Some("https://github.com/o/r".into()),
            docs_dir: "docs".into(),
            ..Mkdocs::default()
        };
        let mount = |edit_uri: Option<&str>| Mount {
            alias: "pay".into(),
            docs_dir: RepoPath::root().join("svc/pay/docs").unwrap(),
            mkdocs_file: RepoPath::root().join("svc/pay/mkdocs.yml").unwrap(),
            repo_url: None,
            edit_uri: edit_uri.map(str::to_string),
        };
        let settings = edit_settings(&root, &RepoPath::root(), &mount(None));
        assert_eq!(
            settings.edit_uri.as_deref(),
            Some("edit/master/svc/pay/docs/")
        );
        let own = edit_settings(&root, &RepoPath::root(), &mount(Some("blob/main/x/")));
        assert_eq!(own.edit_uri.as_deref(), Some("blob/main/x/"));
        assert_eq!(own.repo_url, root.repo_url);
    }
}
