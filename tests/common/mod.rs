//! A small builder for integration tests: a temporary directory of repositories, a site.toml
//! over it, and the pipeline run on it.
#![allow(dead_code)]

use playbill::catalog::Catalog;
use playbill::config::Config;
use playbill::diagnostics::{Diagnostic, Diagnostics};
use std::path::{Path, PathBuf};

pub struct Fixture {
    pub dir: tempfile::TempDir,
    extra_config: String,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
            extra_config: String::new(),
        }
    }

    /// Writes `repos/<path>`.
    pub fn file(self, path: &str, text: impl AsRef<[u8]>) -> Fixture {
        let full = self.dir.path().join("repos").join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
        self
    }

    /// Appends to site.toml.
    pub fn config(mut self, text: &str) -> Fixture {
        self.extra_config.push_str(text);
        self.extra_config.push('\n');
        self
    }

    pub fn repos(&self) -> PathBuf {
        self.dir.path().join("repos")
    }

    pub fn load_config(&self) -> Config {
        std::fs::create_dir_all(self.repos()).unwrap();
        let text = format!(
            "title = \"Test\"\nout_dir = \"public\"\n\n[[sources]]\ntype = \"local\"\npath = \"repos\"\nlayout = \"repos\"\n\n{}",
            self.extra_config
        );
        let file = self.dir.path().join("site.toml");
        std::fs::write(&file, text).unwrap();
        Config::load(&file).expect("valid site.toml")
    }

    pub fn catalog(&self) -> (Catalog, Diagnostics) {
        let config = self.load_config();
        let (_, catalog, diagnostics) = playbill::build::load_catalog(&config, &|_| {});
        (catalog, diagnostics)
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("public")
    }
}

pub fn codes(diagnostics: &Diagnostics) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.code).collect()
}

pub fn find<'a>(diagnostics: &'a Diagnostics, code: &str) -> Vec<&'a Diagnostic> {
    diagnostics.iter().filter(|d| d.code == code).collect()
}

pub fn refs(catalog: &Catalog) -> Vec<String> {
    catalog.entities.iter().map(|e| e.key.to_string()).collect()
}

pub fn component(name: &str, owner: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n"
    )
}

pub fn group(name: &str) -> String {
    format!("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\nspec:\n  type: team\n  children: []\n")
}

/// Every file below `dir`, relative, `/`-separated, sorted.
pub fn files_below(dir: &Path) -> Vec<String> {
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
