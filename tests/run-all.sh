#!/usr/bin/env bash
# Installs what the tests need, then runs every check and test. README's test command;
# .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Rust tests need the toolchain (rustfmt and clippy come with it); the browser tests install
# Chromium (apt) and their npm packages themselves, in tests/e2e/run.sh.
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --locked --all-targets -- -D warnings
echo "== test servers"
# moto, fake-gcs-server and azurite for tests/it/publish.rs; with them required, a missing
# server fails the publish tests instead of skipping them.
tests/servers/install.sh
echo "== catalog harness"
# Backstage's catalog model from npm, for tests/it/catalog_differential.rs.
tests/differential/catalog/install.sh
echo "== docs harness"
# mkdocs + techdocs-core for tests/it/docs_differential.rs, which compares their pages with
# Playbill's.
tests/differential/docs/install.sh
echo "== diagram tools"
# PlantUML for tests/it/diagrams.rs (Mermaid and Graphviz are drawn by Playbill itself).
tests/diagrams/install.sh
echo "== git"
# tests/it/docs_versions.rs makes repositories with tags and branches, and Playbill reads them
# with git; a runner that mounts the work tree instead of cloning it may have none.
if ! command -v git >/dev/null 2>&1; then
  sudo_if_needed=""
  if [ "$(id -u)" -ne 0 ]; then sudo_if_needed="sudo"; fi
  $sudo_if_needed apt-get update
  $sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y git
fi
export PLAYBILL_REQUIRE_SERVERS=1
# A snapshot that differs fails the run; nothing is written (bless locally with
# INSTA_UPDATE=always or `cargo insta review`).
export INSTA_UPDATE=no
echo "== tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi

echo "== browser tests"
# The debug binary the test build just made (integration tests run it) renders the demo. No
# `cargo build` here: without the dev-dependencies its features differ (hyper's server side,
# tokio-rustls with ring, ...), so it would compile hyper, reqwest, octocrab, kube and
# object_store and Playbill a second time.
playbill="${CARGO_TARGET_DIR:-target}/debug/playbill"
if [ ! -x "$playbill" ]; then
  echo "the test build left no $playbill" >&2
  exit 1
fi
site="$(mktemp -d "${TMPDIR:-/tmp}/playbill-e2e.XXXXXX")"
trap 'rm -rf "$site"' EXIT
# The report goes beside the site, not into the work tree.
"$playbill" build --out "$site/public" --report "$site/report.json"
# The manual, which the suite opens too.
"$playbill" docs build . --strict --out "$site/manual"
# The live-reload tests start `serve` and `docs serve` from this binary too.
PLAYBILL_BIN="$playbill" PLAYBILL_SITE="$site/public" PLAYBILL_MANUAL="$site/manual" tests/e2e/run.sh
