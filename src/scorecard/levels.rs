//! Scorecard levels: `[[scorecards.levels]]` names ordered levels (lowest first), each with the
//! checks it adds. An entity reaches a level when every check of that level and of the levels
//! below it passes or does not apply to it (a check that is disabled counts as not applying);
//! its level is the highest one it reaches, with no gap below. Without the table the levels are
//! [`DEFAULT_LEVELS`].

use super::{CheckResult, Status};
use crate::config::scorecard::Check;
pub use crate::config::scorecard::{Level, DEFAULT_LEVELS};

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
    use crate::config::scorecard::{resolve_levels, RawLevel};
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
        let levels = resolve_levels(None, "").unwrap();
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
        let levels = resolve_levels(Some(raw), "").unwrap();
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
        let err = resolve_levels(Some(bad), text).unwrap_err();
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
        assert!(resolve_levels(Some(twice), "")
            .unwrap_err()
            .contains("used twice"));
        assert!(resolve_levels(Some(Vec::new()), "").unwrap().is_empty());
    }
}
