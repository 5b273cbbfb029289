#!/usr/bin/env bash
# Installs the catalog harness's pinned npm packages (@backstage/catalog-model,
# @backstage/plugin-scaffolder-common and what they read YAML with) into
# tests/differential/catalog/node_modules. npm ci wipes node_modules each time, so it runs only
# when package-lock.json changed since the last install.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stamp="$here/node_modules/.package-lock.stamp"
if ! cmp -s "$here/package-lock.json" "$stamp" 2>/dev/null; then
  echo "== npm ci (Backstage's catalog model) in tests/differential/catalog"
  npm ci --prefix "$here" --no-audit --no-fund --silent
  cp "$here/package-lock.json" "$stamp"
fi
