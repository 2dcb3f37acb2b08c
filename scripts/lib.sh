# Shared by the benchmark scripts (sourced, not run).

# free_port FROM TO: the first port in [FROM, TO] nothing answers on (another server on a fixed port would silently
# take the benchmark's load); exits 2 when none is free.
free_port() {
  local p
  for p in $(seq "$1" "$2"); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/" || { echo "$p"; return 0; }
  done
  echo "no free port in $1-$2" >&2
  exit 2
}

# ensure_repo DIR: a model repository with the embedded MiniLM encoder, tinystories-260k (from ../shared, with a
# KV-compatible full-mlp50 for token-level switching) and a tiny random-weight RADIO vision backbone at 64 and 32 px,
# converted on first use into DIR.
ensure_repo() {
  local repo="$1" jar=models/toolchain/target/flexserve-toolchain.jar
  if [ -f "$repo/tinystories/manifest.json" ] && [ -f "$repo/all-minilm-l6-v2/manifest.json" ] \
      && [ -f "$repo/radio-tiny/manifest.json" ]; then
    return 0
  fi
  echo "converting a model repository into $repo (MiniLM, tinystories-260k, radio-tiny)"
  rm -rf "$repo" "$repo.work"
  mkdir -p "$repo" "$repo.work"
  java -jar "$jar" convert --out "$repo/all-minilm-l6-v2" > "$repo.convert.log" 2>&1
  java -jar "$jar" convert --checkpoint ../shared/models/tinystories-260k \
    --calibration ../shared/data/tinystories-valid-sample.txt --out "$repo/tinystories" \
    --budgets 1,0.85,0.7 --latency-model weights --mlp-variants 0.5 --threads 1 >> "$repo.convert.log" 2>&1
  java -jar "$jar" synth-vision --preset tiny --out "$repo.work/radio-tiny-ckpt" >> "$repo.convert.log" 2>&1
  java -jar "$jar" convert-vision --checkpoint "$repo.work/radio-tiny-ckpt" --resolutions 64,32 \
    --out "$repo/radio-tiny" >> "$repo.convert.log" 2>&1
  rm -rf "$repo.work"
}

# split_stories SHARED OUT: OUT/calibration.txt (the first half of ../shared's TinyStories sample, at a story
# boundary) and OUT/evaluation.txt (the second half, which only `eval` ever reads).
split_stories() {
  python3 - "$1/data/tinystories-valid-sample.txt" "$2" <<'PY'
import sys
stories = open(sys.argv[1], encoding="utf-8").read().split("\n\n")
half = len(stories) // 2
open(sys.argv[2] + "/calibration.txt", "w", encoding="utf-8").write("\n\n".join(stories[:half]))
open(sys.argv[2] + "/evaluation.txt", "w", encoding="utf-8").write("\n\n".join(stories[half:]))
print(f"{half} stories calibrate, {len(stories) - half} evaluate")
PY
}
