//! Trends, levels and timelines: a previous state's score and problem history becomes
//! sparklines with their sentence on the scorecards page and entity pages, scorecard levels
//! show as badges, and an entity's timeline lists its changes and its dependencies'.

use crate::common::Fixture;
use std::path::Path;

const TEAM: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n";

fn service(name: &str, extra: &str) -> String {
    format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: The {name} service.\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n{extra}")
}

/// A state written by a build long ago: no entities yet, and a score and problem history.
const LONG_AGO: &str = r#"{"version": 1, "entities": {}, "trends": {
  "scores": {"component:default/alpha": [[0, 20]]},
  "teams": {"group:default/team-a": [[0, 20]]},
  "problems": {"component:default/alpha": [[0, 3]]}}}"#;

fn fixture() -> Fixture {
    Fixture::new()
        .file("org/catalog-info.yaml", TEAM)
        .file("alpha/catalog-info.yaml", service("alpha", ""))
        .file(
            "beta/catalog-info.yaml",
            service("beta", "  dependsOn: [component:alpha]\n"),
        )
}

fn read(out: &Path, file: &str) -> String {
    std::fs::read_to_string(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The accessible name of the first sparkline after `from` in `html`.
fn sparkline_after<'a>(html: &'a str, from: &str) -> &'a str {
    let at = html
        .find(from)
        .unwrap_or_else(|| panic!("no {from} in {html}"));
    let tags = html[at..].split("<svg ").skip(1);
    let tag = tags
        .map(|rest| &rest[..rest.find('>').unwrap()])
        .find(|tag| tag.contains("sparkline"))
        .unwrap_or_else(|| panic!("no sparkline after {from} in {html}"));
    let label = &tag[tag.find("aria-label=\"").unwrap() + 12..];
    &label[..label.find('"').unwrap()]
}

#[test]
fn a_previous_history_becomes_sparklines_levels_and_timelines() {
    let f = fixture();
    let previous = f.repos().join("../previous-state.json");
    std::fs::write(&previous, LONG_AGO).unwrap();
    let mut config = f.load_config();
    config.changes.previous_state = Some(previous.display().to_string());
    let out = f.out();
    playbill::build::build(&config, &out, &|_| {}).unwrap();

    let alpha = read(&out, "catalog/default/component/alpha/index.html");
    // The point of 1970 is the value the 90-day window starts with.
    let score = sparkline_after(&alpha, "id=\"scorecard-title\"");
    assert!(
        score.starts_with("score 20% → ") && score.ends_with("% over 90 days"),
        "{score}"
    );
    let problems = sparkline_after(&alpha, "id=\"problem-trend-title\"");
    assert_eq!(problems, "problems 3 → 0 over 90 days");
    assert!(
        alpha.contains("class=\"sparkline spark-better\""),
        "fewer problems"
    );
    assert!(
        !alpha.contains(" style="),
        "no style attribute under the CSP"
    );
    // No docs, no runbook: an owner and a description make Bronze.
    assert!(
        alpha.contains("level-badge level-bronze"),
        "no Bronze badge"
    );

    let scorecards = read(&out, "scorecards/index.html");
    let team = sparkline_after(&scorecards, "data-team=\"group:default/team-a\"");
    assert!(team.starts_with("score 20% → "), "{team}");
    assert!(
        scorecards.contains("id=\"levels-title\""),
        "the levels' legend"
    );

    // The state carries the history on: a second point per series.
    let state: serde_json::Value = serde_json::from_str(&read(&out, "changes/state.json")).unwrap();
    let points = state["trends"]["teams"]["group:default/team-a"]
        .as_array()
        .unwrap();
    assert_eq!(points.len(), 2, "{points:?}");

    // beta's timeline: its own arrival and its dependency's, marked as such.
    let beta = read(&out, "catalog/default/component/beta/index.html");
    let timeline = &beta[beta.find("id=\"timeline-title\"").expect("a timeline")..];
    let timeline = &timeline[..timeline.find("</section>").unwrap()];
    assert_eq!(timeline.matches("<li").count(), 2, "{timeline}");
    assert!(
        timeline.contains("dependency</span> <a href=\"../../../../catalog/default/component/alpha/index.html\">alpha</a>"),
        "{timeline}"
    );
    assert!(timeline.contains("changes/index.html#set-"), "{timeline}");
}

#[test]
fn levels_come_from_site_toml_and_a_wrong_check_names_its_line() {
    let f = fixture().config(
        "[scorecards]\n[[scorecards.levels]]\nname = \"Described\"\nchecks = [\"has-description\"]\n",
    );
    let out = f.out();
    playbill::build::build(&f.load_config(), &out, &|_| {}).unwrap();
    let alpha = read(&out, "catalog/default/component/alpha/index.html");
    assert!(alpha.contains("level-badge level-described"), "no badge");
    assert!(!alpha.contains("level-bronze"), "the defaults are replaced");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("site.toml");
    let text = "title = \"T\"\n\n[scorecards]\n[[scorecards.levels]]\nname = \"Gold\"\nchecks = [\"has-doc\"]\n";
    std::fs::write(&file, text).unwrap();
    let err = playbill::config::Config::load(&file)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown check `has-doc`"), "{err}");
    assert!(err.contains("line 6"), "{err}");
}

#[test]
fn the_demo_shows_trends_a_level_and_payments_ledger_timeline() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml");
    let config = playbill::config::Config::load(&file).expect("demo site.toml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    playbill::build::build(&config, &out, &|_| {}).unwrap();
    let ledger = read(&out, "catalog/default/component/payments-ledger/index.html");
    let problems = sparkline_after(&ledger, "id=\"problem-trend-title\"");
    assert_eq!(problems, "problems 4 → 5 over 80 days");
    assert!(ledger.contains("level-badge level-"), "no level badge");
    let timeline = &ledger[ledger.find("id=\"timeline-title\"").expect("a timeline")..];
    assert!(timeline.contains("2.9.8 → "), "{timeline}");
    assert!(timeline.contains("in prod-us"), "{timeline}");
    let settlement = read(&out, "catalog/default/component/settlement/index.html");
    let timeline = &settlement[settlement
        .find("id=\"timeline-title\"")
        .expect("a timeline")..];
    assert!(timeline.contains(">Payments Ledger</a>: "), "{timeline}");
    let scorecards = read(&out, "scorecards/index.html");
    let team = sparkline_after(&scorecards, "data-team=\"group:default/team-ledger\"");
    assert!(
        team.contains(" → ") && team.ends_with("over 80 days"),
        "{team}"
    );
}
