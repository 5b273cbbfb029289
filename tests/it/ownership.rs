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
    let rollup = &dept[dept.find("id=rollup-title").expect("a roll-up")..];
    assert!(
        rollup.contains("0 owned directly, 2 by 2 sub-teams"),
        "{rollup}"
    );
    assert!(
        rollup.contains(">alpha</a> <span class=muted>(team-a)"),
        "{rollup}"
    );
    assert!(
        rollup.contains(">beta</a> <span class=muted>(squad-b)"),
        "{rollup}"
    );
    let health = &dept[dept.find("id=catalog-health-title").unwrap()..];
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
