//! The checks: one variant each, with its id (as site.toml names it), title, default scope and
//! the function that judges one entity from the scorecard's inputs. A new check is one more
//! variant here, its arm in each match, and (when it reads new data) a field of `Inputs`.

use super::config::{Check, RunbookPattern, ScorecardConfig};
use super::{ClusterData, Inputs, Outcome};
use crate::catalog::summary::first_target;
use crate::catalog::{Entity, EntityRef};
use crate::cluster::matching::{ID_ANNOTATION, SELECTOR_ANNOTATION};
use crate::diagnostics::Severity;

impl Check {
    /// Judges one entity that is in the check's scope.
    pub fn judge(self, e: &Entity, inputs: &Inputs<'_>, config: &ScorecardConfig) -> Outcome {
        match self {
            Check::OwnerResolves => owner_resolves(e, inputs),
            Check::HasDescription => has_description(e),
            Check::HasSystem => has_system(e, inputs),
            Check::HasDocs => has_docs(e, inputs, config.api_reference_is_docs),
            Check::DocsBuildClean => docs_build_clean(e, inputs),
            Check::HasRunbook => has_runbook(e, inputs, &config.runbook),
            Check::KubernetesAnnotations => kubernetes_annotations(e),
            Check::RunningInCluster => running_in_cluster(e, inputs),
            Check::HealthyInClusters => healthy_in_clusters(e, inputs),
            Check::NoSecrets => no_secrets(e, inputs),
            Check::CiPassing => ci_passing(e, inputs),
            Check::NoCriticalAlerts => no_critical_alerts(e, inputs),
        }
    }
}

fn owner_resolves(e: &Entity, inputs: &Inputs<'_>) -> Outcome {
    let Some(owner) = first_target(inputs.catalog, &e.key, "ownedBy", None) else {
        return Outcome::fail(
            "spec.owner is not set",
            "Set spec.owner to the team that runs it, e.g. `owner: group:default/team-payments`.",
        );
    };
    match inputs.catalog.get(owner) {
        Some(o) if matches!(owner.kind.as_str(), "group" | "user") => {
            Outcome::pass(format!("owned by {} ({owner})", o.title()))
        }
        Some(_) => Outcome::fail(
            format!("the owner {owner} is not a Group or a User"),
            "Point spec.owner at the Group (or User) responsible for it.",
        ),
        None => Outcome::fail(
            format!("the owner {owner} is not in the catalog"),
            format!(
                "Define a Group named {} in the organisation's catalog, or fix spec.owner.",
                owner.name
            ),
        ),
    }
}

fn has_description(e: &Entity) -> Outcome {
    match e.metadata_str("description").map(str::trim) {
        Some(d) if !d.is_empty() => Outcome::pass("metadata.description is set"),
        _ => Outcome::fail(
            "metadata.description is missing or empty",
            "Add a one-sentence metadata.description saying what it does and for whom.",
        ),
    }
}

fn has_system(e: &Entity, inputs: &Inputs<'_>) -> Outcome {
    let system = first_target(inputs.catalog, &e.key, "partOf", Some("system"));
    match system.map(|s| (s, inputs.catalog.get(s))) {
        Some((s, Some(found))) => Outcome::pass(format!("part of {} ({s})", found.title())),
        Some((s, None)) => Outcome::fail(
            format!("spec.system names {s}, which is not in the catalog"),
            "Define that System entity, or fix spec.system.",
        ),
        None => Outcome::fail(
            "spec.system is not set",
            "Set spec.system to the System it belongs to, so people can find its neighbours.",
        ),
    }
}

fn has_docs(e: &Entity, inputs: &Inputs<'_>, api_reference_is_docs: bool) -> Outcome {
    if let Some(site) = inputs.docs.site_of(&e.key) {
        let pages = site.pages.len();
        return Outcome::pass(format!(
            "TechDocs \"{}\", {pages} page{}",
            site.site_name,
            if pages == 1 { "" } else { "s" }
        ));
    }
    if api_reference_is_docs && e.key.kind == "api" && e.has_definition() {
        let format = e.spec_str("type").unwrap_or("unknown type");
        return Outcome::pass(format!(
            "its API reference, from spec.definition ({format})"
        ));
    }
    if e.annotation(crate::docs::TECHDOCS_REF).is_some()
        || e.annotation(crate::docs::TECHDOCS_ENTITY).is_some()
    {
        Outcome::fail(
            "its docs annotation is set, but no docs were built from it",
            "See the docs/ diagnostics of this entity on the issues page and fix the techdocs-ref or the docs directory.",
        )
    } else {
        Outcome::fail(
            "no backstage.io/techdocs-ref annotation",
            "Add `backstage.io/techdocs-ref: dir:.` and a docs/ directory with an index.md (and mkdocs.yml).",
        )
    }
}

