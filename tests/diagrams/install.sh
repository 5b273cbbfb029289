#!/usr/bin/env bash
# Installs PlantUML (Debian's package, with its Java runtime) for tests/it/diagrams.rs, which
# draws PlantUML fences through the `plantuml` command. Skips when it is already there.
set -euo pipefail
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
if ! command -v plantuml >/dev/null 2>&1; then
  echo "== installing plantuml"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends plantuml
fi
