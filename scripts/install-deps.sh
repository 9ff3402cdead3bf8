#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than the lockfile.
# Run under scripts/node24.sh (npm ci needs the project's Node).
set -euo pipefail
cd "$(dirname "$0")/.."
# A node_modules that is a symlink belongs to another checkout (a git worktree sharing
# it): `npm ci` would empty that checkout's copy through the link, so leave it alone.
if [[ -L node_modules ]]; then exit 0; fi
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
