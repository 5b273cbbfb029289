//! Reads the health of each repository with a catalog (see `gather::health`): the latest
//! workflow runs on the gathered branch, the open pull request count, and open Dependabot and
//! code-scanning alerts. With GraphQL, the first three come in batches (`health_gql`) for the
//! repositories that changed since their figures were read, or whose figures are older than
//! the recheck interval; the others keep theirs. Over REST (no GraphQL, a refused field, and
//! code scanning, which GraphQL does not offer) every request is conditional, so an unchanged
//! repository answers 304s, which do not count against the rate limit; the pull request count
//! comes from one-item pages and the `rel="last"` link, sparing the search API's tight limit.
//! A 403 or 404 means "not available": it is remembered with the repository's state and not
//! asked again until the repository changes or the recheck interval has passed.

use super::client::{encode_path, link_target, next_link, now_secs, Ctx, JSON};
use super::health_parts::{Part, Parts};
use crate::gather::cache::{Refusal, RepoState};
use crate::gather::health::{AlertCounts, RepoHealth, WorkflowRun};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
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
    /// Unchanged since their figures were read, within the recheck interval: not asked.
    pub kept: usize,
    pub stale: usize,
    pub ci_failing: usize,
    pub critical_alerts: usize,
}

/// Reads the health of every repository with a catalog that is due; a repository that failed
/// this run, or whose health cannot be read, keeps its last health marked stale.
pub(super) async fn read_health(
    ctx: &Arc<Ctx>,
    states: &mut BTreeMap<String, RepoState>,
    failed: &BTreeSet<String>,
) -> HealthFigures {
    let now = i64::try_from(now_secs()).unwrap_or(i64::MAX);
    let recheck = ctx.source.recheck_secs;
    let graphql = ctx.graphql_on();
    let mut figures = HealthFigures::default();
    let mut due: BTreeMap<String, (String, Parts)> = BTreeMap::new();
    for (name, state) in states.iter_mut() {
        if state.catalog_files.is_empty() {
            state.health = None;
        } else if failed.contains(name) {
            mark_stale(state);
        } else if graphql && !health_due(state, now, recheck) {
            figures.kept += 1;
        } else {
            let parts = Parts::for_state(state, now, recheck);
            due.insert(name.clone(), (state.branch.clone(), parts));
        }
    }
    if graphql {
        super::health_gql::read(ctx, &mut due).await;
    }
    let mut tasks = JoinSet::new();
    for (name, (branch, parts)) in due {
        let ctx = ctx.clone();
        tasks.spawn(async move {
            let read = read_rest(&ctx, &name, &branch, parts).await;
            (name, read)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((name, result)) = joined else { continue };
        if let Some(state) = states.get_mut(&name) {
            match result {
                Ok(parts) => settle(state, parts, now, recheck),
                Err(_) => mark_stale(state),
            }
        }
    }
    for (name, health) in states
        .iter()
        .filter_map(|(n, s)| Some((n, s.health.as_ref()?)))
    {
        if health.stale {
            figures.stale += 1;
        } else if !failed.contains(name) {
            figures.read += 1;
        }
        figures.ci_failing += usize::from(health.ci_passing() == Some(false));
        figures.critical_alerts += usize::from(health.critical_alerts().unwrap_or(0) > 0);
    }
    figures.read -= figures.kept;
    figures
}

/// Whether a repository's figures are to be read again: none yet, stale, pushed to since, or
/// older than the recheck interval.
fn health_due(state: &RepoState, now: i64, recheck_secs: u64) -> bool {
    match &state.health {
        None => true,
        Some(h) => {
            h.stale
                || state.health_pushed_at != state.pushed_at
                || now.saturating_sub(h.read_at) >= i64::try_from(recheck_secs).unwrap_or(i64::MAX)
        }
    }
}

/// Writes the figures read into the repository's state: refusals answered now are
/// remembered, those asked again and not repeated are forgotten.
fn settle(state: &mut RepoState, parts: Parts, now: i64, recheck_secs: u64) {
    for part in Part::ALL {
        match parts.refused.iter().find(|(p, _)| *p == part) {
            Some((_, status)) => {
                let refusal = Refusal {
                    status: *status,
                    at: now,
                    pushed_at: state.pushed_at.clone(),
                };
                state.refused.insert(part.key().to_string(), refusal);
            }
            None => {
                let stands = state
                    .refused
                    .get(part.key())
                    .is_some_and(|r| r.stands(&state.pushed_at, now, recheck_secs));
                if !stands {
                    state.refused.remove(part.key());
                }
            }
        }
    }
    state.health_pushed_at = state.pushed_at.clone();
    state.health = Some(RepoHealth {
        repo_url: state.origin.clone(),
        branch: state.branch.clone(),
        workflows: parts.workflows.flatten(),
        open_pull_requests: parts.pulls.flatten(),
        dependabot_alerts: parts.dependabot.flatten(),
        code_scanning_alerts: parts.code_scanning.flatten(),
        read_at: now,
        stale: false,
    });
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

/// What one REST read gave.
enum Answer<T> {
    Got(T),
    /// 403 or 404: the feature is off or not for this token.
    Refused(u16),
    /// Another status, or an answer that cannot be read.
    Unreadable,
}

impl<T> Answer<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Answer<U> {
        match self {
            Answer::Got(v) => Answer::Got(f(v)),
            Answer::Refused(s) => Answer::Refused(s),
            Answer::Unreadable => Answer::Unreadable,
        }
    }
}

/// Runs `read` only when `wanted`.
async fn ask<T>(
    wanted: bool,
    read: impl Future<Output = Result<Answer<T>, String>>,
) -> Result<Option<Answer<T>>, String> {
    if wanted {
        read.await.map(Some)
    } else {
        Ok(None)
    }
}

/// Puts a REST answer for `part` into its slot.
fn fill<T>(
    parts: &mut Parts,
    part: Part,
    slot: fn(&mut Parts) -> &mut Option<Option<T>>,
    answer: Option<Answer<T>>,
) {
    match answer {
        None => {}
        Some(Answer::Got(value)) => *slot(parts) = Some(Some(value)),
        Some(Answer::Refused(status)) => parts.refuse(part, Some(status)),
        Some(Answer::Unreadable) => parts.refuse(part, None),
    }
}

/// The parts of one repository's health still open, over REST; Err only when GitHub could not
/// be reached.
async fn read_rest(ctx: &Ctx, name: &str, branch: &str, mut parts: Parts) -> Result<Parts, String> {
    let base = format!(
        "/repos/{}/{}",
        encode_path(&ctx.source.organization),
        encode_path(name)
    );
    let runs_path = format!(
        "{base}/actions/runs?branch={}&per_page={RUNS_PER_PAGE}",
        encode_path(branch).replace('/', "%2F")
    );
    let dependabot_path = format!("{base}/dependabot/alerts?state=open&per_page=100");
    let code_scanning_path = format!("{base}/code-scanning/alerts?state=open&per_page=100");
    let (runs, pulls, dependabot, code_scanning) = tokio::join!(
        ask(parts.open(Part::Actions), async {
            let page = read_page::<Runs>(ctx, &runs_path).await?;
            Ok(page.map(|(runs, _)| latest_per_workflow(runs.workflow_runs)))
        }),
        ask(parts.open(Part::Pulls), open_pull_requests(ctx, &base)),
        ask(
            parts.open(Part::Dependabot),
            count_alerts::<DependabotAlert>(ctx, &dependabot_path, |a| a
                .security_advisory
                .severity
                .clone())
        ),
        ask(
            parts.open(Part::CodeScanning),
            count_alerts::<CodeScanningAlert>(ctx, &code_scanning_path, |a| a
                .rule
                .security_severity_level
                .clone()
                .or_else(|| a.rule.severity.clone()))
        ),
    );
    fill(&mut parts, Part::Actions, |p| &mut p.workflows, runs?);
    fill(&mut parts, Part::Pulls, |p| &mut p.pulls, pulls?);
    fill(
        &mut parts,
        Part::Dependabot,
        |p| &mut p.dependabot,
        dependabot?,
    );
    fill(
        &mut parts,
        Part::CodeScanning,
        |p| &mut p.code_scanning,
        code_scanning?,
    );
    Ok(parts)
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

/// One page of a listing, conditional, with its Link header; a 403 or 404 is a refusal.
async fn read_page<T: DeserializeOwned + Serialize>(
    ctx: &Ctx,
    path: &str,
) -> Result<Answer<(T, Option<String>)>, String> {
    let reply = ctx.get(path, JSON, true).await?;
    if matches!(reply.status, 403 | 404) {
        return Ok(Answer::Refused(reply.status));
    }
    if !(200..300).contains(&reply.status) {
        return Ok(Answer::Unreadable);
    }
    let Ok(value) = serde_json::from_slice::<T>(&reply.body) else {
        return Ok(Answer::Unreadable);
    };
    // Keep only the fields read: a 304 next time is answered from this.
    if let Ok(compact) = serde_json::to_string(&value) {
        ctx.keep_compact(path, compact);
    }
    Ok(Answer::Got((value, reply.link)))
}

/// Open pull requests: with one per page, the number of the last page is the count.
async fn open_pull_requests(ctx: &Ctx, base: &str) -> Result<Answer<u64>, String> {
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
) -> Result<Answer<AlertCounts>, String> {
    let mut counts = AlertCounts::default();
    let mut next = Some(first.to_string());
    for _ in 0..MAX_ALERT_PAGES {
        let Some(path) = next.take() else { break };
        let (alerts, link) = match read_page::<Vec<T>>(ctx, &path).await? {
            Answer::Got(page) => page,
            // Cut short on a later page: what was counted stands.
            _ if path != first => break,
            other => return Ok(other.map(|_| counts)),
        };
        for alert in &alerts {
            counts.add(severity(alert).as_deref().unwrap_or("low"));
        }
        next = link
            .as_deref()
            .and_then(next_link)
            .and_then(|u| ctx.relative(&u));
    }
    Ok(Answer::Got(counts))
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
