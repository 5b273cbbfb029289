#!/usr/bin/env bash
# Browser tests of the rendered portal: installs what is missing, builds the demo portal and the
# manual (or uses $PLAYBILL_SITE and $PLAYBILL_MANUAL) and the binary the live-reload tests
# start (or uses $PLAYBILL_BIN), and runs `node --test tests/e2e/`. Exits non-zero on any failure.
#
#   tests/e2e/run.sh                      # build the demo into a temp dir and test it
#   PLAYBILL_SITE=/tmp/site tests/e2e/run.sh   # test an already built portal
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi

echo "== npm ci"
npm ci --prefix tests/e2e --no-audit --no-fund

tmp=""
cleanup() { if [ -n "$tmp" ]; then rm -rf "$tmp"; fi; }
trap cleanup EXIT

if [ -z "${PLAYBILL_SITE:-}" ]; then
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/playbill-e2e-site.XXXXXX")"
  echo "== building the demo portal into $tmp"
  cargo run --release --locked --quiet -- build --out "$tmp/public"
  PLAYBILL_SITE="$tmp/public"
fi
export PLAYBILL_SITE
if [ -z "${PLAYBILL_MANUAL:-}" ]; then
  if [ -z "$tmp" ]; then tmp="$(mktemp -d "${TMPDIR:-/tmp}/playbill-e2e-site.XXXXXX")"; fi
  echo "== building the manual into $tmp/manual"
  cargo run --release --locked --quiet -- docs build . --strict --out "$tmp/manual"
  PLAYBILL_MANUAL="$tmp/manual"
fi
export PLAYBILL_MANUAL
if [ -z "${PLAYBILL_BIN:-}" ]; then
  # The live-reload tests run `playbill serve` themselves.
  echo "== building playbill for the live-reload tests"
  cargo build --release --locked --quiet
  PLAYBILL_BIN="${CARGO_TARGET_DIR:-target}/release/playbill"
fi
export PLAYBILL_BIN
if [ -z "${PLAYBILL_PREVIEW:-}" ]; then
  if [ -z "$tmp" ]; then tmp="$(mktemp -d "${TMPDIR:-/tmp}/playbill-e2e-site.XXXXXX")"; fi
  echo "== building a pull-request preview into $tmp/preview"
  "$PLAYBILL_BIN" docs build examples/demo-org/payments-ledger --preview 42 --out "$tmp/preview" >/dev/null
  PLAYBILL_PREVIEW="$tmp/preview"
fi
export PLAYBILL_PREVIEW
if [ -z "${PLAYBILL_LARGE_SITE:-}" ]; then
  # The pages a large organisation bounds (budget.test.js): the synthetic one of the benchmarks.
  if [ -z "$tmp" ]; then tmp="$(mktemp -d "${TMPDIR:-/tmp}/playbill-e2e-site.XXXXXX")"; fi
  echo "== building a 1,000-repository synthetic organisation into $tmp/large"
  python3 benches/synth_org.py --repos 1000 --docs-pages 1 --out "$tmp/large-org" >/dev/null
  "$PLAYBILL_BIN" build --config "$tmp/large-org/site.toml" --out "$tmp/large" >/dev/null
  PLAYBILL_LARGE_SITE="$tmp/large"
fi
export PLAYBILL_LARGE_SITE
if [ ! -f "$PLAYBILL_SITE/index.html" ]; then
  echo "PLAYBILL_SITE=$PLAYBILL_SITE has no index.html" >&2
  exit 1
fi

echo "== node --test tests/e2e/ (site: $PLAYBILL_SITE)"
node --test tests/e2e/
