//! The README and the manual (`docs/`, a TechDocs site) stay true: the manual builds with
//! Playbill itself with no broken link or anchor, every diagnostic code is documented in its
//! reference and nothing else is, README stays short and points at pages and headings that
//! exist, and every fenced block marked `sh runnable` runs against a copy of the demo.

use playbill::diagnostics::CODES;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The manual's pages, relative to the repository root, sorted.
fn manual_pages() -> Vec<String> {
    let mut pages: Vec<String> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    pages.sort();
    pages
}

#[test]
fn the_diagnostics_reference_documents_every_code() {
    let reference = read("docs/diagnostics.md");
    for (code, _) in CODES {
        assert!(
            reference.contains(&format!("| `{code}` |")),
            "docs/diagnostics.md lacks {code}"
        );
    }
    let rows: Vec<&str> = reference
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .filter(|c| c.contains('/') && !c.contains(' ') && !c.contains('.'))
        .collect();
    assert!(rows.len() >= CODES.len());
    for row in rows {
        assert!(
            CODES.iter().any(|(c, _)| *c == row),
            "docs/diagnostics.md documents {row}, which no diagnostic uses"
        );
    }
}

#[test]
fn readme_test_command_is_what_ci_runs() {
    let readme = read("README.md");
    let ci = read(".ci/run");
    assert!(
        readme.contains("\ntests/run-all.sh"),
        "README names the test command"
    );
    assert!(ci.contains("tests/run-all.sh"), ".ci/run calls it");
}

/// Builds the manual as its CI does; returns the output directory.
fn build_manual() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_playbill"))
        .args(["docs", "build", ".", "--strict", "--out"])
        .arg(out.path())
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("0 errors, 0 warnings"), "{stderr}");
    out
}

#[test]
fn the_manual_builds_strictly_and_every_page_is_in_its_nav() {
    let out = build_manual();
    let mkdocs = read("mkdocs.yml");
    let site = out.path().join("docs/default/component/playbill");
    for page in manual_pages() {
        let name = page.trim_start_matches("docs/");
        assert!(
            mkdocs.contains(&format!(": {name}\n")),
            "mkdocs.yml's nav lacks {name}"
        );
        let html = match name {
            "index.md" => site.join("index.html"),
            other => site.join(other.trim_end_matches(".md")).join("index.html"),
        };
        assert!(html.is_file(), "{} was not built", html.display());
    }
}

#[test]
fn readme_is_short_and_links_to_pages_and_headings_that_exist() {
    let readme = read("README.md");
    assert!(readme.len() <= 8 * 1024, "README is {} bytes", readme.len());
    let out = build_manual();
    let site = out.path().join("docs/default/component/playbill");
    let mut links = 0;
    for target in readme.split("](docs/").skip(1) {
        let target = &target[..target.find(')').unwrap()];
        let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
        assert!(
            root().join("docs").join(file).is_file(),
            "README links to missing docs/{file}"
        );
        if !anchor.is_empty() {
            let page = site.join(file.trim_end_matches(".md")).join("index.html");
            let html = std::fs::read_to_string(&page).unwrap();
            assert!(
                html.contains(&format!("id=\"{anchor}\"")),
                "docs/{file} has no #{anchor}"
            );
        }
        links += 1;
    }
    assert!(links >= 15, "README links into every part of the manual");
}

/// The blocks fenced as `sh runnable` in a Markdown file, with their first line number.
fn runnable_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        match current.as_mut() {
            Some(_) if line.trim_start().starts_with("```") => blocks.extend(current.take()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {
                let info = line.trim_start().strip_prefix("```").unwrap_or_default();
                let words: Vec<&str> = info.split_whitespace().collect();
                if words.first() == Some(&"sh") && words.contains(&"runnable") {
                    current = Some((n + 1, String::new()));
                }
            }
        }
    }
    blocks
}

/// A copy of the bundled demo: site.toml and examples/.
fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("site.toml"), dir.path().join("site.toml")).unwrap();
    for entry in walkdir::WalkDir::new(root().join("examples")) {
        let entry = entry.unwrap();
        let to = dir.path().join(entry.path().strip_prefix(root()).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    dir
}

#[test]
fn every_runnable_block_of_the_readme_and_the_manual_runs_against_the_demo() {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_playbill"));
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut files = vec!["README.md".to_string()];
    files.extend(manual_pages());
    let mut ran = 0;
    for file in &files {
        for (line, script) in runnable_blocks(&read(file)) {
            let demo = demo_copy();
            let out = Command::new("bash")
                .args(["-euo", "pipefail", "-c", &script])
                .env("PATH", &path)
                .current_dir(demo.path())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{file}:{line}: the block fails:\n{script}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 4, "only {ran} runnable blocks");
}
