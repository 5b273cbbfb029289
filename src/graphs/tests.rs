//! Pictures of small catalogs read from real files through the gather and catalog stages.

use super::*;
use crate::config::{Config, Layout, Source};

fn catalog(yaml: &str) -> (tempfile::TempDir, Catalog) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("org/repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("catalog-info.yaml"), yaml).unwrap();
    let mut config = Config::defaults(dir.path());
    config.sources = vec![Source::Local {
        path: std::fs::canonicalize(dir.path().join("org")).unwrap(),
        layout: Layout::Repos,
        health_file: None,
    }];
    let (_, catalog, _) = crate::build::load_catalog(&config, &|_| {});
    (dir, catalog)
}

fn component(name: &str, extra: &str) -> String {
    format!("---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n{extra}spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n  system: shop\n")
}

/// `hub` depends on `n` services; `shop` holds them all; team-a owns them.
fn hub_catalog(n: usize) -> String {
    let mut yaml = String::from("---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: shop\nspec:\n  owner: team-a\n");
    let deps: Vec<String> = (0..n).map(|i| format!("component:svc-{i:02}")).collect();
    yaml += &component("hub", "").replace(
        "spec:\n",
        &format!("spec:\n  dependsOn: [{}]\n", deps.join(", ")),
    );
    for i in 0..n {
        yaml += &component(&format!("svc-{i:02}"), "");
    }
    yaml
}

fn facts<'a>(catalog: &'a Catalog, config: &'a GraphsConfig) -> Facts<'a> {
    Facts {
        catalog,
        config,
        health: &|_| Health::Good,
        root: "../../../../",
    }
}

/// The list beside a picture, one sentence a relation.
fn sentences(picture: &Picture) -> Vec<String> {
    let each = |g: &Said| -> Vec<String> {
        let says = |t: &Told| format!("{} {} {}", g.from.title, t.phrase, t.to.title);
        g.relations.iter().map(says).collect()
    };
    picture.said.iter().flat_map(each).collect()
}

fn key(text: &str) -> EntityRef {
    EntityRef::parse(text, None, "default").unwrap()
}

#[test]
fn a_neighbourhood_past_the_cap_ends_in_a_more_box() {
    let (_dir, catalog) = catalog(&hub_catalog(60));
    let config = GraphsConfig::default();
    let picture = neighbourhood(&facts(&catalog, &config), &key("component:hub"), "#rel").unwrap();
    assert_eq!(picture.nodes, 40);
    // 60 dependencies, the owner and the system: 62 neighbours, 38 drawn beside the hub.
    assert_eq!(picture.left_out, 62 - 38);
    assert!(picture.svg.contains("+24 more"), "{}", picture.svg);
    assert!(picture.svg.contains(r##"href="#rel""##));
    // Dependencies rank before ownership: the owner is among those left out, listed on the page.
    assert!(!picture.svg.contains("team-a"));
    assert_eq!(picture.svg.matches("<rect").count(), 40);
}

#[test]
fn under_the_cap_every_neighbour_is_drawn_and_linked() {
    let (_dir, catalog) = catalog(&hub_catalog(3));
    let config = GraphsConfig::default();
    let picture = neighbourhood(&facts(&catalog, &config), &key("component:hub"), "#rel").unwrap();
    assert_eq!((picture.nodes, picture.left_out), (6, 0));
    assert!(!picture.svg.contains("more"));
    assert!(picture
        .svg
        .contains(r#"href="../../../../catalog/default/component/svc-01/index.html""#));
    // The subject is not a link to itself.
    assert!(!picture.svg.contains("component/hub/index.html"));
    let said = sentences(&picture);
    assert!(
        said.contains(&"hub depends on svc-00".to_string()),
        "{said:?}"
    );
    assert!(
        said.contains(&"hub is owned by team-a".to_string()),
        "{said:?}"
    );
}

#[test]
fn the_same_catalog_draws_the_same_bytes() {
    let (_dir, catalog) = catalog(&hub_catalog(30));
    let config = GraphsConfig::default();
    let draw = || {
        let f = facts(&catalog, &config);
        let map = system_map(&f, &[key("system:shop")], "#parts").unwrap();
        (
            map.svg,
            neighbourhood(&f, &key("component:hub"), "#rel")
                .unwrap()
                .svg,
        )
    };
    let first = draw();
    assert_eq!(draw(), first);
}

#[test]
fn a_dependency_on_a_less_critical_tier_is_a_warning() {
    let yaml = component("front", "  labels:\n    example.com/tier: \"1\"\n").replace(
        "spec:\n",
        "spec:\n  dependsOn: [component:back, component:peer]\n",
    ) + &component("back", "  annotations:\n    tier: tier-3\n")
        + &component("peer", "  labels:\n    tier: \"1\"\n");
    let (_dir, catalog) = catalog(&yaml);
    let config = GraphsConfig::default();
    let picture = neighbourhood(&facts(&catalog, &config), &key("component:front"), "#").unwrap();
    assert_eq!(picture.warnings, 1);
    let warned: Vec<&str> = picture
        .said
        .iter()
        .flat_map(|g| &g.relations)
        .filter(|s| s.warning)
        .map(|s| s.to.title.as_str())
        .collect();
    assert_eq!(warned, ["back"]);
    assert_eq!(picture.svg.matches("edge-warn").count(), 1);
}

#[test]
fn text_from_the_catalog_is_escaped() {
    let yaml = component("a", "  title: \"<script>x</script>\"\n")
        .replace("spec:\n", "spec:\n  dependsOn: [component:b]\n")
        + &component("b", "");
    let (_dir, catalog) = catalog(&yaml);
    let config = GraphsConfig::default();
    let picture = neighbourhood(&facts(&catalog, &config), &key("component:b"), "#").unwrap();
    assert!(!picture.svg.contains("<script"), "{}", picture.svg);
    assert!(picture.svg.contains("&lt;script&gt;"));
}

#[test]
fn a_missing_entity_is_drawn_without_a_link() {
    let yaml = component("a", "").replace("spec:\n", "spec:\n  dependsOn: [resource:gone]\n");
    let (_dir, catalog) = catalog(&yaml);
    let config = GraphsConfig::default();
    let picture = neighbourhood(&facts(&catalog, &config), &key("component:a"), "#").unwrap();
    assert!(picture.svg.contains("health-missing"));
    assert!(picture.svg.contains("not in the catalog"));
    assert!(!picture.svg.contains("resource/gone/index.html"));
}

#[test]
fn pictures_can_be_turned_off() {
    let (_dir, catalog) = catalog(&hub_catalog(3));
    let config = GraphsConfig {
        enabled: false,
        ..GraphsConfig::default()
    };
    assert!(neighbourhood(&facts(&catalog, &config), &key("component:hub"), "#").is_none());
}