/// The entity whose docs `e` shows: itself, or the one its techdocs-entity names.
fn docs_owner<'a>(e: &'a Entity, inputs: &Inputs<'a>) -> &'a EntityRef {
    inputs.docs.site_of(&e.key).map_or(&e.key, |s| &s.entity)
}

fn docs_build_clean(e: &Entity, inputs: &Inputs<'_>) -> Outcome {
    let has_ref = e.annotation(crate::docs::TECHDOCS_REF).is_some();
    if inputs.docs.site_of(&e.key).is_none() && !has_ref {
        return Outcome::not_applicable("it has no docs to build");
    }
    let owner = docs_owner(e, inputs);
    let errors: Vec<String> = inputs
        .diagnostics_of(owner)
        .iter()
        .filter(|d| d.severity == Severity::Error && d.code.starts_with("docs/"))
        .map(|d| format!("{} at {}", d.code, d.location()))
        .collect();
    if errors.is_empty() {
        return Outcome::pass("no docs errors");
    }
    Outcome::fail(
        format!("{} docs error{}: {}", errors.len(), plural(errors.len()), list(&errors)),
        "Fix the docs errors listed for it on the issues page (broken links, missing pages, unreadable files).",
    )
}

fn has_runbook(e: &Entity, inputs: &Inputs<'_>, runbook: &RunbookPattern) -> Outcome {
    let Some(site) = inputs.docs.site_of(&e.key) else {
        return Outcome::fail(
            "it has no docs, so no runbook page",
            "Add TechDocs with a runbook page (docs/runbook.md): how to tell it is broken and what to do.",
        );
    };
    match site.pages.iter().find(|p| runbook.matches(&p.source, &p.title)) {
        Some(p) => Outcome::pass(format!("runbook page \"{}\" ({})", p.title, p.source)),
        None => Outcome::fail(
            format!(
                "none of its {} docs pages has {}",
                site.pages.len(),
                runbook.describe()
            ),
            "Add docs/runbook.md (alerts, dashboards, how to roll back) and list it in mkdocs.yml's nav.",
        ),
    }
}

fn kubernetes_annotations(e: &Entity) -> Outcome {
    match (e.annotation(ID_ANNOTATION), e.annotation(SELECTOR_ANNOTATION)) {
        (_, Some(selector)) => Outcome::pass(format!("{SELECTOR_ANNOTATION}: {selector}")),
        (Some(id), None) => Outcome::pass(format!("{ID_ANNOTATION}: {id}")),
        (None, None) => Outcome::fail(
            "neither backstage.io/kubernetes-id nor backstage.io/kubernetes-label-selector is set",
            format!("Add `{ID_ANNOTATION}: {}` and that label to its workloads, so on-call can see where it runs.", e.name),
        ),
    }
}

fn running_in_cluster(e: &Entity, inputs: &Inputs<'_>) -> Outcome {
    let snapshot = match inputs.clusters {
        ClusterData::NotConfigured => {
            return Outcome::not_applicable("no [kubernetes] clusters are configured")
        }
        ClusterData::Missing => {
            return Outcome::not_applicable("no cluster snapshot was available for this build")
        }
        ClusterData::Snapshot(s) => s,
    };
    let status = snapshot.entities.get(&e.key.to_string());
    let running: Vec<&str> = status
        .into_iter()
        .flat_map(|s| s.clusters.iter())
        .filter(|(_, r)| {
            r.workloads.iter().any(|w| w.ready > 0)
                || r.pods
                    .iter()
                    .any(|p| p.phase.eq_ignore_ascii_case("running"))
        })
        .map(|(cluster, _)| cluster.as_str())
        .collect();
    if !running.is_empty() {
        return Outcome::pass(format!("running in {}", running.join(", ")));
    }
    match status {
        None => Outcome::fail(
            "not looked for: it has no Kubernetes annotations",
            format!("Add `{ID_ANNOTATION}` (or a label selector) matching its workloads' labels."),
        ),
        Some(s) => Outcome::fail(
            format!(
                "nothing ready matched `{}` in any cluster at the snapshot",
                s.selector
            ),
            "Check that the selector matches the labels of its Deployment and that it is deployed and ready.",
        ),
    }
}

