//! Whether a HorizontalPodAutoscaler (autoscaling/v2) is above its targets: each `Resource`
//! or `ContainerResource` metric of `spec.metrics` against the same metric in
//! `status.currentMetrics`, by utilization (percent) or average value (a Kubernetes quantity
//! such as `250m` or `300Mi`). Pure.

use super::objects::{array_at, str_at};
use serde_json::Value;

/// `cpu 92% > 70%`, `memory 900Mi > 800Mi`: every metric above its target, in spec order.
pub fn above_target(hpa: &Value) -> Vec<String> {
    let current = array_at(hpa, "/status/currentMetrics");
    array_at(hpa, "/spec/metrics")
        .iter()
        .filter_map(|spec| {
            let (key, source) = metric_source(spec)?;
            let now = current
                .iter()
                .filter_map(metric_source)
                .find(|(k, _)| *k == key)
                .map(|(_, s)| s)?;
            compare(&key.0, source, now)
        })
        .collect()
}

/// ((resource name, container), the metric's body) of a Resource or ContainerResource metric.
fn metric_source(m: &Value) -> Option<((String, String), &Value)> {
    let field = match str_at(m, "/type") {
        "Resource" => "resource",
        "ContainerResource" => "containerResource",
        _ => return None,
    };
    let body = m.get(field)?;
    let key = (
        str_at(body, "/name").to_string(),
        str_at(body, "/container").to_string(),
    );
    Some((key, body))
}

fn compare(name: &str, spec: &Value, status: &Value) -> Option<String> {
    let target = spec.get("target")?;
    let current = status.get("current")?;
    match str_at(target, "/type") {
        "Utilization" => {
            let want = target.get("averageUtilization")?.as_f64()?;
            let have = current.get("averageUtilization")?.as_f64()?;
            (have > want).then(|| format!("{name} {have}% > {want}%"))
        }
        "AverageValue" => {
            let (want_s, have_s) = (
                str_at(target, "/averageValue"),
                str_at(current, "/averageValue"),
            );
            let (want, have) = (quantity(want_s)?, quantity(have_s)?);
            (have > want).then(|| format!("{name} {have_s} > {want_s}"))
        }
        _ => None,
    }
}

/// A Kubernetes quantity as a number: `250m` → 0.25, `300Mi` → 314572800, `1.5G` → 1.5e9.
pub fn quantity(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    number.parse::<f64>().ok().map(|n| n * factor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quantities() {
        assert_eq!(quantity("250m"), Some(0.25));
        assert_eq!(quantity("300Mi"), Some(314_572_800.0));
        assert_eq!(quantity("2"), Some(2.0));
        assert_eq!(quantity("1e3"), Some(1000.0));
        assert_eq!(quantity("1.5G"), Some(1.5e9));
        assert_eq!(quantity("12Qi"), None);
    }

    #[test]
    fn compares_utilization_and_average_values() {
        let hpa = json!({
            "spec": {"maxReplicas": 10, "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}},
                {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "800Mi"}}},
                {"type": "Pods", "pods": {"metric": {"name": "rps"}, "target": {"type": "AverageValue", "averageValue": "100"}}}]},
            "status": {"currentReplicas": 10, "currentMetrics": [
                {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "900Mi", "averageUtilization": 80}}},
                {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 92, "averageValue": "460m"}}}]}
        });
        assert_eq!(
            above_target(&hpa),
            vec!["cpu 92% > 70%", "memory 900Mi > 800Mi"]
        );
        let mut calm = hpa.clone();
        calm["status"]["currentMetrics"][1]["resource"]["current"]["averageUtilization"] =
            json!(55);
        calm["status"]["currentMetrics"][0]["resource"]["current"]["averageValue"] = json!("700Mi");
        assert!(above_target(&calm).is_empty());
    }
}
