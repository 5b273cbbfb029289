//! Sharded builds: the demo built as four shards and assembled has the bytes of a build on one
//! machine; an assembly refuses an incomplete set of shards and shards of other sources.

use crate::common;

use playbill::build::{build, build_part, render_part, BuildReport, Part};
use playbill::config::Config;
use playbill::shard::Shard;
use std::path::{Path, PathBuf};

/// The bundled demo (clusters, change history, SSO), with its render cache in `cache`.
fn demo(cache: &Path) -> Config {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config::load(&root.join("site.toml")).unwrap();
    config.cache_dir = cache.to_path_buf();
    config
}

/// Builds shards 1..=count of the demo into `<tmp>/shard-I`; returns their directories.
fn build_shards(tmp: &Path, count: u32) -> (Vec<PathBuf>, Vec<BuildReport>) {
    let config = demo(&tmp.join("cache"));
    (1..=count)
        .map(|index| {
            let dir = tmp.join(format!("shard-{index}"));
            let part = Part::Shard(Shard { index, count });
            let report = build_part(&config, &part, &dir, &|_| {}).expect("a shard builds");
            (dir, report)
        })
        .unzip()
}

#[test]
fn four_shards_assembled_give_the_bytes_of_one_build() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = build(
        &demo(&tmp.path().join("cache-whole")),
        &tmp.path().join("whole"),
        &|_| {},
    )
    .unwrap();
    let (dirs, shards) = build_shards(tmp.path(), 4);
    // Every shard has docs to render: the split is real, not one shard doing everything.
    for (dir, report) in dirs.iter().zip(&shards) {
        assert!(report.docs_pages > 0, "{} rendered no docs", dir.display());
    }
    let docs_pages: usize = shards.iter().map(|r| r.docs_pages).sum();
    assert_eq!(docs_pages, whole.docs_pages);
    // Each shard keeps its Markdown renderings and pages for the next night, in its own cache:
    // built again into an empty directory, it renders nothing anew.
    let config = demo(&tmp.path().join("cache"));
    for index in 1..=4 {
        let part = Part::Shard(Shard { index, count: 4 });
        let again = build_part(&config, &part, &tmp.path().join("again"), &|_| {}).unwrap();
        let cache = again.render_cache;
        assert_eq!(cache.rendered, 0, "shard {index} rendered anew: {cache:?}");
        assert!(cache.reused > 0, "shard {index} reused nothing");
    }
    let assembled = build_part(
        &config,
        &Part::Assemble(dirs.clone()),
        &tmp.path().join("assembled"),
        &|_| {},
    )
    .unwrap();
    let (a, b) = (
        common::build_output(&tmp.path().join("whole")),
        common::build_output(&tmp.path().join("assembled")),
    );
    let differing = common::differing_paths(&a, &b);
    assert!(differing.is_empty(), "the assembly differs: {differing:?}");
    assert_eq!(assembled.pages, whole.pages);
    let codes =
        |r: &BuildReport| -> Vec<String> { r.diagnostics.iter().map(|d| d.to_text()).collect() };
    assert_eq!(codes(&assembled), codes(&whole));

    // Assembled again from the same shards: nothing to write but the build's time.
    let again = build_part(
        &config,
        &Part::Assemble(dirs),
        &tmp.path().join("assembled"),
        &|_| {},
    )
    .unwrap();
    assert!(again.write.written <= 1, "{:?}", again.write);
}

