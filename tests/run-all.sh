#!/usr/bin/env bash
# Installs what the tests need, then runs every check and test. README's test command;
# .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Rust tests need the toolchain (rustfmt and clippy come with it); the browser tests install
# Chromium (apt) and their npm packages themselves, in tests/e2e/run.sh.
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# The GitHub App test makes its RSA key with openssl.
command -v openssl >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq openssl; } >/dev/null 2>&1 || true

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --locked --all-targets -- -D warnings
echo "== test servers"
# moto, fake-gcs-server and azurite for tests/publish.rs; with them required, a missing
# server fails the publish tests instead of skipping them.
tests/servers/install.sh
export PLAYBILL_REQUIRE_SERVERS=1
echo "== tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi

echo "== browser tests"
# The debug binary the tests just built renders the demo; no second (release) build.
site="$(mktemp -d "${TMPDIR:-/tmp}/playbill-e2e.XXXXXX")"
trap 'rm -rf "$site"' EXIT
cargo build --locked --quiet
# The report goes beside the site, not into the work tree.
"${CARGO_TARGET_DIR:-target}/debug/playbill" build --out "$site/public" --report "$site/report.json"
PLAYBILL_SITE="$site/public" tests/e2e/run.sh
