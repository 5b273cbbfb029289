//! Sharded builds: the demo built as four shards and assembled has the bytes of a build on one
//! machine; an assembly refuses an incomplete set of shards and shards of other sources.

use crate::common;

use playbill::build::{build, build_part, BuildReport, Part};
use playbill::config::Config;
use playbill::shard::Shard;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The bundled demo (clusters, change history, SSO), with its render cache in `cache`.
fn demo(cache: &Path) -> Config {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config::load(&root.join("site.toml")).unwrap();
    config.cache_dir = cache.to_path_buf();
    config
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    common::files_below(dir)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(dir.join(&f)).unwrap()))
        .collect()
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

    let config = demo(&tmp.path().join("cache"));
    let assembled = build_part(
        &config,
        &Part::Assemble(dirs.clone()),
        &tmp.path().join("assembled"),
        &|_| {},
    )
    .unwrap();
    let (a, b) = (
        files(&tmp.path().join("whole")),
        files(&tmp.path().join("assembled")),
    );
    let differing: Vec<&String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .collect();
    assert!(differing.is_empty(), "the assembly differs: {differing:?}");
    assert_eq!(assembled.pages, whole.pages);
    let codes =
        |r: &BuildReport| -> Vec<String> { r.diagnostics.iter().map(|d| d.to_text()).collect() };
    assert_eq!(codes(&assembled), codes(&whole));

    // Assembled again from the same shards: nothing to write.
    let again = build_part(
        &config,
        &Part::Assemble(dirs),
        &tmp.path().join("assembled"),
        &|_| {},
    )
    .unwrap();
    assert_eq!(again.write.written, 0, "{:?}", again.write);
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

    // A shard built from another checkout of the sources.
    let manifest = dirs[2].join(playbill::shard::MANIFEST);
    let text = std::fs::read_to_string(&manifest).unwrap();
    let other = text.replacen("\"sources\":\"", "\"sources\":\"0", 1);
    std::fs::write(&manifest, other).unwrap();
    let stale = assemble(dirs.clone());
    assert!(stale.contains("same sources"), "{stale}");
}
