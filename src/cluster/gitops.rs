//! GitOps status of custom resources, which lives outside `status.conditions`: an Argo CD
//! `Application` (argoproj.io) carries `status.sync.status` and `status.health.status`, the
//! last sync's `status.operationState`; Flux `Kustomization`s and `HelmRelease`s
//! (`*.toolkit.fluxcd.io`) report through a `Ready` condition and `spec.suspend`. Pure.

use super::model::{Custom, Problem};
use super::objects::str_at;
use serde_json::Value;

/// `argoproj.io/<version>/applications`.
pub fn is_argo_application(resource: &str) -> bool {
    resource.starts_with("argoproj.io/") && resource.ends_with("/applications")
}

/// `kustomize.toolkit.fluxcd.io/<version>/kustomizations` and
/// `helm.toolkit.fluxcd.io/<version>/helmreleases`.
pub fn is_flux(resource: &str) -> bool {
    (resource.starts_with("kustomize.toolkit.fluxcd.io/") && resource.ends_with("/kustomizations"))
        || (resource.starts_with("helm.toolkit.fluxcd.io/") && resource.ends_with("/helmreleases"))
}

/// The namespace an Application deploys to (`spec.destination.namespace`): an Application
/// lives in Argo CD's namespace, but belongs with the workloads it deploys.
pub fn argo_destination(item: &Value) -> Option<&str> {
    Some(str_at(item, "/spec/destination/namespace")).filter(|n| !n.is_empty())
}

fn with_message(text: String, message: &str) -> String {
    if message.is_empty() {
        text
    } else {
        format!("{text}: {message}")
    }
}

/// Out of sync (warning), sync status unknown (warning), the last sync failed (error), and
/// health: Degraded (error), Missing (error), Unknown (warning), Progressing and Suspended
/// (information).
pub fn argo_problems(c: &Custom, v: &Value, object: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let revision: String = str_at(v, "/status/sync/revision").chars().take(7).collect();
    let at = if revision.is_empty() {
        String::new()
    } else {
        format!(" (revision {revision})")
    };
    match c.sync.as_deref() {
        Some("OutOfSync") => out.push(Problem::new(
            4,
            "argocd-out-of-sync",
            object.to_string(),
            format!("Out of sync with Git{at}: the live objects differ from the desired state; sync the Application or look at its diff"),
        )),
        Some("Unknown") => {
            let why = c
                .conditions
                .iter()
                .find(|k| k.condition_type.ends_with("Error"))
                .and_then(|k| k.message.as_deref())
                .unwrap_or("");
            out.push(Problem::new(
                3,
                "argocd-sync-unknown",
                object.to_string(),
                with_message("Argo CD cannot compare the Application with Git".into(), why),
            ));
        }
        _ => {}
    }
    if matches!(
        str_at(v, "/status/operationState/phase"),
        "Failed" | "Error"
    ) {
        out.push(Problem::new(
            6,
            "argocd-sync-failed",
            object.to_string(),
            with_message(
                "The last sync failed".into(),
                str_at(v, "/status/operationState/message"),
            ),
        ));
    }
    let message = str_at(v, "/status/health/message");
    let (severity, rule, text) = match c.health.as_deref() {
        Some("Degraded") => (8, "argocd-degraded", "Degraded"),
        Some("Missing") => (
            6,
            "argocd-missing",
            "Missing: resources in Git do not exist in the cluster",
        ),
        Some("Unknown") => (3, "argocd-health-unknown", "Health unknown"),
        Some("Progressing") => (2, "argocd-progressing", "Progressing"),
        Some("Suspended") => (2, "argocd-suspended", "Suspended"),
        _ => return out,
    };
    out.push(Problem::new(
        severity,
        rule,
        object.to_string(),
        with_message(text.to_string(), message),
    ));
    out
}

