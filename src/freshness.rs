//! How old what a page shows is, measured against the reader's clock. Pages carry plain dates
//! (`<time datetime=…>`) and never an age: an age would change every page on every build. Two
//! small data scripts with fixed names say what the browser needs to compute ages
//! (`static/age.js`): `status/build.js` (when the portal was built, and the amber and red
//! thresholds of `[freshness]`) and `status/snapshot.js` (when the cluster snapshot was taken,
//! rewritten by `snapshot --update-site` with the other status files).

use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Duration;

/// Written by every build: the build time and the thresholds.
pub const BUILD_PATH: &str = "status/build.js";
/// Written beside the cluster status files: the snapshot's time, per cluster too.
pub const SNAPSHOT_PATH: &str = "status/snapshot.js";

/// `[freshness]`: past `amber_after` a status is shown amber, past `red_after` red, and a
/// snapshot or build older than `red_after` puts a banner on every page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FreshnessConfig {
    /// Seconds.
    pub amber: u64,
    /// Seconds.
    pub red: u64,
}

impl Default for FreshnessConfig {
    fn default() -> Self {
        FreshnessConfig {
            amber: 3600,
            red: 86_400,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFreshness {
    amber_after: Option<String>,
    red_after: Option<String>,
}

impl RawFreshness {
    pub fn resolve(self) -> Result<FreshnessConfig, String> {
        let defaults = FreshnessConfig::default();
        let amber = duration("amber_after", self.amber_after.as_deref())?.unwrap_or(defaults.amber);
        let red = duration("red_after", self.red_after.as_deref())?.unwrap_or(defaults.red);
        if red < amber {
            return Err(format!(
                "freshness.red_after ({red} s) is shorter than freshness.amber_after ({amber} s): \
                 red must come after amber"
            ));
        }
        Ok(FreshnessConfig { amber, red })
    }
}

/// Seconds of a duration written as `90min`, `1h`, `2 days`.
fn duration(key: &str, text: Option<&str>) -> Result<Option<u64>, String> {
    let Some(text) = text else { return Ok(None) };
    let parsed: Duration = humantime::parse_duration(text.trim()).map_err(|e| {
        format!("freshness.{key} = \"{text}\" is not a duration ({e}); write it as \"30min\", \"1h\" or \"2days\"")
    })?;
    match parsed.as_secs() {
        0 => Err(format!(
            "freshness.{key} = \"{text}\" must be longer than zero"
        )),
        secs => Ok(Some(secs)),
    }
}

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

    fn resolve(amber: Option<&str>, red: Option<&str>) -> Result<FreshnessConfig, String> {
        RawFreshness {
            amber_after: amber.map(str::to_string),
            red_after: red.map(str::to_string),
        }
        .resolve()
    }

    #[test]
    fn thresholds_default_to_an_hour_and_a_day() {
        assert_eq!(resolve(None, None).unwrap(), FreshnessConfig::default());
        assert_eq!(
            resolve(Some("30min"), Some("2days")).unwrap(),
            FreshnessConfig {
                amber: 1800,
                red: 172_800
            }
        );
    }

    #[test]
    fn bad_thresholds_say_what_to_write() {
        let e = resolve(Some("soon"), None).unwrap_err();
        assert!(
            e.contains("freshness.amber_after") && e.contains("\"1h\""),
            "{e}"
        );
        let e = resolve(Some("2h"), Some("1h")).unwrap_err();
        assert!(e.contains("red must come after amber"), "{e}");
        assert!(resolve(Some("0s"), None)
            .unwrap_err()
            .contains("longer than zero"));
    }

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
