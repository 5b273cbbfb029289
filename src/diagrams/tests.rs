use super::*;
use std::time::Instant;

const MERMAID: &[(&str, &str, &[&str])] = &[
    (
        "flowchart",
        "flowchart LR\n  client[Client] -->|HTTPS| gw(Gateway)\n  gw --> auth{Authorised?}\n  auth -->|yes| db[(Ledger DB)]\n",
        &["Client", "Gateway", "Authorised?", "HTTPS"],
    ),
    (
        "sequence",
        "sequenceDiagram\n  participant C as Client\n  participant L as Ledger\n  C->>L: POST /transfers\n  L-->>C: 201 Created\n  Note over C,L: idempotent\n",
        &["Client", "Ledger", "POST /transfers", "idempotent"],
    ),
    (
        "class",
        "classDiagram\n  class Account {\n    +String id\n    +post(Entry e)\n  }\n  Account --> Entry : holds\n",
        &["Account", "Entry", "holds"],
    ),
    (
        "state",
        "stateDiagram-v2\n  [*] --> Pending\n  Pending --> Posted : approve\n  Posted --> [*]\n",
        &["Pending", "Posted", "approve"],
    ),
    (
        "er",
        "erDiagram\n  ACCOUNT ||--o{ ENTRY : holds\n  ACCOUNT {\n    string id PK\n  }\n",
        &["ACCOUNT", "ENTRY", "holds"],
    ),
    (
        "gantt",
        "gantt\n  title Migration\n  dateFormat YYYY-MM-DD\n  section Schema\n  Design :d1, 2024-01-01, 2024-01-10\n  Migrate :after d1, 5d\n",
        &["Migration", "Design", "Migrate"],
    ),
];

fn drawn(kind: Kind, source: &str) -> String {
    draw(kind, source, &Settings::default(), 0)
        .unwrap_or_else(|e| panic!("{source}: {e}"))
        .svg
}

/// What a diagram may not hold to sit in a page under the CSP and follow the theme.
fn assert_page_ready(svg: &str, what: &str) {
    assert!(svg.starts_with("<svg"), "{what}: {svg}");
    assert!(svg.contains("role=\"img\""), "{what}");
    assert!(svg.contains("aria-label="), "{what}");
    for banned in [
        "<style",
        "style=",
        "<script",
        "font-family",
        "<?xml",
        "#c8c9",
        "\"#ffffff\"",
    ] {
        assert!(!svg.contains(banned), "{what} holds {banned}");
    }
    assert!(
        svg.contains("class=\"dg-fill-") && svg.contains("class=\"dg-stroke-"),
        "{what}: no theme classes"
    );
    // Every id is the diagram's own.
    for (i, _) in svg.match_indices(" id=\"") {
        assert!(
            svg[i..].starts_with(" id=\"dg0-"),
            "{what}: {}",
            &svg[i..i + 30]
        );
    }
}

#[test]
fn every_common_mermaid_type_is_drawn_with_its_labels() {
    for (name, source, labels) in MERMAID {
        let svg = drawn(Kind::Mermaid, source);
        assert_page_ready(&svg, name);
        for label in *labels {
            assert!(svg.contains(label), "{name}: {label} missing");
        }
    }
}

#[test]
fn graphviz_is_drawn_with_its_labels_and_author_colours_kept() {
    let svg = drawn(
        Kind::Dot,
        "digraph deps {\n  api -> ledger [label=\"writes\"];\n  ledger -> db;\n  db [color=red];\n}",
    );
    assert_page_ready(&svg, "dot");
    for label in ["api", "ledger", "writes", "db"] {
        assert!(svg.contains(label), "{label} missing");
    }
    assert!(svg.contains("font-size=\"14\""), "text sizes survive");
    assert!(svg.contains("#ff0000ff"), "an author's colour stays");
}

#[test]
fn the_same_diagram_gives_the_same_bytes() {
    for (_, source, _) in MERMAID {
        assert_eq!(drawn(Kind::Mermaid, source), drawn(Kind::Mermaid, source));
    }
}

#[test]
fn ids_differ_between_diagrams_of_a_page() {
    let source = MERMAID[0].1;
    let second = draw(Kind::Mermaid, source, &Settings::default(), 1)
        .unwrap()
        .svg;
    assert!(second.contains("id=\"dg1-"), "{second}");
    assert!(second.contains("url(#dg1-"), "references follow");
    assert!(!second.contains("id=\"dg0-"));
}

