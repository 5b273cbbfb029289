//! `[docs.versions]` of site.toml: which older versions of every docs site the docs stage
//! builds beside latest (the checkout being read). Parsed strictly and resolved here: the tag
//! pattern compiled, version names checked so that each one is a safe, lower-case URL segment.
//! A leaf: the config loader reads it without reaching the docs stage.

use serde::Deserialize;

/// Tags kept when `max` is not given.
const DEFAULT_MAX: usize = 5;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVersions {
    /// A glob over tag names (`v*`); `*` does not cross `/`.
    tags: Option<String>,
    #[serde(default)]
    branches: Vec<String>,
    /// How many of the matching tags are built, newest first.
    max: Option<usize>,
    #[serde(default)]
    dirs: Vec<DirVersion>,
}

/// A version kept as a committed directory with its own mkdocs.yml, relative to the docs
/// site's directory (where its mkdocs.yml is).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DirVersion {
    pub name: String,
    pub dir: String,
}

/// The versions every docs site is built in besides latest.
#[derive(Clone, Debug, Default)]
pub struct VersionsConfig {
    /// Tags matching this glob, as written and compiled.
    pub tags: Option<(String, globset::GlobMatcher)>,
    pub branches: Vec<String>,
    pub max: usize,
    pub dirs: Vec<DirVersion>,
}

impl VersionsConfig {
    /// True when versions come from git refs (tags or branches), which need a git checkout.
    pub fn wants_git(&self) -> bool {
        self.tags.is_some() || !self.branches.is_empty()
    }

    pub fn is_empty(&self) -> bool {
        !self.wants_git() && self.dirs.is_empty()
    }
}

impl RawVersions {
    pub fn resolve(self) -> Result<VersionsConfig, String> {
        let tags = match self.tags {
            Some(pattern) => {
                let glob = globset::GlobBuilder::new(&pattern)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("[docs.versions] tags = \"{pattern}\": {e}"))?;
                Some((pattern, glob.compile_matcher()))
            }
            None => None,
        };
        for branch in &self.branches {
            if branch.is_empty() || branch.starts_with('-') || branch.contains("..") {
                return Err(format!(
                    "[docs.versions] branches: \"{branch}\" is not a branch name"
                ));
            }
        }
        for d in &self.dirs {
            if slug(&d.name).as_deref() != Some(d.name.as_str()) {
                return Err(format!("[docs.versions] dirs: name \"{}\" must be lower-case letters, digits, '.', '_' or '-', not starting with '.', and not \"{LATEST}\"", d.name));
            }
            let path = std::path::Path::new(&d.dir);
            let plain = path
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
            if d.dir.is_empty() || !plain {
                return Err(format!("[docs.versions] dirs: dir \"{}\" must be a relative path inside the repository, without '..'", d.dir));
            }
        }
        Ok(VersionsConfig {
            tags,
            branches: self.branches,
            max: self.max.unwrap_or(DEFAULT_MAX),
            dirs: self.dirs,
        })
    }
}

/// The switcher's name for the checkout being read; no version may take it.
pub const LATEST: &str = "latest";

/// The URL segment of a version name: lower-case, every character other than a letter, digit,
/// '.', '_' or '-' made '-'; None when nothing usable is left (empty, starting with '.', or
/// "latest").
pub fn slug(name: &str) -> Option<String> {
    let slug: String = name
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '.' | '_' | '-') => c,
            _ => '-',
        })
        .collect();
    (!slug.is_empty() && !slug.starts_with('.') && slug != LATEST).then_some(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str) -> Result<VersionsConfig, String> {
        toml::from_str::<RawVersions>(text)
            .map_err(|e| e.to_string())?
            .resolve()
    }

    #[test]
    fn slugs_are_safe_url_segments() {
        for (name, want) in [
            ("v1.2.0", Some("v1.2.0")),
            ("Release/1.x", Some("release-1.x")),
            ("..", None),
            (".hidden", None),
            ("Latest", None),
            ("", None),
        ] {
            assert_eq!(slug(name).as_deref(), want, "{name}");
        }
    }

    #[test]
    fn settings_resolve_and_bad_ones_are_named() {
        let v = resolve("tags = \"v*\"\nbranches = [\"release-1\"]\nmax = 2").unwrap();
        let (_, glob) = v.tags.as_ref().unwrap();
        assert!(glob.is_match("v1.0") && !glob.is_match("v1/x") && !glob.is_match("1.0"));
        assert_eq!((v.max, v.wants_git()), (2, true));
        assert_eq!(resolve("").unwrap().max, DEFAULT_MAX);
        let bad_name = resolve("dirs = [{ name = \"1 X\", dir = \"a\" }]").unwrap_err();
        assert!(bad_name.contains("\"1 X\""), "{bad_name}");
        let outside = resolve("dirs = [{ name = \"1.x\", dir = \"../a\" }]").unwrap_err();
        assert!(outside.contains("../a"), "{outside}");
        assert!(resolve("tags = \"v[\"").unwrap_err().contains("v["));
        assert!(resolve("tag = \"v*\"").is_err());
    }
}