/// A shard's manifest leaves its pages' sections out: each searched site's search-index part
/// goes beside it, and the assembly takes those in place of analysing any docs text, in a
/// scratch cache when another build holds its own. Without a shard's parts, the assembly says
/// what is missing.
#[test]
fn an_assembly_takes_each_shards_search_parts_instead_of_its_sections() {
    let tmp = tempfile::tempdir().unwrap();
    let (dirs, _) = build_shards(tmp.path(), 2);
    let manifest = std::fs::read_to_string(dirs[0].join(playbill::shard::MANIFEST)).unwrap();
    assert!(
        manifest.contains("\"sections\":[]"),
        "no pages in the manifest"
    );
    assert!(!manifest.contains("\"sections\":[["), "sections carried");
    let config = demo(&tmp.path().join("cache"));
    let rendered = render_part(&config, &Part::Assemble(dirs.clone()), None, &|_| {}).unwrap();
    let sites = rendered.docs.sites.iter();
    let searched = sites.filter(|s| playbill::search::is_searched(s)).count();
    assert!(searched > 3, "{searched}");
    // A fresh cache: the only entries found are the parts the shards made, one a site.
    assert_eq!(
        rendered.render_cache.reused, searched,
        "{:?}",
        rendered.render_cache
    );
    for page in rendered.docs.sites.iter().flat_map(|s| &s.pages) {
        assert!(page.sections.is_empty(), "{}: sections held", page.out);
    }

    // Another build holding the render cache leaves the assembly a scratch one for the parts.
    let locked = tmp.path().join("cache-locked");
    let _held = playbill::render_cache::RenderCache::open(&locked);
    let beside = render_part(&demo(&locked), &Part::Assemble(dirs.clone()), None, &|_| {});
    assert_eq!(beside.unwrap().render_cache.reused, searched);

    std::fs::remove_file(dirs[1].join(playbill::shard::SEARCH_PARTS)).unwrap();
    let config = demo(&tmp.path().join("cache-2"));
    let Err(error) = render_part(&config, &Part::Assemble(dirs), None, &|_| {}) else {
        panic!("assembled without a shard's search parts");
    };
    assert!(error.contains(playbill::shard::SEARCH_PARTS), "{error}");
    assert!(error.contains("whole output"), "{error}");
}

#[test]
fn an_assembly_needs_every_shard_once_from_the_same_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let (dirs, _) = build_shards(tmp.path(), 3);
    let config = demo(&tmp.path().join("cache"));
    let assemble = |dirs: Vec<PathBuf>| {
        build_part(
            &config,
            &Part::Assemble(dirs),
            &tmp.path().join("out"),
            &|_| {},
        )
        .err()
        .unwrap_or_default()
    };
    let missing = assemble(dirs[..2].to_vec());
    assert!(missing.contains("every shard"), "{missing}");
    let twice = assemble(vec![dirs[0].clone(), dirs[0].clone(), dirs[1].clone()]);
    assert!(twice.contains("1/3, 1/3, 2/3"), "{twice}");
    let not_a_shard = assemble(vec![tmp.path().join("cache")]);
    assert!(not_a_shard.contains("--shard"), "{not_a_shard}");
}

#[test]
fn docs_a_shard_rendered_at_another_commit_are_kept_with_a_warning() {
    let head = |sha: &str| format!("{}\n", sha.repeat(40));
    let fx = common::Fixture::new()
        .file("svc/.git/HEAD", head("a"))
        .file(
            "svc/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n",
        )
        .file("svc/docs/index.md", "# Service\n\nHow it works.\n");
    let config = fx.load_config();
    let shard = fx.out().with_file_name("shard");
    let part = Part::Shard(Shard { index: 1, count: 1 });
    build_part(&config, &part, &shard, &|_| {}).unwrap();
    // Pushed after the shard job, before the assembly.
    std::fs::write(fx.repos().join("svc/.git/HEAD"), head("b")).unwrap();
    let report = build_part(&config, &Part::Assemble(vec![shard]), &fx.out(), &|_| {}).unwrap();
    let moved = common::find(&report.diagnostics, "docs/shard-commit");
    assert_eq!(moved.len(), 1, "{:?}", report.diagnostics);
    assert!(
        moved[0].message.contains(&"a".repeat(40)),
        "{}",
        moved[0].message
    );
    let page = fx.out().join("docs/default/component/svc/index.html");
    assert!(std::fs::read_to_string(page)
        .unwrap()
        .contains("How it works."));
}
