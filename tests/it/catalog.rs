//! The catalog stage end to end over real files: relations, Locations, conflicts,
//! placeholders, rules, and hostile input.

use crate::common;

use common::*;
use playbill::catalog::EntityRef;

fn rel(catalog: &playbill::catalog::Catalog, source: &str, kind: &str) -> Vec<String> {
    let key = parse(source);
    catalog
        .relations_of(&key)
        .filter(|r| r.kind == kind)
        .map(|r| r.target.to_string())
        .collect()
}

fn parse(r: &str) -> EntityRef {
    EntityRef::parse(r, None, "default").unwrap()
}

#[test]
fn every_relation_pair_is_recorded_in_both_directions() {
    // Long on purpose: a table of every relation pair.
    let fx = Fixture::new().file(
        "a/catalog-info.yaml",
        r#"
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: svc }
spec:
  type: service
  lifecycle: production
  owner: team-a
  system: sys
  subcomponentOf: parent-svc
  providesApis: [api-a]
  consumesApis: [api-b]
  dependsOn: [resource:db]
  dependencyOf: [component:downstream]
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: { name: sys }
spec: { owner: team-a, domain: dom }
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: { name: dom }
spec: { owner: team-a, subdomainOf: top }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: jane }
spec: { memberOf: [team-a] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-a }
spec: { type: team, parent: dept, children: [sub], members: [joe] }
"#,
    );
    let (catalog, _) = fx.catalog();
    let pairs = [
        (
            "component:default/svc",
            "ownedBy",
            "group:default/team-a",
            "ownerOf",
        ),
        (
            "component:default/svc",
            "partOf",
            "system:default/sys",
            "hasPart",
        ),
        (
            "component:default/svc",
            "partOf",
            "component:default/parent-svc",
            "hasPart",
        ),
        (
            "component:default/svc",
            "providesApi",
            "api:default/api-a",
            "apiProvidedBy",
        ),
        (
            "component:default/svc",
            "consumesApi",
            "api:default/api-b",
            "apiConsumedBy",
        ),
        (
            "component:default/svc",
            "dependsOn",
            "resource:default/db",
            "dependencyOf",
        ),
        (
            "component:default/svc",
            "dependencyOf",
            "component:default/downstream",
            "dependsOn",
        ),
        (
            "system:default/sys",
            "partOf",
            "domain:default/dom",
            "hasPart",
        ),
        (
            "domain:default/dom",
            "partOf",
            "domain:default/top",
            "hasPart",
        ),
        (
            "user:default/jane",
            "memberOf",
            "group:default/team-a",
            "hasMember",
        ),
        (
            "group:default/team-a",
            "childOf",
            "group:default/dept",
            "parentOf",
        ),
        (
            "group:default/team-a",
            "parentOf",
            "group:default/sub",
            "childOf",
        ),
        (
            "group:default/team-a",
            "hasMember",
            "user:default/joe",
            "memberOf",
        ),
    ];
    for (source, forward, target, reverse) in pairs {
        assert!(
            rel(&catalog, source, forward).contains(&target.to_string()),
            "{source} {forward} {target}"
        );
        assert!(
            rel(&catalog, target, reverse).contains(&source.to_string()),
            "{target} {reverse} {source}"
        );
    }
}

#[test]
fn unresolved_targets_are_kept_and_reported_with_their_line() {
    let fx = Fixture::new().file("a/catalog-info.yaml", component("svc", "ghost-team"));
    let (catalog, diags) = fx.catalog();
    assert_eq!(
        rel(&catalog, "component:default/svc", "ownedBy"),
        vec!["group:default/ghost-team"]
    );
    // The ref the catalog does not hold has its own relations, back to the entity.
    assert_eq!(
        rel(&catalog, "group:default/ghost-team", "ownerOf"),
        vec!["component:default/svc"]
    );
    let unresolved = find(&diags, "catalog/unresolved-ref");
    assert_eq!(unresolved.len(), 1);
    assert_eq!(unresolved[0].line, Some(8));
    assert_eq!(unresolved[0].file.as_deref(), Some("catalog-info.yaml"));
}

