#!/usr/bin/env bash
# bench-llm.sh: the elastic-LLM figures in BENCHMARKS.md (issue 10), from scratch.
#
#   scripts/bench-llm.sh [OUT_DIR]        (default bench-out/llm; needs ../shared beside the repo)
#
# 1. Splits ../shared/data/tinystories-valid-sample.txt at a story boundary: the first half calibrates (ranking
#    and the held-back candidate scores), the second half is only ever used by `eval`.
# 2. tinystories-260k (real) and a synthetic ~100M-parameter Llama (`synth --preset 100m`): convert, then
#    `eval` (perplexity on the second half, decode/prefill tokens/s, weight bytes, the speed ratios) and
#    `bench memory` (RSS with every sub-network loaded vs full alone); for the 100M model also `bench generation`
#    (continuous batching: 8 streams vs 1; prefix cache: TTFT with a cached 200-token preamble vs a new one).
# Each step prints its own figures; a step that misses its target exits non-zero, and so does this script.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/bench-out/llm}
shared=$repo/../shared
export ORT_DISABLE_TELEMETRY=1 OPT_OUT_TRACKING=true
fs() { java -Dai.djl.offline=true -jar "$repo/models/toolchain/target/flexserve-toolchain.jar" "$@"; }
mkdir -p "$out"
. "$repo/scripts/lib.sh"

split_stories "$shared" "$out"

status=0
echo "== tinystories-260k"
fs convert --checkpoint "$shared/models/tinystories-260k" --calibration "$out/calibration.txt" \
  --out "$out/repo/tinystories" --budgets 1,0.85,0.7,0.55 --threads 1
fs eval --bundle "$out/repo/tinystories" --text "$out/evaluation.txt" --windows 16 || status=1
fs bench memory --bundle "$out/repo/tinystories" --repeats 3 || status=1

echo "== synthetic ~100M"
[ -f "$out/synth-100m/config.json" ] || fs synth --preset 100m --out "$out/synth-100m"
fs convert --checkpoint "$out/synth-100m" --calibration "$out/calibration.txt" --out "$out/repo/synth-100m" \
  --rank-windows 16 --held-back 4 --per-budget 4 --threads 1
fs eval --bundle "$out/repo/synth-100m" --text "$out/evaluation.txt" --windows 4 || status=1
fs bench generation --repo "$out/repo" --model synth-100m --repeats 5 || status=1
fs bench memory --bundle "$out/repo/synth-100m" --repeats 3 || status=1
exit $status
