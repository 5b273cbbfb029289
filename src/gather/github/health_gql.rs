//! Repository health over GraphQL, 50 repositories per request: the gathered branch head's
//! status-check rollup (one entry per workflow or status context), the open pull request
//! count, and open vulnerability (Dependabot) alerts by severity. A field GraphQL forbids for
//! one repository is that feature refused there; a field the schema does not know (older
//! GitHub Enterprise) is left out of the query and read over REST, as is everything of a
//! repository GraphQL could not answer. Code scanning has no GraphQL field: always REST.

use super::graphql::{in_batches, literal, GqlData};
use super::health_parts::{Part, Parts};
use super::Ctx;
use crate::gather::health::{AlertCounts, RunOutcome, WorkflowRun};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Repositories per health request.
const BATCH: usize = 50;
/// Check runs and status contexts read per head commit.
const CONTEXTS: usize = 50;
/// Vulnerability alerts read per repository for their severities.
const ALERTS: usize = 100;

/// The field that carries each part GraphQL can read.
fn field(part: Part) -> Option<&'static str> {
    match part {
        Part::Actions => Some("statusCheckRollup"),
        Part::Pulls => Some("pullRequests"),
        Part::Dependabot => Some("vulnerabilityAlerts"),
        Part::CodeScanning => None,
    }
}

/// Fills the parts GraphQL can read into `due` (repository → branch and parts); what it leaves
/// open is for REST.
pub(super) async fn read(ctx: &Ctx, due: &mut BTreeMap<String, (String, Parts)>) {
    let items: Vec<(String, String, Vec<Part>)> = due
        .iter()
        .map(|(name, (branch, parts))| {
            let wanted = Part::ALL
                .into_iter()
                .filter(|p| field(*p).is_some() && parts.open(*p))
                .collect();
            (name.clone(), branch.clone(), wanted)
        })
        .filter(|(_, _, wanted): &(String, String, Vec<Part>)| !wanted.is_empty())
        .collect();
    if items.is_empty() {
        return;
    }
    let refusable: Vec<&str> = Part::ALL.into_iter().filter_map(field).collect();
    let org = literal(&ctx.source.organization);
    let batches = in_batches(ctx, items, BATCH, &refusable, |batch, refused| {
        let mut q = String::from("query { rateLimit { cost remaining resetAt }\n");
        for (i, (name, branch, wanted)) in batch.iter().enumerate() {
            q.push_str(&format!(
                "r{i}: repository(owner: {org}, name: {}) {{",
                literal(name)
            ));
            for part in asked(wanted, refused) {
                q.push_str(&selection(part, branch));
            }
            q.push_str(" }\n");
        }
        q.push('}');
        q
    })
    .await;
    for (batch, answer) in &batches.answers {
        for (i, (name, _, wanted)) in batch.iter().enumerate() {
            if let Some((_, parts)) = due.get_mut(name) {
                read_repo(
                    answer,
                    &format!("r{i}"),
                    &asked(wanted, &batches.refused),
                    parts,
                );
            }
        }
    }
}

/// The parts of `wanted` whose field the schema did not refuse.
fn asked(wanted: &[Part], refused: &BTreeSet<String>) -> Vec<Part> {
    wanted
        .iter()
        .copied()
        .filter(|p| field(*p).is_some_and(|f| !refused.contains(f)))
        .collect()
}

fn selection(part: Part, branch: &str) -> String {
    match part {
        Part::Actions => format!(
            " ref(qualifiedName: {}) {{ target {{ ... on Commit {{ statusCheckRollup {{ state contexts(first: {CONTEXTS}) {{ nodes {{ __typename ... on CheckRun {{ name status conclusion startedAt detailsUrl checkSuite {{ workflowRun {{ url workflow {{ name }} }} }} }} ... on StatusContext {{ context state targetUrl createdAt }} }} }} }} }} }} }}",
            literal(&format!("refs/heads/{branch}"))
        ),
        Part::Pulls => " pullRequests(states: OPEN) { totalCount }".to_string(),
        Part::Dependabot => format!(
            " vulnerabilityAlerts(states: OPEN, first: {ALERTS}) {{ totalCount nodes {{ securityVulnerability {{ severity }} }} }}"
        ),
        Part::CodeScanning => String::new(),
    }
}

