#!/usr/bin/env bash
# bench-quant.sh: the quantized-serving figures in BENCHMARKS.md (issue 15), from scratch.
#
#   scripts/bench-quant.sh [OUT_DIR]      (default bench-out/quant; needs ../shared beside the repo)
#
# 1. Quality: tinystories-260k converted with int4 + EoRA r16 and with int8 (calibrated on the first half of
#    ../shared/data/tinystories-valid-sample.txt); `eval` scores every entry on the second half, which calibration
#    never saw, against the float32 entry of the same layers.
# 2. Speed and memory: the synthetic ~100M Llama (`synth --preset 100m`) converted with int4 + EoRA r16 and with
#    int8 (default budgets, so every sub-network has fp32 and quantized entries); `bench precision` times the
#    entries of `full` side by side (decode at batch 1 and 8 behind 64 cached tokens, prefill of 512, at 1 and 2
#    threads) and measures RSS per precision, while llama2.c's run.c (../shared/bench/llama2c, a reference only)
#    decodes the same shape right before, for the fp32 ratio.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/bench-out/quant}
shared=$repo/../shared
export ORT_DISABLE_TELEMETRY=1 OPT_OUT_TRACKING=true
fs() { java -Dai.djl.offline=true -jar "$repo/models/toolchain/target/flexserve-toolchain.jar" "$@"; }
mkdir -p "$out"
. "$repo/scripts/lib.sh"

split_stories "$shared" "$out"

echo "== quality: tinystories-260k, perplexity on held-out stories"
for q in int4 int8; do
  rank=(); [ $q = int4 ] && rank=(--eora-rank 16 --eora-ranks 16)
  fs convert --checkpoint "$shared/models/tinystories-260k" --calibration "$out/calibration.txt" \
    --out "$out/tinystories-$q" --budgets 1 --threads 1 --quantize $q "${rank[@]}"
  fs eval --bundle "$out/tinystories-$q" --text "$out/evaluation.txt" --windows 32 || true
done

echo "== speed and memory: synthetic ~100M"
[ -f "$out/synth-100m/config.json" ] || fs synth --preset 100m --out "$out/synth-100m"
fs convert --checkpoint "$out/synth-100m" --calibration "$out/calibration.txt" --out "$out/synth-100m-int4" \
  --rank-windows 16 --held-back 4 --per-budget 4 --threads 1 --quantize int4 --eora-rank 16 --eora-ranks 16
fs convert --checkpoint "$out/synth-100m" --calibration "$out/calibration.txt" --out "$out/synth-100m-int8" \
  --rank-windows 16 --held-back 4 --per-budget 4 --threads 1 --quantize int8
"$shared/bench/llama2c/speed.sh" 768 2048 8 12 4 32000 256 1 2 | tee "$out/llama2c.txt"
fs bench precision --bundle "$out/synth-100m-int4" --bundle "$out/synth-100m-int8" --threads 1,2 \
  --reference "$out/llama2c.txt"
