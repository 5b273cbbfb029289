//! Every code block language that the demo organisation (`examples/`) and the manual (`docs/`)
//! use comes out highlighted: the fences are read from the sources, the demo and the manual
//! are built, and each language's blocks must carry highlighting classes. A language someone
//! adds to the demo without a grammar fails here, naming the file and line of its first fence.

use crate::common;
use playbill::config::Config;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Fence languages shown as text on purpose, or drawn as pictures instead of highlighted.
fn not_highlighted(lang: &str) -> bool {
    matches!(
        lang,
        "" | "text" | "txt" | "plain" | "plaintext" | "none" | "output"
    ) || playbill::diagrams::Kind::of(lang).is_some()
}

/// The language of an opening fence's info string: ```` ```kotlin ````, ```` ``` {.kotlin} ````.
fn info_language(info: &str) -> String {
    let info = info
        .trim()
        .trim_start_matches('{')
        .trim_start()
        .trim_start_matches('.');
    let end = info
        .find(|c: char| c.is_whitespace() || c == '{' || c == '}')
        .unwrap_or(info.len());
    info[..end].to_ascii_lowercase()
}

/// Each code block language of the Markdown files below `dirs`, with where it is first used.
fn fence_languages(dirs: &[PathBuf]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for dir in dirs {
        for file in common::files_below(dir) {
            if !file.ends_with(".md") {
                continue;
            }
            let text = std::fs::read_to_string(dir.join(&file)).unwrap();
            // The fence that is open: its character and length.
            let mut open: Option<(char, usize)> = None;
            for (i, line) in text.lines().enumerate() {
                let trimmed = line.trim_start();
                let Some(c) = trimmed.chars().next().filter(|c| *c == '`' || *c == '~') else {
                    continue;
                };
                let run = trimmed.chars().take_while(|x| *x == c).count();
                if run < 3 {
                    continue;
                }
                let info = &trimmed[run..];
                match open {
                    Some((oc, olen)) if oc == c && run >= olen && info.trim().is_empty() => {
                        open = None;
                    }
                    Some(_) => {}
                    None => {
                        open = Some((c, run));
                        let at = format!("{}:{}", dir.join(&file).display(), i + 1);
                        found.entry(info_language(info)).or_insert(at);
                    }
                }
            }
        }
    }
    found
}

/// The inside of every `<code class="language-LANG">` block in the HTML files below `out`.
fn blocks_of(out: &Path, lang: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    for file in common::files_below(out) {
        if !file.ends_with(".html") {
            continue;
        }
        let html = std::fs::read_to_string(out.join(&file)).unwrap();
        for start in [
            format!("class=\"language-{lang}\">"),
            format!("class=\"language-{lang}\">"),
        ] {
            for (at, _) in html.match_indices(&start) {
                let body = &html[at + start.len()..];
                blocks.push(body[..body.find("</code>").unwrap_or(body.len())].to_string());
            }
        }
    }
    blocks
}

#[test]
fn every_fence_language_in_the_demo_and_the_manual_is_highlighted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let languages = fence_languages(&[root.join("examples"), root.join("docs")]);
    assert!(languages.contains_key("kotlin"), "{languages:?}");
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let config = Config::load(&root.join("site.toml")).expect("demo site.toml");
    playbill::build::build(&config, &demo, &|_| {}).expect("the demo builds");
    let manual = dir.path().join("manual");
    playbill::build::build(&Config::for_repository(root, &manual), &manual, &|_| {})
        .expect("the manual builds");

    let mut plain = Vec::new();
    for (lang, at) in languages.iter().filter(|(l, _)| !not_highlighted(l)) {
        let blocks: Vec<String> = [&demo, &manual]
            .iter()
            .flat_map(|out| blocks_of(out, lang))
            .collect();
        assert!(!blocks.is_empty(), "{at}: no `{lang}` block in the output");
        if blocks.iter().any(|b| !b.contains("hl-")) {
            plain.push(format!("{at}: `{lang}` is shown without highlighting"));
        }
    }
    assert!(
        plain.is_empty(),
        "add a grammar for these languages (src/highlight/mod.rs):\n{}",
        plain.join("\n")
    );
}