/// Ready False (error), Ready Unknown while reconciling (information), suspended (warning).
pub fn flux_problems(c: &Custom, v: &Value, object: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    if v.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        out.push(Problem::new(
            3,
            "flux-suspended",
            object.to_string(),
            "Reconciliation is suspended: changes in Git are not applied (flux resume)".into(),
        ));
    }
    let Some(ready) = c.conditions.iter().find(|k| k.condition_type == "Ready") else {
        return out;
    };
    let reason = ready.reason.as_deref().unwrap_or("");
    let message = ready.message.as_deref().unwrap_or("");
    match ready.status.as_str() {
        "False" => out.push(Problem::new(
            6,
            "flux-not-ready",
            object.to_string(),
            with_message(format!("Not ready ({reason})"), message),
        )),
        "Unknown" => out.push(Problem::new(
            2,
            "flux-reconciling",
            object.to_string(),
            with_message("Reconciling".into(), message),
        )),
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::model::Level;
    use crate::cluster::objects::custom;
    use serde_json::json;

    const APPS: &str = "argoproj.io/v1alpha1/applications";

    /// An Argo CD Application as `kubectl get application -o json` shows it.
    fn application(sync: &str, health: &str, extra: Value) -> Value {
        let mut app = json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "payments-ledger-prod", "namespace": "argocd",
                "labels": {"backstage.io/kubernetes-id": "payments-ledger"}},
            "spec": {"project": "payments",
                "source": {"repoURL": "https://git.example/payments/deploy.git", "path": "ledger/prod", "targetRevision": "main"},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": "ledger"},
                "syncPolicy": {"automated": {"prune": true, "selfHeal": true}}},
            "status": {
                "sync": {"status": sync, "revision": "4f1c2d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e",
                    "comparedTo": {"source": {"repoURL": "https://git.example/payments/deploy.git"}}},
                "health": {"status": health},
                "resources": [{"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "ledger", "name": "payments-ledger", "status": sync}],
                "reconciledAt": "2026-11-23T10:30:00Z"}
        });
        if let (Some(status), Value::Object(more)) = (app["status"].as_object_mut(), extra) {
            status.extend(more);
        }
        app
    }

    fn problems_of(app: &Value) -> Vec<(String, Level)> {
        let c = custom(APPS, app);
        argo_problems(&c, app, "Application argocd/payments-ledger-prod")
            .into_iter()
            .map(|p| {
                let level = p.level();
                (p.rule, level)
            })
            .collect()
    }

    #[test]
    fn argo_cd_sync_and_health_states() {
        let none = json!({});
        assert!(problems_of(&application("Synced", "Healthy", none.clone())).is_empty());
        let cases = [
            (
                "OutOfSync",
                "Healthy",
                vec![("argocd-out-of-sync", Level::Warning)],
            ),
            (
                "Synced",
                "Progressing",
                vec![("argocd-progressing", Level::Info)],
            ),
            (
                "Synced",
                "Suspended",
                vec![("argocd-suspended", Level::Info)],
            ),
            (
                "Synced",
                "Degraded",
                vec![("argocd-degraded", Level::Error)],
            ),
            (
                "OutOfSync",
                "Missing",
                vec![
                    ("argocd-out-of-sync", Level::Warning),
                    ("argocd-missing", Level::Error),
                ],
            ),
            (
                "Unknown",
                "Unknown",
                vec![
                    ("argocd-sync-unknown", Level::Warning),
                    ("argocd-health-unknown", Level::Warning),
                ],
            ),
        ];
        for (sync, health, want) in cases {
            let got = problems_of(&application(sync, health, none.clone()));
            let want: Vec<(String, Level)> =
                want.into_iter().map(|(r, l)| (r.to_string(), l)).collect();
            assert_eq!(got, want, "{sync}/{health}");
        }
    }

    #[test]
    fn argo_cd_messages_name_the_revision_and_the_failure() {
        let app = application(
            "OutOfSync",
            "Degraded",
            json!({"health": {"status": "Degraded", "message": "Deployment \"payments-ledger\" exceeded its progress deadline"},
                "operationState": {"phase": "Failed", "message": "one or more objects failed to apply: admission webhook denied the request"}}),
        );
        let c = custom(APPS, &app);
        let p = argo_problems(&c, &app, "x");
        let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert!(messages[0].contains("revision 4f1c2d9"), "{messages:?}");
        assert!(
            messages[1].starts_with("The last sync failed: one or more objects"),
            "{messages:?}"
        );
        assert!(
            messages[2].contains("exceeded its progress deadline"),
            "{messages:?}"
        );
        assert_eq!(argo_destination(&app), Some("ledger"));
    }

    #[test]
    fn flux_ready_conditions_and_suspension() {
        let hr = |status: &str, reason: &str, suspend: bool| {
            json!({"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
                "metadata": {"name": "fx-rates", "namespace": "fx"},
                "spec": {"suspend": suspend, "interval": "5m", "chart": {"spec": {"chart": "fx-rates", "version": "1.9.x"}}},
                "status": {"conditions": [{"type": "Ready", "status": status, "reason": reason,
                    "message": "Helm upgrade failed for release fx/fx-rates with chart fx-rates@1.9.2: timed out waiting for the condition"}]}})
        };
        let rules = |v: Value| {
            let c = custom("helm.toolkit.fluxcd.io/v2/helmreleases", &v);
            assert!(is_flux(&c.resource));
            flux_problems(&c, &v, "x")
                .into_iter()
                .map(|p| p.rule)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            rules(hr("False", "UpgradeFailed", false)),
            vec!["flux-not-ready"]
        );
        assert_eq!(
            rules(hr("Unknown", "Progressing", false)),
            vec!["flux-reconciling"]
        );
        assert_eq!(
            rules(hr("True", "UpgradeSucceeded", true)),
            vec!["flux-suspended"]
        );
        assert!(rules(hr("True", "ReconciliationSucceeded", false)).is_empty());
    }
}
