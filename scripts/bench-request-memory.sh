#!/usr/bin/env bash
# bench-request-memory.sh: does the server give memory back after a large request? (issue 17, item 7)
#
#   scripts/bench-request-memory.sh [OUT_DIR]      (default bench-out/request-memory)
#
# Starts the server on its embedded MiniLM twice, with ONNX Runtime's per-run arena shrinkage (the default) and
# without it (-Dflexserve.ort.arena-shrinkage=false). Each time: RSS after a warm-up, after 5 of the largest
# embeddings request the default limits allow (64 inputs × 256 tokens = 16,384 padded tokens), after 10 s idle, and
# after 100 small requests; with the mean latency of the large and the small requests.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/bench-out/request-memory}
export ORT_DISABLE_TELEMETRY=1 OPT_OUT_TRACKING=true
mkdir -p "$out"
. "$repo/scripts/lib.sh"
port=$(free_port 8300 8399)

for shrink in true false; do
  python3 - "$repo/server/target/flexserve.jar" "$port" "$shrink" "$out/server-shrink-$shrink.log" <<'PY'
import json, subprocess, sys, time, urllib.request
jar, port, shrink, log = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
server = subprocess.Popen(["java", "-Dai.djl.offline=true", f"-Dflexserve.ort.arena-shrinkage={shrink}", "-jar", jar,
                           "--port", port], stdout=open(log, "w"), stderr=subprocess.STDOUT)
base_url = f"http://127.0.0.1:{port}"

def rss_mb():
    for line in open(f"/proc/{server.pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024

def embed(inputs):
    req = urllib.request.Request(base_url + "/v1/embeddings", data=json.dumps({"input": inputs}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        assert r.status == 200

try:
    for _ in range(600):
        try:
            if b"true" in urllib.request.urlopen(base_url + "/v2/health/ready", timeout=1).read():
                break
        except OSError:
            pass
        time.sleep(0.5)
    embed("warm up")
    time.sleep(2)
    warm = rss_mb()
    big = [("word%d " % i) * 120 for i in range(64)]  # each truncated at MiniLM's 256 tokens
    t = time.time()
    for _ in range(5):
        embed(big)
    big_s = (time.time() - t) / 5
    after_big = rss_mb()
    time.sleep(10)
    idle = rss_mb()
    t = time.time()
    for _ in range(100):
        embed("a short sentence of about twelve tokens to embed here")
    small_ms = (time.time() - t) * 10
    print(f"arena shrinkage {shrink:5}: RSS warm {warm:.0f} MB, after 5 large {after_big:.0f} MB, "
          f"10 s later {idle:.0f} MB, after 100 small {rss_mb():.0f} MB; large {big_s:.2f} s/request, "
          f"small {small_ms:.1f} ms/request")
finally:
    server.terminate()
    server.wait()
PY
done | tee "$out/summary.txt"
