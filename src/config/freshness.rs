//! `[freshness]`: when what a page shows counts as old (amber) or too old (red).

use serde::{Deserialize, Serialize};
use std::time::Duration;

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
}
