//! The README stays true: every diagnostic code is documented there, and nothing else is.

use playbill::diagnostics::CODES;

#[test]
fn readme_documents_every_diagnostic_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for (code, _) in CODES {
        assert!(
            readme.contains(&format!("| `{code}` |")),
            "README lacks {code}"
        );
    }
    let rows: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .filter(|c| c.contains('/') && !c.contains(' ') && !c.contains('.'))
        .collect();
    for row in rows {
        assert!(
            CODES.iter().any(|(c, _)| *c == row),
            "README documents {row}, which no diagnostic uses"
        );
    }
}

#[test]
fn readme_test_command_is_what_ci_runs() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(
        readme.contains("\ntests/run-all.sh"),
        "README names the test command"
    );
    assert!(ci.contains("tests/run-all.sh"), ".ci/run calls it");
}
