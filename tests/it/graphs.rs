//! Relation pictures on entity pages, built from real repositories on disk through the whole
//! build: the neighbourhood on every entity page, the map on System and Domain pages, boxes
//! that link to pages that exist, tier warnings, health colours, the list beside each picture,
//! the cap, and `[graphs]` in site.toml.

use crate::common::{self, Fixture};
use std::path::{Path, PathBuf};

const ORG: &str = r#"apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-shop
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata:
  name: commerce
spec:
  owner: team-shop
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: shop
spec:
  owner: team-shop
  domain: commerce
"#;

/// A service of `shop` with a tier label and its own spec lines.
fn service(name: &str, tier: &str, spec: &str) -> String {
    format!("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  labels:\n    example.com/tier: \"{tier}\"\nspec:\n  type: service\n  lifecycle: production\n  owner: team-shop\n  system: shop\n{spec}")
}

fn fixture() -> Fixture {
    Fixture::new()
        .file("org/catalog-info.yaml", ORG)
        .file(
            "checkout/catalog-info.yaml",
            service("checkout", "1", "  dependsOn: [component:cart, component:pricing, resource:orders-db]\n  providesApis: [checkout-api]\n")
                + "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: checkout-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-shop\n  system: shop\n  definition: \"openapi: 3.0.0\"\n",
        )
        .file("cart/catalog-info.yaml", service("cart", "1", "  dependsOn: [component:pricing]\n  consumesApis: [checkout-api]\n"))
        .file("pricing/catalog-info.yaml", service("pricing", "3", ""))
}

/// Builds `f`, which the caller keeps alive: its directory holds the output.
fn build(f: &Fixture) -> PathBuf {
    let config = f.load_config();
    playbill::build::build(&config, &f.out(), &|_| {}).expect("builds");
    f.out()
}

fn read(out: &Path, page: &str) -> String {
    std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

/// The `<section …graph-card…>` whose picture has `id`, if the page has one.
fn card<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let start = html.find(&format!("aria-labelledby=\"{id}-title\""))?;
    let end = start + html[start..].find("</section>")?;
    Some(&html[start..end])
}

/// Every href in `html`, resolved against the page at `page`.
fn links(out: &Path, page: &str, html: &str) -> Vec<PathBuf> {
    let dir = out.join(page).parent().unwrap().to_path_buf();
    html.split("href=")
        .skip(1)
        .map(|rest| {
            let rest = rest.trim_start_matches('"');
            rest.split(['"', ' ', '>']).next().unwrap().to_string()
        })
        .filter(|h| !h.starts_with('#'))
        .map(|h| dir.join(h))
        .collect()
}

const CHECKOUT: &str = "catalog/default/component/checkout/index.html";

#[test]
fn an_entity_page_draws_its_neighbourhood_with_links_that_resolve() {
    let f = fixture();
    let out = build(&f);
    let html = read(&out, CHECKOUT);
    let near = card(&html, "graph-near").expect("a relation graph");
    assert!(near.contains("<svg"), "{near}");
    // Ownership is drawn for the page's entity only: one line to the team, not one a box.
    assert_eq!(near.matches("edge-ownedBy").count(), 1, "{near}");
    for name in ["cart", "pricing", "checkout-api", "team-shop", "shop"] {
        assert!(
            near.contains(&format!(">{name}<")),
            "{name} not drawn: {near}"
        );
    }
    // A dangling reference is a dashed box, without a link.
    assert!(near.contains("health-missing"), "{near}");
    let targets = links(&out, CHECKOUT, near);
    assert!(targets.len() >= 8, "{targets:?}");
    for target in targets {
        assert!(target.is_file(), "{} does not exist", target.display());
    }
    // The list beside it says the same relations in words, for screen readers.
    let list = &near[near.find("graph-text").unwrap()..];
    assert!(list.contains("depends on"), "{list}");
    assert!(list.contains("resource:default/orders-db"), "{list}");
    // The picture is hidden from assistive technology, its links out of the tab order.
    assert!(near.contains("aria-hidden=\"true\""), "{near}");
    assert!(
        !near.contains("<script") && !near.contains("style="),
        "{near}"
    );
}

