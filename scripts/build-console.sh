#!/usr/bin/env bash
# Builds the web console (web/ → web/dist, served at /console) when the build is missing
# or older than its sources, installing web/'s own dependencies first when needed.
# Run under scripts/node24.sh. A failed build is a warning, not an error: the APIs start
# without it and /console says it is not built.
set -uo pipefail
cd "$(dirname "$0")/../web"
if [[ -f dist/index.html ]] &&
  [[ -z "$(find src public index.html package-lock.json vite.config.ts -newer dist/index.html -print -quit)" ]]; then
  exit 0
fi
if ! { { [[ -d node_modules && ! package-lock.json -nt node_modules/.package-lock.json ]] ||
  npm ci --no-audit --no-fund; } && npm run build; }; then
  echo "warning: the web console did not build; the APIs start without it" >&2
fi
exit 0
