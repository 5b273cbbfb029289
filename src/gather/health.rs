//! Repository health as GitHub reports it: the latest run of each workflow on the gathered
//! branch, the number of open pull requests, and open Dependabot and code-scanning alerts by
//! severity. Plain data: the github source fills it (see `github/health.rs`), the entity page
//! shows it, and checks can read it. A part the token may not read is `None`, never an error.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepoHealth {
    /// Web address of the repository, for links to its runs, pull requests and alerts.
    pub repo_url: String,
    /// The branch whose workflow runs were read (the branch the catalog was gathered from).
    pub branch: String,
    /// The latest run of each workflow on `branch`, sorted by workflow name; `None` when the
    /// runs could not be read (Actions disabled, or no `actions: read` permission).
    pub workflows: Option<Vec<WorkflowRun>>,
    /// `None` when pull requests could not be read.
    pub open_pull_requests: Option<u64>,
    /// Open Dependabot alerts; `None` when not available with this token or repository.
    pub dependabot_alerts: Option<AlertCounts>,
    /// Open code-scanning alerts; `None` when not available with this token or repository.
    pub code_scanning_alerts: Option<AlertCounts>,
    /// When the figures were read, in seconds since the epoch.
    pub read_at: i64,
    /// The last run could not refresh the figures: they are those of `read_at`.
    pub stale: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowRun {
    pub workflow: String,
    /// `queued`, `in_progress`, `completed`, … as GitHub reports it.
    pub status: String,
    /// `success`, `failure`, `cancelled`, `timed_out`, … once the run completed.
    pub conclusion: Option<String>,
    /// When the run was created, as GitHub wrote it (RFC 3339, UTC).
    pub created_at: String,
    pub html_url: String,
}

/// What a run means for someone asking "is the default branch green?".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunOutcome {
    Passed,
    Failed,
    Running,
    /// Cancelled, skipped, neutral, stale: says nothing about the code.
    Other,
}

impl WorkflowRun {
    pub fn outcome(&self) -> RunOutcome {
        if self.status != "completed" {
            return RunOutcome::Running;
        }
        match self.conclusion.as_deref() {
            Some("success") => RunOutcome::Passed,
            Some("failure" | "timed_out" | "startup_failure" | "action_required") => {
                RunOutcome::Failed
            }
            _ => RunOutcome::Other,
        }
    }
}

/// Open alerts by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertCounts {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
}

impl AlertCounts {
    pub fn total(&self) -> u64 {
        self.critical + self.high + self.medium + self.low
    }

    /// Counts one alert of `severity` (`critical`, `high`, `medium`/`moderate`, `low`);
    /// code scanning's rule severities without a security level count as `error` → high,
    /// `warning` → medium, `note` → low.
    pub fn add(&mut self, severity: &str) {
        match severity.to_ascii_lowercase().as_str() {
            "critical" => self.critical += 1,
            "high" | "error" => self.high += 1,
            "medium" | "moderate" | "warning" => self.medium += 1,
            _ => self.low += 1,
        }
    }
}

impl RepoHealth {
    /// Whether the latest run of every workflow on the branch passed; `None` when no run is
    /// known. A failed run makes it false; one still running or cancelled does not.
    pub fn ci_passing(&self) -> Option<bool> {
        let runs = self.workflows.as_ref().filter(|w| !w.is_empty())?;
        Some(runs.iter().all(|r| r.outcome() != RunOutcome::Failed))
    }

    /// Open critical alerts of both kinds; `None` when neither kind could be read.
    pub fn critical_alerts(&self) -> Option<u64> {
        match (self.dependabot_alerts, self.code_scanning_alerts) {
            (None, None) => None,
            (a, b) => Some(a.map_or(0, |c| c.critical) + b.map_or(0, |c| c.critical)),
        }
    }
}

/// Gives each repository the health a JSON file (repository name → [`RepoHealth`]) holds for
/// it. A file that cannot be read is one warning, returned; the repositories keep no health.
pub fn attach_from_file(
    repos: &mut [super::Repo],
    file: &std::path::Path,
) -> Option<crate::diagnostics::Diagnostic> {
    let read = || -> Result<std::collections::BTreeMap<String, RepoHealth>, String> {
        let text = std::fs::read(file).map_err(|e| format!("cannot read it: {e}"))?;
        serde_json::from_slice(&text).map_err(|e| {
            format!(
                "line {}: not a JSON object of repository name to health ({e})",
                e.line()
            )
        })
    };
    match read() {
        Ok(mut by_repo) => {
            for repo in repos {
                if let Some(health) = by_repo.remove(&repo.name) {
                    repo.health = Some(health);
                }
            }
            None
        }
        Err(why) => Some(
            crate::diagnostics::Diagnostic::warning(
                "gather/health-file-unreadable",
                format!("{why}; repository health is left out. Fix or remove `health_file`"),
            )
            .file(file.display().to_string()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(status: &str, conclusion: Option<&str>) -> WorkflowRun {
        WorkflowRun {
            workflow: "ci".into(),
            status: status.into(),
            conclusion: conclusion.map(str::to_string),
            ..WorkflowRun::default()
        }
    }

    #[test]
    fn outcomes_and_summaries() {
        assert_eq!(
            run("completed", Some("success")).outcome(),
            RunOutcome::Passed
        );
        assert_eq!(
            run("completed", Some("timed_out")).outcome(),
            RunOutcome::Failed
        );
        assert_eq!(run("in_progress", None).outcome(), RunOutcome::Running);
        assert_eq!(
            run("completed", Some("cancelled")).outcome(),
            RunOutcome::Other
        );
        let mut health = RepoHealth::default();
        assert_eq!(health.ci_passing(), None);
        assert_eq!(health.critical_alerts(), None);
        health.workflows = Some(vec![
            run("completed", Some("success")),
            run("in_progress", None),
        ]);
        assert_eq!(health.ci_passing(), Some(true));
        health
            .workflows
            .as_mut()
            .unwrap()
            .push(run("completed", Some("failure")));
        assert_eq!(health.ci_passing(), Some(false));
        let mut alerts = AlertCounts::default();
        for s in ["critical", "HIGH", "moderate", "warning", "note", "error"] {
            alerts.add(s);
        }
        assert_eq!(
            (alerts.critical, alerts.high, alerts.medium, alerts.low),
            (1, 2, 2, 1)
        );
        health.code_scanning_alerts = Some(alerts);
        assert_eq!(health.critical_alerts(), Some(1));
    }
}