/// Cluster problems count against a service: failing or degraded in any cluster fails.
fn healthy_in_clusters(e: &Entity, inputs: &Inputs<'_>) -> Outcome {
    use crate::cluster::model::Health;
    let ClusterData::Snapshot(snapshot) = inputs.clusters else {
        return Outcome::not_applicable("no cluster snapshot was available for this build");
    };
    let Some(status) = snapshot.entities.get(&e.key.to_string()) else {
        return Outcome::not_applicable("it is not looked for in any cluster");
    };
    if status.clusters.is_empty() {
        return Outcome::not_applicable("nothing of it was found in any cluster");
    }
    let troubled: Vec<String> = status
        .clusters
        .iter()
        .filter(|(_, r)| r.health() != Health::Healthy)
        .map(|(cluster, r)| {
            let health = format!("{:?}", r.health()).to_lowercase();
            let alerts = r.alerts();
            format!("{health} in {cluster} ({alerts} problem{})", plural(alerts))
        })
        .collect();
    if troubled.is_empty() {
        let clusters: Vec<&str> = status.clusters.keys().map(String::as_str).collect();
        return Outcome::pass(format!("healthy in {}", clusters.join(", ")));
    }
    Outcome::fail(
        list(&troubled),
        "Open its Kubernetes tab: each problem names the pod or workload and what to look at.",
    )
}

fn no_secrets(e: &Entity, inputs: &Inputs<'_>) -> Outcome {
    let owner = docs_owner(e, inputs);
    let mut places: Vec<String> = inputs
        .diagnostics_of(&e.key)
        .iter()
        .chain(if owner == &e.key {
            [].iter()
        } else {
            inputs.diagnostics_of(owner).iter()
        })
        .filter(|d| d.code == "security/secret")
        .map(|d| d.location())
        .collect();
    places.sort();
    places.dedup();
    if places.is_empty() {
        return Outcome::pass("no credentials found in its catalog file or docs");
    }
    Outcome::fail(
        format!(
            "{} credential{} redacted: {}",
            places.len(),
            plural(places.len()),
            list(&places)
        ),
        "Remove the credential from the repository (and its history), rotate it, and read it from a secret store instead.",
    )
}

/// The GitHub health of the entity's repository, or why a check on it does not apply.
fn repo_health<'a>(
    e: &Entity,
    inputs: &Inputs<'a>,
) -> Result<&'a crate::gather::health::RepoHealth, Outcome> {
    inputs
        .catalog
        .repo_health
        .get(&e.source.repo)
        .ok_or_else(|| {
            Outcome::not_applicable("its repository is not gathered from GitHub with repo_health")
        })
}

/// " (figures of <date>)" when the health could not be refreshed this build.
fn as_of(health: &crate::gather::health::RepoHealth) -> String {
    if health.stale {
        format!(" (figures of {})", crate::time::iso_date(health.read_at))
    } else {
        String::new()
    }
}

fn ci_passing(e: &Entity, inputs: &Inputs<'_>) -> Outcome {
    let health = match repo_health(e, inputs) {
        Ok(h) => h,
        Err(not_applicable) => return not_applicable,
    };
    let branch = &health.branch;
    let runs = health.workflows.as_deref().unwrap_or_default();
    match health.ci_passing() {
        None => Outcome::not_applicable(format!("no workflow run is known on {branch}")),
        Some(true) => Outcome::pass(format!(
            "the latest run of each of its {} workflow{} on {branch} did not fail{}",
            runs.len(),
            plural(runs.len()),
            as_of(health)
        )),
        Some(false) => {
            let failed: Vec<String> = runs
                .iter()
                .filter(|r| r.outcome() == crate::gather::health::RunOutcome::Failed)
                .map(|r| r.workflow.clone())
                .collect();
            Outcome::fail(
                format!("failing on {branch}: {}{}", list(&failed), as_of(health)),
                format!(
                    "Fix the failing workflow{} on {branch} ({}/actions): a red default branch hides the next regression.",
                    plural(failed.len()),
                    health.repo_url
                ),
            )
        }
    }
}

fn no_critical_alerts(e: &Entity, inputs: &Inputs<'_>) -> Outcome {
    let health = match repo_health(e, inputs) {
        Ok(h) => h,
        Err(not_applicable) => return not_applicable,
    };
    match health.critical_alerts() {
        None => Outcome::not_applicable(
            "security alerts are not readable with the token (Dependabot and code scanning)",
        ),
        Some(0) => Outcome::pass(format!("no open critical alert{}", as_of(health))),
        Some(n) => Outcome::fail(
            format!("{n} open critical alert{}{}", plural(n as usize), as_of(health)),
            format!(
                "Upgrade the affected dependencies or fix the findings ({}/security): critical alerts are exploitable now.",
                health.repo_url
            ),
        ),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The first three items, and how many more.
fn list(items: &[String]) -> String {
    let mut out = items.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
    if items.len() > 3 {
        out.push_str(&format!("; and {} more", items.len() - 3));
    }
    out
}