#[test]
fn refs_default_to_the_referring_entitys_namespace() {
    let fx = Fixture::new().file(
        "a/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\n  namespace: sandbox\nspec:\n  type: service\n  lifecycle: production\n  owner: lab\n  dependsOn: [db]\n",
    );
    let (catalog, diags) = fx.catalog();
    assert_eq!(
        rel(&catalog, "component:sandbox/svc", "ownedBy"),
        vec!["group:sandbox/lab"]
    );
    // dependsOn has no default kind: `db` alone is an error, and the entity stays.
    let invalid = find(&diags, "catalog/invalid-ref");
    assert_eq!(invalid.len(), 1);
    assert_eq!(invalid[0].line, Some(10));
    assert_eq!(refs(&catalog), vec!["component:sandbox/svc"]);
}

#[test]
fn locations_are_followed_relative_to_their_file_and_cycles_are_cut() {
    let location = |name: &str, targets: &[&str]| {
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {name}\nspec:\n  targets:\n{}",
            targets.iter().map(|t| format!("    - {t}\n")).collect::<String>()
        )
    };
    let fx = Fixture::new()
        .file(
            "mono/catalog-info.yaml",
            location(
                "root",
                &["./services/a/catalog-info.yaml", "./teams/*.yaml"],
            ),
        )
        .file(
            "mono/services/a/catalog-info.yaml",
            format!(
                "{}---\n{}",
                component("a", "t1"),
                location("back", &["../../catalog-info.yaml", "./more.yaml"])
            ),
        )
        .file("mono/services/a/more.yaml", component("b", "t2"))
        .file("mono/teams/t1.yaml", group("t1"))
        .file("mono/teams/t2.yaml", group("t2"))
        .file("mono/unreferenced.yaml", component("never", "t1"));
    let (catalog, diags) = fx.catalog();
    assert_eq!(
        refs(&catalog),
        vec![
            "component:default/a",
            "component:default/b",
            "group:default/t1",
            "group:default/t2",
            "location:default/back",
            "location:default/root"
        ]
    );
    let cycles = find(&diags, "catalog/location-cycle");
    assert_eq!(cycles.len(), 1, "{diags:?}");
    assert_eq!(
        cycles[0].file.as_deref(),
        Some("services/a/catalog-info.yaml")
    );
    assert!(find(&diags, "catalog/duplicate-entity").is_empty());
}

#[test]
fn location_targets_must_exist_unless_optional_and_stay_in_the_repo() {
    let fx = Fixture::new()
        .file(
            "a/catalog-info.yaml",
            "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: l\nspec:\n  targets:\n    - ./missing.yaml\n    - ../b/catalog-info.yaml\n    - /etc/passwd\n    - ..\\\\b\\\\x.yaml\n---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: opt\nspec:\n  presence: optional\n  target: ./also-missing.yaml\n",
        )
        .file("b/catalog-info.yaml", component("b", "t"));
    let (_, diags) = fx.catalog();
    let missing = find(&diags, "catalog/location-target-missing");
    assert_eq!(missing.len(), 1, "{diags:?}");
    assert_eq!(missing[0].line, Some(7));
    assert_eq!(
        find(&diags, "catalog/location-outside-repo").len(),
        3,
        "{diags:?}"
    );
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_repository_are_refused() {
    let fx = Fixture::new().file("a/catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: l\nspec:\n  target: ./link.yaml\n");
    let outside = fx.dir.path().join("outside.yaml");
    std::fs::write(&outside, component("stolen", "t")).unwrap();
    std::os::unix::fs::symlink(&outside, fx.repos().join("a/link.yaml")).unwrap();
    let (catalog, diags) = fx.catalog();
    assert!(!refs(&catalog).contains(&"component:default/stolen".to_string()));
    assert_eq!(
        find(&diags, "catalog/location-outside-repo").len(),
        1,
        "{diags:?}"
    );
}

#[test]
fn a_duplicate_across_two_repos_keeps_the_first_and_names_both_files() {
    let fx = Fixture::new()
        .file("alpha/catalog-info.yaml", component("ledger", "team-a"))
        .file("beta/catalog-info.yaml", component("Ledger", "team-b"));
    let (catalog, diags) = fx.catalog();
    assert_eq!(refs(&catalog), vec!["component:default/ledger"]);
    assert_eq!(catalog.entities[0].source.repo, "alpha");
    let dup = find(&diags, "catalog/duplicate-entity");
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].repo.as_deref(), Some("beta"));
    assert!(
        dup[0].message.contains("alpha/catalog-info.yaml"),
        "{}",
        dup[0].message
    );
}

