//! Objects to entities, locally: each entity's Kubernetes annotations give a label selector
//! (`backstage.io/kubernetes-label-selector`, else `backstage.io/kubernetes-id=<id>`), an
//! optional namespace and an optional cluster, exactly as Backstage reads them. Pure.

use super::config::ObjectType;
use super::model::{ObjectRef, Resources};
use super::objects;
use super::selector::{Op, Selector};
use super::{gitops, health};
use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, Diagnostics};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

pub const ID_ANNOTATION: &str = "backstage.io/kubernetes-id";
pub const SELECTOR_ANNOTATION: &str = "backstage.io/kubernetes-label-selector";
pub const NAMESPACE_ANNOTATION: &str = "backstage.io/kubernetes-namespace";
pub const CLUSTER_ANNOTATION: &str = "backstage.io/kubernetes-cluster";

/// Whether an entity names workloads to look for: a kubernetes-id or
/// kubernetes-label-selector annotation (such an entity has a Kubernetes view).
pub fn names_workloads(e: &crate::catalog::Entity) -> bool {
    e.annotation(ID_ANNOTATION).is_some() || e.annotation(SELECTOR_ANNOTATION).is_some()
}

/// What one entity looks for.
#[derive(Clone, Debug)]
pub struct Target {
    pub entity: String,
    pub selector: Selector,
    pub namespace: Option<String>,
    pub cluster: Option<String>,
}

impl Target {
    /// The names the service goes by in its clusters: the entity's name and the values its
    /// selector asks of `backstage.io/kubernetes-id`, `app.kubernetes.io/name` or `app`.
    pub fn service_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.entity.rsplit('/').next().into_iter().collect();
        for r in &self.selector.requirements {
            if matches!(r.op, Op::Equals | Op::In)
                && [ID_ANNOTATION, "app.kubernetes.io/name", "app"].contains(&r.key.as_str())
            {
                names.extend(r.values.iter().map(String::as_str));
            }
        }
        names.sort_unstable();
        names.dedup();
        names
    }

    fn wants(&self, cluster: &str, namespace: &str, labels: &BTreeMap<String, String>) -> bool {
        self.cluster.as_deref().is_none_or(|c| c == cluster)
            && self.namespace.as_deref().is_none_or(|n| n == namespace)
            && self.selector.matches(labels)
    }
}

/// Every entity with a Kubernetes view, sorted by ref. A selector that does not parse is
/// reported and that entity left out.
pub fn targets(catalog: &Catalog) -> (Vec<Target>, Diagnostics) {
    let mut out = Vec::new();
    let mut diagnostics = Diagnostics::new();
    for e in &catalog.entities {
        let selector = match (
            e.annotation(SELECTOR_ANNOTATION),
            e.annotation(ID_ANNOTATION),
        ) {
            (Some(raw), _) => match Selector::parse(raw) {
                Ok(s) if !s.requirements.is_empty() => s,
                Ok(_) | Err(_) => {
                    let why = Selector::parse(raw)
                        .err()
                        .unwrap_or_else(|| "it is empty and would match everything".into());
                    diagnostics.push(e.diagnostic(
                        Diagnostic::error(
                            "cluster/invalid-selector",
                            format!("{SELECTOR_ANNOTATION} `{raw}` is not a label selector: {why}"),
                        ),
                        &[],
                    ));
                    continue;
                }
            },
            (None, Some(id)) => Selector::equals(ID_ANNOTATION, id.trim()),
            (None, None) => continue,
        };
        let clean = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        out.push(Target {
            entity: e.key.to_string(),
            selector,
            namespace: clean(e.annotation(NAMESPACE_ANNOTATION)),
            cluster: clean(e.annotation(CLUSTER_ANNOTATION)),
        });
    }
    (out, diagnostics)
}

/// Kinds whose objects are what a team deploys: reported when no entity claims them.
const WORKLOAD_KINDS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "CronJob"];

/// Targets indexed by the one `key=value` most selectors are (every kubernetes-id), so an
/// object is tested only against the entities that could want it.
pub struct TargetIndex<'a> {
    targets: &'a [Target],
    by_label: HashMap<(&'a str, &'a str), Vec<usize>>,
    rest: Vec<usize>,
}

