//! The `[scorecards]` table of site.toml, parsed strictly and resolved: every check enabled
//! with its default weight and scope unless the table says otherwise, and an unknown check
//! name is an error that names it and lists the known ones.

use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;

/// `[scorecards]`, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScorecards {
    enabled: Option<bool>,
    #[serde(default)]
    checks: BTreeMap<String, RawCheck>,
    levels: Option<Vec<RawLevel>>,
}

/// `[scorecards.checks.<id>]`, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    enabled: Option<bool>,
    weight: Option<u32>,
    kinds: Option<Vec<String>>,
    types: Option<Vec<String>>,
    lifecycles: Option<Vec<String>>,
    // has-runbook only
    page_path: Option<String>,
    page_title: Option<String>,
    // has-docs only
    api_reference: Option<bool>,
}

/// The scorecard settings of a site, resolved.
#[derive(Clone, Debug)]
pub struct ScorecardConfig {
    pub enabled: bool,
    /// The enabled checks, in the order the pages show them.
    pub checks: Vec<CheckSettings>,
    pub runbook: RunbookPattern,
    /// has-docs: an API's reference page (from its `spec.definition`) counts as its docs.
    pub api_reference_is_docs: bool,
    /// Lowest first; empty when the site turns levels off.
    pub levels: Vec<Level>,
}

impl Default for ScorecardConfig {
    fn default() -> Self {
        RawScorecards::default()
            .resolve("")
            .expect("the default scorecard settings resolve")
    }
}

/// One enabled check: how much it counts and which entities it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckSettings {
    pub check: Check,
    pub weight: u32,
    pub scope: Scope,
}

/// Which entities a check applies to; an empty list allows any value. Lower case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub kinds: Vec<String>,
    pub types: Vec<String>,
    pub lifecycles: Vec<String>,
}

impl Scope {
    pub(super) fn new(kinds: &[&str], types: &[&str], lifecycles: &[&str]) -> Scope {
        let lower = |v: &[&str]| v.iter().map(|s| s.to_lowercase()).collect();
        Scope {
            kinds: lower(kinds),
            types: lower(types),
            lifecycles: lower(lifecycles),
        }
    }

    /// Whether an entity of this kind, `spec.type` and `spec.lifecycle` is in scope.
    pub fn covers(&self, kind: &str, spec_type: Option<&str>, lifecycle: Option<&str>) -> bool {
        let allows = |list: &[String], value: Option<&str>| {
            list.is_empty() || value.is_some_and(|v| list.iter().any(|l| l.eq_ignore_ascii_case(v)))
        };
        allows(&self.kinds, Some(kind))
            && allows(&self.types, spec_type)
            && allows(&self.lifecycles, lifecycle)
    }

    /// "Components of type service, lifecycle production", for a not-applicable reason.
    pub fn describe(&self) -> String {
        let mut out = if self.kinds.is_empty() {
            "entities".to_string()
        } else {
            self.kinds.join(", ")
        };
        if !self.types.is_empty() {
            out.push_str(&format!(" of type {}", self.types.join(" or ")));
        }
        if !self.lifecycles.is_empty() {
            out.push_str(&format!(" in lifecycle {}", self.lifecycles.join(" or ")));
        }
        out
    }
}

/// Which docs pages count as a runbook: a page whose source path or title matches (either
/// pattern, case-insensitively).
#[derive(Clone, Debug)]
pub struct RunbookPattern {
    pub path: Option<Regex>,
    pub title: Option<Regex>,
}

impl RunbookPattern {
    pub fn matches(&self, source: &str, title: &str) -> bool {
        self.path.as_ref().is_some_and(|r| r.is_match(source))
            || self.title.as_ref().is_some_and(|r| r.is_match(title))
    }

