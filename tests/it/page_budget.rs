//! The page budget on an organisation large enough to have broken it: 600 repositories from the
//! benchmarks' generator (one docs page each, to stay quick), where API pages, a team's and a
//! system's page and the scorecards page were all over budget before they were bounded. Every
//! page but the docs print views weighs at most 100 KB, and the build reports no
//! `site/page-budget` warning; what a bounded page leaves out is a link away.

use playbill::site::budget::PAGE_BUDGET_BYTES;
use std::path::{Path, PathBuf};
use std::process::Command;

fn python() -> Option<PathBuf> {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    super::common::require_installed(
        "python3",
        found.then(|| PathBuf::from("python3")),
        "install Python 3 (the synthetic organisation's generator needs it)",
    )
}

/// Every `.html` file under `dir`, relative to it, with its size.
fn pages(dir: &Path) -> Vec<(String, u64)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let path = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (path, e.metadata().unwrap().len())
        })
        .collect()
}

#[test]
fn every_page_of_a_large_organisation_is_within_budget() {
    let Some(python) = python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let org = tmp.path().join("org");
    let generator = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/synth_org.py");
    let made = Command::new(python)
        .arg(generator)
        .args(["--repos", "600", "--docs-pages", "1", "--out"])
        .arg(&org)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let config = playbill::config::Config::load(&org.join("site.toml")).expect("site.toml");
    let out = tmp.path().join("public");
    let report = playbill::build::build(&config, &out, &|_| {}).expect("build");
    let all = pages(&out);
    let over: Vec<&(String, u64)> = all
        .iter()
        .filter(|(path, size)| *size > PAGE_BUDGET_BYTES && !path.ends_with("/print/index.html"))
        .collect();
    let first: Vec<_> = over.iter().take(10).collect();
    assert!(
        over.is_empty(),
        "{} pages over budget, first {first:?}",
        over.len()
    );
    // What the bounded pages leave out is a link away.
    let read = |path: &str| std::fs::read_to_string(out.join(path)).unwrap();
    let find = |under: &str, text: &str| -> String {
        let page = all
            .iter()
            .map(|(p, _)| p)
            .find(|p| p.starts_with(under) && read(p).contains(text));
        page.unwrap_or_else(|| panic!("no page under {under} with {text}"))
            .clone()
    };
    assert!(read("scorecards/index.html").contains("href=\"../scorecards/2/index.html\""));
    assert!(
        read("scorecards/2/index.html").contains("<td class=\"num\" data-label=\"Rank\">21</td>")
    );
    let all_link = "<a href=\"owned/index.html\">all ";
    let team = find("catalog/default/group/", all_link);
    let html = read(&team);
    let total: usize = html[html.find(all_link).unwrap() + all_link.len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("the count of owned entities");
    let owned = team.replace("index.html", "owned");
    let lists = all.iter().map(|(p, _)| p).filter(|p| p.starts_with(&owned));
    let listed: usize = lists
        .map(|p| {
            read(p)
                .matches("<th scope=\"row\" class=\"col-name\"")
                .count()
        })
        .sum();
    assert_eq!(
        listed, total,
        "the list's pages under {owned} hold every owned entity"
    );
    let api = find("catalog/default/api/", "href=\"definition.txt\"").replace("/index.html", "");
    assert!(read(&format!("{api}/definition.txt")).starts_with("openapi:"));
    find("catalog/default/api/", "expanded at its first use");
    let prints = all
        .iter()
        .filter(|(p, _)| p.ends_with("/print/index.html"))
        .count();
    assert!(prints >= 600, "the print views are built ({prints})");
    let warned: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "site/page-budget")
        .collect();
    assert!(warned.is_empty(), "{warned:?}");
}

/// A change set of `n` lifecycle changes of `entity`, found at `at`.
fn change_set(at: i64, entity: &str, n: usize) -> serde_json::Value {
    let change = serde_json::json!({ "entity": entity, "change": "lifecycle", "title": entity,
        "kind": "Component", "old": "experimental", "new": "production" });
    serde_json::json!({ "id": format!("urn:playbill:changes:{at}:ab"), "at": at,
        "changes": vec![change; n] })
}

#[test]
fn a_long_change_history_goes_on_pages_the_timeline_links_into() {
    let f = super::common::Fixture::new().file(
        "alpha/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: alpha\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
    );
    // 480 changes of another entity, newest first, then one of alpha's, 90 days or less apart.
    let history: Vec<_> = (0..4)
        .map(|i| change_set(1_795_000_000 - i * 1000, "component:default/other", 120))
        .chain([change_set(1_794_000_000, "component:default/alpha", 1)])
        .collect();
    let state = serde_json::json!({ "version": 1, "entities": {}, "history": history });
    let previous = f.dir.path().join("previous.json");
    std::fs::write(&previous, state.to_string()).unwrap();
    let mut config = f.load_config();
    config.changes.previous_state = Some(previous.display().to_string());
    let out = f.dir.path().join("public");
    playbill::build::build(&config, &out, &|_| {}).unwrap();

    let history_pages: Vec<_> = pages(&out)
        .into_iter()
        .filter(|(p, _)| p.starts_with("changes/"))
        .collect();
    assert_eq!(history_pages.len(), 4, "{history_pages:?}");
    assert!(
        history_pages
            .iter()
            .all(|(_, size)| *size <= PAGE_BUDGET_BYTES),
        "{history_pages:?}"
    );
    let alpha =
        std::fs::read_to_string(out.join("catalog/default/component/alpha/index.html")).unwrap();
    // The new build's set and the next 120 changes fill page 1; alpha's joins the last 120.
    let timeline = &alpha[alpha.find("id=\"timeline-title\"").expect("a timeline")..];
    let link = "changes/4/index.html#set-1794000000-ab";
    assert!(
        timeline.contains(link),
        "alpha's change is on page 4: {timeline}"
    );
    let page = std::fs::read_to_string(out.join("changes/4/index.html")).unwrap();
    assert!(page.contains("id=\"set-1794000000-ab\""));
}
