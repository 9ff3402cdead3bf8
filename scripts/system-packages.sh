#!/usr/bin/env bash
# Makes sure the Debian packages tasks need are installed: bubblewrap (the sandbox every
# code and agent task runs in), Chromium (the browser_screenshot tool), python3 (the
# default CMBCluster environment profile serves the workspace with it) and git (codespace
# tasks check out, diff and commit inside the sandbox), plus any
# packages named as arguments (CI adds the ones its tests use).
# As root with apt-get: installs what is missing. Otherwise: prints the one command to
# run and returns 0, so the server still starts; /health and /info then report those
# features as unavailable, with the reason.
set -uo pipefail

packages=(bubblewrap chromium python3 git "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]} == 0)) && { echo "system packages: ok (${packages[*]})"; exit 0; }

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system packages: missing ${missing[*]} (no apt-get here: install them with your package manager)" >&2
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "system packages: missing ${missing[*]}. Code tasks / screenshots stay unavailable until you run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 0
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1
  if ! apt-get install -y -qq "${missing[@]}" >/dev/null; then
    echo "system packages: could not install ${missing[*]}; starting without them" >&2
    exit 0
  fi
fi
echo "system packages: ok (${packages[*]})"
