#!/usr/bin/env bash
# Installs what the tests need, then runs every check and test. README's test command;
# .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

# The test suite needs only the Rust toolchain so far; rustfmt and clippy come with it.
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --locked --all-targets -- -D warnings
echo "== tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi
