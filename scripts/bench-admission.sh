#!/usr/bin/env bash
# Admission A/B under issue 19's pinned experiment: slackfit at 2x and 5x full's capacity, with admission's overload
# hold (flexserve.overload-hold-ms) at each value given, each run on a fresh server, the values interleaved round by
# round so that a slow spell of the VM hits all of them alike.
#
#   scripts/bench-admission.sh CAPACITY TARGET_MS [rounds] [seconds-per-run] [holds...]
#       (default 3 rounds of 30 s, holds "0 1000"; needs mvn -B -q install -DskipTests)
#
# CAPACITY and TARGET_MS are a bench-slo.sh run's (its "== capacity" line, and 2x full's unloaded p50). Each round
# runs, per hold: 2x capacity, Poisson, all requests with the target (attainment counts a 429 as a miss), and 5x,
# Poisson (the admitted requests' p99 against the target, and the 429s). A round uses its own seeds, the same for
# every hold. The server and the load generator are pinned and the machine set up as in bench-slo.sh
# (scripts/slo-lib.sh). Output: bench-out/admission/ and one line per run on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
export ORT_DISABLE_TELEMETRY=1 OPT_OUT_TRACKING=true
[ $# -ge 2 ] || { sed -n 2,12p "$0" >&2; exit 2; }
capacity="$1"; target="$2"; rounds="${3:-3}"; secs="${4:-30}"
shift $(($# < 4 ? $# : 4))
holds=("$@"); [ ${#holds[@]} -gt 0 ] || holds=(0 1000)
source scripts/lib.sh
out=bench-out/admission
source scripts/slo-lib.sh
server_compiler_nice=19
server_nice=10
fast_path=true
two=$(awk -v c="$capacity" 'BEGIN {printf "%.1f", 2*c}')
five=$(awk -v c="$capacity" 'BEGIN {printf "%.1f", 5*c}')
echo "== capacity $capacity req/s: 2x = $two, 5x = $five req/s; target $target ms; holds ${holds[*]} ms; $rounds rounds of $secs s"
for round in $(seq 1 "$rounds"); do
  for hold in "${holds[@]}"; do
    export FLEXSERVE_OVERLOAD_HOLD_MS="$hold"
    name="r$round-hold$hold"
    start_server slackfit
    lt_send --url "$url" --arrival poisson --rate "$two" --duration-s "$secs" --seed $((100 + round)) \
      --target-ms "$target" --json "$out/2x-$name.json" > "$out/2x-$name.txt" 2>&1
    echo "round $round hold $hold ms, 2x: $(attainment "$out/2x-$name.txt"); 429s $(rejected "$out/2x-$name.txt")"
    start_server slackfit
    lt_send --url "$url" --arrival poisson --rate "$five" --duration-s "$secs" --seed $((200 + round)) \
      --target-ms "$target" --json "$out/5x-$name.json" --csv "$out/5x-$name.csv" > "$out/5x-$name.txt" 2>&1
    echo "round $round hold $hold ms, 5x: $(admitted_summary "$out/5x-$name.csv" "$target"); 429s: $(rejected_summary "$out/5x-$name.csv")"
  done
done
