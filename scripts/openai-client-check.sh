#!/usr/bin/env bash
# openai-client-check.sh: the official OpenAI client library (npm `openai`, exact version pinned in
# scripts/openai-client/package.json + package-lock.json) against a running flexserve serving the `tinystories` model.
#
#   scripts/openai-client-check.sh BASE_URL GOLDEN_JSON
#     BASE_URL     the server, e.g. http://localhost:8080 (or its /v1)
#     GOLDEN_JSON  ../shared/models/tinystories-260k/golden.json (greedy continuations the completions must equal)
#
# Checks (scripts/openai-client/check.mjs): completions and chat, non-streaming and streaming with
# stream_options.include_usage, and errors surfacing as APIError 404 (unknown model) / 400 (max_tokens too large).
#
# Needs node (>= 18) and npm; the npm registry must be reachable the first time, or the packages already in the tools
# folder: FLEXSERVE_OPENAI_CLIENT_TOOLS (default ~/.cache/flexserve-openai-client), installed with `npm ci` from the lock
# file and reused while the lock file is unchanged. Exit status 0 when every check passed; a missing node/npm fails.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BASE_URL GOLDEN_JSON" >&2
  exit 2
fi
base_url=$1
golden=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
src=$(cd "$(dirname "$0")/openai-client" && pwd)
tools=${FLEXSERVE_OPENAI_CLIENT_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/flexserve-openai-client}

for tool in node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "FAIL $tool is not installed: the OpenAI client check needs node >= 18 and npm (Debian: nodejs npm)" >&2
    exit 3
  fi
done

mkdir -p "$tools"
install_client() {
  # .installed-lock is written after a successful `npm ci`: it marks a complete install of exactly that lock file
  if [[ ! -f $tools/node_modules/openai/package.json ]] || ! cmp -s "$src/package-lock.json" "$tools/.installed-lock"; then
    echo "installing the pinned openai client into $tools (npm ci)"
    rm -f "$tools/.installed-lock"
    cp "$src/package.json" "$src/package-lock.json" "$tools/"
    if ! npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error; then
      echo "FAIL npm ci of the openai client failed (is the npm registry reachable?)" >&2
      return 1
    fi
    cp "$src/package-lock.json" "$tools/.installed-lock"
  fi
  # ES modules resolve imports next to the script, so check.mjs runs from the tools folder
  cp "$src/check.mjs" "$tools/check.mjs.$$"
  mv "$tools/check.mjs.$$" "$tools/check.mjs"
}
if command -v flock >/dev/null; then
  # runs may share the tools folder (parallel test JVMs): one installs while holding the lock exclusively; a run
  # then holds it shared, so no later install replaces node_modules under it
  exec 9>"$tools/.lock"
  flock 9
  install_client
  flock -s 9
else
  install_client
fi

node "$tools/check.mjs" "$base_url" "$golden"
