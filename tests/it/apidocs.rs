//! API reference pages built from the definitions in tests/fixtures/apis/: operations grouped
//! by tag, `$ref`s resolved (cycles named, missing ones reported), AsyncAPI channels and
//! messages, GraphQL types and fields, and broken definitions reported with their line while
//! the page falls back to the highlighted source.

use crate::common;

use common::page::assert_main_snapshot;
use common::{find, Fixture};
use playbill::build::BuildReport;
use std::sync::OnceLock;

const APIS: &[(&str, &str, &str)] = &[
    ("accounts-api", "openapi", "openapi3.yaml"),
    ("transfers-api", "openapi", "swagger2.json"),
    ("card-events", "asyncapi", "asyncapi2.yaml"),
    ("settlement-events", "asyncapi", "asyncapi3.yaml"),
    ("merchants-graphql", "graphql", "schema.graphql"),
    ("broken-api", "openapi", "broken-openapi.yaml"),
    ("broken-graphql", "graphql", "broken.graphql"),
    ("wrong-type-api", "openapi", "wrong-type.yaml"),
];

fn fixture_text(file: &str) -> String {
    let path = format!("{}/tests/fixtures/apis/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("fixture")
}

struct Built {
    fixture: Fixture,
    report: BuildReport,
}

/// One build of a catalog holding every fixture, shared by the tests.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let mut catalog = common::group("team-a");
        let mut fixture = Fixture::new();
        for (name, api_type, file) in APIS {
            catalog.push_str(&format!(
                "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: {name}\nspec:\n  type: {api_type}\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./defs/{file}\n"
            ));
            fixture = fixture.file(&format!("apis/defs/{file}"), fixture_text(file));
        }
        // A definition written inline: its error lines count from the catalog file.
        catalog.push_str("---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: inline-api\nspec:\n  type: graphql\n  lifecycle: production\n  owner: team-a\n  definition: |\n    type Query {\n      ok: String\n      nope(: Int\n    }\n");
        let fixture = fixture.file("apis/catalog-info.yaml", catalog);
        let config = fixture.load_config();
        let report = playbill::build::build(&config, &fixture.out(), &|_| {}).expect("builds");
        Built { fixture, report }
    })
}

