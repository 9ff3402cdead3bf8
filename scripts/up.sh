#!/usr/bin/env bash
# One command from a fresh clone to a running server on the embedded defaults
# (SQLite under ./data, in-process workers, no services): puts Node 24 on PATH,
# installs dependencies when needed, starts `tasklane serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/node24.sh bash -c '
  if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund
  fi
  exec node src/cli.ts serve "$@"
' up "$@"
