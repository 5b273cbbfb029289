//! Incremental builds: a build that reuses the render cache writes exactly the bytes of a clean
//! build, after a change to one repository's docs, to a template, to an owner's title shown on
//! other pages, and to site.toml; and an unchanged rebuild renders nothing anew.

use crate::common;

use playbill::build::{build, BuildReport};
use playbill::config::Config;
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
        org.write_site_toml("Demo");
        org
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write_site_toml(&self, title: &str) {
        let toml = format!(
            "title = \"{title}\"\ntemplates_dir = \"templates\"\n\n[[sources]]\ntype = \"local\"\npath = \"org\"\n"
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

    /// Every file of an output directory but the list of written files.
    fn files(&self, out: &str) -> BTreeMap<String, Vec<u8>> {
        let root = self.path(out);
        common::files_below(&root)
            .into_iter()
            .filter(|f| f != ".playbill-files" && f != playbill::freshness::BUILD_PATH)
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
        let differing: Vec<&String> = a
            .keys()
            .chain(b.keys())
            .filter(|k| a.get(*k) != b.get(*k))
            .collect();
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

    // One repository's docs page: that page is rendered again (its Markdown and its page).
    org.edit(
        "org/payments-ledger/docs/runbook.md",
        "\n",
        "\nA line added to the runbook.\n",
    );
    let one_page = org.assert_incremental_is_clean("docs");
    assert!(
        (1..=4).contains(&one_page.render_cache.rendered),
        "{:?}",
        one_page.render_cache
    );
    let runbook =
        org.files("public")["docs/default/component/payments-ledger/runbook/index.html"].clone();
    assert!(String::from_utf8_lossy(&runbook).contains("A line added to the runbook."));

    // An owner's title, shown on the pages of everything the team owns.
    org.edit(
        "org/org/groups.yaml",
        "title: Payments\n",
        "title: Payments Crew\n",
    );
    let owner = org.assert_incremental_is_clean("owner");
    assert!(owner.render_cache.reused > 0 && owner.render_cache.rendered > 1);

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
    org.write_site_toml("Demo Portal");
    let retitled = org.assert_incremental_is_clean("site-toml");
    assert!(
        retitled.render_cache.rendered >= retitled.pages,
        "{:?}",
        retitled.render_cache
    );
}