impl<'a> TargetIndex<'a> {
    pub fn new(targets: &'a [Target]) -> TargetIndex<'a> {
        let mut by_label: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        let mut rest = Vec::new();
        for (i, t) in targets.iter().enumerate() {
            match t.selector.requirements.as_slice() {
                [r] if r.op == Op::Equals => by_label
                    .entry((r.key.as_str(), r.values[0].as_str()))
                    .or_default()
                    .push(i),
                _ => rest.push(i),
            }
        }
        TargetIndex {
            targets,
            by_label,
            rest,
        }
    }

    /// The targets that want an object, in target order.
    fn wanting(
        &self,
        cluster: &str,
        namespace: &str,
        labels: &BTreeMap<String, String>,
    ) -> Vec<&'a Target> {
        let mut candidates: Vec<usize> = labels
            .iter()
            .filter_map(|(k, v)| self.by_label.get(&(k.as_str(), v.as_str())))
            .flatten()
            .chain(&self.rest)
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .map(|i| &self.targets[i])
            .filter(|t| t.wants(cluster, namespace, labels))
            .collect()
    }
}

/// What one cluster's objects matched: resources per entity (only entities with a match) and
/// the workloads nobody claimed. Built page by page, so raw objects are dropped as they come.
#[derive(Debug, Default)]
pub struct Matched {
    pub by_entity: BTreeMap<String, Resources>,
    pub unowned: Vec<ObjectRef>,
}

impl Matched {
    /// Matches one page of objects of type `t`; `now` is the snapshot time, for health rules.
    pub fn add_page(
        &mut self,
        index: &TargetIndex<'_>,
        cluster: &str,
        t: &ObjectType,
        items: &[Value],
        now: i64,
    ) {
        let argo = gitops::is_argo_application(&t.id());
        for item in items {
            let labels = objects::labels(item);
            let ns = objects::namespace(item);
            let placed = match argo {
                true => gitops::argo_destination(item).unwrap_or(ns),
                false => ns,
            };
            let wanting = index.wanting(cluster, placed, &labels);
            for target in &wanting {
                add(
                    self.by_entity.entry(target.entity.clone()).or_default(),
                    t,
                    item,
                    now,
                    &target.service_names(),
                );
            }
            let owned = item
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|o| !o.is_empty());
            if wanting.is_empty() && !owned && WORKLOAD_KINDS.contains(&t.kind.as_str()) {
                self.unowned.push(ObjectRef {
                    kind: t.kind.clone(),
                    namespace: ns.to_string(),
                    name: objects::name(item).to_string(),
                });
            }
        }
    }

    pub fn merge(&mut self, other: Matched) {
        for (entity, r) in other.by_entity {
            let mine = self.by_entity.entry(entity).or_default();
            mine.workloads.extend(r.workloads);
            mine.pods.extend(r.pods);
            mine.hpas.extend(r.hpas);
            mine.ingresses.extend(r.ingresses);
            mine.services.extend(r.services);
            mine.jobs.extend(r.jobs);
            mine.custom.extend(r.custom);
            mine.problems.extend(r.problems);
            for (plural, n) in r.other {
                *mine.other.entry(plural).or_default() += n;
            }
        }
        self.unowned.extend(other.unowned);
    }

    /// Sorted for output: problems most severe first, the rest by namespace and name.
    pub fn finish(mut self) -> Matched {
        self.by_entity = std::mem::take(&mut self.by_entity)
            .into_iter()
            .map(|(entity, r)| (entity, sorted(r)))
            .collect();
        self.unowned.sort();
        self
    }
}

/// One entity's resources in output order: problems most severe first, pods and workloads
/// by namespace and name.
pub fn sorted(mut r: Resources) -> Resources {
    r.problems.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| (&a.object, &a.rule, &a.message).cmp(&(&b.object, &b.rule, &b.message)))
    });
    r.pods
        .sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    r.workloads
        .sort_by(|a, b| (&a.kind, &a.namespace, &a.name).cmp(&(&b.kind, &b.namespace, &b.name)));
    r
}

/// Matches one cluster's objects to the targets in one go (the fetch does it page by page).
pub fn match_cluster(
    targets: &[Target],
    cluster: &str,
    objects: &[(ObjectType, Vec<Value>)],
    now: i64,
) -> (BTreeMap<String, Resources>, Vec<ObjectRef>) {
    let index = TargetIndex::new(targets);
    let mut matched = Matched::default();
    for (t, items) in objects {
        matched.add_page(&index, cluster, t, items, now);
    }
    let m = matched.finish();
    (m.by_entity, m.unowned)
}

