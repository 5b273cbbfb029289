//! Heatmaps on team and system pages: the demo's services × clusters with ready/desired,
//! versions, drift and health, in a status file beside the page so that a new snapshot
//! rewrites that file and not the page.

use std::path::Path;

fn demo_config() -> playbill::config::Config {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml");
    playbill::config::Config::load(&file).expect("demo site.toml")
}

fn read(out: &Path, file: &str) -> String {
    std::fs::read_to_string(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The `<tr>` of `service` in a heatmap script (the fragment is a JSON string).
fn row<'a>(script: &'a str, service: &str) -> &'a str {
    let at = script
        .find(&format!(">{service}</a>"))
        .unwrap_or_else(|| panic!("no row for {service} in {script}"));
    let end = at + script[at..].find("</tr>").unwrap();
    &script[at..end]
}

#[test]
fn team_and_system_pages_carry_a_heatmap_of_their_services() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    playbill::build::build(&demo_config(), &out, &|_| {}).unwrap();
    let team = read(&out, "catalog/default/group/team-ledger/heatmap-status.js");
    let ledger = row(&team, "Payments Ledger");
    // Failing in prod-us with all replicas ready: health is more than readiness.
    assert!(ledger.contains("health-failing"), "{ledger}");
    assert!(ledger.contains("3/3"), "{ledger}");
    assert!(ledger.contains("version drift"), "{ledger}");
    // The same version in every cluster is no drift, whatever the pod counts.
    assert!(!row(&team, "Statement Generator").contains("drift"));
    let system = read(&out, "catalog/default/system/ledger/heatmap-status.js");
    assert!(system.contains(">Payments Ledger</a>"), "{system}");
    // The page holds the slot and loads the file; the file, not the page, holds the status.
    let page = read(&out, "catalog/default/group/team-ledger/index.html");
    assert!(
        page.contains("src=\"heatmap-status.js\""),
        "no heatmap script"
    );
    assert!(page.contains("data-status-part=\"heatmap\""));
    assert!(!page.contains("health-failing"));
}

#[test]
fn a_new_snapshot_changes_the_heatmap_file_and_not_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let config = demo_config();
    playbill::build::build(&config, &out, &|_| {}).unwrap();
    let page = "catalog/default/group/team-ledger/index.html";
    let heatmap = "catalog/default/group/team-ledger/heatmap-status.js";
    let (page_before, heatmap_before) = (read(&out, page), read(&out, heatmap));
    // The same snapshot with payments-ledger gone from every cluster.
    let snapshot_file = config
        .kubernetes
        .as_ref()
        .unwrap()
        .snapshot
        .clone()
        .unwrap();
    let mut snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snapshot_file).unwrap()).unwrap();
    let entities = snapshot["entities"].as_object_mut().unwrap();
    assert!(entities
        .remove("component:default/payments-ledger")
        .is_some());
    let changed = dir.path().join("snapshot.json");
    std::fs::write(&changed, serde_json::to_vec(&snapshot).unwrap()).unwrap();
    let mut config = config;
    config.kubernetes.as_mut().unwrap().snapshot = Some(changed);
    playbill::build::build(&config, &out, &|_| {}).unwrap();
    assert_eq!(read(&out, page), page_before);
    let after = read(&out, heatmap);
    assert_ne!(after, heatmap_before);
    assert!(
        !row(&after, "Payments Ledger").contains("health-"),
        "{after}"
    );
}
