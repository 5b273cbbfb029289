//! Helpers shared by the integration tests: a small builder for a temporary directory of
//! repositories with a site.toml over it and the pipeline run on it, HTML checks, and the test
//! servers in the submodules.

pub(crate) mod fake_github;
pub(crate) mod fake_graphql;
pub(crate) mod kube_server;
pub(crate) mod kube_world;
pub(crate) mod object_stores;
pub(crate) mod page;
pub(crate) mod server;

use playbill::catalog::Catalog;
use playbill::config::Config;
use playbill::diagnostics::{Diagnostic, Diagnostics};
use std::path::{Path, PathBuf};

pub(crate) struct Fixture {
    pub dir: tempfile::TempDir,
    extra_config: String,
}

impl Fixture {
    pub(crate) fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
            extra_config: String::new(),
        }
    }

    /// Writes `repos/<path>`.
    pub(crate) fn file(self, path: &str, text: impl AsRef<[u8]>) -> Fixture {
        let full = self.dir.path().join("repos").join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
        self
    }

    /// Appends to site.toml.
    pub(crate) fn config(mut self, text: &str) -> Fixture {
        self.extra_config.push_str(text);
        self.extra_config.push('\n');
        self
    }

    pub(crate) fn repos(&self) -> PathBuf {
        self.dir.path().join("repos")
    }

    pub(crate) fn load_config(&self) -> Config {
        std::fs::create_dir_all(self.repos()).unwrap();
        let text = format!(
            "title = \"Test\"\nout_dir = \"public\"\n\n[[sources]]\ntype = \"local\"\npath = \"repos\"\nlayout = \"repos\"\n\n{}",
            self.extra_config
        );
        let file = self.dir.path().join("site.toml");
        std::fs::write(&file, text).unwrap();
        Config::load(&file).expect("valid site.toml")
    }

    pub(crate) fn catalog(&self) -> (Catalog, Diagnostics) {
        let config = self.load_config();
        let (_, catalog, diagnostics) = playbill::build::load_catalog(&config, &|_| {});
        (catalog, diagnostics)
    }

    pub(crate) fn out(&self) -> PathBuf {
        self.dir.path().join("public")
    }
}

pub(crate) fn codes(diagnostics: &Diagnostics) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.code).collect()
}

pub(crate) fn find<'a>(diagnostics: &'a Diagnostics, code: &str) -> Vec<&'a Diagnostic> {
    diagnostics.iter().filter(|d| d.code == code).collect()
}

pub(crate) fn refs(catalog: &Catalog) -> Vec<String> {
    catalog.entities.iter().map(|e| e.key.to_string()).collect()
}

pub(crate) fn component(name: &str, owner: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
    )
}

pub(crate) fn group(name: &str) -> String {
    format!("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\nspec:\n  type: team\n  children: []\n")
}

/// The build's time (`status/build.js`) of an output directory: the one file every build may
/// rewrite, so tests of unchanged rebuilds leave it out and expect it rewritten only when the
/// clock moved on to another second.
pub(crate) fn build_time_file(out: &Path) -> Vec<u8> {
    std::fs::read(out.join(playbill::freshness::BUILD_PATH)).unwrap_or_default()
}

/// The paths whose bytes differ between two sets of files (path -> bytes), or that only one
/// of them has.
pub(crate) fn differing_paths<'a>(
    a: &'a std::collections::BTreeMap<String, Vec<u8>>,
    b: &'a std::collections::BTreeMap<String, Vec<u8>>,
) -> Vec<&'a String> {
    a.keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .collect()
}

/// Every file of a build's output directory with its bytes, but the two that differ between
/// two builds of the same inputs: the build's time (`status/build.js`) and the ledger of when
/// each page was written.
pub(crate) fn build_output(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    files_below(dir)
        .into_iter()
        .filter(|f| f != "status/build.js" && f != playbill::write::LEDGER)
        .map(|f| (f.clone(), std::fs::read(dir.join(&f)).unwrap()))
        .collect()
}

/// Every file below `dir`, relative, `/`-separated, sorted.
pub(crate) fn files_below(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

/// The start tags of an HTML document: (name, attributes), lower-cased names. Text inside
/// <title> is skipped (it is inert text there), and quoted attribute values may hold `<` or `>`.
pub(crate) fn start_tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off + 1;
        if html[i..].starts_with('/') || html[i..].starts_with('!') {
            continue;
        }
        let name_end = html[i..]
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .map_or(html.len(), |n| i + n);
        let name = html[i..name_end].to_ascii_lowercase();
        let mut attrs = Vec::new();
        let mut j = name_end;
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let attr_end = html[j..]
                .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>')
                .map_or(html.len(), |n| j + n);
            let attr = html[j..attr_end].to_ascii_lowercase();
            j = attr_end;
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                    let q = bytes[j] as char;
                    let end = html[j + 1..].find(q).map_or(html.len(), |n| j + 1 + n);
                    value = html[j + 1..end].to_string();
                    j = end + 1;
                } else {
                    let end = html[j..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(html.len(), |n| j + n);
                    value = html[j..end].to_string();
                    j = end;
                }
            }
            attrs.push((attr, value));
        }
        i = j.min(html.len());
        if name == "title" {
            if let Some(end) = html[i..].find("</title>") {
                i += end;
            }
        }
        tags.push((name, attrs));
    }
    tags
}

/// Scripts without src, event handlers, javascript: URLs and frames in a page, if any.
pub(crate) fn unsafe_markup(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (name, attrs) in start_tags(html) {
        if name == "script" && !attrs.iter().any(|(a, _)| a == "src") {
            found.push("inline <script>".to_string());
        }
        if matches!(name.as_str(), "iframe" | "object" | "embed" | "style") {
            found.push(format!("<{name}>"));
        }
        for (attr, value) in attrs {
            if attr.starts_with("on") {
                found.push(format!("<{name} {attr}=...>"));
            }
            if attr == "style" {
                found.push(format!("<{name} style=...>"));
            }
            let v = value.trim().to_ascii_lowercase();
            if matches!(attr.as_str(), "href" | "src" | "action" | "formaction")
                && (v.starts_with("javascript:") || v.starts_with("data:text"))
            {
                found.push(format!("<{name} {attr}={value}>"));
            }
        }
    }
    found
}

/// `found`, or None after a skip message; a failure instead when PLAYBILL_REQUIRE_SERVERS is
/// set (tests/run-all.sh sets it), so a CI machine without the tool cannot pass by skipping.
pub(crate) fn require_installed(
    what: &str,
    found: Option<PathBuf>,
    to_install: &str,
) -> Option<PathBuf> {
    if found.is_some() {
        return found;
    }
    let required =
        std::env::var("PLAYBILL_REQUIRE_SERVERS").is_ok_and(|v| !v.is_empty() && v != "0");
    let message = format!("{what} is not installed; {to_install}");
    assert!(!required, "PLAYBILL_REQUIRE_SERVERS is set: {message}");
    eprintln!("skipping: {message}");
    None
}

/// Runs `playbill docs build REPO --out OUT` into a new directory: what it printed and that
/// directory.
pub(crate) fn docs_build(repo: &Path) -> (std::process::Output, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let result = docs_build_into(repo, out.path(), &[]);
    (result, out)
}

/// Runs `playbill docs build REPO --out OUT EXTRA...`: what it printed and how it exited.
pub(crate) fn docs_build_into(repo: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_playbill"))
        .args(["docs", "build"])
        .arg(repo)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// Writes `text` to `path` under `root`, making its directories.
pub(crate) fn write_file(root: &Path, path: &str, text: &str) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(full, text).unwrap();
}
