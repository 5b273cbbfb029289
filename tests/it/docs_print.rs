//! The print view of a docs site (`<site>/print/index.html`): every page once, in the nav's reading
//! order, ids unique across pages, links between the site's pages turned into anchors that
//! exist on the page, and every other relative link or image still pointing at a real file.

use crate::common;

use common::{start_tags, Fixture};
use std::collections::BTreeSet;

const BASE: &str = "docs/default/component/ledger";

fn fixture() -> Fixture {
    Fixture::new()
        .file("ledger/catalog-info.yaml", common::component("ledger", "t").replace("metadata:\n  name: ledger\n", "metadata:\n  name: ledger\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n"))
        .file(
            "ledger/mkdocs.yml",
            "site_name: Ledger docs\nnav:\n  - Home: index.md\n  - Operations:\n      - Runbook: ops/runbook.md\n  - Setup: setup.md\n",
        )
        .file(
            "ledger/docs/index.md",
            "# Ledger\n\nSee the [runbook](ops/runbook.md#roll-back) and [setup](setup.md).\n\n![diagram](img/arch.svg)\n\n## Setup\n\nJump [down](#setup).\n",
        )
        .file(
            "ledger/docs/ops/runbook.md",
            "# Runbook\n\n## Roll back\n\nBack [home](../index.md), see the [picture](../img/arch.svg).\n\n## Setup\n\nSame heading as on the home page.\n",
        )
        .file("ledger/docs/setup.md", "# Setup\n\n## Setup\n\nThird time.\n")
        .file("ledger/docs/img/arch.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn the_print_view_holds_every_page_in_nav_order_with_in_page_links() {
    let fx = fixture();
    let config = fx.load_config();
    playbill::build::build(&config, &fx.out(), &|_| {}).expect("builds");
    let html =
        std::fs::read_to_string(fx.out().join(BASE).join("print/index.html")).expect("print view");
    let tags = start_tags(&html);

    // Every id once.
    let ids: Vec<&str> = tags.iter().filter_map(|(_, a)| attr(a, "id")).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "duplicate ids: {ids:?}");

    // The pages in reading order, each a section with its title.
    let sections: Vec<&str> = tags
        .iter()
        .filter(|(t, a)| t == "section" && attr(a, "class") == Some("print-page"))
        .filter_map(|(_, a)| attr(a, "aria-label"))
        .collect();
    assert_eq!(sections, ["Ledger docs", "Runbook", "Setup"]);

    // Links to the site's pages are anchors on this page; the rest resolve to real files.
    let mut anchors = 0;
    for (tag, attrs) in &tags {
        let target = match tag.as_str() {
            "a" => attr(attrs, "href"),
            "img" => attr(attrs, "src"),
            _ => None,
        };
        let Some(target) = target else { continue };
        if let Some(id) = target.strip_prefix('#') {
            assert!(unique.contains(id), "{target} names no id on the page");
            anchors += 1;
        } else if !target.contains("://") && !target.starts_with("mailto:") {
            let file = target.split(['#', '?']).next().unwrap();
            let path = fx.out().join(BASE).join("print").join(file);
            assert!(path.is_file(), "{target} from the print view is no file");
        }
    }
    assert!(
        anchors >= 6,
        "links between pages and the contents are anchors ({anchors})"
    );
    let hrefs: Vec<&str> = tags.iter().filter_map(|(_, a)| attr(a, "href")).collect();
    assert!(
        hrefs.contains(&"#p1-roll-back"),
        "a link to a heading of another page: {hrefs:?}"
    );

    // The docs pages link to it.
    let home = std::fs::read_to_string(fx.out().join(BASE).join("index.html")).unwrap();
    let links: Vec<String> = start_tags(&home)
        .into_iter()
        .filter_map(|(_, a)| attr(&a, "href").map(str::to_string))
        .collect();
    assert!(
        links
            .iter()
            .any(|h| h.ends_with("/ledger/print/index.html")),
        "the docs layout links the print view: {links:?}"
    );
}
