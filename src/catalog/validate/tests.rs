use super::formats::*;
use super::*;
use serde_json::json;

#[test]
fn names_at_their_boundaries() {
    let cases: &[(&str, bool)] = &[
        ("a", true),
        (&"a".repeat(63), true),
        (&"a".repeat(64), false),
        ("a--b", true),
        ("a_b.c-d", true),
        ("A1", true),
        ("-a", false),
        ("a-", false),
        ("a.", false),
        ("_a", false),
        ("a b", false),
        ("a!", false),
        ("", false),
        ("é", false),
    ];
    for (name, ok) in cases {
        assert_eq!(is_valid_object_name(name), *ok, "name {name:?}");
    }
}

#[test]
fn namespaces_are_lower_case_dns_labels() {
    let cases: &[(&str, bool)] = &[
        ("default", true),
        ("team-a1", true),
        (&"n".repeat(63), true),
        (&"n".repeat(64), false),
        ("a--b", false),
        ("Team", false),
        ("a_b", false),
        ("-a", false),
        ("", false),
    ];
    for (ns, ok) in cases {
        assert_eq!(is_valid_dns_label(ns), *ok, "namespace {ns:?}");
    }
}

#[test]
fn keys_tags_kinds_and_api_versions() {
    assert!(is_valid_qualified_key("backstage.io/techdocs-ref"));
    assert!(is_valid_qualified_key("simple"));
    assert!(!is_valid_qualified_key("a/b/c"));
    assert!(!is_valid_qualified_key("Bad_Prefix/x"));
    assert!(!is_valid_qualified_key("backstage.io/"));
    assert!(is_valid_qualified_key(&format!(
        "{}/{}",
        "d".repeat(63),
        "n".repeat(63)
    )));
    assert!(!is_valid_qualified_key(&format!("x/{}", "n".repeat(64))));
    assert!(is_valid_dns_subdomain(
        &[
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(61)
        ]
        .join(".")
    ));
    assert!(!is_valid_dns_subdomain(
        &[
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(62)
        ]
        .join(".")
    ));
    for (tag, ok) in [
        ("java", true),
        ("c++", true),
        ("c#", true),
        ("k8s:prod", true),
        ("a-b", true),
        ("a--b", false),
        ("Java", false),
        ("a b", false),
        ("-a", false),
    ] {
        assert_eq!(is_valid_tag(tag), ok, "tag {tag:?}");
    }
    assert!(is_valid_tag(&"t".repeat(63)));
    assert!(!is_valid_tag(&"t".repeat(64)));
    assert!(is_valid_kind("Component"));
    assert!(!is_valid_kind("1Component"));
    assert!(!is_valid_kind(&format!("K{}", "k".repeat(63))));
    assert!(is_valid_api_version("backstage.io/v1alpha1"));
    assert!(is_valid_api_version("v1"));
    assert!(!is_valid_api_version("backstage.io/v1-alpha"));
    assert!(!is_valid_api_version("a/b/c"));
}

fn component() -> Value {
    json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": { "name": "ledger" },
        "spec": { "type": "service", "lifecycle": "production", "owner": "team-a" }
    })
}

fn messages(doc: &Value) -> Vec<String> {
    validate(doc)
        .err()
        .unwrap_or_default()
        .into_iter()
        .map(|i| i.message)
        .collect()
}

#[test]
fn a_valid_component_gets_the_default_namespace() {
    let id = validate(&component()).unwrap();
    assert_eq!(
        (id.kind.as_str(), id.namespace.as_str(), id.name.as_str()),
        ("Component", "default", "ledger")
    );
}

#[test]
fn label_values_may_be_empty_but_must_be_names() {
    let mut doc = component();
    doc["metadata"]["labels"] = json!({ "tier": "", "team": "a-b" });
    assert!(validate(&doc).is_ok());
    doc["metadata"]["labels"] = json!({ "tier": "not valid" });
    assert!(messages(&doc)[0].contains("label value"));
    doc["metadata"]["labels"] = json!({ "tier": 3 });
    assert!(messages(&doc)[0].contains("must be a string"));
}

#[test]
fn annotation_values_are_any_string() {
    let mut doc = component();
    doc["metadata"]["annotations"] = json!({ "example.com/anything": "Any text: at all / here" });
    assert!(validate(&doc).is_ok());
    doc["metadata"]["annotations"] = json!({ "example.com/n": true });
    assert!(!messages(&doc).is_empty());
}

#[test]
fn links_need_a_parseable_url() {
    let mut doc = component();
    doc["metadata"]["links"] = json!([{ "url": "https://x.example", "title": "X" }]);
    assert!(validate(&doc).is_ok());
    doc["metadata"]["links"] = json!([{ "url": "not a url" }]);
    assert!(messages(&doc)[0].contains("not a valid absolute URL"));
    doc["metadata"]["links"] = json!([{ "title": "no url" }]);
    assert!(messages(&doc)[0].contains("needs a \"url\""));
}

#[test]
fn required_spec_fields_per_kind() {
    let mut doc = component();
    doc["spec"]["owner"] = json!("");
    assert!(messages(&doc)[0].contains("must not be empty"));
    doc["spec"].as_object_mut().unwrap().remove("owner");
    assert!(messages(&doc)[0].contains("spec.owner\" is required"));

    let group = json!({ "apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": { "name": "g" }, "spec": { "type": "team" } });
    assert!(messages(&group)[0].contains("spec.children"));
    let group = json!({ "apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": { "name": "g" }, "spec": { "type": "team", "children": [] } });
    assert!(validate(&group).is_ok());
    let user = json!({ "apiVersion": "backstage.io/v1beta1", "kind": "User", "metadata": { "name": "u" }, "spec": {} });
    assert!(messages(&user)[0].contains("spec.memberOf"));
    let api = json!({ "apiVersion": "backstage.io/v1alpha1", "kind": "API", "metadata": { "name": "a" }, "spec": { "type": "openapi", "lifecycle": "production", "owner": "t", "definition": { "openapi": "3.0.0" } } });
    assert!(messages(&api)[0].contains("spec.definition\" must be a string"));
    let template = json!({ "apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": { "name": "t" }, "spec": { "type": "service", "steps": [{ "id": "x" }] } });
    assert!(messages(&template)[0].contains("action"));
    let system = json!({ "apiVersion": "backstage.io/v1alpha1", "kind": "System", "metadata": { "name": "s" } });
    assert!(messages(&system)[0].contains("\"spec\" is required"));
}

#[test]
fn envelope_rules() {
    let mut doc = component();
    doc["relations"] = json!([]);
    assert!(messages(&doc)[0].contains("unknown root field \"relations\""));
    let mut doc = component();
    doc["kind"] = json!("component");
    assert!(messages(&doc)[0].contains("did you mean \"Component\""));
    let mut doc = component();
    doc["apiVersion"] = json!("backstage.io/v2");
    assert_eq!(validate(&doc).unwrap_err()[0].code, UNKNOWN_KIND);
    let mut doc = component();
    doc["kind"] = json!("Template");
    assert!(messages(&doc)[0].contains("scaffolder.backstage.io/v1beta3"));
    let doc = json!({ "kind": "Component", "metadata": [] });
    let issues = validate(&doc).unwrap_err();
    assert!(issues.iter().all(|i| i.code == ENVELOPE));
    assert_eq!(issues.len(), 2);
}
