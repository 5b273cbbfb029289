//! Diagram fences drawn at build time, through the whole build: every kind becomes inline SVG
//! in its page under the page's CSP, one that fails stays code with a `docs/diagram` warning at
//! its file and line, and PlantUML is drawn by the real `plantuml` command when site.toml names
//! it (needs it installed: tests/diagrams/install.sh; skips without it unless
//! PLAYBILL_REQUIRE_SERVERS is set).

use crate::common::{self, find, require_installed, Fixture};
use std::path::PathBuf;
use std::process::Command;

const CATALOG: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ledger\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n  lifecycle: production\n  owner: t\n";

const PAGE: &str = "# Ledger\n\n<div class=\"note\">Raw HTML sends the page through the sanitiser.</div>\n\n```mermaid\nsequenceDiagram\n  Client->>Ledger: POST /transfers\n```\n\n```dot\ndigraph { api -> ledgerdb }\n```\n\n```mermaid\nflowchar TD\n  a --> b\n```\n\n```plantuml\n@startuml\nAlice -> Bob: hello\n@enduml\n```\n";

fn site(extra_config: &str) -> Fixture {
    Fixture::new()
        .file("ledger/catalog-info.yaml", CATALOG)
        .file("ledger/mkdocs.yml", "site_name: Ledger\n")
        .file("ledger/docs/index.md", PAGE)
        .config(extra_config)
}

fn build(fx: &Fixture) -> (playbill::build::BuildReport, String) {
    let config = fx.load_config();
    let report = playbill::build::build(&config, &fx.out(), &|_| {}).expect("builds");
    let page = std::fs::read_to_string(fx.out().join("docs/default/component/ledger/index.html"))
        .expect("page written");
    (report, page)
}

/// The `(line, message)` of each `docs/diagram` warning.
fn diagram_warnings(report: &playbill::build::BuildReport) -> Vec<(Option<u32>, String)> {
    find(&report.diagnostics, "docs/diagram")
        .into_iter()
        .map(|d| {
            assert_eq!(d.file.as_deref(), Some("docs/index.md"));
            (d.line, d.message.clone())
        })
        .collect()
}

#[test]
fn diagrams_are_drawn_into_the_page_and_failures_stay_code_at_their_line() {
    let fx = site("");
    let (report, page) = build(&fx);
    assert_eq!(
        page.matches("<figure class=\"diagram diagram-").count(),
        2,
        "{page}"
    );
    for label in [
        ">Client<",
        ">Ledger<",
        ">POST /transfers<",
        ">api<",
        ">ledgerdb<",
    ] {
        assert!(page.contains(label), "{label} missing");
    }
    assert_eq!(common::unsafe_markup(&page), Vec::<String>::new());
    for (name, attrs) in common::start_tags(&page) {
        assert!(
            !attrs.iter().any(|(a, _)| a == "style"),
            "<{name}> has a style attribute, which the CSP blocks"
        );
        assert_ne!(name, "style", "a <style> element, which the CSP blocks");
    }
    let warnings = diagram_warnings(&report);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0].0, Some(14), "{warnings:?}");
    assert!(warnings[0].1.contains("Mermaid"), "{warnings:?}");
    assert_eq!(warnings[1].0, Some(19), "{warnings:?}");
    assert!(warnings[1].1.contains("[docs.plantuml]"), "{warnings:?}");
    assert!(page.contains("<code class=\"language-plantuml\">"));
    assert!(page.contains("<code class=\"language-mermaid\">"));
}

#[test]
fn plantuml_is_drawn_by_the_configured_command() {
    // `-version` exits non-zero when Graphviz is missing, which sequence diagrams (the one
    // drawn here) do not need: the command is there when it names itself.
    let found = Command::new("plantuml")
        .arg("-version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("PlantUML version"))
        .then(|| PathBuf::from("plantuml"));
    if require_installed("plantuml", found, "run tests/diagrams/install.sh").is_none() {
        return;
    }
    let fx = site("[docs.plantuml]\ncommand = \"plantuml\"\ntimeout_seconds = 60\n");
    let (report, page) = build(&fx);
    assert_eq!(
        page.matches("<figure class=\"diagram diagram-").count(),
        3,
        "{page}"
    );
    assert!(page.contains("diagram-plantuml"));
    assert!(
        page.contains(">Alice<") && page.contains(">hello<"),
        "{page}"
    );
    let warnings = diagram_warnings(&report);
    assert_eq!(
        warnings.len(),
        1,
        "only the broken Mermaid fence: {warnings:?}"
    );
    for (name, attrs) in common::start_tags(&page) {
        assert!(!attrs.iter().any(|(a, _)| a == "style"), "<{name}> style");
    }
}
