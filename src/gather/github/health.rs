//! Reads the health of each repository with a catalog (see `gather::health`): the latest
//! workflow runs on the gathered branch, the open pull request count (one item per page, the
//! count read from the `rel="last"` link, which spares the search API's tight limit), and open
//! Dependabot and code-scanning alerts. Every request is conditional, so an unchanged
//! repository answers 304s, which do not count against the rate limit; the kept bodies are cut
//! down to the fields read. A 403 or 404 means "not available with this token", not an error.

use super::client::{encode_path, link_target, next_link, now_secs, Ctx, JSON};
use crate::gather::cache::RepoState;
use crate::gather::health::{AlertCounts, RepoHealth, WorkflowRun};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::task::JoinSet;

/// Recent runs read per repository: the latest run of every workflow active on the branch is
/// almost always among them.
const RUNS_PER_PAGE: usize = 30;
/// Pages of alerts read per kind (100 each); beyond that the counts are of the first ones.
const MAX_ALERT_PAGES: usize = 10;

/// What the health requests found, for the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HealthFigures {
    pub read: usize,
    pub stale: usize,
    pub ci_failing: usize,
    pub critical_alerts: usize,
}

/// Reads the health of every repository with a catalog; a repository that failed this run, or
/// whose health cannot be read, keeps its last health marked stale.
pub(super) async fn read_health(
    ctx: &Arc<Ctx>,
    states: &mut BTreeMap<String, RepoState>,
    failed: &BTreeSet<String>,
) -> HealthFigures {
    let mut tasks = JoinSet::new();
    for (name, state) in states.iter_mut() {
        if state.catalog_files.is_empty() {
            state.health = None;
        } else if failed.contains(name) {
            mark_stale(state);
        } else {
            let (ctx, name, url, branch) = (
                ctx.clone(),
                name.clone(),
                state.origin.clone(),
                state.branch.clone(),
            );
            tasks.spawn(async move {
                let health = read_one(&ctx, &name, url, branch).await;
                (name, health)
            });
        }
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((name, result)) = joined else { continue };
        if let Some(state) = states.get_mut(&name) {
            match result {
                Ok(health) => state.health = Some(health),
                Err(_) => mark_stale(state),
            }
        }
    }
    let mut figures = HealthFigures::default();
    for health in states.values().filter_map(|s| s.health.as_ref()) {
        if health.stale {
            figures.stale += 1;
        } else {
            figures.read += 1;
        }
        figures.ci_failing += usize::from(health.ci_passing() == Some(false));
        figures.critical_alerts += usize::from(health.critical_alerts().unwrap_or(0) > 0);
    }
    figures
}

fn mark_stale(state: &mut RepoState) {
    if let Some(h) = &mut state.health {
        h.stale = true;
    }
}

#[derive(Serialize, Deserialize)]
struct Runs {
    workflow_runs: Vec<Run>,
}

#[derive(Serialize, Deserialize)]
struct Run {
    workflow_id: u64,
    name: Option<String>,
    status: Option<String>,
    conclusion: Option<String>,
    created_at: String,
    html_url: String,
}

