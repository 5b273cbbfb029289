#!/usr/bin/env bash
# Installs mkdocs + techdocs-core (requirements.txt, exact versions) into a Python venv
# (.venv-docs-diff at the repository root) for the differential docs test. Idempotent: the
# venv is rebuilt only when requirements.txt changes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
venv="$repo/.venv-docs-diff"
stamp="$venv/.requirements"
if ! cmp -s "$here/requirements.txt" "$stamp" 2>/dev/null; then
  echo "== python venv for the docs comparison ($venv)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$stamp"
fi
