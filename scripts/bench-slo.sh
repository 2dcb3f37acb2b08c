#!/usr/bin/env bash
# Issue 4 benchmark: does the router hold latency SLOs under load on the real server?
#
#   scripts/bench-slo.sh [seconds-per-run]        (default 30; needs: mvn -B -q install -DskipTests)
#
# 1. Measures the full sub-network's unloaded p50 for one sentence over HTTP (X-Subnet: full, sequential).
# 2. Policy comparison: open-loop Poisson at 2x full's max throughput (2 * 1000/p50 req/s), target 2x p50,
#    one run per policy, each on a freshly started, warmed-up server; then the load tester's compare table.
# 3. Overload: slackfit at 5x full's max throughput: attainment of admitted requests, 429 latency, server RSS.
# 4. Simulator vs server: one Poisson trace (written by the simulator) replayed by the load tester against the
#    slackfit server, then simulated on that server's measured profiles; prints both SLO attainments.
# Everything runs on loopback. Output: bench-out/ (JSON, CSV, HTML) and the tables on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
export ORT_DISABLE_TELEMETRY=1 OPT_OUT_TRACKING=true
secs="${1:-30}"
source scripts/lib.sh
port=$(free_port 18180 18230)
url="http://127.0.0.1:$port"
out=bench-out
mkdir -p "$out"
server_jar=server/target/flexserve.jar
toolchain_jar=models/toolchain/target/flexserve-toolchain.jar
lt_jar=loadtest/target/flexserve-loadtest.jar
[ -f "$server_jar" ] && [ -f "$lt_jar" ] || { echo "build first: mvn -B -q install -DskipTests" >&2; exit 2; }
sentence="A quick brown fox jumps over the lazy dog near the river bank."

server_pid=""
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; fi; }
trap stop_server EXIT

start_server() { # policy
  stop_server
  FLEXSERVE_ROUTING_POLICY="$1" java -Dai.djl.offline=true -jar "$server_jar" --port "$port" > "$out/server-$1.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 240); do
    kill -0 "$server_pid" 2>/dev/null || { echo "server exited; see $out/server-$1.log" >&2; exit 1; }
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/v2/health/ready")" = 200 ]; then
      # warm the HTTP path (the load-time profile only warms ONNX Runtime): 10 s at a modest rate, not reported
      java -jar "$lt_jar" --url "$url" --rate 40 --duration-s 10 > /dev/null 2>&1
      return 0
    fi
    sleep 0.5
  done
  echo "server not ready after 120 s" >&2; exit 1
}

rss_mib() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$server_pid/status"; }

# 1. full's unloaded p50 (client-side, over HTTP)
start_server slackfit
for _ in $(seq 1 50); do curl -s -o /dev/null -H 'X-Subnet: full' "$url/v1/embeddings" -d "{\"input\":\"$sentence\"}"; done
p50=$(for _ in $(seq 1 200); do curl -s -o /dev/null -w '%{time_total}\n' -H 'X-Subnet: full' "$url/v1/embeddings" -d "{\"input\":\"$sentence\"}"; done \
  | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int(NR/2)+1]*1000}')
rate=$(awk -v p="$p50" 'BEGIN {printf "%.1f", 2*1000/p}')
target=$(awk -v p="$p50" 'BEGIN {printf "%.1f", 2*p}')
echo "full sub-network, one sentence, unloaded p50 over HTTP: $p50 ms -> rate $rate req/s (2x), target $target ms (2x p50)"
curl -s "$url/v1/models" > "$out/models.json"

# 2. policies at 2x full's max throughput
for policy in slackfit greedy always-largest always-smallest; do
  start_server "$policy"
  java -jar "$lt_jar" --url "$url" --arrival poisson --rate "$rate" --duration-s "$secs" --seed 7 \
    --target-ms "$target" --label "$policy" --json "$out/2x-$policy.json" > "$out/2x-$policy.txt" 2>&1
  echo "== $policy: $(grep -E 'SLO attainment' "$out/2x-$policy.txt" | sed 's/  */ /g')"
done
java -jar "$lt_jar" compare "$out"/2x-slackfit.json "$out"/2x-greedy.json "$out"/2x-always-largest.json \
  "$out"/2x-always-smallest.json --html "$out/compare-2x.html"

# 3. 5x overload on slackfit
over=$(awk -v r="$rate" 'BEGIN {printf "%.1f", r*5/2}')
start_server slackfit
rss_before=$(rss_mib)
java -jar "$lt_jar" --url "$url" --arrival poisson --rate "$over" --duration-s "$secs" --seed 9 \
  --target-ms "$target" --json "$out/5x-slackfit.json" --html "$out/5x-slackfit.html" --csv "$out/5x-slackfit.csv" > "$out/5x-slackfit.txt" 2>&1
rss_after=$(rss_mib)
echo "== 5x overload ($over req/s), slackfit:"
sed -n '/^requests/,$p' "$out/5x-slackfit.txt"
col() { head -1 "$out/5x-slackfit.csv" | tr ',' '\n' | grep -nx "$1" | cut -d: -f1; }
st=$(col status); lat=$(col latency_ms)
pct() { sort -n | awk -v q="$1" '{a[NR]=$1} END {i=int(NR*q); if (i<1) i=1; printf "%.2f", a[i]}'; }
ok_lat=$(awk -F, -v s="$st" -v l="$lat" 'NR>1 && $s==200 {print $l}' "$out/5x-slackfit.csv")
rej_lat=$(awk -F, -v s="$st" -v l="$lat" 'NR>1 && $s==429 {print $l}' "$out/5x-slackfit.csv")
echo "admitted (2xx): $(echo "$ok_lat" | grep -c .), on time: $(echo "$ok_lat" | awk -v t="$target" '$1<=t {m++} END {printf "%.2f", 100*m/NR}') %, p99 $(echo "$ok_lat" | pct 0.99) ms (target $target ms)"
echo "429s: $(echo "$rej_lat" | grep -c .), p50 $(echo "$rej_lat" | pct 0.5) ms, p99 $(echo "$rej_lat" | pct 0.99) ms"
echo "server RSS before/after the overload run: $rss_before / $rss_after MiB; still ready: $(curl -s -o /dev/null -w '%{http_code}' "$url/v2/health/ready")"

# 4. simulator vs real server on one trace
java -jar "$toolchain_jar" simulate --profiles "$out/models.json" --rate "$rate" --duration-s "$secs" --seed 11 \
  --target-ms "$target" --tokens 16 --policy slackfit --write-trace "$out/trace.csv" > /dev/null
start_server slackfit
curl -s "$url/v1/models" > "$out/models-sim.json"
java -jar "$lt_jar" --url "$url" --trace "$out/trace.csv" --json "$out/trace-real.json" > "$out/trace-real.txt" 2>&1
real=$(grep -E 'SLO attainment' "$out/trace-real.txt" | awk '{print $3}')
echo "== simulator vs server, same trace ($(($(wc -l < "$out/trace.csv") - 1)) requests):"
echo "real server SLO attainment: $real %"
java -jar "$toolchain_jar" simulate --profiles "$out/models-sim.json" --trace "$out/trace.csv" --tokens 16 --policy slackfit | tail -2