/// One repository's answer into its parts: a field error is a refusal, a missing repository
/// leaves everything to REST.
fn read_repo(answer: &GqlData, alias: &str, asked: &[Part], parts: &mut Parts) {
    let repo = &answer.data[alias];
    if !repo.is_object() {
        return;
    }
    for &part in asked {
        let name = match part {
            Part::Actions => "ref",
            other => field(other).unwrap_or_default(),
        };
        let error = answer.errors.iter().find(|e| {
            e.path.first().map(String::as_str) == Some(alias)
                && e.path.get(1).map(String::as_str) == Some(name)
        });
        if let Some(e) = error {
            let status = if e.kind == "NOT_FOUND" { 404 } else { 403 };
            parts.refuse(part, Some(status));
            continue;
        }
        match part {
            Part::Actions => {
                let rollup = &repo["ref"]["target"]["statusCheckRollup"];
                parts.workflows = Some(Some(runs_of(rollup)));
            }
            Part::Pulls => parts.pulls = Some(repo["pullRequests"]["totalCount"].as_u64()),
            Part::Dependabot => parts.dependabot = Some(alert_counts(&repo["vulnerabilityAlerts"])),
            Part::CodeScanning => {}
        }
    }
}

fn alert_counts(alerts: &Value) -> Option<AlertCounts> {
    let nodes = alerts["nodes"].as_array()?;
    let mut counts = AlertCounts::default();
    for node in nodes {
        counts.add(
            node["securityVulnerability"]["severity"]
                .as_str()
                .unwrap_or("low"),
        );
    }
    Some(counts)
}

/// The rollup's check runs and status contexts, one entry per workflow (or context), sorted by
/// name; none when the commit has no checks.
fn runs_of(rollup: &Value) -> Vec<WorkflowRun> {
    let mut by_name: BTreeMap<String, WorkflowRun> = BTreeMap::new();
    for node in rollup["contexts"]["nodes"].as_array().into_iter().flatten() {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let lower = |v: &Value| v.as_str().map(str::to_ascii_lowercase);
        let run = if node["__typename"] == "StatusContext" {
            let state = lower(&node["state"]).unwrap_or_default();
            WorkflowRun {
                workflow: text(&node["context"]),
                status: if matches!(state.as_str(), "pending" | "expected") {
                    "in_progress"
                } else {
                    "completed"
                }
                .to_string(),
                conclusion: match state.as_str() {
                    "success" => Some("success".to_string()),
                    "failure" | "error" => Some("failure".to_string()),
                    _ => None,
                },
                created_at: text(&node["createdAt"]),
                html_url: text(&node["targetUrl"]),
            }
        } else {
            let run = &node["checkSuite"]["workflowRun"];
            WorkflowRun {
                workflow: run["workflow"]["name"]
                    .as_str()
                    .map_or_else(|| text(&node["name"]), str::to_string),
                status: lower(&node["status"]).unwrap_or_default(),
                conclusion: lower(&node["conclusion"]),
                created_at: text(&node["startedAt"]),
                html_url: run["url"]
                    .as_str()
                    .map_or_else(|| text(&node["detailsUrl"]), str::to_string),
            }
        };
        match by_name.get_mut(&run.workflow) {
            Some(kept) => merge(kept, run),
            None => {
                by_name.insert(run.workflow.clone(), run);
            }
        }
    }
    by_name.into_values().collect()
}

/// Two checks of one workflow as one: running while either runs, failed when either failed.
fn merge(kept: &mut WorkflowRun, other: WorkflowRun) {
    if other.outcome() == RunOutcome::Failed && kept.outcome() != RunOutcome::Failed {
        kept.conclusion = other.conclusion;
        kept.html_url = other.html_url;
    }
    if other.status != "completed" {
        kept.status = other.status;
    }
    if other.created_at < kept.created_at {
        kept.created_at = other.created_at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_rollup_gives_one_entry_per_workflow() {
        let rollup = json!({ "state": "FAILURE", "contexts": { "nodes": [
            { "__typename": "CheckRun", "name": "build", "status": "COMPLETED", "conclusion": "SUCCESS",
              "startedAt": "2026-01-02T09:31:00Z", "checkSuite": { "workflowRun": { "url": "u1", "workflow": { "name": "CI" } } } },
            { "__typename": "CheckRun", "name": "test", "status": "COMPLETED", "conclusion": "FAILURE",
              "startedAt": "2026-01-02T09:30:00Z", "checkSuite": { "workflowRun": { "url": "u1", "workflow": { "name": "CI" } } } },
            { "__typename": "StatusContext", "context": "ci/jenkins", "state": "PENDING", "targetUrl": "j", "createdAt": "2026-01-02T09:00:00Z" },
        ] } });
        let runs = runs_of(&rollup);
        let got: Vec<(&str, &str, Option<&str>, &str)> = runs
            .iter()
            .map(|r| {
                (
                    r.workflow.as_str(),
                    r.status.as_str(),
                    r.conclusion.as_deref(),
                    r.created_at.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("CI", "completed", Some("failure"), "2026-01-02T09:30:00Z"),
                ("ci/jenkins", "in_progress", None, "2026-01-02T09:00:00Z"),
            ]
        );
        assert!(runs_of(&Value::Null).is_empty());
    }
}
