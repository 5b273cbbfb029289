//! "My services" on the home page: the owner index the build emits beside it (who is in which
//! team, what each team owns and its catalog problems), the cluster health the page reads from
//! the status file instead, and what the home page carries only when `[sso] userinfo_url` is set.

use crate::common;

use common::files_below;
use playbill::config::Config;
use playbill::diagnostics::{Diagnostic, Severity};
use serde_json::Value;
use std::path::Path;

/// The `window.<global>=...;` data file under `dir` whose name starts with `prefix`, parsed.
fn data_file(out: &Path, prefix: &str, global: &str) -> (String, String, Value) {
    let name = files_below(out)
        .into_iter()
        .find(|f| f.starts_with(prefix) && f.ends_with(".js"))
        .unwrap_or_else(|| panic!("no {prefix}*.js"));
    let text = std::fs::read_to_string(out.join(&name)).unwrap();
    let json = text
        .strip_prefix(&format!("window.{global}="))
        .and_then(|t| t.strip_suffix(";\n"))
        .unwrap_or_else(|| panic!("{name} does not set {global}: {text}"));
    let value = serde_json::from_str(json).expect("the data is JSON");
    (name, text, value)
}

/// The owners (refs) listed for an e-mail address: the user first, then its groups.
fn owners_of(index: &Value, email: &str) -> Vec<String> {
    index["users"][email]
        .as_array()
        .unwrap_or_else(|| panic!("{email} is not in the index"))
        .iter()
        .map(|i| {
            index["owners"][i.as_u64().unwrap() as usize][0]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// The refs an owner owns, as the index lists them.
fn owned_by(index: &Value, owner: &str) -> Vec<String> {
    let owner = index["owners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o[0] == owner)
        .unwrap_or_else(|| panic!("{owner} is not an owner in the index"));
    owner[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            index["entities"][i.as_u64().unwrap() as usize][0]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn the_demo_maps_a_users_email_to_their_team_and_its_services() {
    // Long on purpose: one sign-in scenario against the loopback userinfo server, step by step.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml")).unwrap();
    assert_eq!(config.sso.userinfo_url.as_deref(), Some("/oauth2/userinfo"));
    let report = playbill::build::build(&config, &out, &|_| {}).expect("demo builds");

    let (name, _, index) = data_file(&out, "catalog/owners.", "PLAYBILL_OWNERS");
    assert_eq!(
        owners_of(&index, "ingrid.halvorsen@kloudvin.example"),
        ["user:default/ingrid.halvorsen", "group:default/team-ledger"]
    );
    // Members of two groups, one in another namespace, get both.
    assert_eq!(
        owners_of(&index, "hiroshi.sato@kloudvin.example"),
        [
            "user:default/hiroshi.sato",
            "group:default/team-fx",
            "group:sandbox/sandbox-lab"
        ]
    );
    let ledger = owned_by(&index, "group:default/team-ledger");
    assert!(
        ledger.contains(&"component:default/payments-ledger".to_string()),
        "{ledger:?}"
    );
    // Groups are found by name, namespace/name, ref and their profile e-mail.
    for key in [
        "team-ledger",
        "default/team-ledger",
        "group:default/team-ledger",
        "team-ledger@kloudvin.example",
    ] {
        let hits = index["groups"][key]
            .as_array()
            .unwrap_or_else(|| panic!("{key}"));
        assert_eq!(hits.len(), 1, "{key}");
        assert_eq!(
            index["owners"][hits[0].as_u64().unwrap() as usize][0],
            "group:default/team-ledger"
        );
    }
    // An entity row: [ref, title, type, lifecycle, errors, warnings].
    let rows = index["entities"].as_array().unwrap();
    let ledger_row = rows
        .iter()
        .find(|e| e[0] == "component:default/payments-ledger")
        .unwrap();
    assert_eq!(ledger_row[1], "Payments Ledger");
    assert_eq!(ledger_row[2], "service");
    assert_eq!(ledger_row[3], "production");
    // Problem counts are the build's diagnostics of that entity.
    let counted = |r: &Value, severity: Severity| {
        let of = |d: &&Diagnostic| d.entity.as_deref() == r[0].as_str() && d.severity == severity;
        report.diagnostics.iter().filter(of).count() as u64
    };
    for r in rows {
        assert_eq!(
            r[4].as_u64(),
            Some(counted(r, Severity::Error)),
            "errors of {r}"
        );
        assert_eq!(
            r[5].as_u64(),
            Some(counted(r, Severity::Warning)),
            "warnings of {r}"
        );
    }
    let settlement = rows
        .iter()
        .find(|e| e[0] == "component:default/settlement")
        .unwrap();
    assert!(
        settlement[4].as_u64() > Some(0),
        "the redacted secret counts: {settlement}"
    );

    // Cluster health comes from the volatile status file, not the index.
    let (_, index_text, _) = data_file(&out, "catalog/owners.", "PLAYBILL_OWNERS");
    assert!(!index_text.contains("failing") && !index_text.contains("prod-us"));
    let status = std::fs::read_to_string(out.join("clusters/status.js")).unwrap();
    let status: Value = serde_json::from_str(
        status
            .split_once("] = ")
            .and_then(|(_, v)| v.strip_suffix(";\n"))
            .unwrap(),
    )
    .unwrap();
    let health = &status["services"]["component:default/payments-ledger"];
    assert!(
        matches!(health[0].as_str(), Some("failing" | "degraded")),
        "{health}"
    );
    assert!(
        health[1].as_u64().unwrap() > 0,
        "payments-ledger has cluster problems: {health}"
    );
    assert!(
        health[2].as_array().unwrap().iter().any(|c| c == "prod-us"),
        "the OOMKilled pod makes prod-us unhealthy: {health}"
    );

    // The home page names the endpoint and the index; only it does.
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("id=\"my-services\""), "no section");
    assert!(home.contains(&name), "the home page does not name {name}");
    assert!(home.contains("/oauth2/userinfo"));
    let catalog = std::fs::read_to_string(out.join("catalog/index.html")).unwrap();
    assert!(!catalog.contains("my-services"));
}

#[test]
fn emails_and_titles_in_the_index_stay_inert_and_membership_is_direct() {
    let hostile = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\n  title: \"</script><img src=x onerror=alert(1)>\"\nspec:\n  type: team\n  parent: parent-team\n  children: []\n  members: [eve]\n  profile:\n    email: \"Team-A@Example.com\"\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: parent-team\nspec:\n  type: department\n  children: [team-a]\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: eve\nspec:\n  profile:\n    email: \"  Eve</script><script>alert(2)</script>@Example.com \"\n  memberOf: []\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: eve-again\nspec:\n  profile:\n    email: \"eve</script><script>alert(2)</script>@example.com\"\n  memberOf: [parent-team]\n";
    let fx = common::Fixture::new()
        .file("org/catalog-info.yaml", hostile)
        .file(
            "svc/catalog-info.yaml",
            common::component("svc-a", "team-a"),
        )
        .file(
            "top/catalog-info.yaml",
            common::component("svc-top", "parent-team"),
        )
        .config("[sso]\nuserinfo_url = \"/oauth2/userinfo\"");
    let config = fx.load_config();
    playbill::build::build(&config, &fx.out(), &|_| {}).unwrap();
    let (_, text, index) = data_file(&fx.out(), "catalog/owners.", "PLAYBILL_OWNERS");
    assert!(!text.contains('<'), "markup in the index: {text}");
    let email = "eve</script><script>alert(2)</script>@example.com";
    // Trimmed and lower-cased; the first user with an address keeps it; membership from the
    // group's `members`, and the parent group's services are not the member's.
    assert_eq!(
        owners_of(&index, email),
        ["user:default/eve", "group:default/team-a"]
    );
    assert_eq!(
        owned_by(&index, "group:default/team-a"),
        ["component:default/svc-a"]
    );
    let team = index["groups"]["team-a@example.com"][0].as_u64().unwrap() as usize;
    assert_eq!(
        index["owners"][team][1],
        "</script><img src=x onerror=alert(1)>"
    );
}

#[test]
fn without_the_setting_the_home_page_neither_asks_nor_ships_an_index() {
    let fx = common::Fixture::new().file("svc/catalog-info.yaml", common::component("svc-a", "t"));
    let config = fx.load_config();
    assert_eq!(config.sso.userinfo_url, None);
    playbill::build::build(&config, &fx.out(), &|_| {}).unwrap();
    let files = files_below(&fx.out());
    assert!(
        !files.iter().any(|f| f.starts_with("catalog/owners.")),
        "{files:?}"
    );
    let home = std::fs::read_to_string(fx.out().join("index.html")).unwrap();
    assert!(
        !home.contains("my-services") && !home.contains("myservices."),
        "{home}"
    );
}
