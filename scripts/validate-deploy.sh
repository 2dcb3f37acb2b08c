#!/usr/bin/env bash
# validate-deploy.sh: checks everything under docker/ with real validators, without a Docker engine or a cluster.
#
#   scripts/validate-deploy.sh
#
# 1. Kubernetes manifests (docker/k8s/**): built-in kinds against the JSON schemas bundled in the npm package
#    kubernetes-models (5.1.0, pinned); all YAML parsed; Grafana dashboard JSON parsed (scripts/validate-deploy.mjs).
#    KServe kinds have no schema package on the reachable registries: DeployManifestsTest (mvn verify) checks them.
# 2. Every PromQL expression of the dashboard and of the prometheus-adapter rules: `promtool check rules`.
# 3. docker/prometheus/prometheus.yml: `promtool check config`.
# 4. docker/docker-compose.yml: `docker-compose config` (Debian's docker-compose, or `docker compose`).
#
# Needs node + npm (npm registry reachable, or the packages already in the tools folder), promtool (Debian
# package `prometheus`) and docker-compose (Debian package `docker-compose`). A missing tool fails the run unless
# FLEXSERVE_VALIDATE_ALLOW_MISSING=1, which skips that step. The npm packages go to FLEXSERVE_VALIDATE_TOOLS
# (default ~/.cache/flexserve-validate), reused by later runs. Exit status 0 when every step passed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tools=${FLEXSERVE_VALIDATE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/flexserve-validate}
out=$(mktemp -d "${TMPDIR:-/tmp}/validate-deploy.XXXXXX")
trap 'rm -rf "$out"' EXIT
failed=0
missing() {
  if [[ ${FLEXSERVE_VALIDATE_ALLOW_MISSING:-0} == 1 ]]; then
    echo "SKIP $1 (not installed; FLEXSERVE_VALIDATE_ALLOW_MISSING=1)"
  else
    echo "FAIL $1 is not installed ($2)"; failed=1
  fi
}

echo "== 1. manifests, YAML, dashboards (kubernetes-models schemas)"
if command -v node >/dev/null && command -v npm >/dev/null; then
  mkdir -p "$tools"
  if [[ ! -f $tools/node_modules/kubernetes-models/package.json ]] \
     || ! grep -q '"version": "5.1.0"' "$tools/node_modules/kubernetes-models/package.json"; then
    npm install --prefix "$tools" --no-audit --no-fund --silent --no-save kubernetes-models@5.1.0 js-yaml@4.1.0
  fi
  # ES modules resolve imports next to the script, so it runs from the tools folder
  cp "$repo/scripts/validate-deploy.mjs" "$tools/"
  node "$tools/validate-deploy.mjs" "$repo/docker" "$out" || failed=1
else
  missing "node/npm" "Debian: nodejs npm"
fi

echo; echo "== 2. PromQL of the dashboard and the adapter rules (promtool check rules)"
if command -v promtool >/dev/null; then
  if [[ -f $out/promql-rules.yml ]]; then
    promtool check rules "$out/promql-rules.yml" || failed=1
  else
    echo "FAIL no expressions extracted (step 1 did not run)"; failed=1
  fi
else
  missing promtool "Debian: prometheus"
fi

echo; echo "== 3. Prometheus configuration (promtool check config)"
if command -v promtool >/dev/null; then
  promtool check config "$repo/docker/prometheus/prometheus.yml" || failed=1
else
  missing promtool "Debian: prometheus"
fi

echo; echo "== 4. Compose file (docker-compose config)"
if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
  compose=(docker compose)            # Compose v2 (needs no engine for `config`)
elif command -v docker-compose >/dev/null; then
  compose=(docker-compose)            # Debian 12's docker-compose 1.29
else
  compose=()
fi
if [[ ${#compose[@]} -gt 0 ]]; then
  if (cd "$repo/docker" && "${compose[@]}" -f docker-compose.yml config -q); then
    echo "ok   docker/docker-compose.yml valid for ${compose[*]} ($("${compose[@]}" version --short 2>/dev/null || true))"
  else
    failed=1
  fi
else
  missing docker-compose "Debian: docker-compose"
fi

echo
if [[ $failed == 0 ]]; then echo "validate-deploy: PASS"; else echo "validate-deploy: FAIL"; fi
exit "$failed"
