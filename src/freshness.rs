//! How old what a page shows is, measured against the reader's clock. Pages carry plain dates
//! (`<time datetime=…>`) and never an age: an age would change every page on every build. Two
//! small data scripts with fixed names say what the browser needs to compute ages
//! (`static/age.js`): `status/build.js` (when the portal was built, and the amber and red
//! thresholds of `[freshness]`) and `status/snapshot.js` (when the cluster snapshot was taken,
//! rewritten by `snapshot --update-site` with the other status files).

use crate::config::freshness::FreshnessConfig;
use serde_json::json;

/// Written by every build: the build time and the thresholds.
pub const BUILD_PATH: &str = "status/build.js";
/// Written beside the cluster status files: the snapshot's time, per cluster too.
pub const SNAPSHOT_PATH: &str = "status/snapshot.js";

/// `status/build.js`: when the portal was built and the thresholds.
pub fn build_file(config: &FreshnessConfig, built_at: i64) -> (String, Vec<u8>) {
    let data = json!({ "built": built_at, "amber": config.amber, "red": config.red });
    (BUILD_PATH.to_string(), script("build", &data))
}

/// `status/snapshot.js`: when the snapshot and each cluster's data were taken (None: the site
/// has cluster pages but no snapshot).
pub fn snapshot_file(snapshot: Option<&crate::cluster::model::Snapshot>) -> (String, Vec<u8>) {
    let data = match snapshot {
        Some(s) => {
            let clusters: serde_json::Map<String, serde_json::Value> = s
                .clusters
                .iter()
                .map(|c| (c.name.clone(), json!(c.taken_at)))
                .collect();
            json!({ "taken_at": s.taken_at, "clusters": clusters })
        }
        None => serde_json::Value::Null,
    };
    (SNAPSHOT_PATH.to_string(), script("snapshot", &data))
}

/// `window.PlaybillFreshness[key] = …;` through a classic script, so it loads from `file://`.
fn script(key: &str, data: &serde_json::Value) -> Vec<u8> {
    format!("(window.PlaybillFreshness = window.PlaybillFreshness || {{}}).{key} = {data};\n")
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_build_file_sets_a_global_with_the_thresholds() {
        let (path, bytes) = build_file(&FreshnessConfig::default(), 1_700_000_000);
        assert_eq!(path, BUILD_PATH);
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "(window.PlaybillFreshness = window.PlaybillFreshness || {}).build = {\"amber\":3600,\"built\":1700000000,\"red\":86400};\n"
        );
    }
}