#[test]
fn placeholders_resolve_inside_the_repository_only() {
    let api = |definition: &str| {
        format!("apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: {}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: t\n  definition:\n    $text: {definition}\n", definition.replace(['.', '/'], "x"))
    };
    let fx = Fixture::new()
        .file(
            "a/catalog-info.yaml",
            [
                api("./specs/openapi.yaml"),
                api("../../secret.txt"),
                api("/etc/passwd"),
                api("./missing.yaml"),
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: c\n  annotations:\n    $json: ./meta.json\nspec:\n  type: service\n  lifecycle: production\n  owner: t\n  schema:\n    $ref: '#/definitions/x'\n".to_string(),
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: d\nspec:\n  $yaml: ./spec.yaml\n".to_string(),
            ]
            .join("---\n"),
        )
        .file("a/specs/openapi.yaml", "openapi: 3.0.0\n")
        .file("a/meta.json", "{\"example.com/x\": \"y\"}")
        .file("a/spec.yaml", "type: library\nlifecycle: experimental\nowner: t\n");
    std::fs::write(fx.dir.path().join("secret.txt"), "do not read").unwrap();
    let (catalog, diags) = fx.catalog();
    let names: Vec<&str> = catalog.entities.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["xxspecsxopenapixyaml", "c", "d"], "{diags:?}");
    let api = &catalog.entities[0];
    assert_eq!(api.definition_text().as_deref(), Some("openapi: 3.0.0\n"));
    // Held out of the document, in the build's scratch file.
    assert_eq!(api.value.pointer("/spec/definition"), None);
    assert_eq!(api.definition().as_ref(), Some(&"openapi: 3.0.0\n".into()));
    let c = &catalog.entities[1];
    assert_eq!(c.annotation("example.com/x"), Some("y"));
    assert_eq!(
        c.value
            .pointer("/spec/schema/$ref")
            .and_then(|v| v.as_str()),
        Some("#/definitions/x")
    );
    assert_eq!(catalog.entities[2].spec_str("type"), Some("library"));
    assert_eq!(
        find(&diags, "catalog/location-outside-repo").len(),
        2,
        "{diags:?}"
    );
    let missing = find(&diags, "catalog/placeholder");
    assert_eq!(missing.len(), 1);
    assert!(missing[0].message.contains("missing.yaml"));
    assert!(diags.iter().all(|d| !d.message.contains("do not read")));
}

#[test]
fn the_rules_allow_list_rejects_other_kinds_with_a_diagnostic() {
    let fx = Fixture::new()
        .file("a/catalog-info.yaml", format!("{}---\n{}", component("svc", "team-a"), group("team-a")))
        .file("org/catalog-info.yaml", group("team-b"))
        .config("[catalog]\nrules = [{ allow = [\"Component\", \"Location\"] }, { allow = [\"Group\"], locations = [{ type = \"file\", pattern = \"org/**\" }] }]");
    let (catalog, diags) = fx.catalog();
    assert_eq!(
        refs(&catalog),
        vec!["component:default/svc", "group:default/team-b"]
    );
    let rejected = find(&diags, "catalog/rejected-by-rules");
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].entity.as_deref(), Some("group:default/team-a"));
}

#[test]
fn hostile_input_gives_diagnostics_and_loses_nothing_else() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..14 {
        let p = i - 1;
        bomb.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let huge = format!(
        "{}# {}\n",
        component("huge", "t"),
        "x".repeat(50 * 1024 * 1024)
    );
    let mut bad_utf8 = component("latin1", "t").into_bytes();
    bad_utf8.extend_from_slice(b"  # caf\xe9\n");
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let fx = Fixture::new()
        .file("good/catalog-info.yaml", component("good", "t"))
        .file(
            "syntax/catalog-info.yaml",
            format!(
                "{}---\nkind: [unclosed\n---\n{}",
                component("before", "t"),
                component("after", "t")
            ),
        )
        .file("scalar/catalog-info.yaml", "- just\n- a list\n")
        .file("bomb/catalog-info.yaml", bomb)
        .file("huge/catalog-info.yaml", huge)
        .file("utf8/catalog-info.yaml", bad_utf8)
        .file("deep/catalog-info.yaml", deep);
    let started = std::time::Instant::now();
    let (catalog, diags) = fx.catalog();
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        refs(&catalog),
        vec![
            "component:default/after",
            "component:default/before",
            "component:default/good"
        ]
    );
    let syntax = find(&diags, "catalog/yaml-syntax");
    assert_eq!(syntax.len(), 3, "{diags:?}");
    let in_file = syntax
        .iter()
        .find(|d| d.repo.as_deref() == Some("syntax"))
        .unwrap();
    assert_eq!(in_file.line, Some(10));
    assert_eq!(find(&diags, "catalog/not-a-mapping").len(), 1);
    assert_eq!(find(&diags, "catalog/file-too-large").len(), 1);
    let utf8 = find(&diags, "catalog/invalid-utf8");
    assert_eq!(utf8.len(), 1);
    assert_eq!(utf8[0].line, Some(9));
}

