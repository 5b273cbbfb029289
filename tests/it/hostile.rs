//! The hostile corpus (`tests/fixtures/hostile/`, one repository per case, described in its
//! `cases.json`): secrets of every kind, markup and script URLs in catalog fields and docs,
//! paths and symlinks that leave their repository, and inputs over every bound. One build over
//! all of it must finish, report each case with its diagnostic, and publish nothing that runs,
//! leaks or comes from outside the corpus — while rendering everything else.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(serde::Deserialize)]
struct Case {
    expect: Vec<String>,
    note: String,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile")
}

/// The values planted in the corpus; none may reach the output.
const PLANTED_SECRETS: &[&str] = &[
    "ASIAR7TY2WQ9ZX3KLM5N",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYz9Qk2LmN0p",
    "MIIEowIBAAKCAQEAwq83hd73hdQ9",
    "0123456789abcdef0123456789abcdef01234567",
    "Zq9Kd83Jd7Xk2LqP0wRt5YbAaBbCcDdEeFfGgHh12",
    "ghp_Zq8wX2cV4bN6mL8kJ0hG2fD4sA6pO8iU0yT2",
    "glpat-Xy12ab34CD56ef78GH90",
    "T0000AAAA/B0000BBBB/XXXXxxxxYYYYyyyy",
    "dBjftJeZ4CVPmB92K27uhbUJU1p1r",
    "Zx8qL2mP9w",
    "q8Zr!x2LmP0v",
    "Zk3%2Bq9Kd83Jd7Xk2LqP0wRt5YbAaBbCc",
    "xoxb-1234567890-abcdefABCDEF",
    // The head of every value planted under a secret-naming key (58 and 59).
    "Zq9Kd83Jd7Xk2LqP0wRt5YbK",
];

/// Extensions a browser would open as an active document; no copied file may have one.
const ACTIVE_EXTENSIONS: &[&str] = &[
    ".htm", ".html", ".xhtml", ".xht", ".shtml", ".xml", ".xsl", ".xslt", ".mhtml", ".svgz",
];

/// What no published SVG may hold: script, handlers, HTML islands, references that leave it.
fn active_svg_parts(svg: &str) -> Vec<&'static str> {
    let lower = svg.to_ascii_lowercase();
    let mut found: Vec<&str> = [
        "<script",
        "javascript:",
        "foreignobject",
        "evil.example",
        "<!doctype",
        "<?xml-stylesheet",
        "<animate",
        "<set",
        "@import",
        "alert(",
    ]
    .into_iter()
    .filter(|needle| lower.contains(needle))
    .collect();
    for (_, attrs) in common::start_tags(svg) {
        if attrs
            .iter()
            .any(|(name, _)| name.to_ascii_lowercase().starts_with("on"))
        {
            found.push("event handler");
        }
    }
    found
}

