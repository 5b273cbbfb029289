//! `playbill check` against Backstage's own catalog validation. The node harness in
//! tests/differential/catalog generates thousands of documents (the demo's and the fixtures'
//! catalog documents mutated field by field, plus hand-written edge files), gives each one
//! Backstage's verdict with `@backstage/catalog-model` and `@backstage/plugin-scaffolder-common`,
//! and this test compares it with the `valid` of `playbill check --format json` on the same
//! files. It prints the agreement and every class of disagreement with an example, and fails
//! below 100%. Documents the harness marks as an intentional difference are listed, not counted.
//!
//! Needs node and the harness's npm packages (tests/differential/catalog/install.sh); without
//! them it skips, unless PLAYBILL_REQUIRE_SERVERS is set, when it fails.

use crate::common::require_installed;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const HARNESS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/differential/catalog");
const SEED: &str = "17";
const COUNT: &str = "5000";

/// One document's verdict, keyed by file name and document index.
type Verdicts = BTreeMap<(String, u64), Verdict>;

#[derive(Clone, Debug)]
struct Verdict {
    valid: bool,
    /// Backstage's error, or the codes of Playbill's errors in that file.
    reason: String,
    /// Set by the harness where Backstage's verdict is not Playbill's on purpose.
    intentional: Option<String>,
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("the command starts");
    assert!(
        output.status.success() || output.status.code() == Some(1),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn json_lines(text: &str) -> impl Iterator<Item = Value> + '_ {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
}

fn backstage_verdicts(cases: &Path) -> Verdicts {
    let stdout = run(Command::new("node")
        .arg(Path::new(HARNESS).join("verdict.mjs"))
        .arg(".")
        .current_dir(cases));
    json_lines(&stdout)
        .map(|v| {
            let key = (
                v["file"].as_str().unwrap().to_string(),
                v["index"].as_u64().unwrap(),
            );
            let verdict = Verdict {
                valid: v["valid"].as_bool().unwrap(),
                reason: v["reason"].as_str().unwrap_or_default().to_string(),
                intentional: v["intentional"].as_str().map(str::to_string),
            };
            (key, verdict)
        })
        .collect()
}

fn playbill_verdicts(cases: &Path, files: &[String]) -> Verdicts {
    let stdout = run(Command::new(env!("CARGO_BIN_EXE_playbill"))
        .args(["check", "--format", "json"])
        .args(files)
        .current_dir(cases));
    let name = |v: &Value| {
        let file = v["file"].as_str().unwrap_or_default();
        file.rsplit('/').next().unwrap_or(file).to_string()
    };
    let mut errors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut verdicts = Verdicts::new();
    for v in json_lines(&stdout) {
        if v["kind"] == "entity" {
            let verdict = Verdict {
                valid: v["valid"].as_bool().unwrap(),
                reason: String::new(),
                intentional: None,
            };
            verdicts.insert((name(&v), v["index"].as_u64().unwrap()), verdict);
        } else if v["severity"] == "error" {
            let code = v["code"].as_str().unwrap_or_default().to_string();
            errors.entry(name(&v)).or_default().insert(code);
        }
    }
    for ((file, _), verdict) in verdicts.iter_mut() {
        let codes = errors.get(file).into_iter().flatten();
        verdict.reason = codes.cloned().collect::<Vec<_>>().join(", ");
    }
    verdicts
}

/// The class of a disagreement: who rejects, and why (the reason without its specifics).
fn class(backstage: Option<&Verdict>, playbill: Option<&Verdict>) -> String {
    match (backstage, playbill) {
        (None, _) => "a document only Playbill reads".into(),
        (_, None) => "a document only Backstage reads".into(),
        (Some(b), Some(_)) if !b.valid => {
            let general: String = b.reason.split('"').step_by(2).collect::<Vec<_>>().join("…");
            format!(
                "Backstage rejects, Playbill accepts: {}",
                general.chars().take(90).collect::<String>()
            )
        }
        (Some(_), Some(p)) => format!("Playbill rejects, Backstage accepts: {}", p.reason),
    }
}

#[test]
fn playbill_check_agrees_with_backstages_validator() {
    // Long on purpose: generate, run both validators, compare and report, as one harness run.
    let node = require_installed(
        "node",
        Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
            .then(|| PathBuf::from("node")),
        "install Node.js 20 or later",
    );
    let packages = require_installed(
        "the catalog harness's npm packages",
        Some(Path::new(HARNESS).join("node_modules/@backstage/catalog-model"))
            .filter(|p| p.exists()),
        "run tests/differential/catalog/install.sh",
    );
    if node.is_none() || packages.is_none() {
        return;
    }
    let cases = tempfile::tempdir().unwrap();
    run(Command::new("node")
        .arg(Path::new(HARNESS).join("generate.mjs"))
        .arg(cases.path())
        .args(["--seed", SEED, "--count", COUNT]));
    let mut files: Vec<String> = std::fs::read_dir(cases.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".yaml"))
        .collect();
    files.sort();
    let mutations: BTreeMap<String, String> =
        json_lines(&std::fs::read_to_string(cases.path().join("cases.jsonl")).unwrap())
            .map(|v| {
                let what = format!(
                    "{} ({})",
                    v["mutation"].as_str().unwrap(),
                    v["source"].as_str().unwrap()
                );
                (v["file"].as_str().unwrap().to_string(), what)
            })
            .collect();

    let backstage = backstage_verdicts(cases.path());
    let playbill = playbill_verdicts(cases.path(), &files);
    let keys: BTreeSet<&(String, u64)> = backstage.keys().chain(playbill.keys()).collect();
    let mut agree = 0;
    let mut classes: BTreeMap<String, Vec<&(String, u64)>> = BTreeMap::new();
    let mut intentional: BTreeMap<String, Vec<&(String, u64)>> = BTreeMap::new();
    for key in &keys {
        let (b, p) = (backstage.get(key), playbill.get(key));
        if let (Some(b), Some(p)) = (b, p) {
            if b.valid == p.valid {
                agree += 1;
                continue;
            }
            if let Some(why) = &b.intentional {
                intentional.entry(why.clone()).or_default().push(key);
                continue;
            }
        }
        classes.entry(class(b, p)).or_default().push(key);
    }
    let compared = keys.len() - intentional.values().map(Vec::len).sum::<usize>();
    let percent = 100.0 * agree as f64 / compared.max(1) as f64;
    println!(
        "catalog agreement with Backstage: {agree}/{compared} documents ({percent:.2}%) from {} files, seed {SEED}",
        files.len()
    );
    let example = |key: &(String, u64)| {
        let what = mutations.get(&key.0).map_or("", String::as_str);
        format!("{}#{} — {what}", key.0, key.1)
    };
    for (why, docs) in &intentional {
        println!(
            "  intentional ({} documents): {why}; e.g. {}",
            docs.len(),
            example(docs[0])
        );
    }
    for (class, docs) in &classes {
        println!(
            "  {} × {class}\n      e.g. {}",
            docs.len(),
            example(docs[0])
        );
    }
    assert!(
        keys.len() > 4000,
        "the generator made only {} documents",
        keys.len()
    );
    assert!(
        classes.is_empty(),
        "{} documents disagree (see above)",
        compared - agree
    );
}