#[test]
fn documents_are_recorded_with_their_index_and_validity() {
    let fx = Fixture::new().file(
        "a/catalog-info.yaml",
        format!("{}---\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bad name\nspec: {{}}\n---\n- x\n", component("ok", "t")),
    );
    let (catalog, _) = fx.catalog();
    let docs: Vec<(usize, Option<&str>, bool)> = catalog
        .documents
        .iter()
        .map(|d| (d.index, d.entity_ref.as_deref(), d.valid))
        .collect();
    assert_eq!(
        docs,
        vec![
            (0, Some("component:default/ok"), true),
            (2, Some("component:default/bad name"), false),
            (3, None, false)
        ]
    );
}

/// A repository with a git origin, so URLs into it can be recognised.
fn with_origin(fx: Fixture, repo: &str, origin: &str) -> Fixture {
    fx.file(
        &format!("{repo}/.git/HEAD"),
        "0123456789abcdef0123456789abcdef01234567\n",
    )
    .file(
        &format!("{repo}/.git/config"),
        format!("[remote \"origin\"]\n\turl = {origin}\n"),
    )
}

#[test]
fn location_urls_into_other_gathered_repositories_are_read_from_there() {
    let location = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: org\nspec:\n  targets:\n    - https://github.com/kloudvin/teams/blob/main/org/groups.yaml\n    - https://github.com/kloudvin/teams/blob/main/org/missing.yaml\n    - https://github.com/elsewhere/repo/blob/main/x.yaml\n";
    let groups = format!(
        "{}---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: back\nspec:\n  targets:\n    - https://github.com/kloudvin/portal/blob/main/catalog-info.yaml\n    - https://github.com/kloudvin/portal/blob/main/more.yaml\n",
        group("team-ledger")
    );
    let fx = Fixture::new()
        .file("portal/catalog-info.yaml", location)
        .file("portal/more.yaml", component("ledger", "team-ledger"))
        .file("teams/org/groups.yaml", groups);
    let fx = with_origin(fx, "portal", "https://github.com/kloudvin/portal.git");
    let fx = with_origin(fx, "teams", "git@github.com:kloudvin/teams.git");
    let (catalog, diagnostics) = fx.catalog();

    // The group comes from the teams repository; its Location back into the portal reads
    // more.yaml there, and the portal's own catalog file is not read twice.
    let team = catalog
        .get(&EntityRef::new("group", "default", "team-ledger"))
        .expect("the group from the other repository");
    assert_eq!(team.source.repo, "teams");
    assert_eq!(team.source.file.as_str(), "org/groups.yaml");
    let ledger = catalog
        .get(&EntityRef::new("component", "default", "ledger"))
        .expect("the component two hops away");
    assert_eq!(ledger.source.repo, "portal");
    assert!(
        find(&diagnostics, "catalog/duplicate-entity").is_empty(),
        "{diagnostics:?}"
    );
    assert!(
        find(&diagnostics, "catalog/unresolved-ref").is_empty(),
        "{diagnostics:?}"
    );

    let missing = find(&diagnostics, "catalog/location-target-missing");
    assert_eq!(missing.len(), 1, "{diagnostics:?}");
    assert_eq!(missing[0].repo.as_deref(), Some("portal"));
    assert_eq!(missing[0].line, Some(8));
    let outside = find(&diagnostics, "catalog/location-not-followed");
    assert_eq!(outside.len(), 1, "{diagnostics:?}");
    assert!(
        outside[0].message.contains("elsewhere"),
        "{}",
        outside[0].message
    );
}