#[derive(Serialize, Deserialize)]
struct Severity {
    severity: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct DependabotAlert {
    security_advisory: Severity,
}

#[derive(Serialize, Deserialize)]
struct CodeScanningRule {
    security_severity_level: Option<String>,
    severity: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct CodeScanningAlert {
    rule: CodeScanningRule,
}

/// One repository's health; Err only when GitHub could not be reached.
async fn read_one(
    ctx: &Ctx,
    name: &str,
    repo_url: String,
    branch: String,
) -> Result<RepoHealth, String> {
    let base = format!(
        "/repos/{}/{}",
        encode_path(&ctx.source.organization),
        encode_path(name)
    );
    let runs_path = format!(
        "{base}/actions/runs?branch={}&per_page={RUNS_PER_PAGE}",
        encode_path(&branch).replace('/', "%2F")
    );
    let dependabot_path = format!("{base}/dependabot/alerts?state=open&per_page=100");
    let code_scanning_path = format!("{base}/code-scanning/alerts?state=open&per_page=100");
    let (runs, pulls, dependabot, code_scanning) = tokio::join!(
        read_page::<Runs>(ctx, &runs_path),
        open_pull_requests(ctx, &base),
        count_alerts::<DependabotAlert>(ctx, &dependabot_path, |a| a
            .security_advisory
            .severity
            .clone()),
        count_alerts::<CodeScanningAlert>(ctx, &code_scanning_path, |a| a
            .rule
            .security_severity_level
            .clone()
            .or_else(|| a.rule.severity.clone())),
    );
    Ok(RepoHealth {
        repo_url,
        branch,
        workflows: runs?.map(|(runs, _)| latest_per_workflow(runs.workflow_runs)),
        open_pull_requests: pulls?,
        dependabot_alerts: dependabot?,
        code_scanning_alerts: code_scanning?,
        read_at: i64::try_from(now_secs()).unwrap_or(i64::MAX),
        stale: false,
    })
}

/// Runs come newest first: the first of each workflow is its latest. Sorted by name.
fn latest_per_workflow(runs: Vec<Run>) -> Vec<WorkflowRun> {
    let mut seen = BTreeSet::new();
    let mut latest: Vec<WorkflowRun> = runs
        .into_iter()
        .filter(|r| seen.insert(r.workflow_id))
        .map(|r| WorkflowRun {
            workflow: r
                .name
                .unwrap_or_else(|| format!("workflow {}", r.workflow_id)),
            status: r.status.unwrap_or_default(),
            conclusion: r.conclusion,
            created_at: r.created_at,
            html_url: r.html_url,
        })
        .collect();
    latest.sort_by(|a, b| (&a.workflow, &a.created_at).cmp(&(&b.workflow, &b.created_at)));
    latest
}

/// One page of a listing, conditional, with its Link header. `None` when GitHub answers
/// anything but 2xx (not enabled, not permitted) or something unreadable.
async fn read_page<T: DeserializeOwned + Serialize>(
    ctx: &Ctx,
    path: &str,
) -> Result<Option<(T, Option<String>)>, String> {
    let reply = ctx.get(path, JSON, true).await?;
    if !(200..300).contains(&reply.status) {
        return Ok(None);
    }
    let Ok(value) = serde_json::from_slice::<T>(&reply.body) else {
        return Ok(None);
    };
    // Keep only the fields read: a 304 next time is answered from this.
    if let Ok(compact) = serde_json::to_string(&value) {
        ctx.keep_compact(path, compact);
    }
    Ok(Some((value, reply.link)))
}

/// Open pull requests: with one per page, the number of the last page is the count.
async fn open_pull_requests(ctx: &Ctx, base: &str) -> Result<Option<u64>, String> {
    #[derive(Serialize, Deserialize)]
    struct Pull {
        number: u64,
    }
    let page = read_page::<Vec<Pull>>(ctx, &format!("{base}/pulls?state=open&per_page=1")).await?;
    Ok(page.map(|(first, link)| {
        link.as_deref()
            .and_then(last_page)
            .unwrap_or(first.len() as u64)
    }))
}

/// The `page` number of a Link header's `rel="last"` target.
fn last_page(link: &str) -> Option<u64> {
    let url = url::Url::parse(&link_target(link, "last")?).ok()?;
    let page = url.query_pairs().find(|(k, _)| k == "page")?.1;
    page.parse().ok()
}

/// Open alerts of one kind by severity, following pagination up to `MAX_ALERT_PAGES`.
async fn count_alerts<T: DeserializeOwned + Serialize>(
    ctx: &Ctx,
    first: &str,
    severity: impl Fn(&T) -> Option<String>,
) -> Result<Option<AlertCounts>, String> {
    let mut counts = AlertCounts::default();
    let mut next = Some(first.to_string());
    for _ in 0..MAX_ALERT_PAGES {
        let Some(path) = next.take() else { break };
        let Some((alerts, link)) = read_page::<Vec<T>>(ctx, &path).await? else {
            // Not available at all, or (on a later page) cut short: what was counted stands.
            return Ok((path != first).then_some(counts));
        };
        for alert in &alerts {
            counts.add(severity(alert).as_deref().unwrap_or("low"));
        }
        next = link
            .as_deref()
            .and_then(next_link)
            .and_then(|u| ctx.relative(&u));
    }
    Ok(Some(counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_page_numbers_and_latest_runs() {
        let link = "<https://api.github.com/repos/o/r/pulls?state=open&per_page=1&page=2>; rel=\"next\", <https://api.github.com/repos/o/r/pulls?state=open&per_page=1&page=17>; rel=\"last\"";
        assert_eq!(last_page(link), Some(17));
        assert_eq!(last_page("<https://x/y?page=2>; rel=\"next\""), None);
        let run = |id: u64, name: &str, conclusion: &str, at: &str| Run {
            workflow_id: id,
            name: Some(name.into()),
            status: Some("completed".into()),
            conclusion: Some(conclusion.into()),
            created_at: at.into(),
            html_url: format!("https://github.com/o/r/actions/runs/{id}{at}"),
        };
        let latest = latest_per_workflow(vec![
            run(2, "Release", "success", "2026-01-03"),
            run(1, "CI", "failure", "2026-01-02"),
            run(1, "CI", "success", "2026-01-01"),
        ]);
        let got: Vec<(&str, Option<&str>)> = latest
            .iter()
            .map(|r| (r.workflow.as_str(), r.conclusion.as_deref()))
            .collect();
        assert_eq!(
            got,
            vec![("CI", Some("failure")), ("Release", Some("success"))]
        );
    }
}