/// A relative `href` on page `from` (both site-root relative) as a site-root relative path.
fn resolve(from: &str, href: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in href.split(['?', '#']).next().unwrap_or("").split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[test]
fn the_hostile_corpus_builds_reports_every_case_and_publishes_nothing_unsafe() {
    // Long on purpose: one build of the hostile corpus, then every case checked.
    let cases: BTreeMap<String, Case> =
        serde_json::from_slice(&std::fs::read(corpus().join("cases.json")).unwrap()).unwrap();
    assert!(cases.len() > 40, "{} cases", cases.len());

    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site.toml");
    std::fs::write(
        &site,
        format!(
            "title = \"Hostile\"\n\n[[sources]]\ntype = \"local\"\npath = \"{}\"\nlayout = \"repos\"\n\n[limits]\nmax_file_bytes = 65536\nmax_documents_per_file = 50\nmax_files_per_docs_site = 20\n",
            corpus().display()
        ),
    )
    .unwrap();
    let config = playbill::config::Config::load(&site).unwrap();
    let out = dir.path().join("public");
    let started = Instant::now();
    let report = playbill::build::build(&config, &out, &|_| {}).expect("the build completes");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );

    // Every case is reported under its own repository with its own code.
    let mut missing = Vec::new();
    for (repo, case) in &cases {
        for code in &case.expect {
            let found = report
                .diagnostics
                .iter()
                .any(|d| d.repo.as_deref() == Some(repo) && d.code == code);
            if !found {
                missing.push(format!("{repo} ({}): no {code}", case.note));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));

    // Nothing that runs, leaks or comes from outside the corpus.
    let files = common::files_below(&out);
    for file in &files {
        let bytes = std::fs::read(out.join(file)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in PLANTED_SECRETS {
            assert!(!text.contains(secret), "{file} holds a planted secret");
        }
        assert!(
            !text.contains("name = \"playbill\""),
            "{file} holds a file from outside"
        );
        assert!(!text.contains("root:x:0:0"), "{file} holds /etc/passwd");
        let lower = text.to_ascii_lowercase();
        if file.ends_with(".html") {
            assert_eq!(common::unsafe_markup(&text), Vec::<String>::new(), "{file}");
            for (name, attrs) in common::start_tags(&text) {
                if name == "script" {
                    // Only files Playbill writes itself: theme assets and generated data,
                    // never anything copied from a repository's docs.
                    let src = attrs.iter().find(|(a, _)| a == "src").map(|(_, v)| v);
                    let target = src.map(|s| resolve(file, s));
                    assert!(
                        target
                            .as_ref()
                            .is_some_and(|t| !t.starts_with("docs/") && out.join(t).is_file()),
                        "{file}: a script that is not Playbill's own: {attrs:?}"
                    );
                }
            }
        } else if file.ends_with(".svg") {
            assert_eq!(active_svg_parts(&text), Vec::<&str>::new(), "{file}");
        } else if !file.starts_with("static/") {
            // Data files (the catalog's, search shards) and copied docs files; the theme's own
            // scripts under static/ are not input.
            assert!(!lower.contains("<script"), "{file} holds <script");
        }
    }

    // Only pages Playbill rendered open as documents: copied HTML-like files are not published.
    for file in &files {
        let lower = file.to_ascii_lowercase();
        let rendered = lower.ends_with("/index.html") || !lower.starts_with("docs/");
        assert!(
            rendered || !ACTIVE_EXTENSIONS.iter().any(|e| lower.ends_with(e)),
            "{file} is an active file copied from a repository"
        );
    }

    // Deeply nested pages render (flattened past the bound) and their neighbours untouched.
    let page =
        |p: &str| std::fs::read_to_string(out.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    for case in cases.keys().filter(|c| c.contains("-md-")) {
        let Some(name) = case.split('-').next().map(|n| format!("d{n}")) else {
            continue;
        };
        let dir = format!("docs/default/component/{name}");
        if !out.join(&dir).join("neighbour/index.html").is_file() {
            continue;
        }
        assert!(
            page(&format!("{dir}/index.html")).contains("After."),
            "{case}"
        );
        assert!(
            page(&format!("{dir}/neighbour/index.html")).contains("still renders"),
            "{case}"
        );
    }
    let good = page("docs/default/component/a56/good.svg");
    assert!(
        good.contains("<title>Fine</title>") && good.contains("fill=\"#0a0\""),
        "{good}"
    );

    // Everything else still renders: the docs around a removed script, the entity with a
    // hostile title, the cases' owner.
    assert!(page("docs/default/component/m21/index.html").contains("After."));
    // The title is text in the heading.
    let x14 = page("catalog/default/component/x14/index.html");
    assert!(
        x14.contains(
            "<h1 id=\"entity-title\">&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;</h1>"
        ),
        "{x14}"
    );
    assert!(out
        .join("catalog/default/group/team-hostile/index.html")
        .is_file());
    assert!(report.entities > 30, "{} entities", report.entities);
}