    /// What is looked for, for reasons: `"runbook" in the path or title`.
    pub fn describe(&self) -> String {
        match (&self.path, &self.title) {
            (Some(p), Some(t)) if p.as_str() == t.as_str() => {
                format!("\"{}\" in its path or title", p.as_str())
            }
            (Some(p), Some(t)) => format!(
                "a path matching \"{}\" or a title matching \"{}\"",
                p.as_str(),
                t.as_str()
            ),
            (Some(p), None) => format!("a path matching \"{}\"", p.as_str()),
            (None, Some(t)) => format!("a title matching \"{}\"", t.as_str()),
            (None, None) => "nothing".to_string(),
        }
    }
}

/// What the runbook check looks for when site.toml names no pattern.
const DEFAULT_RUNBOOK: &str = "runbook";

impl RawScorecards {
    /// Resolves the table; `text` is site.toml's text, to give the line of an unknown name.
    pub fn resolve(self, text: &str) -> Result<ScorecardConfig, String> {
        for name in self.checks.keys() {
            if Check::from_id(name).is_none() {
                let line = line_of_check(text, name)
                    .map(|l| format!("line {l}: "))
                    .unwrap_or_default();
                let known: Vec<&str> = Check::ALL.iter().map(|c| c.id()).collect();
                return Err(format!(
                    "{line}scorecards.checks: unknown check `{name}`; the checks are {}",
                    known.join(", ")
                ));
            }
        }
        let mut runbook = RunbookPattern {
            path: None,
            title: None,
        };
        let mut checks = Vec::new();
        let unset = RawCheck::default();
        for check in Check::ALL {
            let raw = self.checks.get(check.id()).unwrap_or(&unset);
            let field = |key: &str| format!("scorecards.checks.{}.{key}", check.id());
            if check != Check::HasRunbook && (raw.page_path.is_some() || raw.page_title.is_some()) {
                return Err(format!(
                    "{}: only the has-runbook check takes page_path and page_title",
                    field("page_path")
                ));
            }
            if check != Check::HasDocs && raw.api_reference.is_some() {
                return Err(format!(
                    "{}: only the has-docs check takes api_reference",
                    field("api_reference")
                ));
            }
            if check == Check::HasRunbook {
                let (path, title) = match (&raw.page_path, &raw.page_title) {
                    (None, None) => (Some(DEFAULT_RUNBOOK), Some(DEFAULT_RUNBOOK)),
                    (p, t) => (p.as_deref(), t.as_deref()),
                };
                runbook = RunbookPattern {
                    path: path.map(|p| pattern(p, &field("page_path"))).transpose()?,
                    title: title
                        .map(|t| pattern(t, &field("page_title")))
                        .transpose()?,
                };
            }
            if !raw.enabled.unwrap_or(true) {
                continue;
            }
            let default = check.default_scope();
            let list = |given: &Option<Vec<String>>, default: Vec<String>| match given {
                Some(v) => v.iter().map(|s| s.trim().to_lowercase()).collect(),
                None => default,
            };
            checks.push(CheckSettings {
                check,
                weight: raw.weight.unwrap_or(check.default_weight()),
                scope: Scope {
                    kinds: list(&raw.kinds, default.kinds),
                    types: list(&raw.types, default.types),
                    lifecycles: list(&raw.lifecycles, default.lifecycles),
                },
            });
        }
        let api_reference_is_docs = self
            .checks
            .get(Check::HasDocs.id())
            .and_then(|raw| raw.api_reference)
            .unwrap_or(true);
        Ok(ScorecardConfig {
            enabled: self.enabled.unwrap_or(true),
            checks,
            runbook,
            api_reference_is_docs,
            levels: resolve_levels(self.levels, text)?,
        })
    }
}

/// A case-insensitive regular expression from site.toml; a bad one names its setting.
fn pattern(text: &str, setting: &str) -> Result<Regex, String> {
    RegexBuilder::new(text)
        .case_insensitive(true)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("{setting}: `{text}` is not a valid regular expression: {e}"))
}

