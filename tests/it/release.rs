//! The release files agree with the binary: the action, the Dockerfile, the release and CI
//! workflows name the same binary and targets, every `playbill` command they run exists (its
//! `--help` answers, with the action's arguments), and every input of the action is used.

use crate::cli::playbill;

use serde_yaml::Value;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn yaml(path: &str) -> Value {
    serde_yaml::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every workflow file: this repository's and the example ones.
fn workflow_files() -> Vec<String> {
    let mut files = Vec::new();
    for dir in [".github/workflows", "examples/workflows"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".yml") || name.ends_with(".yaml") {
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    files
}

/// Every step of every job of a workflow, or of a composite action.
fn steps(document: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    if let Some(jobs) = document["jobs"].as_mapping() {
        for job in jobs.values() {
            out.extend(job["steps"].as_sequence().into_iter().flatten());
        }
    }
    out.extend(
        document["runs"]["steps"]
            .as_sequence()
            .into_iter()
            .flatten(),
    );
    out
}

/// The subcommand words after each `playbill` in a shell script: `playbill docs build . -x`
/// gives `["docs", "build"]`.
fn invoked_commands(script: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for line in script.lines() {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || matches!(c, ';' | '|' | '&' | '(' | ')'))
            .collect();
        for (i, word) in words.iter().enumerate() {
            if *word != "playbill" && !word.ends_with("/playbill") {
                continue;
            }
            let command: Vec<String> = words[i + 1..]
                .iter()
                .take_while(|w| {
                    !w.is_empty()
                        && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                        && !w.starts_with('-')
                })
                .map(|w| w.to_string())
                .collect();
            if !command.is_empty() {
                found.push(command);
            }
        }
    }
    found
}

/// Runs `playbill ARGS --help`; it must succeed (the command and its arguments exist).
fn assert_help(args: &[String], origin: &str) {
    let mut with_help: Vec<&str> = args.iter().map(String::as_str).collect();
    with_help.push("--help");
    let out = playbill(&with_help, root());
    assert!(
        out.status.success(),
        "{origin} runs `playbill {}`, which the binary rejects: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_playbill_command_the_workflows_and_the_action_run_exists() {
    let mut checked = 0;
    let mut files = workflow_files();
    files.push("action.yml".into());
    for file in &files {
        let document = yaml(file);
        for step in steps(&document) {
            if let Some(script) = step["run"].as_str() {
                for command in invoked_commands(script) {
                    assert_help(&command, file);
                    checked += 1;
                }
            }
            // A step using this repository's action: its command and arguments.
            if step["uses"].as_str() == Some("./") {
                let with = &step["with"];
                let command = with["command"].as_str().unwrap_or("build");
                if command.is_empty() {
                    continue;
                }
                let mut args: Vec<String> = command.split_whitespace().map(String::from).collect();
                if let Some(config) = with["config"].as_str().filter(|c| !c.is_empty()) {
                    args.extend(["--config".to_string(), config.to_string()]);
                }
                let extra = with["args"].as_str().unwrap_or_default();
                args.extend(extra.split_whitespace().map(String::from));
                assert_help(&args, file);
                checked += 1;
            }
        }
    }
    // build, publish, snapshot and the release's completions and man at least.
    assert!(checked >= 8, "only {checked} commands found");
}

#[test]
fn a_workflow_using_the_action_checks_the_repository_out_first() {
    for file in workflow_files() {
        let document = yaml(&file);
        let Some(jobs) = document["jobs"].as_mapping() else {
            continue;
        };
        for job in jobs.values() {
            let uses: Vec<&str> = job["steps"]
                .as_sequence()
                .into_iter()
                .flatten()
                .map(|s| s["uses"].as_str().unwrap_or_default())
                .collect();
            if let Some(action) = uses.iter().position(|u| *u == "./") {
                let checkout = uses.iter().position(|u| u.starts_with("actions/checkout@"));
                assert!(
                    checkout.is_some_and(|c| c < action),
                    "{file}: `uses: ./` before checkout"
                );
            }
        }
    }
}

#[test]
fn every_input_of_the_action_is_used_and_every_command_runs_through_it() {
    let action = yaml("action.yml");
    let steps = serde_yaml::to_string(&action["runs"]).unwrap();
    let inputs = action["inputs"].as_mapping().expect("inputs");
    for name in inputs.keys() {
        let name = name.as_str().unwrap();
        assert!(
            steps.contains(&format!("inputs.{name}")),
            "action.yml declares input `{name}` but never uses it"
        );
    }
    for required in ["command", "config", "args"] {
        assert!(
            inputs.contains_key(required),
            "action.yml lacks input `{required}`"
        );
    }
    let run = action["runs"]["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        run.contains("$COMMAND ${CONFIG:+--config \"$CONFIG\"} $ARGS"),
        "{run}"
    );
}

/// The Rust targets the release builds (its matrix).
fn release_targets() -> Vec<String> {
    let release = yaml(".github/workflows/release.yml");
    let mut targets: Vec<String> = release["jobs"]["binaries"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("a target matrix")
        .iter()
        .map(|t| t["target"].as_str().unwrap().to_string())
        .collect();
    targets.sort();
    targets
}

#[test]
fn the_action_downloads_what_the_release_publishes_under_the_binary_name() {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_playbill"));
    let name = binary.file_stem().unwrap().to_str().unwrap();
    let manifest: toml::Value = toml::from_str(&read("Cargo.toml")).unwrap();
    assert_eq!(manifest["bin"][0]["name"].as_str(), Some(name));

    let release = read(".github/workflows/release.yml");
    let action = read("action.yml");
    let mut action_targets: Vec<String> = action
        .lines()
        .filter_map(|l| l.split("target=").nth(1))
        .filter_map(|t| t.split_whitespace().next())
        .filter(|t| !t.starts_with('$') && !t.starts_with('"'))
        .map(String::from)
        .collect();
    action_targets.sort();
    assert_eq!(
        action_targets,
        release_targets(),
        "action.yml's runner → target table"
    );
    for (file, text) in [("release.yml", &release), ("action.yml", &action)] {
        for needle in [
            format!("--bin {name}"),
            format!("{name}-$"),
            "SHA256SUMS".to_string(),
        ] {
            if file == "action.yml" && needle.starts_with("--bin") {
                continue;
            }
            assert!(text.contains(&needle), "{file} lacks `{needle}`");
        }
    }
    assert!(release.contains(&format!("\"dist/{name}-$target.tar.gz\"")));
    assert!(action.contains(&format!("archive=\"{name}-$TARGET.tar.gz\"")));
    assert!(action.contains(&format!("\"$DIR/{name}\"")));
}

#[test]
fn the_dockerfile_builds_the_binary_from_what_the_crate_packages() {
    let dockerfile = read("Dockerfile");
    let name = PathBuf::from(env!("CARGO_BIN_EXE_playbill"));
    let name = name.file_stem().unwrap().to_str().unwrap();
    assert!(dockerfile.contains(&format!("--bin {name}")));
    assert!(dockerfile.contains(&format!("ENTRYPOINT [\"/usr/local/bin/{name}\"]")));
    assert!(dockerfile.contains("USER nonroot"), "a non-root image");
    // Whatever `cargo install` compiles, the image's source build copies and .dockerignore lets in.
    let manifest: toml::Value = toml::from_str(&read("Cargo.toml")).unwrap();
    let ignore = read(".dockerignore");
    for entry in manifest["package"]["include"].as_array().unwrap() {
        let dir = entry.as_str().unwrap().trim_start_matches('/');
        let Some(dir) = dir.strip_suffix("/**") else {
            continue;
        };
        assert!(
            dockerfile.contains(&format!("COPY {dir} {dir}")),
            "Dockerfile lacks {dir}/"
        );
        assert!(
            ignore.contains(&format!("!{dir}/")),
            ".dockerignore leaves out {dir}/"
        );
    }
    // The release's image job puts the binaries where the prebuilt stage copies them from.
    let release = read(".github/workflows/release.yml");
    assert!(dockerfile.contains(&format!("COPY dist/linux-${{TARGETARCH}}/{name} ")));
    assert!(release.contains(&format!("\"dist/linux-${{arch%%:*}}/{name}\"")));
    assert!(
        release.contains("build-args: BINARY=prebuilt")
            && dockerfile.contains("FROM scratch AS prebuilt")
    );
    // The builder's Rust is at least the crate's rust-version.
    let wanted = manifest["package"]["rust-version"].as_str().unwrap();
    let image = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("FROM rust:"))
        .and_then(|l| l.split('-').next())
        .expect("a rust builder image");
    let minor = |v: &str| v.split('.').nth(1).and_then(|m| m.parse::<u32>().ok());
    assert!(
        minor(image) >= minor(wanted),
        "rust:{image} is older than {wanted}"
    );
}
