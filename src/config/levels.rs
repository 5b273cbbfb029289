//! `[[scorecards.levels]]`: ordered levels (lowest first), each with the checks it adds; the
//! scorecard stage decides which level an entity reaches (`scorecard::levels`).

use super::scorecard::Check;
use serde::Deserialize;

/// Bronze: someone owns it and says what it is. Silver: it has a place, docs and a runbook.
/// Gold: it is clean and healthy where it runs.
pub const DEFAULT_LEVELS: &[(&str, &[Check])] = &[
    ("Bronze", &[Check::OwnerResolves, Check::HasDescription]),
    (
        "Silver",
        &[Check::HasSystem, Check::HasDocs, Check::HasRunbook],
    ),
    (
        "Gold",
        &[
            Check::DocsBuildClean,
            Check::NoSecrets,
            Check::HealthyInClusters,
            Check::CiPassing,
        ],
    ),
];

/// `[[scorecards.levels]]`, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLevel {
    pub name: String,
    pub checks: Vec<String>,
}

/// A level: its name and the checks it adds to the levels below.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Level {
    pub name: String,
    pub checks: Vec<Check>,
}

/// The levels of a site: `raw` when written (an empty list turns levels off), else the defaults.
/// `text` is site.toml's text, to give the line of an unknown check.
pub fn resolve(raw: Option<Vec<RawLevel>>, text: &str) -> Result<Vec<Level>, String> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_LEVELS
            .iter()
            .map(|(name, checks)| Level {
                name: name.to_string(),
                checks: checks.to_vec(),
            })
            .collect());
    };
    let mut levels: Vec<Level> = Vec::new();
    for (i, level) in raw.into_iter().enumerate() {
        let name = level.name.trim().to_string();
        let field = format!("scorecards.levels[{i}]");
        if name.is_empty() || levels.iter().any(|l| l.name.eq_ignore_ascii_case(&name)) {
            return Err(format!(
                "{field}.name: `{name}` is empty or used twice; give each level its own name"
            ));
        }
        let checks = level
            .checks
            .iter()
            .map(|id| {
                Check::from_id(id.trim()).ok_or_else(|| {
                    let known: Vec<&str> = Check::ALL.iter().map(|c| c.id()).collect();
                    let quoted = format!("\"{id}\"");
                    let line = text
                        .lines()
                        .position(|l| l.contains(&quoted))
                        .map(|l| format!("line {}: ", l + 1))
                        .unwrap_or_default();
                    format!(
                        "{line}{field}.checks: unknown check `{id}`; the checks are {}",
                        known.join(", ")
                    )
                })
            })
            .collect::<Result<Vec<Check>, String>>()?;
        levels.push(Level { name, checks });
    }
    Ok(levels)
}