/// The line of `[scorecards.checks.<name>]` or of a `<name> = ...` key, where written so.
fn line_of_check(text: &str, name: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim();
            let key = line.split(['=', ']']).next().unwrap_or("").trim();
            let key = key.trim_start_matches('[').trim_matches('"');
            key == name
                || key.ends_with(&format!(".{name}"))
                || key.ends_with(&format!(".\"{name}\""))
        })
        .map(|i| i + 1)
}

/// The checks, by the ids site.toml names them; each judges entities in `checks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    OwnerResolves,
    HasDescription,
    HasSystem,
    HasDocs,
    DocsBuildClean,
    HasRunbook,
    KubernetesAnnotations,
    RunningInCluster,
    HealthyInClusters,
    NoSecrets,
    CiPassing,
    NoCriticalAlerts,
}

/// Kinds whose spec names an owner.
const OWNED_KINDS: &[&str] = &["Component", "API", "Resource", "System", "Domain"];

impl Check {
    /// Every check, in the order the pages show them.
    pub const ALL: [Check; 12] = [
        Check::OwnerResolves,
        Check::HasDescription,
        Check::HasSystem,
        Check::HasDocs,
        Check::DocsBuildClean,
        Check::HasRunbook,
        Check::KubernetesAnnotations,
        Check::RunningInCluster,
        Check::HealthyInClusters,
        Check::NoSecrets,
        Check::CiPassing,
        Check::NoCriticalAlerts,
    ];

    /// The name site.toml and the data files use.
    pub fn id(self) -> &'static str {
        match self {
            Check::OwnerResolves => "owner-resolves",
            Check::HasDescription => "has-description",
            Check::HasSystem => "has-system",
            Check::HasDocs => "has-docs",
            Check::DocsBuildClean => "docs-build-clean",
            Check::HasRunbook => "has-runbook",
            Check::KubernetesAnnotations => "kubernetes-annotations",
            Check::RunningInCluster => "running-in-cluster",
            Check::HealthyInClusters => "healthy-in-clusters",
            Check::NoSecrets => "no-secrets",
            Check::CiPassing => "ci-passing",
            Check::NoCriticalAlerts => "no-critical-alerts",
        }
    }

    pub fn from_id(id: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.id() == id)
    }

    pub fn title(self) -> &'static str {
        match self {
            Check::OwnerResolves => "Owner is a team or person in the catalog",
            Check::HasDescription => "Has a description",
            Check::HasSystem => "Belongs to a system",
            Check::HasDocs => "Has TechDocs",
            Check::DocsBuildClean => "Docs build without errors",
            Check::HasRunbook => "Has a runbook",
            Check::KubernetesAnnotations => "Has Kubernetes annotations",
            Check::RunningInCluster => "Runs in a cluster",
            Check::HealthyInClusters => "Healthy in every cluster",
            Check::NoSecrets => "No secrets in its files",
            Check::CiPassing => "Default branch CI passes",
            Check::NoCriticalAlerts => "No open critical security alerts",
        }
    }

    /// How much the check counts unless site.toml says otherwise. A service failing in its
    /// clusters is the one thing on-call sees first, so that check outweighs the paperwork:
    /// with the defaults a service failing in a cluster scores below 80 (not "good").
    pub fn default_weight(self) -> u32 {
        match self {
            Check::HealthyInClusters => 3,
            _ => 1,
        }
    }

    /// Which entities the check applies to unless site.toml says otherwise.
    pub fn default_scope(self) -> Scope {
        let services = || Scope::new(&["Component"], &["service"], &[]);
        match self {
            Check::OwnerResolves | Check::HasDescription | Check::NoSecrets => {
                Scope::new(OWNED_KINDS, &[], &[])
            }
            Check::HasSystem => Scope::new(&["Component", "API"], &[], &[]),
            Check::HasDocs | Check::DocsBuildClean => {
                Scope::new(&["Component", "API", "System"], &[], &[])
            }
            Check::HasRunbook => services(),
            Check::KubernetesAnnotations | Check::RunningInCluster => {
                Scope::new(&["Component"], &["service"], &["production"])
            }
            Check::HealthyInClusters => services(),
            Check::CiPassing | Check::NoCriticalAlerts => Scope::new(&["Component"], &[], &[]),
        }
    }
}

