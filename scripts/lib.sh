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
