#!/usr/bin/env bash
# Issue 9 soak benchmark: mixed load for a long time; memory must level off and nothing may fail.
#
#   scripts/soak.sh [minutes] [rate]     (default 10 minutes at 12 req/s; needs: mvn -B -q install -DskipTests)
#
# Serves a repository with the embedded MiniLM encoder, tinystories-260k and a tiny RADIO backbone (converted into
# bench-out/soak-repo on first use, from ../shared) and sends open-loop Poisson traffic mixing every endpoint kind:
# embeddings, completions, streamed completions, chat, streamed chat and vision features. The server's RSS is sampled
# every 5 s.
# Pass: RSS growth from the end of the warm-up (the first minute) to the end <= 10 %, and zero 5xx responses
# during the load (counted by the server's own flexserve_http_responses_total). Output: bench-out/soak/ (RSS CSV, load-test
# JSON/HTML reports, server log) and the figures on stdout. Exit status 0 when both criteria hold.
set -euo pipefail
cd "$(dirname "$0")/.."
export ORT_DISABLE_TELEMETRY=1 OPT_OUT_TRACKING=true
minutes="${1:-10}"
rate="${2:-12}"
out=bench-out/soak
repo=bench-out/soak-repo
mkdir -p "$out"
server_jar=server/target/flexserve.jar
lt_jar=loadtest/target/flexserve-loadtest.jar
[ -f "$server_jar" ] && [ -f "$lt_jar" ] || { echo "build first: mvn -B -q install -DskipTests" >&2; exit 2; }

source scripts/lib.sh
ensure_repo "$repo"
port=$(free_port 18300 18350)
url="http://127.0.0.1:$port"

FLEXSERVE_MODEL_DIR="$repo" java -Dai.djl.offline=true -jar "$server_jar" --port "$port" > "$out/server.log" 2>&1 &
server_pid=$!
sampler_pid=""
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 240); do
  kill -0 "$server_pid" 2>/dev/null || { echo "server exited; see $out/server.log" >&2; exit 1; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/v2/health/ready")" = 200 ] && break
  sleep 0.5
done

# RSS every 5 s, seconds since the load started
start=$(date +%s)
( echo "seconds,rss_mib"
  while kill -0 "$server_pid" 2>/dev/null; do
    awk -v t=$(( $(date +%s) - start )) '/VmRSS/ {printf "%d,%.1f\n", t, $2/1024}' "/proc/$server_pid/status"
    sleep 5
  done ) > "$out/rss.csv" &
sampler_pid=$!


responses_5xx() {
  curl -s "$url/metrics" | awk '/^flexserve_http_responses_total\{/ && /status="5[0-9][0-9]"/ {n += $NF} END {printf "%d", n}'
}

# 5xx while loading (the readiness probe's 503s above) do not count: only those during the load
fivexx_before=$(responses_5xx)
echo "soak: $minutes min at $rate req/s (Poisson), mix embeddings/completions/stream/chat/chat-stream/vision, on $url"
java -jar "$lt_jar" --url "$url" --arrival poisson --rate "$rate" --duration-s $(( minutes * 60 )) --seed 11 \
  --mix embeddings=0.35,completions=0.15,completions-stream=0.15,chat=0.1,chat-stream=0.1,vision=0.15 \
  --generation-model tinystories --vision-model radio-tiny --image-sizes 64x64,320x240 --images 256 --max-tokens 24 --timeout-s 60 --label soak \
  --json "$out/soak.json" --html "$out/soak.html" > "$out/soak.txt" 2>&1 || true
kill "$sampler_pid" 2>/dev/null || true
sampler_pid=""
fivexx=$(( $(responses_5xx) - fivexx_before ))
alive=$(curl -s -o /dev/null -w '%{http_code}' "$url/v2/health/ready")

awk -F, -v warm=60 -v fivexx="$fivexx" -v alive="$alive" '
  NR == 1 { next }
  { t[NR] = $1; r[NR] = $2; n = NR; if ($2 > max) max = $2 }
  $1 >= warm && !w { w = $2; wt = $1 }
  END {
    last = r[n]
    growth = (last - w) / w * 100
    printf "RSS: %.1f MiB after warm-up (t=%d s), %.1f MiB at the end (t=%d s), max %.1f MiB: growth %+.1f %% (limit 10 %%)\n", w, wt, last, t[n], max, growth
    printf "5xx responses (server metrics): %d; /v2/health/ready after the soak: %s\n", fivexx, alive
    ok = growth <= 10 && fivexx == 0 && alive == 200
    print (ok ? "PASS" : "FAIL")
    exit ok ? 0 : 1
  }' "$out/rss.csv" | tee "$out/verdict.txt"
status=${PIPESTATUS[0]}
echo "load test summary:"
grep -E "requests|SLO attainment|status|errors|p50|p99" "$out/soak.txt" | head -20 || true
exit "$status"