// `[[scorecards.levels]]`: ordered levels (lowest first), each with the checks it adds; the
// scorecard stage decides which level an entity reaches (`scorecard::levels`).
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
pub fn resolve_levels(raw: Option<Vec<RawLevel>>, text: &str) -> Result<Vec<Level>, String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str) -> Result<ScorecardConfig, String> {
        #[derive(Deserialize)]
        struct Site {
            scorecards: RawScorecards,
        }
        let site: Site = toml::from_str(text).map_err(|e| e.to_string())?;
        site.scorecards.resolve(text)
    }

    #[test]
    fn defaults_enable_every_check_with_its_default_weight() {
        let c = ScorecardConfig::default();
        assert!(c.enabled);
        assert_eq!(c.checks.len(), Check::ALL.len());
        assert!(c
            .checks
            .iter()
            .all(|s| s.weight == s.check.default_weight()));
        assert!(c.api_reference_is_docs);
        assert!(c.runbook.matches("ops/RUNBOOK.md", "Operations"));
        assert!(c.runbook.matches("ops.md", "Payments runbook"));
        assert!(!c.runbook.matches("index.md", "Overview"));
    }

    #[test]
    fn a_check_can_be_disabled_reweighted_and_rescoped() {
        let c = resolve(
            "[scorecards.checks.has-description]\nenabled = false\n[scorecards.checks.has-docs]\nweight = 3\nkinds = [\"Component\"]\ntypes = [\"Website\"]\n",
        )
        .unwrap();
        assert!(c.checks.iter().all(|s| s.check != Check::HasDescription));
        let docs = c.checks.iter().find(|s| s.check == Check::HasDocs).unwrap();
        assert_eq!(docs.weight, 3);
        assert_eq!(docs.scope.kinds, vec!["component"]);
        assert!(docs.scope.covers("Component", Some("website"), None));
        assert!(!docs.scope.covers("Component", Some("service"), None));
        assert!(!docs.scope.covers("Component", None, None));
    }

    #[test]
    fn an_unknown_check_is_an_error_naming_it_and_its_line() {
        let err =
            resolve("[scorecards]\nenabled = true\n\n[scorecards.checks.has-runbok]\nweight = 2\n")
                .unwrap_err();
        assert!(err.contains("`has-runbok`"), "{err}");
        assert!(err.contains("line 4"), "{err}");
        assert!(err.contains("has-runbook"), "{err}");
    }

    #[test]
    fn runbook_patterns_are_settable_and_checked() {
        let c = resolve("[scorecards.checks.has-runbook]\npage_title = \"^on-?call\"\n").unwrap();
        assert!(c.runbook.path.is_none());
        assert!(c.runbook.matches("x.md", "On-call guide"));
        assert!(!c.runbook.matches("runbook.md", "Guide"));
        let err = resolve("[scorecards.checks.has-runbook]\npage_path = \"(\"\n").unwrap_err();
        assert!(err.contains("page_path"), "{err}");
        let err = resolve("[scorecards.checks.has-docs]\npage_path = \"x\"\n").unwrap_err();
        assert!(err.contains("has-runbook"), "{err}");
        let err = resolve("[scorecards.checks.has-runbook]\napi_reference = true\n").unwrap_err();
        assert!(err.contains("only the has-docs check"), "{err}");
        let c = resolve("[scorecards.checks.has-docs]\napi_reference = false\n").unwrap();
        assert!(!c.api_reference_is_docs);
    }
}