#[test]
fn hostile_labels_stay_text() {
    let svg = drawn(
        Kind::Dot,
        "digraph { a [label=\"<script>alert(1)</script>\"]; a -> b [label=\"x onload=alert(2)\"]; }",
    );
    assert!(
        svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{svg}"
    );
    let svg = drawn(
        Kind::Mermaid,
        "flowchart TD\n  a[\"x < y & <img src=x onerror=alert(1)>\"] --> b[\"<script>alert(2)</script>\"]\n",
    );
    // The engine keeps a label's text up to its first tag, as Mermaid's own sanitiser does.
    assert!(svg.contains(">x </text>"), "{svg}");
    let lower = svg.to_ascii_lowercase();
    assert!(
        !lower.contains("<script") && !lower.contains("<img"),
        "{svg}"
    );
    assert!(!lower.contains("onerror"), "{svg}");
}

#[test]
fn a_diagram_that_does_not_parse_is_reported() {
    for (kind, source) in [
        (Kind::Mermaid, "notADiagram\n  a --> b\n"),
        (Kind::Dot, "digraph { a -> "),
        (Kind::Dot, "digraph { }"),
    ] {
        let err = draw(kind, source, &Settings::default(), 0).unwrap_err();
        assert!(err.starts_with(PROBLEM_PREFIX), "{err}");
        assert!(err.ends_with("shown as code"), "{err}");
    }
}

#[test]
fn inputs_past_the_bounds_are_refused_before_layout() {
    let nested = format!(
        "flowchart TD\n{}a-->b\n{}",
        "subgraph s\n".repeat(250),
        "end\n".repeat(250)
    );
    let dense = {
        let mut s = String::from("digraph {\n");
        for i in 0..20 {
            for j in 0..20 {
                s += &format!("n{i} -> n{j};\n");
            }
        }
        s + "}"
    };
    let cases = [
        // Loops allocating without end in the engine: an overflowing day count.
        (
            Kind::Mermaid,
            "gantt\ndateFormat YYYY-MM-DD\nsection a\nt :t, 2024-01-01, 999999999d\n".to_string(),
            "digits",
        ),
        (Kind::Mermaid, nested, "nests groups 250 deep"),
        (Kind::Dot, dense, "400 edges"),
        (
            Kind::Mermaid,
            format!("flowchart TD\n{}", "a-->b\n".repeat(700)),
            "statements",
        ),
        (
            Kind::Dot,
            format!("digraph {{ a [label=\"{}\"] }}", "x".repeat(40_000)),
            "KiB of source",
        ),
    ];
    for (kind, source, why) in cases {
        let started = Instant::now();
        let err = draw(kind, &source, &Settings::default(), 0).unwrap_err();
        assert!(err.contains(why), "{err}");
        assert!(started.elapsed() < Duration::from_millis(200), "{why}");
    }
}

#[test]
fn a_huge_picture_is_refused() {
    // A 96-byte chart over eight thousand years: 18 MB of ticks.
    let err = draw(
        Kind::Mermaid,
        "gantt\ndateFormat YYYY-MM-DD\nsection a\nt :t, 0001-01-01, 9999-12-31\n",
        &Settings::default(),
        0,
    )
    .unwrap_err();
    assert!(err.contains("too large"), "{err}");
}

#[test]
fn a_slow_render_is_abandoned_at_the_deadline() {
    fn slow(_: &str) -> Result<String, String> {
        std::thread::sleep(DEADLINE + Duration::from_secs(2));
        Ok(String::new())
    }
    let started = Instant::now();
    let err = within_deadline("x", slow).unwrap_err();
    assert!(err.ends_with(TRANSIENT_MARK), "{err}");
    assert!(started.elapsed() < DEADLINE + Duration::from_secs(1));
    let err = within_deadline("x", |_| panic!("engine bug")).unwrap_err();
    assert!(err.contains("made the renderer fail"), "{err}");
}

#[test]
fn plantuml_stays_code_unless_configured() {
    let source = "@startuml\nAlice -> Bob: hi\n@enduml\n";
    let err = draw(Kind::PlantUml, source, &Settings::default(), 0).unwrap_err();
    assert!(err.contains("[docs.plantuml]"), "{err}");
    let missing = Settings {
        plantuml: Some(PlantUml {
            command: "/nonexistent/plantuml".into(),
            timeout_seconds: 5,
        }),
    };
    let err = draw(Kind::PlantUml, source, &missing, 0).unwrap_err();
    assert!(err.contains("does not start"), "{err}");
    assert!(err.ends_with(TRANSIENT_MARK), "{err}");
}

#[test]
fn flowchart_statements_may_share_a_line() {
    let svg = drawn(
        Kind::Mermaid,
        "graph TD; A-->B; B==>C[\"x; y\"];\nC-.->|go; on|D\nD-->payments-gateway\n",
    );
    for label in [
        ">A<",
        ">B<",
        ">x; y<",
        ">go; on<",
        ">D<",
        ">payments-gateway<",
    ] {
        assert!(svg.contains(label), "{label}: {svg}");
    }
}
