//! Playbill's docs pages against mkdocs + techdocs-core's, built from the same repositories
//! (tests/differential/docs: hand-written fixtures plus generated ones). The comparison runs in
//! the venv tests/differential/docs/install.sh makes; without it the test is skipped with a
//! message, unless PLAYBILL_REQUIRE_SERVERS is set (tests/run-all.sh sets it), when it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Every page must be made at the same path and every heading id match; of all other
/// structure, this share at least.
const MIN_PATHS: f64 = 100.0;
const MIN_IDS: f64 = 100.0;
const MIN_STRUCTURE: f64 = 98.0;

fn harness_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential/docs")
}

/// The venv's python and mkdocs, or why they cannot be used.
fn venv() -> Result<(PathBuf, PathBuf), String> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv-docs-diff/bin");
    let (python, mkdocs) = (bin.join("python"), bin.join("mkdocs"));
    if python.is_file() && mkdocs.is_file() {
        Ok((python, mkdocs))
    } else {
        Err(format!(
            "{} has no mkdocs; run tests/differential/docs/install.sh",
            bin.display()
        ))
    }
}

#[test]
fn docs_pages_match_mkdocs_with_techdocs_core() {
    let (python, mkdocs) = match venv() {
        Ok(found) => found,
        Err(message) => {
            let required =
                std::env::var("PLAYBILL_REQUIRE_SERVERS").is_ok_and(|v| !v.is_empty() && v != "0");
            assert!(!required, "PLAYBILL_REQUIRE_SERVERS is set: {message}");
            eprintln!("skipped: {message}");
            return;
        }
    };
    let work = tempfile::tempdir().unwrap();
    let report = work.path().join("report.json");
    let output = Command::new(python)
        .arg(harness_dir().join("compare.py"))
        .arg("--playbill")
        .arg(env!("CARGO_BIN_EXE_playbill"))
        .arg("--mkdocs")
        .arg(mkdocs)
        .arg("--work")
        .arg(work.path().join("work"))
        .arg("--report")
        .arg(&report)
        .args(["--min-ids", "0", "--min-structure", "0", "--min-paths", "0"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the comparison did not run:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("{stdout}");
    let figures: serde_json::Value = stdout
        .lines()
        .find_map(|l| l.strip_prefix("FIGURES "))
        .and_then(|j| serde_json::from_str(j).ok())
        .expect("the comparison printed its figures");
    let share = |key: &str| figures[key][2].as_f64().unwrap_or(0.0);
    assert!(
        figures["pages"].as_u64().unwrap_or(0) >= 50,
        "too few pages compared: {figures}"
    );
    let differences = std::fs::read_to_string(&report).unwrap_or_default();
    assert!(
        share("page_paths") >= MIN_PATHS
            && share("heading_ids") >= MIN_IDS
            && share("structure") >= MIN_STRUCTURE,
        "page paths {}% (need {MIN_PATHS}%), heading ids {}% (need {MIN_IDS}%), structure {}% (need {MIN_STRUCTURE}%); differences:\n{}",
        share("page_paths"),
        share("heading_ids"),
        share("structure"),
        &differences[..differences.len().min(20_000)]
    );
}
