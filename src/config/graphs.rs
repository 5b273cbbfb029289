//! `[graphs]` in site.toml. A leaf: the config loader reads it without reaching the stage.

use serde::Deserialize;

/// `[graphs]`: whether entity pages carry relation pictures, how many boxes one may hold and
/// which label or annotation gives a service's tier.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GraphsConfig {
    pub enabled: bool,
    /// Boxes per picture, "+N more" included; the rest are listed on the page.
    pub max_nodes: usize,
    /// The label or annotation key (or the part after its `/`) holding a tier such as "1" or
    /// "tier-2"; a lower number is more critical. A dependency on a less critical entity is
    /// drawn as a warning.
    pub tier_key: String,
}

impl Default for GraphsConfig {
    fn default() -> Self {
        GraphsConfig {
            enabled: true,
            max_nodes: 40,
            tier_key: "tier".to_string(),
        }
    }
}