fn page(name: &str) -> String {
    let path = built()
        .fixture
        .out()
        .join(format!("catalog/default/api/{name}/api/index.html"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Position of `needle` in `html`, failing with a readable message.
fn at(html: &str, needle: &str) -> usize {
    html.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not on the page"))
}

#[test]
fn openapi_operations_are_grouped_by_tag_with_untagged_last() {
    let html = page("accounts-api");
    let accounts = at(&html, "id=\"tag-accounts\"");
    let entries = at(&html, "id=\"tag-entries\"");
    let other = at(&html, "id=\"tag-untagged\"");
    assert!(accounts < entries && entries < other, "tag order");
    let list = at(&html, "id=\"op-listaccounts\"");
    let post = at(&html, "id=\"op-postentry\"");
    let health = at(&html, "id=\"op-health\"");
    assert!(accounts < list && list < entries && entries < post && post < other && other < health);
    // The table of contents links every tag and operation (#tag-accounts, #op-listaccounts,
    // #op-getaccount, #op-closeaccount, #op-health); the title and version, the server and
    // closeAccount's deprecated badge are shown.
    assert_main_snapshot!("accounts_api", &html);
}

#[test]
fn openapi_schemas_resolve_refs_and_name_cycles() {
    let html = page("accounts-api");
    let post = &html[at(&html, "id=\"op-postentry\"")..at(&html, "id=\"tag-untagged\"")];
    // EntryRequest -> Money: property names that only exist behind a $ref.
    for property in ["accountId", "amountMinor", "currency", "entryId", "lines"] {
        assert!(
            post.contains(&format!(">{property}<")),
            "{property} resolved"
        );
    }
    assert!(post.contains(">EntryRequest<") && post.contains(">Money<"));
    // Entry.reversal refers to Entry while Entry is being expanded.
    assert!(post.contains("recursive: Entry is expanded above"));
    // A missing schema is shown as unresolved and reported, not fatal.
    assert!(post.contains("unresolved <code>#/components/schemas/Missing</code>"));
    let unresolved = find(&built().report.diagnostics, "api/unresolved-ref");
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    let d = unresolved[0];
    assert!(d.message.contains("#/components/schemas/Missing"));
    assert_eq!(d.file.as_deref(), Some("defs/openapi3.yaml"));
    let line = fixture_text("openapi3.yaml")
        .lines()
        .position(|l| l.contains("schemas/Missing"))
        .unwrap() as u32
        + 1;
    assert_eq!(d.line, Some(line));
    // The escaped pointer #/paths/~1accounts/... reaches the list response.
    let get = &html[at(&html, "id=\"op-getaccount\"")..at(&html, "id=\"op-closeaccount\"")];
    assert!(get.contains("A page of accounts."));
    assert!(get.contains(">Account<") && get.contains(">balance<"));
    // Parameters from components, with their constraints.
    let list = &html[at(&html, "id=\"op-listaccounts\"")..at(&html, "id=\"op-getaccount\"")];
    assert!(list.contains("<code>pageSize</code>") && list.contains("max 200"));
    assert!(list.contains("<code>frozen</code>"), "enum values");
    assert!(list.contains("The token is missing or expired."));
}

#[test]
fn swagger_2_bodies_and_servers() {
    let html = page("transfers-api");
    // The request body's properties (sortCode, accountNumber, reference) come before the
    // responses, with the X-Request-Id (uuid) header, the response schema and its example.
    assert!(at(&html, ">sortCode<") > at(&html, "Request body"));
    assert!(at(&html, ">reference<") < at(&html, "Responses"));
    assert_main_snapshot!("transfers_api", &html);
}

#[test]
fn asyncapi_channels_operations_and_messages() {
    // AsyncAPI 2: both channels with their operations, messages and payload fields.
    assert_main_snapshot!("card_events", &page("card-events"));
    let v3 = page("settlement-events");
    // Channels are listed by key: `audit` before `batchClosed`, whose send and receive
    // operations, message and payload fields the snapshot shows.
    let audit = at(&v3, "id=\"channel-settlement-audit-v1\"");
    let batch = &v3[at(&v3, "id=\"channel-settlement-batch-closed-v3\"")..];
    assert!(audit < at(&v3, "id=\"channel-settlement-batch-closed-v3\""));
    assert!(batch.contains("publishBatchClosed") && batch.contains(">settledMinor<"));
    assert_main_snapshot!("settlement_events", &v3);
    // A channel no operation uses still lists its messages.
    assert!(v3[audit..].contains(">AuditRecord") && !batch.contains(">actor<"));
    assert!(v3[audit..].contains(">actor<"));
}

#[test]
fn graphql_roots_then_types() {
    let html = page("merchants-graphql");
    let queries = at(&html, ">Queries");
    let mutations = at(&html, ">Mutations");
    let subscriptions = at(&html, ">Subscriptions");
    let objects = at(&html, "id=\"kind-object-types\"");
    assert!(queries < mutations && mutations < subscriptions && subscriptions < objects);
    // Field types link to their type's section (href=#type-merchant); fields, arguments with
    // their defaults, descriptions, inputs, unions, scalars and enum values (deprecated ones
    // with their reason) are listed.
    assert_main_snapshot!("merchants_graphql", &html);
}

#[test]
fn broken_definitions_are_reported_and_fall_back_to_the_source() {
    let report = &built().report;
    let invalid = find(&report.diagnostics, "api/invalid-definition");
    let by_entity = |name: &str| {
        invalid
            .iter()
            .find(|d| d.entity.as_deref() == Some(&format!("api:default/{name}")))
            .unwrap_or_else(|| panic!("no diagnostic for {name}: {invalid:?}"))
    };
    let yaml = by_entity("broken-api");
    assert_eq!(yaml.file.as_deref(), Some("defs/broken-openapi.yaml"));
    assert!(yaml.message.contains("invalid YAML"), "{}", yaml.message);
    assert!(yaml.line.is_some());
    let graphql = by_entity("broken-graphql");
    assert_eq!(graphql.line, Some(3), "{}", graphql.message);
    let wrong = by_entity("wrong-type-api");
    assert!(
        wrong.message.contains("asyncapi document"),
        "{}",
        wrong.message
    );
    // Inline definitions count lines from the catalog file: `nope(: Int` is on line 3 of the
    // definition, which starts on the line after `definition: |`.
    let inline = by_entity("inline-api");
    let catalog =
        std::fs::read_to_string(built().fixture.repos().join("apis/catalog-info.yaml")).unwrap();
    let line = catalog
        .lines()
        .position(|l| l.contains("nope(: Int"))
        .unwrap() as u32
        + 1;
    assert_eq!(
        (inline.file.as_deref(), inline.line),
        (Some("catalog-info.yaml"), Some(line))
    );
    assert_eq!(invalid.len(), 4, "{invalid:?}");
    // The page says what is wrong and shows the highlighted source instead.
    let html = page("broken-api");
    assert!(html.contains("api/invalid-definition"));
    assert!(html.contains("definition-title") && html.contains("unclosed"));
}

#[test]
fn entity_pages_link_to_the_reference_and_input_stays_inert() {
    let out = built().fixture.out();
    let entity =
        std::fs::read_to_string(out.join("catalog/default/api/accounts-api/index.html")).unwrap();
    assert!(entity.contains("href=\"api/index.html\""));
    let html = page("accounts-api");
    assert!(
        html.contains("<strong>ledger</strong>"),
        "descriptions are Markdown"
    );
    assert!(
        !html.contains("<script>alert"),
        "raw script from a description is not kept"
    );
    for (tag, attrs) in common::start_tags(&html) {
        if tag == "script" {
            assert!(
                attrs.iter().any(|(name, _)| name == "src"),
                "no inline script"
            );
        }
    }
    // The reference page does not repeat the highlighted definition.
    assert!(!html.contains("class=\"code-scroll\""));
}

#[test]
fn schema_trees_drawn_for_the_built_in_templates_are_the_macros_markup() {
    // The demo's APIs, and the fixtures' (cycles, unresolved refs, composition, Swagger 2,
    // AsyncAPI 2 and 3), built with the built-in templates and again with a templates
    // directory of its own that overrides nothing, which gets the trees whole and draws them
    // with api_macros.html.
    let fixture = &built().fixture;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let demo = playbill::config::Config::load(&root.join("site.toml")).unwrap();
    for (name, config) in [("fixtures", fixture.load_config()), ("demo", demo)] {
        let tmp = tempfile::tempdir().unwrap();
        let mut own = config.clone();
        own.templates_dir = Some(tmp.path().join("templates"));
        std::fs::create_dir_all(own.templates_dir.as_ref().unwrap()).unwrap();
        let mut pages = Vec::new();
        for (which, mut config) in [("drawn", config), ("whole", own)] {
            config.cache_dir = tmp.path().join(format!("cache-{which}"));
            let out = tmp.path().join(which);
            playbill::build::build(&config, &out, &|_| {}).unwrap();
            let api_pages: std::collections::BTreeMap<String, Vec<u8>> = common::build_output(&out)
                .into_iter()
                .filter(|(path, _)| {
                    path.starts_with("catalog/") && path.ends_with("/api/index.html")
                })
                .collect();
            pages.push(api_pages);
        }
        let nodes: usize = pages[0]
            .values()
            .map(|page| {
                String::from_utf8_lossy(page)
                    .matches("class=\"schema-node\"")
                    .count()
            })
            .sum();
        assert!(nodes > 50, "{name}: only {nodes} schema nodes drawn");
        assert_eq!(pages[0].len(), pages[1].len(), "{name}");
        assert_eq!(
            common::differing_paths(&pages[0], &pages[1]),
            Vec::<&String>::new(),
            "{name}"
        );
    }
}
