//! Docs updates in the change feed: two builds with the state kept, a docs page edited in
//! between, show a "Docs updated" change on the "What changed" page, in the Atom feed and the
//! JSON, and in the entity's timeline; an unchanged build, and a state written before docs
//! were recorded, report none.

use crate::common::Fixture;
use std::path::{Path, PathBuf};

fn service(name: &str) -> String {
    format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n")
}

const TEAM: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n";

fn fixture() -> Fixture {
    let mut f = Fixture::new().file("org/catalog-info.yaml", TEAM);
    for name in ["alpha", "beta"] {
        f = f
            .file(&format!("{name}/catalog-info.yaml"), service(name))
            .file(
                &format!("{name}/mkdocs.yml"),
                format!("site_name: {name}\n"),
            )
            .file(&format!("{name}/docs/index.md"), "# Home\n\nHello.\n")
            .file(&format!("{name}/docs/guide.md"), "# Guide\n\nStep one.\n");
    }
    f
}

/// Builds `f` into `out`, comparing with the state in `previous` when given.
fn build(f: &Fixture, out: &Path, previous: Option<&Path>) -> usize {
    let mut config = f.load_config();
    config.changes.previous_state = previous.map(|p| p.display().to_string());
    let report = playbill::build::build(&config, out, &|_| {}).unwrap();
    report.changes.unwrap_or(0)
}

fn read(out: &Path, file: &str) -> String {
    std::fs::read_to_string(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn state(out: &Path) -> PathBuf {
    out.join("changes/state.json")
}

/// The docs changes in `out`'s changes.json: entity and text.
fn docs_changes(out: &Path) -> Vec<(String, String)> {
    let json: serde_json::Value = serde_json::from_str(&read(out, "changes/changes.json")).unwrap();
    let sets = json["change_sets"].as_array().unwrap();
    sets.iter()
        .flat_map(|s| s["changes"].as_array().unwrap().iter())
        .filter(|c| c["change"] == "docs")
        .map(|c| {
            (
                c["entity"].as_str().unwrap().to_string(),
                c["new"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn an_edited_docs_page_is_a_docs_update_in_the_feed_and_the_timeline() {
    let f = fixture();
    let (out1, out2, out3) = (
        f.dir.path().join("o1"),
        f.dir.path().join("o2"),
        f.dir.path().join("o3"),
    );
    build(&f, &out1, None);
    std::fs::write(
        f.repos().join("alpha/docs/guide.md"),
        "# Guide\n\nStep one, then two.\n",
    )
    .unwrap();
    std::fs::write(f.repos().join("alpha/docs/faq.md"), "# FAQ\n\nNone yet.\n").unwrap();
    assert_eq!(build(&f, &out2, Some(&state(&out1))), 1);

    let alpha = "component:default/alpha".to_string();
    assert_eq!(
        docs_changes(&out2),
        [(alpha, "1 page changed, 1 added".to_string())]
    );
    let page = read(&out2, "changes/index.html");
    assert!(page.contains("Docs updated"), "{page}");
    assert!(page.contains("1 page changed, 1 added"), "{page}");
    let feed = read(&out2, "changes/feed.xml");
    assert!(
        feed.contains("Docs updated: alpha (component:default/alpha) 1 page changed, 1 added"),
        "{feed}"
    );
    assert!(
        feed.contains("<title>1 change: 1 docs update</title>"),
        "{feed}"
    );
    let timeline = |out: &Path, name: &str| {
        let html = read(out, &format!("catalog/default/component/{name}/index.html"));
        html.find("id=\"timeline-title\"")
            .map(|at| html[at..].to_string())
    };
    let entry = timeline(&out2, "alpha").expect("alpha has a timeline");
    assert!(
        entry.contains("Docs updated</a>: 1 page changed, 1 added"),
        "{entry}"
    );
    assert!(
        timeline(&out2, "beta").is_none(),
        "beta's docs did not change"
    );

    // Nothing changed since: no new change set, no docs update.
    assert_eq!(build(&f, &out3, Some(&state(&out2))), 0);
    assert_eq!(docs_changes(&out3).len(), 1, "only the earlier update");
}

#[test]
fn a_state_from_before_docs_were_recorded_reports_no_docs_update() {
    let f = fixture();
    let out1 = f.dir.path().join("o1");
    build(&f, &out1, None);
    let mut old: serde_json::Value =
        serde_json::from_str(&read(&out1, "changes/state.json")).unwrap();
    assert_eq!(old["docs_recorded"], true);
    old.as_object_mut().unwrap().remove("docs_recorded");
    for entity in old["entities"].as_object_mut().unwrap().values_mut() {
        entity.as_object_mut().unwrap().remove("docs");
    }
    let older = f.dir.path().join("older-state.json");
    std::fs::write(&older, old.to_string()).unwrap();
    let out2 = f.dir.path().join("o2");
    assert_eq!(build(&f, &out2, Some(&older)), 0);
    assert!(docs_changes(&out2).is_empty());
    let state: serde_json::Value =
        serde_json::from_str(&read(&out2, "changes/state.json")).unwrap();
    let alpha = &state["entities"]["component:default/alpha"]["docs"];
    assert_eq!(
        alpha.as_str().map(|d| d.split(' ').count()),
        Some(2),
        "recorded from now on"
    );
}
