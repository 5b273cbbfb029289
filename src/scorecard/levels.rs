//! Scorecard levels: `[[scorecards.levels]]` names ordered levels (lowest first), each with the
//! checks it adds. An entity reaches a level when every check of that level and of the levels
//! below it passes or does not apply to it (a check that is disabled counts as not applying);
//! its level is the highest one it reaches, with no gap below. Without the table the levels are
//! [`DEFAULT_LEVELS`].

use super::config::Check;
use super::{CheckResult, Status};
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
    name: String,
    checks: Vec<String>,
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

/// The highest level `results` reach, lowest level first; None below the first.
pub fn reached<'a>(levels: &'a [Level], results: &[CheckResult]) -> Option<&'a str> {
    let fails = |check: &Check| {
        results
            .iter()
            .any(|r| r.id == check.id() && r.outcome.status == Status::Fail)
    };
    levels
        .iter()
        .take_while(|level| !level.checks.iter().any(fails))
        .last()
        .map(|level| level.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scorecard::Outcome;

    fn results(failing: &[Check]) -> Vec<CheckResult> {
        Check::ALL
            .iter()
            .map(|&c| CheckResult {
                id: c.id(),
                title: c.title(),
                weight: 1,
                outcome: if failing.contains(&c) {
                    Outcome::fail("no", "fix it")
                } else if c == Check::HasRunbook {
                    Outcome::not_applicable("not a service")
                } else {
                    Outcome::pass("yes")
                },
            })
            .collect()
    }

    #[test]
    fn the_level_is_the_highest_with_every_check_below_passing() {
        let levels = resolve(None, "").unwrap();
        assert_eq!(reached(&levels, &results(&[])), Some("Gold"));
        assert_eq!(
            reached(&levels, &results(&[Check::CiPassing])),
            Some("Silver")
        );
        assert_eq!(
            reached(&levels, &results(&[Check::HasDocs])),
            Some("Bronze")
        );
        // Gold's checks pass, but a Bronze one fails: no gap is skipped.
        assert_eq!(reached(&levels, &results(&[Check::HasDescription])), None);
        // A check that does not apply (or is disabled, so has no result) does not hold it back.
        let mut without_docs = results(&[]);
        without_docs.retain(|r| r.id != Check::HasDocs.id());
        assert_eq!(reached(&levels, &without_docs), Some("Gold"));
    }

    #[test]
    fn levels_are_configurable_and_checked() {
        let raw: Vec<RawLevel> = toml::from_str::<toml::Table>(
            "[[levels]]\nname = \"Ready\"\nchecks = [\"has-docs\"]\n",
        )
        .unwrap()["levels"]
            .clone()
            .try_into()
            .unwrap();
        let levels = resolve(Some(raw), "").unwrap();
        assert_eq!(levels.len(), 1);
        assert_eq!(
            reached(&levels, &results(&[Check::CiPassing])),
            Some("Ready")
        );
        assert_eq!(reached(&levels, &results(&[Check::HasDocs])), None);
        let bad = vec![RawLevel {
            name: "Gold".into(),
            checks: vec!["has-doc".into()],
        }];
        let text = "[scorecards]\n[[scorecards.levels]]\nname = \"Gold\"\nchecks = [\"has-doc\"]\n";
        let err = resolve(Some(bad), text).unwrap_err();
        assert!(
            err.contains("`has-doc`") && err.contains("has-docs"),
            "{err}"
        );
        assert!(
            err.starts_with("line 4: scorecards.levels[0].checks"),
            "{err}"
        );
        let twice = vec![
            RawLevel {
                name: "Gold".into(),
                checks: vec![],
            },
            RawLevel {
                name: "gold".into(),
                checks: vec![],
            },
        ];
        assert!(resolve(Some(twice), "").unwrap_err().contains("used twice"));
        assert!(resolve(Some(Vec::new()), "").unwrap().is_empty());
    }
}
