//! The incident card at the top of a service's page (owner team's contacts, on-call, the one
//! runbook by the documented rule, recent changes) and the freshness data pages age their
//! dates against: built from real repositories on disk through the whole build.

use crate::common::{self, Fixture};

const GROUP: &str = r##"apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-ledger
  title: Ledger
  annotations:
    pagerduty.com/service-id: PLEDGER1
  links:
    - url: https://chat.example/channels/team-ledger
      title: "#team-ledger"
      icon: chat
    - url: https://wiki.example/team-ledger/runbook
      title: Team runbook
spec:
  type: team
  profile:
    displayName: Ledger crew
    email: ledger@example.com
  children: []
"##;

const SERVICE: &str = r##"apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  annotations:
    backstage.io/techdocs-ref: dir:.
  links:
    - url: https://grafana.example/d/ledger
      title: Dashboard
    - url: https://runbooks.example/ledger
      title: Runbook (old wiki)
    - url: https://ops.example/ledger/playbook
      title: Ledger playbook
      type: runbook
spec:
  type: service
  lifecycle: production
  owner: team-ledger
"##;

fn fixture() -> Fixture {
    Fixture::new()
        .file("org/catalog-info.yaml", GROUP)
        .file("ledger/catalog-info.yaml", SERVICE)
        .file("ledger/mkdocs.yml", "site_name: Ledger\n")
        .file("ledger/docs/index.md", "# Ledger\n\nHello.\n")
        .file("ledger/docs/runbook.md", "# Runbook\n\nRestart it.\n")
        .file(
            "worker/catalog-info.yaml",
            common::component("worker", "group:default/nobody"),
        )
}

fn build(f: &Fixture) -> std::path::PathBuf {
    let config = f.load_config();
    playbill::build::build(&config, &f.out(), &|_| {}).expect("builds");
    f.out()
}

fn page(out: &std::path::Path, name: &str) -> String {
    std::fs::read_to_string(out.join(format!("catalog/default/component/{name}/index.html")))
        .unwrap()
}

/// The `<section class="card incident"…>` of a page.
fn card(html: &str) -> &str {
    let start = html
        .find("class=\"card incident\"")
        .expect("an incident card");
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

#[test]
fn the_card_names_the_team_its_contacts_and_the_one_runbook() {
    let f = fixture().config("[oncall]\npagerduty_url = \"https://acme.pagerduty.com/\"\n");
    let out = build(&f);
    let html = page(&out, "ledger");
    let card = card(&html);
    // The team from its spec.profile, its chat link and e-mail.
    assert!(card.contains("Ledger crew"), "{card}");
    assert!(
        card.contains("https://chat.example/channels/team-ledger"),
        "{card}"
    );
    assert!(card.contains("mailto:ledger@example.com"), "{card}");
    // The team's PagerDuty annotation becomes a link with [oncall] pagerduty_url.
    assert!(
        card.contains("https://acme.pagerduty.com/service-directory/PLEDGER1"),
        "{card}"
    );
    // A `type: runbook` link wins over a link titled "Runbook", the docs page and the team's.
    let runbook = &card[card.find("incident-runbook").unwrap()..];
    let first = &runbook[..runbook.find("</a>").unwrap()];
    assert!(
        first.contains("https://ops.example/ledger/playbook"),
        "{first}"
    );
    let others = &card[card.find("incident-more-runbooks").expect("others listed")..];
    let order: Vec<usize> = [
        "https://runbooks.example/ledger",
        "docs/default/component/ledger/runbook/index.html",
        "https://wiki.example/team-ledger/runbook",
    ]
    .iter()
    .map(|u| others.find(u).unwrap_or_else(|| panic!("{u} in {others}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{others}");
    // The dashboard is neither a runbook nor on-call.
    assert!(!card.contains("grafana.example"), "{card}");
}

#[test]
fn without_a_paging_address_the_annotation_is_text_and_gaps_are_said() {
    let f = fixture();
    let out = build(&f);
    let card_html = page(&out, "ledger");
    let ledger = card(&card_html);
    assert!(ledger.contains("PagerDuty service PLEDGER1"), "{ledger}");
    assert!(
        !ledger.contains("pagerduty.com/service-directory"),
        "{ledger}"
    );
    let worker_html = page(&out, "worker");
    let worker = card(&worker_html);
    assert!(worker.contains("No on-call link"), "{worker}");
    assert!(worker.contains("No runbook"), "{worker}");
    // Only components get the card.
    let team =
        std::fs::read_to_string(out.join("catalog/default/group/team-ledger/index.html")).unwrap();
    assert!(!team.contains("class=\"card incident\""));
}

#[test]
fn pages_carry_no_age_and_the_freshness_file_carries_the_thresholds() {
    let f = fixture().config("[freshness]\namber_after = \"30min\"\nred_after = \"2days\"\n");
    let out = build(&f);
    let build_js = std::fs::read_to_string(out.join(playbill::freshness::BUILD_PATH)).unwrap();
    assert!(build_js.contains("\"amber\":1800"), "{build_js}");
    assert!(build_js.contains("\"red\":172800"), "{build_js}");
    let html = page(&out, "ledger");
    assert!(
        html.contains("status/build.js"),
        "every page loads the build time"
    );
    assert!(!html.contains(" ago<"), "pages say no age themselves");
}

#[test]
fn a_bad_threshold_names_the_key_and_what_to_write() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.repos()).unwrap();
    let file = f.dir.path().join("site.toml");
    std::fs::write(
        &file,
        "[[sources]]\ntype = \"local\"\npath = \"repos\"\n\n[freshness]\nred_after = \"tomorrow\"\n",
    )
    .unwrap();
    let e = playbill::config::Config::load(&file)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("site.toml") && e.contains("freshness.red_after"),
        "{e}"
    );
    assert!(e.contains("\"24h\"") || e.contains("\"1h\""), "{e}");
}
