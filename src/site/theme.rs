//! The theme: templates and static files compiled into the binary, each replaceable by a file
//! of the same name in the site's own `templates/` or `static/` directory. Static files are
//! published under content-hashed names, so a CDN can cache them forever.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::{describe_tera_error, hashed_name};
use include_dir::{include_dir, Dir};
use std::collections::BTreeMap;
use std::path::Path;

static TEMPLATES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");
static STATIC: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/static");

/// Built-in files overlaid with a site's own, by relative path.
fn overlay(
    builtin: &Dir<'_>,
    site_dir: Option<&Path>,
    diagnostics: &mut Diagnostics,
) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    collect_builtin(builtin, &mut files);
    if let Some(dir) = site_dir {
        for entry in walkdir::WalkDir::new(dir)
            .follow_links(false)
            .sort_by_file_name()
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    diagnostics.push(Diagnostic::error(
                        "gather/unreadable",
                        format!("cannot read {}: {e}", dir.display()),
                    ));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(dir) else {
                continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            match std::fs::read(entry.path()) {
                Ok(bytes) => {
                    files.insert(rel, bytes);
                }
                Err(e) => diagnostics.push(Diagnostic::error(
                    "gather/unreadable",
                    format!("cannot read {}: {e}", entry.path().display()),
                )),
            }
        }
    }
    files
}

fn collect_builtin(dir: &Dir<'_>, out: &mut BTreeMap<String, Vec<u8>>) {
    for file in dir.files() {
        out.insert(
            file.path().to_string_lossy().replace('\\', "/"),
            file.contents().to_vec(),
        );
    }
    for sub in dir.dirs() {
        collect_builtin(sub, out);
    }
}

/// Loads the templates (built-in, then the site's overrides).
pub fn templates(
    site_dir: Option<&Path>,
    diagnostics: &mut Diagnostics,
) -> Result<tera::Tera, String> {
    let files = overlay(&TEMPLATES, site_dir, diagnostics);
    let mut tera = tera::Tera::default();
    let mut list = Vec::new();
    for (name, bytes) in &files {
        let text = String::from_utf8(bytes.clone())
            .map_err(|_| format!("template {name} is not UTF-8"))?;
        list.push((name.clone(), text));
    }
    tera.add_raw_templates(list)
        .map_err(|e| describe_tera_error(&e))?;
    tera.autoescape_on(vec![".html"]);
    // Tera's own escaping also writes `/` as `&#x2F;`, which every relative link is full of.
    tera.set_escape_fn(crate::highlight::escape);
    Ok(tera)
}

/// The templates docs pages and print views are rendered with.
const DOCS_TEMPLATES: [&str; 4] = ["docs.html", "docs_print.html", "base.html", "macros.html"];

/// Whether docs pages and print views are rendered with the built-in templates alone: the site
/// overrides none of [`DOCS_TEMPLATES`].
pub fn builtin_docs_templates(site_dir: Option<&Path>) -> bool {
    site_dir.is_none_or(|dir| DOCS_TEMPLATES.iter().all(|name| !dir.join(name).exists()))
}

/// A hash of every template in effect (built-in ones and the site's overrides).
pub fn templates_fingerprint(site_dir: Option<&Path>) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (name, bytes) in overlay(&TEMPLATES, site_dir, &mut Diagnostics::new()) {
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    hasher.finalize().to_vec()
}

/// Static files to publish and, per file, the key templates use (`assets.playbill_css`).
pub struct Assets {
    /// Output path (root-relative, hashed) -> bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Template key -> output path.
    pub paths: BTreeMap<String, String>,
}

pub fn assets(site_dir: Option<&Path>, diagnostics: &mut Diagnostics) -> Assets {
    let mut files = BTreeMap::new();
    let mut paths = BTreeMap::new();
    for (name, bytes) in overlay(&STATIC, site_dir, diagnostics) {
        let out = format!("static/{}", hashed_name(&name, &bytes));
        paths.insert(asset_key(&name), out.clone());
        files.insert(out, bytes);
    }
    Assets { files, paths }
}

/// `playbill.css` -> `playbill_css`: every non-alphanumeric character becomes `_`.
pub fn asset_key(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
