//! The entity page's Repository card: the health of the GitHub repository an entity was read
//! from (CI per workflow, open pull requests, open alerts), with links to GitHub. Dates are
//! absolute, so the page stays the same until the figures change.

use crate::gather::health::{AlertCounts, RepoHealth, RunOutcome};
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct RepositoryCard {
    pub url: String,
    pub branch: String,
    /// None: the runs could not be read; empty: no workflow ran on the branch.
    pub workflows: Option<Vec<RunRow>>,
    pub open_pull_requests: Option<u64>,
    pub pulls_url: String,
    pub alerts: Vec<AlertRow>,
    /// When the figures were read, set only when this build could not refresh them.
    pub stale_since: Option<String>,
    /// The same as an RFC 3339 time, for the reader's clock to age.
    pub stale_since_iso: Option<String>,
}

#[derive(Serialize)]
pub(super) struct RunRow {
    pub workflow: String,
    pub outcome: RunOutcome,
    /// The conclusion (or status while running) in words.
    pub label: String,
    pub when: String,
    /// RFC 3339, for the reader's clock to age; empty when GitHub's time did not parse.
    pub when_iso: String,
    pub url: Option<String>,
}

#[derive(Serialize)]
pub(super) struct AlertRow {
    pub kind: &'static str,
    pub url: String,
    /// None: not available with this token.
    pub counts: Option<AlertCounts>,
    pub total: u64,
}

/// `2026-01-01 10:00 UTC` from an RFC 3339 UTC time; the text as given when it does not parse.
fn when(text: &str) -> String {
    match crate::time::parse_rfc3339(text) {
        Some(secs) => {
            let t = crate::time::iso_datetime(secs);
            format!("{} {} UTC", &t[..10], &t[11..16])
        }
        None => text.to_string(),
    }
}

pub(super) fn card(health: &RepoHealth) -> Option<RepositoryCard> {
    let url = crate::catalog::summary::safe_url(&health.repo_url)?;
    let url = url.trim_end_matches('/').to_string();
    let workflows = health.workflows.as_ref().map(|runs| {
        runs.iter()
            .map(|r| RunRow {
                workflow: r.workflow.clone(),
                outcome: r.outcome(),
                label: r
                    .conclusion
                    .clone()
                    .filter(|_| r.status == "completed")
                    .unwrap_or_else(|| r.status.clone())
                    .replace('_', " "),
                when: when(&r.created_at),
                when_iso: crate::time::parse_rfc3339(&r.created_at)
                    .map(crate::time::iso_datetime)
                    .unwrap_or_default(),
                url: crate::catalog::summary::safe_url(&r.html_url),
            })
            .collect()
    });
    let alerts = [
        (
            "Dependabot",
            "security/dependabot",
            health.dependabot_alerts,
        ),
        (
            "Code scanning",
            "security/code-scanning",
            health.code_scanning_alerts,
        ),
    ]
    .into_iter()
    .map(|(kind, page, counts)| AlertRow {
        kind,
        url: format!("{url}/{page}"),
        counts,
        total: counts.map_or(0, |c| c.total()),
    })
    .collect();
    Some(RepositoryCard {
        pulls_url: format!("{url}/pulls"),
        branch: health.branch.clone(),
        workflows,
        open_pull_requests: health.open_pull_requests,
        alerts,
        stale_since: health
            .stale
            .then(|| when(&crate::time::iso_datetime(health.read_at))),
        stale_since_iso: health
            .stale
            .then(|| crate::time::iso_datetime(health.read_at)),
        url,
    })
}