#[test]
fn a_dependency_on_a_less_critical_tier_is_drawn_as_a_warning() {
    let f = fixture();
    let out = build(&f);
    let html = read(&out, CHECKOUT);
    let near = card(&html, "graph-near").unwrap();
    // checkout (tier 1) depends on pricing (tier 3): one warning; cart (tier 1) is fine.
    assert_eq!(near.matches("edge-warn").count(), 1, "{near}");
    assert!(near.contains("1 tier warning"), "{near}");
    let cart = read(&out, "catalog/default/component/cart/index.html");
    let near = card(&cart, "graph-near").unwrap();
    assert_eq!(near.matches("edge-warn").count(), 1, "{near}");
    let pricing = read(&out, "catalog/default/component/pricing/index.html");
    // Seen from the less critical side the dependency is still the depender's warning.
    assert!(card(&pricing, "graph-near").unwrap().contains("edge-warn"));
}

#[test]
fn system_and_domain_pages_map_every_part() {
    let f = fixture();
    let out = build(&f);
    for page in [
        "catalog/default/system/shop/index.html",
        "catalog/default/domain/commerce/index.html",
    ] {
        let html = read(&out, page);
        let map = card(&html, "graph-map").unwrap_or_else(|| panic!("no map on {page}"));
        for name in ["checkout", "cart", "pricing", "checkout-api"] {
            assert!(map.contains(&format!(">{name}<")), "{page}: {name} missing");
        }
        for target in links(&out, page, map) {
            assert!(
                target.is_file(),
                "{page}: {} does not exist",
                target.display()
            );
        }
    }
    // A component's page has no map.
    assert!(card(&read(&out, CHECKOUT), "graph-map").is_none());
}

#[test]
fn past_the_cap_a_more_box_links_to_the_full_list() {
    let mut f = fixture().config("[graphs]\nmax_nodes = 4\n");
    for i in 0..6 {
        let spec = "  dependsOn: [component:checkout]\n";
        f = f.file(
            &format!("client-{i}/catalog-info.yaml"),
            service(&format!("client-{i}"), "2", spec),
        );
    }
    let out = build(&f);
    let html = read(&out, CHECKOUT);
    let near = card(&html, "graph-near").unwrap();
    assert_eq!(near.matches("<rect").count(), 4, "{near}");
    assert!(near.contains("more</text>"), "{near}");
    // The box and the note under the picture both lead to the page's full relations list.
    assert!(near.contains("href=\"#relations-title\""), "{near}");
    assert!(html.contains("id=\"relations-title\""));
}

#[test]
fn graphs_can_be_turned_off_and_unknown_settings_are_refused() {
    let off = fixture().config("[graphs]\nenabled = false\n");
    let out = build(&off);
    let page = read(&out, CHECKOUT);
    assert!(
        page.contains("id=\"relations-title\""),
        "the relations are still listed"
    );
    assert!(!page.contains("graph-card"), "no graph");
    let f = fixture().config("[graphs]\nmax_node = 4\n");
    let file = f.dir.path().join("site.toml");
    let _ = std::panic::catch_unwind(|| f.load_config());
    let error = playbill::config::Config::load(&file)
        .unwrap_err()
        .to_string();
    assert!(error.contains("max_node"), "{error}");
    assert!(error.contains("site.toml"), "{error}");
}

#[test]
fn the_demo_shows_the_payments_map_and_the_ledgers_graph() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let config =
        playbill::config::Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml"))
            .unwrap();
    playbill::build::build(&config, &out, &|_| {}).unwrap();
    let payments = read(&out, "catalog/default/system/payments/index.html");
    let map = card(&payments, "graph-map").expect("the payments system map");
    assert!(map.contains(">Payments Gateway<"), "{map}");
    let ledger = read(&out, "catalog/default/component/payments-ledger/index.html");
    let near = card(&ledger, "graph-near").expect("payments-ledger's graph");
    assert!(near.contains(">Ledger database<"), "{near}");
    // Pictures stay inside the page budget.
    for page in common::files_below(&out) {
        if page.starts_with("catalog/") && page.ends_with("index.html") {
            let size = std::fs::metadata(out.join(&page)).unwrap().len();
            assert!(size <= 100_000, "{page} is {size} bytes");
        }
    }
}
