//! Group pages roll up what their sub-teams own and list the catalog problems of all of it;
//! the team tree counts ownership with sub-teams. Built from repositories on disk.

use crate::common::Fixture;

const ORG: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: dept
spec:
  type: department
  children: [team-a]
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
spec:
  type: team
  children: [squad-b]
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: squad-b
spec:
  type: team
  children: []
"#;

fn component(name: &str, owner: &str, extra: &str) -> String {
    format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n{extra}")
}

#[test]
fn a_department_rolls_up_its_teams_and_lists_their_catalog_problems() {
    let f = Fixture::new()
        .file("org/catalog-info.yaml", ORG)
        .file("a/catalog-info.yaml", component("alpha", "team-a", ""))
        .file(
            "b/catalog-info.yaml",
            component("beta", "squad-b", "  dependsOn: [resource:nowhere]\n"),
        );
    let config = f.load_config();
    let out = f.out();
    playbill::build::build(&config, &out, &|_| {}).unwrap();
    let dept = std::fs::read_to_string(out.join("catalog/default/group/dept/index.html")).unwrap();
    let rollup = &dept[dept.find("id=\"rollup-title\"").expect("a roll-up")..];
    assert!(
        rollup.contains("0 owned directly, 2 by 2 sub-teams"),
        "{rollup}"
    );
    assert!(
        rollup.contains(">alpha</a> <span class=\"muted\">(team-a)"),
        "{rollup}"
    );
    assert!(
        rollup.contains(">beta</a> <span class=\"muted\">(squad-b)"),
        "{rollup}"
    );
    let health = &dept[dept.find("id=\"catalog-health-title\"").unwrap()..];
    let health = &health[..health.find("</section>").unwrap()];
    // The dangling dependency, at its file and line, and the missing docs of both.
    assert!(health.contains("dangling reference"), "{health}");
    assert!(health.contains("catalog-info.yaml:9"), "{health}");
    assert_eq!(
        health.matches("<strong>no docs</strong>").count(),
        2,
        "{health}"
    );
    // The tree on teams/ counts what each team owns with its sub-teams.
    let teams = std::fs::read_to_string(out.join("teams/index.html")).unwrap();
    assert!(teams.contains("1 owned (2 with sub-teams)"), "{teams}");
    // A team without sub-teams and without problems has no roll-up.
    let f = Fixture::new()
        .file("org/catalog-info.yaml", ORG.split("---").nth(2).unwrap())
        .file("x/catalog-info.yaml", component("x", "squad-b", ""));
    let mut config = f.load_config();
    config.scorecards.enabled = false;
    playbill::build::build(&config, &f.out(), &|_| {}).unwrap();
    let squad =
        std::fs::read_to_string(f.out().join("catalog/default/group/squad-b/index.html")).unwrap();
    assert!(!squad.contains("rollup-title"));
}

#[test]
fn a_team_with_more_catalog_problems_than_its_page_lists_still_gets_its_page() {
    // 60 services without docs or a runbook: 120 problems, more than the page lists.
    let mut f = Fixture::new().file("org/catalog-info.yaml", ORG);
    for i in 0..60 {
        f = f.file(
            &format!("s{i}/catalog-info.yaml"),
            component(&format!("svc-{i}"), "team-a", ""),
        );
    }
    let config = f.load_config();
    let out = f.out();
    let report = playbill::build::build(&config, &out, &|_| {}).unwrap();
    let template_errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "site/template")
        .collect();
    assert!(template_errors.is_empty(), "{template_errors:?}");
    let team = std::fs::read_to_string(out.join("catalog/default/group/team-a/index.html"))
        .expect("the team's page");
    let health = &team[team.find("id=\"catalog-health-title\"").unwrap()..];
    let health = &health[..health.find("</section>").unwrap()];
    let listed = health.matches("<li>").count();
    assert!(listed > 0, "{health}");
    let count = &health[health.find("class=\"count\">").unwrap() + "class=\"count\">".len()..];
    let total: usize = count[..count.find('<').unwrap()].parse().unwrap();
    assert!(
        total >= 120 && listed < total,
        "{total} problems, {listed} listed"
    );
    assert!(
        health.contains(&format!("{} more on the", total - listed)),
        "{health}"
    );
}
