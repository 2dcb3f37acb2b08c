#!/usr/bin/env bash
# Issue 7 benchmark: the highest Poisson arrival rate at which 99% of requests meet a latency target, for the
# default policy and for always-largest, each on a freshly started server.
#
#   scripts/bench-sweep.sh [target-ms] [seconds-per-probe]     (defaults 30 and 8; needs mvn -B -q install -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
export ORT_DISABLE_TELEMETRY=1 OPT_OUT_TRACKING=true
target="${1:-30}"
secs="${2:-8}"
out=bench-out
mkdir -p "$out"
source scripts/lib.sh
port=$(free_port 18240 18290)
url="http://127.0.0.1:$port"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT
for policy in slackfit always-largest; do
  FLEXSERVE_ROUTING_POLICY=$policy java -Dai.djl.offline=true -jar server/target/flexserve.jar --port "$port" > "$out/sweep-server-$policy.log" 2>&1 &
  pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/v2/health/ready")" = 200 ]; do
    kill -0 "$pid" 2>/dev/null || { echo "server exited" >&2; exit 1; }; sleep 0.5
  done
  # warm the HTTP path (the load-time profile only warms ONNX Runtime): 10 s at a modest rate, not reported
  java -jar loadtest/target/flexserve-loadtest.jar --url "$url" --rate 40 --duration-s 10 --target-ms "$target" > /dev/null 2>&1
  echo "== $policy"
  java -jar loadtest/target/flexserve-loadtest.jar sweep --url "$url" --slo 0.99 --target-ms "$target" \
    --rate-from 10 --rate-to 400 --step-duration-s "$secs" --json "$out/sweep-$policy.json" 2>&1 | tail -n 30
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done
