//! Incremental builds: a build that reuses the render cache writes exactly the bytes of a clean
//! build, after a change to one repository's docs, to a template, to an owner's title shown on
//! other pages, and to site.toml; and an unchanged rebuild renders nothing anew.

use crate::common;

use playbill::build::{build, render_part, BuildReport, Part};
use playbill::config::Config;
use playbill::diagnostics::Diagnostic;
use playbill::site::apidocs::ReferenceStats;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-org")
}

/// A copy of the demo organisation with its own site.toml, output and cache.
struct Org {
    dir: tempfile::TempDir,
}

impl Org {
    fn new() -> Org {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&demo(), &dir.path().join("org"));
        let org = Org { dir };
        org.write_site_toml("Demo", "");
        org
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// site.toml with `title` and the settings of `more` (TOML tables).
    fn write_site_toml(&self, title: &str, more: &str) {
        let toml = format!(
            "title = \"{title}\"\ntemplates_dir = \"templates\"\n\n[[sources]]\ntype = \"local\"\npath = \"org\"\n{more}"
        );
        std::fs::write(self.path("site.toml"), toml).unwrap();
        std::fs::create_dir_all(self.path("templates")).unwrap();
    }

    fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.path(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} lacks {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    /// Builds into `out` with the render cache in `cache`.
    fn build(&self, out: &str, cache: &str) -> BuildReport {
        let mut config = Config::load(&self.path("site.toml")).unwrap();
        config.cache_dir = self.path(cache);
        build(&config, &self.path(out), &|_| {}).expect("the build completes")
    }

    /// When each file of an output directory (but the build clock and the lists of written
    /// files) was last written.
    fn modified(&self, out: &str) -> BTreeMap<String, std::time::SystemTime> {
        self.files(out)
            .into_keys()
            .map(|f| {
                let meta = std::fs::metadata(self.path(out).join(&f)).unwrap();
                (f, meta.modified().unwrap())
            })
            .collect()
    }

    /// Builds into `out` without the render cache (through a scratch one of its own).
    fn build_uncached(&self, out: &str) -> BuildReport {
        let mut config = Config::load(&self.path("site.toml")).unwrap();
        config.render_cache = false;
        build(&config, &self.path(out), &|_| {}).expect("the build completes")
    }

    /// Every file of an output directory but the list of written files.
    fn files(&self, out: &str) -> BTreeMap<String, Vec<u8>> {
        let root = self.path(out);
        common::files_below(&root)
            .into_iter()
            .filter(|f| {
                ![
                    ".playbill-files",
                    playbill::write::LEDGER,
                    playbill::freshness::BUILD_PATH,
                ]
                .contains(&f.as_str())
            })
            .map(|f| (f.clone(), std::fs::read(root.join(&f)).unwrap()))
            .collect()
    }

    /// Builds incrementally (same output, warm cache) and clean (new output and cache), and
    /// asserts both give the same bytes; returns the incremental build's report.
    fn assert_incremental_is_clean(&self, step: &str) -> BuildReport {
        let incremental = self.build("public", "cache");
        let clean_out = format!("clean-{step}");
        let clean = self.build(&clean_out, &format!("cache-{step}"));
        assert_eq!(
            clean.render_cache.reused, 0,
            "{step}: a clean build reuses nothing"
        );
        let (a, b) = (self.files("public"), self.files(&clean_out));
        let differing = common::differing_paths(&a, &b);
        assert!(
            differing.is_empty(),
            "{step}: differs from a clean build: {differing:?}"
        );
        incremental
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// With the cache, docs bodies are read back from it when their page (or the site's print
/// view) is rendered; without it (`--no-cache`) they are too, from a scratch cache of the
/// build's own. Both give the same bytes, also when the cache supplies every body.
#[test]
fn builds_with_and_without_the_render_cache_give_the_same_bytes() {
    let org = Org::new();
    let uncached = org.build_uncached("uncached");
    // Every docs page's Markdown rendered through the scratch cache.
    assert!(
        uncached.docs_pages > 10 && uncached.render_cache.rendered >= uncached.docs_pages,
        "{} docs pages, {:?}",
        uncached.docs_pages,
        uncached.render_cache
    );
    let cold = org.build("cold", "cache");
    let warm = org.build("warm", "cache");
    assert_eq!(warm.render_cache.rendered, 0, "{:?}", warm.render_cache);
    let plain = org.files("uncached");
    assert!(
        plain.keys().any(|f| f.ends_with("/print/index.html")),
        "print views"
    );
    assert!(
        plain.keys().any(|f| f.ends_with("/api/index.html")),
        "API reference pages"
    );
    assert_eq!(warm.api_references.parsed, 0, "{:?}", warm.api_references);
    for out in ["cold", "warm"] {
        let other = org.files(out);
        let differing = common::differing_paths(&plain, &other);
        assert!(differing.is_empty(), "{out}: {differing:?}");
    }
    assert!(cold.render_cache.rendered > 200, "{:?}", cold.render_cache);
    assert!(
        !org.path("uncached/.playbill-cache").exists() && !org.path(".playbill-cache").exists(),
        "no cache kept"
    );
    // The warm build put every docs page and print view together from the frame the cache
    // keeps, with a mark where each body goes: the cache holds each body once, in an entry of
    // its own.
    let kept: Vec<u8> = common::files_below(&org.path("cache"))
        .iter()
        .flat_map(|f| std::fs::read(org.path("cache").join(f)).unwrap())
        .collect();
    let marks = |mark: &str| memchr::memmem::find_iter(&kept, mark.as_bytes()).count();
    assert_eq!(marks("<!--playbill:docs-body-->"), uncached.docs_pages);
    assert_eq!(marks("<!--playbill:print-page-"), uncached.docs_pages);
}

/// `--no-cache` renders every page anew, even over an output whose ledger knows them, and its
/// docs bodies wait in its scratch cache, not in memory, as a cached build's do.
#[test]
fn a_build_without_the_render_cache_renders_everything_and_holds_no_docs_body() {
    let org = Org::new();
    let first = org.build_uncached("public");
    let again = org.build_uncached("public");
    assert_eq!(again.render_cache.reused, 0, "{:?}", again.render_cache);
    assert_eq!(
        again.render_cache.rendered, first.render_cache.rendered,
        "{:?}",
        again.render_cache
    );
    let mut config = Config::load(&org.path("site.toml")).unwrap();
    config.render_cache = false;
    let sink = playbill::output::InMemory::default();
    let rendered = render_part(&config, &Part::Whole, Some(&sink), &|_| {}).unwrap();
    let pages: Vec<_> = rendered.docs.sites.iter().flat_map(|s| &s.pages).collect();
    assert!(pages.len() > 10, "{}", pages.len());
    for page in pages {
        assert!(
            page.html.is_empty() && page.body_key.is_some(),
            "{} held in memory",
            page.out
        );
    }
}

#[test]
fn incremental_builds_give_the_bytes_of_clean_ones() {
    let org = Org::new();
    let first = org.build("public", "cache");
    assert!(
        first.render_cache.rendered > 200,
        "{:?}",
        first.render_cache
    );
    assert_eq!(first.render_cache.reused, 0);

    // Nothing changed: every page comes from the cache, nothing is written but the build time.
    let before = common::build_time_file(&org.path("public"));
    let unchanged = org.assert_incremental_is_clean("unchanged");
    let moved = before != common::build_time_file(&org.path("public"));
    assert_eq!(
        unchanged.render_cache.rendered, 0,
        "{:?}",
        unchanged.render_cache
    );
    assert_eq!(unchanged.write.written, usize::from(moved));

    // One repository's docs page: that page is rendered again (its Markdown and its page), and
    // the search index with its site's part of it.
    org.edit(
        "org/payments-ledger/docs/runbook.md",
        "\n",
        "\nA line added to the runbook.\n",
    );
    let one_page = org.assert_incremental_is_clean("docs");
    assert!(
        (1..=5).contains(&one_page.render_cache.rendered),
        "{:?}",
        one_page.render_cache
    );
    let runbook =
        org.files("public")["docs/default/component/payments-ledger/runbook/index.html"].clone();
    assert!(String::from_utf8_lossy(&runbook).contains("A line added to the runbook."));

    // A section of a docs site's nav renamed: every page of the site shows the nav.
    org.edit(
        "org/payments-ledger/mkdocs.yml",
        "  - Operations:\n",
        "  - Operating the ledger:\n",
    );
    org.assert_incremental_is_clean("nav");
    let site = "docs/default/component/payments-ledger/";
    let pages: Vec<(String, Vec<u8>)> = org
        .files("public")
        .into_iter()
        .filter(|(path, _)| path.starts_with(site) && path.ends_with("/index.html"))
        .filter(|(path, _)| !path.ends_with("/print/index.html"))
        .collect();
    assert!(pages.len() > 3, "{pages:?}");
    for (path, html) in pages {
        let html = String::from_utf8_lossy(&html);
        assert!(html.contains("Operating the ledger"), "{path}");
    }

    // An owner's title, shown on the pages of everything the team owns.
    org.edit(
        "org/org/groups.yaml",
        "title: Payments\n",
        "title: Payments Crew\n",
    );
    let owner = org.assert_incremental_is_clean("owner");
    assert!(owner.render_cache.reused > 0 && owner.render_cache.rendered > 1);

    // Tiers that make settlement's dependency on the ledger a warning: a red line in the
    // pictures of pages that show both, whose other content does not change.
    org.edit(
        "org/settlement/catalog-info.yaml",
        "  tags: [go, batch, tier-1]\n",
        "  tags: [go, batch, tier-1]\n  labels:\n    tier: \"1\"\n",
    );
    org.edit(
        "org/payments-ledger/catalog-info.yaml",
        "kloudvin.example/tier: \"1\"",
        "kloudvin.example/tier: \"3\"",
    );
    org.assert_incremental_is_clean("pictures");
    let settlement = &org.files("public")["catalog/default/component/settlement/index.html"];
    assert!(String::from_utf8_lossy(settlement).contains("edge-warn"));

    // Without relation pictures every entity page loses them, and gets them back after.
    org.write_site_toml("Demo", "\n[graphs]\nenabled = false\n");
    org.assert_incremental_is_clean("graphs-off");
    org.write_site_toml("Demo", "");
    org.assert_incremental_is_clean("graphs-on");

    // A template override changes every page that uses it.
    let base =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/404.html"))
            .unwrap();
    std::fs::write(
        org.path("templates/404.html"),
        base.replacen("</", "<!-- override --></", 1),
    )
    .unwrap();
    org.assert_incremental_is_clean("template");

    // site.toml: the title is on every page.
    org.write_site_toml("Demo Portal", "");
    let retitled = org.assert_incremental_is_clean("site-toml");
    assert!(
        retitled.render_cache.rendered >= retitled.pages,
        "{:?}",
        retitled.render_cache
    );
}

#[test]
fn pages_left_in_place_are_known_by_the_ledger_and_a_page_edited_in_the_output_is_restored() {
    let org = Org::new();
    let first = org.build("public", "cache");
    let built = org.files("public");

    // Without its render cache, the next build renders the docs' Markdown and the search
    // index (one entry, and one per docs site) again, but finds every page's key in the
    // output's ledger with the file as it was written: no page is rendered.
    std::fs::remove_dir_all(org.path("cache")).unwrap();
    let again = org.build("public", "cache");
    let docs_sites = built
        .keys()
        .filter(|path| path.ends_with("/techdocs_metadata.json"))
        .count();
    assert!(docs_sites > 1);
    assert_eq!(
        again.render_cache.rendered,
        again.docs_pages + 1 + docs_sites,
        "only the Markdown and the search index are rendered: {:?}",
        again.render_cache
    );
    assert!(
        again.render_cache.reused >= first.pages,
        "{:?}",
        again.render_cache
    );
    assert_eq!(org.files("public"), built);

    // A page changed in the output (same length) is no longer what the ledger saw: rewritten.
    let page = org.path("public/catalog/index.html");
    let original = std::fs::read(&page).unwrap();
    let altered = String::from_utf8(original.clone())
        .unwrap()
        .replacen("<title>", "<titlf>", 1);
    assert_eq!(altered.len(), original.len());
    std::fs::write(&page, altered).unwrap();
    // So is a file that is not a page (the ledger knows it by a hash of its bytes).
    let data = org.path("public/search/manifest.js");
    let data_original = std::fs::read(&data).unwrap();
    std::fs::write(&data, data_original.to_ascii_uppercase()).unwrap();
    let restored = org.build("public", "cache");
    assert_eq!(std::fs::read(&page).unwrap(), original);
    assert_eq!(std::fs::read(&data).unwrap(), data_original);
    assert!(restored.write.written >= 2, "{:?}", restored.write);
    assert_eq!(org.files("public"), built);
    // Nothing changed since: no file is written again (but the build's clock, which moves with
    // the second).
    let before = org.modified("public");
    org.build("public", "cache");
    assert_eq!(org.modified("public"), before);
}

#[test]
fn a_secret_in_a_docs_page_is_reported_by_every_build_that_reuses_the_page() {
    let org = Org::new();
    // Built at run time so that no file of this repository holds a value a scanner would flag.
    let token = format!("ghp_{}", "Zq8wX2cV4bN6mL8kJ0hG2fD4sA6pO8iU0yT2");
    org.edit(
        "org/payments-ledger/docs/runbook.md",
        "\n",
        &format!("\nDeploy with {token}.\n"),
    );
    let secrets = |report: &BuildReport| -> Vec<(Option<String>, Option<u32>)> {
        common::find(&report.diagnostics, "security/secret")
            .iter()
            .map(|d| (d.file.clone(), d.line))
            .collect()
    };
    let first = org.build("public", "cache");
    let found = secrets(&first);
    let added = (Some("docs/runbook.md".to_string()), Some(2));
    assert!(found.contains(&added), "{found:?}");

    // The rebuild takes the page's rendering from the cache and still reports the secret.
    let again = org.build("public", "cache");
    assert_eq!(again.render_cache.rendered, 0, "{:?}", again.render_cache);
    assert_eq!(secrets(&again), found);
    for (file, bytes) in org.files("public") {
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&token),
            "{file} holds the secret"
        );
    }
}

/// API definitions are parsed once: a build that finds them unchanged takes each reference and
/// its problems from the render cache, a changed definition is parsed again, and every build
/// gives the bytes and the problems of a clean one.
#[test]
fn an_api_definition_is_parsed_again_only_when_it_changes() {
    let org = Org::new();
    let api_problems = |report: &BuildReport| -> Vec<Diagnostic> {
        let found = report.diagnostics.iter();
        found
            .filter(|d| d.code.starts_with("api/"))
            .cloned()
            .collect()
    };
    let first = org.build("public", "cache");
    let all = first.api_references.parsed;
    assert!(all >= 5, "{:?}", first.api_references);
    assert_eq!(first.api_references.reused, 0);

    let unchanged = org.assert_incremental_is_clean("unchanged");
    let none_parsed = ReferenceStats {
        parsed: 0,
        reused: all,
    };
    assert_eq!(unchanged.api_references, none_parsed);
    assert_eq!(api_problems(&unchanged), api_problems(&first));

    // One definition, read from a file of its repository, changes: it alone is parsed again.
    let definition = "org/payments-ledger/asyncapi.yaml";
    org.edit(
        definition,
        "title: Ledger events\n",
        "title: Ledger events v2\n",
    );
    let changed = org.assert_incremental_is_clean("definition");
    let one_parsed = ReferenceStats {
        parsed: 1,
        reused: all - 1,
    };
    assert_eq!(changed.api_references, one_parsed);
    let page = &org.files("public")["catalog/default/api/ledger-events/api/index.html"];
    assert!(String::from_utf8_lossy(page).contains("Ledger events v2"));

    // Broken, its problem (at its line in that file) is reported by the build that parses it,
    // by the next one, which does not, and by a build without the cache.
    org.edit(definition, "asyncapi: 3.0.0\n", "asyncapi: [3.0.0\n");
    let broken = org.assert_incremental_is_clean("broken");
    let problems = api_problems(&broken);
    let invalid = problems.iter().find(|d| d.code == "api/invalid-definition");
    let in_file = |d: &&Diagnostic| {
        d.file
            .as_deref()
            .is_some_and(|f| f.ends_with("asyncapi.yaml"))
    };
    assert!(
        invalid.filter(in_file).is_some_and(|d| d.line.is_some()),
        "{problems:?}"
    );
    let again = org.build("public", "cache");
    assert_eq!(again.api_references, none_parsed);
    assert_eq!(api_problems(&again), problems);
    let uncached = org.build_uncached("uncached");
    assert_eq!(api_problems(&uncached), problems);
    assert_eq!(org.files("uncached"), org.files("public"));
}