fn add(r: &mut Resources, t: &ObjectType, item: &Value, now: i64, service: &[&str]) {
    match t.kind.as_str() {
        "Pod" => {
            r.pods.push(objects::pod(item));
            r.problems.extend(health::pod_problems(item, now));
        }
        "Deployment" | "StatefulSet" | "DaemonSet" => {
            r.workloads.push(objects::workload(&t.kind, item, service));
            r.problems.extend(health::workload_problems(&t.kind, item));
        }
        "HorizontalPodAutoscaler" => {
            r.hpas.push(objects::hpa(item));
            r.problems.extend(health::hpa_problems(item));
        }
        "Ingress" => r.ingresses.push(objects::ingress(item)),
        "Service" => r.services.push(objects::service(item)),
        "Job" => {
            r.jobs.push(objects::job("Job", item));
            r.problems.extend(health::job_problems(item));
        }
        "CronJob" => r.jobs.push(objects::job("CronJob", item)),
        "" => {
            let c = objects::custom(&t.id(), item);
            r.problems.extend(health::custom_problems(&c, item));
            r.custom.push(c);
        }
        _ => *r.other.entry(t.plural.clone()).or_default() += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(entity: &str, selector: &str, ns: Option<&str>) -> Target {
        Target {
            entity: entity.into(),
            selector: Selector::parse(selector).unwrap(),
            namespace: ns.map(str::to_string),
            cluster: None,
        }
    }

    fn deployment(ns: &str, name: &str, labels: Value) -> Value {
        json!({"metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "c", "image": "x:1"}]}}},
            "status": {"readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 2}})
    }

    #[test]
    fn matches_by_selector_and_namespace_and_reports_unowned() {
        let deployments = ObjectType {
            group: "apps".into(),
            version: "v1".into(),
            plural: "deployments".into(),
            kind: "Deployment".into(),
        };
        let objects = vec![(
            deployments,
            vec![
                deployment(
                    "ledger",
                    "ledger",
                    json!({"backstage.io/kubernetes-id": "ledger"}),
                ),
                deployment(
                    "other",
                    "ledger-copy",
                    json!({"backstage.io/kubernetes-id": "ledger"}),
                ),
                deployment("web", "shop", json!({"app": "shop", "tier": "web"})),
                deployment("web", "stray", json!({"app": "stray"})),
            ],
        )];
        let targets = vec![
            target(
                "component:default/ledger",
                "backstage.io/kubernetes-id=ledger",
                Some("ledger"),
            ),
            target("component:default/shop", "app in (shop),tier,!legacy", None),
        ];
        let (found, unowned) = match_cluster(&targets, "prod", &objects, 0);
        assert_eq!(found["component:default/ledger"].workloads.len(), 1);
        assert_eq!(found["component:default/shop"].workloads[0].name, "shop");
        let names: Vec<&str> = unowned.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, vec!["ledger-copy", "stray"]);
    }

    fn object_type(kind: &str, group: &str, plural: &str) -> ObjectType {
        ObjectType {
            group: group.into(),
            version: "v1".into(),
            plural: plural.into(),
            kind: kind.into(),
        }
    }

    #[test]
    fn versions_are_what_ready_pods_run_with_sidecars_and_dependencies_apart() {
        let fixture: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/kubernetes/checkout-stuck-rollout.json"
        ))
        .unwrap();
        let items = |path: &str| fixture[path].as_array().unwrap().clone();
        let objects = vec![
            (
                object_type("Deployment", "apps", "deployments"),
                items("/apis/apps/v1/deployments"),
            ),
            (
                object_type("StatefulSet", "apps", "statefulsets"),
                items("/apis/apps/v1/statefulsets"),
            ),
            (object_type("Pod", "", "pods"), items("/api/v1/pods")),
        ];
        let targets = vec![target(
            "component:default/checkout",
            "backstage.io/kubernetes-id=checkout",
            None,
        )];
        let (found, _) = match_cluster(&targets, "prod", &objects, 0);
        let r = &found["component:default/checkout"];
        let v = r.workload_versions();
        assert_eq!(v[0].name, "checkout");
        assert_eq!(v[0].label, "3.3.8 ×3 → 3.5.0, rollout stuck");
        assert_eq!(v[0].sidecars, vec!["envoyproxy/envoy:v1.31.2"]);
        assert!(!v[0].dependency);
        assert_eq!(v[1].name, "checkout-redis-master");
        assert!(v[1].dependency, "a Redis of the same chart is a dependency");
        assert_eq!(v[1].label, "7.4.1-debian-12-r2 ×1");
        // What the pages show and compare across clusters: the service's own running tags.
        assert_eq!(r.version_labels(), vec!["3.3.8 ×3 → 3.5.0, rollout stuck"]);
        assert_eq!(r.versions(), vec!["3.3.8"]);
    }
}
