#!/usr/bin/env bash
# One command from a fresh clone to a running server on the embedded defaults
# (SQLite under ./data, in-process workers, no services): checks the system packages
# tasks need (installing them when it can), puts Node 24 on PATH, installs
# dependencies when needed, builds the web console when it is missing or stale,
# starts `tasklane serve` (a browser opening the printed URL lands in the console).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-packages.sh
exec scripts/node24.sh bash -c 'scripts/install-deps.sh && scripts/build-console.sh && exec node src/cli.ts serve "$@"' up "$@"
