# The cores-pinned experiment of issue 19, shared by scripts/bench-slo.sh and scripts/bench-admission.sh (sourced,
# not run; after scripts/lib.sh). The caller sets $out first. Sets up: the server on core 1 and the load generator on
# core 0, receive flow steering on lo and the client core idling by polling (root only, restored at exit; see
# bench-slo.sh), and these helpers:
#   start_server POLICY   a fresh server with the one-core settings ($server_nice, $server_compiler_nice,
#                         $server_jvm_opts, $fast_path; the caller's FLEXSERVE_* environment passes through), at $url:
#                         once ready (after its own warm-up, FLEXSERVE_WARMUP_SECONDS, 10 s by default), warmed for
#                         20 s more by the load tester
#   stop_server, rss_mib, lt (the load tester on the client core), lt_send (the same with the native sender),
#   attainment FILE, generator FILE (a report's SLO attainment and load generator lines)
#   rejected FILE         a report's count of 429s
#   admitted_summary CSV TARGET, rejected_summary CSV
#                         from a run's --csv records: the admitted (2xx) requests' count, share on time and p99;
#                         the 429s' count, p50 and p99 (each "name=value", space-separated)
port=$(free_port 18180 18230)
url="http://127.0.0.1:$port"
mkdir -p "$out"
server_jar=server/target/flexserve.jar
lt_jar=loadtest/target/flexserve-loadtest.jar
toolchain_jar=models/toolchain/target/flexserve-toolchain.jar
for j in "$server_jar" "$lt_jar" "$toolchain_jar"; do
  [ -f "$j" ] || { echo "build first: mvn -B -q install -DskipTests ($j is missing)" >&2; exit 2; }
done
server_core=1
client_core=0
lt() { taskset -c "$client_core" java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$lt_jar" "$@"; }
lt_send() { lt "$@" --sender native; } # runs and sweeps; compare takes no --sender
server_compiler_nice=19
server_nice=10
# C2 only, no tiered compilation: on one core, with its compiler threads at nice 19, a C2 compile takes seconds of wall
# time, and the JVM's tiered hand-over from C1's code to C2's stalled the event loop for 40-418 ms on the first
# overload after start (BENCHMARKS.md, issue 19, stop 31). Compiled after 1,000 calls, not the default 10,000, which
# would leave the request path interpreted well past the 20 s warm-up.
server_jvm_opts="-XX:-TieredCompilation -XX:CompileThreshold=1000"
fast_path=true

rfs_files=(/proc/sys/net/core/rps_sock_flow_entries /sys/class/net/lo/queues/rx-0/rps_flow_cnt
  /sys/class/net/lo/queues/rx-0/rps_cpus)
rfs_saved=()
rfs_on() {
  if [ "${FLEXSERVE_BENCH_RFS:-1}" != 1 ] || [ "$(id -u)" != 0 ] || [ ! -w "${rfs_files[2]}" ]; then
    echo "receive flow steering on lo: off (not root, or FLEXSERVE_BENCH_RFS=0): each side's CPU includes the other's TCP receive"
    return 0
  fi
  for f in "${rfs_files[@]}"; do rfs_saved+=("$(cat "$f")"); done
  echo 32768 > "${rfs_files[0]}"; echo 32768 > "${rfs_files[1]}"
  printf '%x' $(((1 << $(nproc)) - 1)) > "${rfs_files[2]}" # every core may receive; RFS picks the reader's
  echo "receive flow steering on lo: on (each packet's receive runs on the core of the socket that reads it)"
}
rfs_restore() {
  local i
  for i in "${!rfs_saved[@]}"; do echo "${rfs_saved[$i]}" > "${rfs_files[$i]}" 2>/dev/null || true; done
}

poll_file=/sys/devices/system/cpu/cpu$client_core/power/pm_qos_resume_latency_us
poll_saved=""
spin_pid=""
client_poll_on() {
  if [ "${FLEXSERVE_BENCH_CLIENT_POLL:-1}" != 1 ]; then
    echo "client core idle: halts (FLEXSERVE_BENCH_CLIENT_POLL=0): each timed wake-up costs more"
  elif [ "$(cat /sys/devices/system/cpu/cpuidle/current_driver 2>/dev/null || echo none)" = none ]; then
    # no cpuidle driver, so no polling state to ask for: idle is HLT at once; a SCHED_IDLE spinner keeps the core
    # running instead, preempted by any other thread that wakes there (scripts/idle-spin.c)
    gcc -O2 -o "$out/idle-spin" scripts/idle-spin.c
    taskset -c "$client_core" "$out/idle-spin" &
    spin_pid=$!
    echo "client core idle: spins (no cpuidle driver here; a SCHED_IDLE spinner on core $client_core, the server's core halts)"
  elif [ "$(id -u)" != 0 ] || [ ! -w "$poll_file" ]; then
    echo "client core idle: halts (not root): each timed wake-up costs more"
  else
    poll_saved=$(cat "$poll_file")
    echo n/a > "$poll_file" # no wake-up latency tolerated: the idle governor polls instead of halting
    echo "client core idle: polls (core $client_core's PM QoS resume latency 0; the server's core halts as before)"
  fi
}
# FLEXSERVE_BENCH_SERVER_SPIN=1: the server's core never halts either (a SCHED_IDLE spinner there too, like a host
# booted with idle=poll); off by default, the server's core halts when idle
server_spin_on() {
  if [ "${FLEXSERVE_BENCH_SERVER_SPIN:-0}" = 1 ]; then
    [ -x "$out/idle-spin" ] || gcc -O2 -o "$out/idle-spin" scripts/idle-spin.c
    taskset -c "$server_core" "$out/idle-spin" &
    server_spin_pid=$!
    echo "server core idle: spins (FLEXSERVE_BENCH_SERVER_SPIN=1; a SCHED_IDLE spinner on core $server_core)"
  fi
}
server_spin_pid=""
idle_restore() { # both spinners, and the client core's PM QoS
  if [ -n "$server_spin_pid" ]; then kill "$server_spin_pid" 2>/dev/null || true; fi
  if [ -n "$poll_saved" ]; then echo "$poll_saved" > "$poll_file" 2>/dev/null || true; fi
  if [ -n "$spin_pid" ]; then kill "$spin_pid" 2>/dev/null || true; fi
}

server_pid=""
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; fi; }
trap 'stop_server; rfs_restore; idle_restore' EXIT
rfs_on
client_poll_on
server_spin_on

start_server() { # policy
  stop_server
  FLEXSERVE_ROUTING_POLICY="$1" FLEXSERVE_INTRA_OP_THREADS=1 FLEXSERVE_INFERENCE_NICE="$server_nice" \
    FLEXSERVE_COMPILER_NICE="$server_compiler_nice" FLEXSERVE_EMBEDDINGS_FAST_PATH="$fast_path" \
    taskset -c "$server_core" java $server_jvm_opts -Dai.djl.offline=true -jar "$server_jar" --port "$port" \
    > "$out/server-$1.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 360); do
    kill -0 "$server_pid" 2>/dev/null || { echo "server exited; see $out/server-$1.log" >&2; exit 1; }
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/v2/health/ready")" = 200 ]; then
      # warm the HTTP path (the load-time profile only warms ONNX Runtime): 20 s, not reported
      lt --url "$url" --rate 60 --duration-s 20 --target-ms 20 > /dev/null 2>&1
      return 0
    fi
    sleep 0.5
  done
  echo "server not ready after 180 s" >&2; exit 1
}

rss_mib() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$server_pid/status"; }
attainment() { grep -m1 -E 'SLO attainment' "$1" | sed 's/  */ /g'; }
generator() { grep -m1 -E '^ *CPU per request' "$1" | sed 's/  */ /g; s/^ //' || true; }
rejected() { grep -m1 -E '^ *429 rejected' "$1" | awk '{print $NF}'; }
pct() { sort -n | awk -v q="$1" '{a[NR]=$1} END {i=int(NR*q); if (i<1) i=1; printf "%.2f", a[i]}'; }
latencies() { # CSV STATUS: the latency_ms of every record with that status
  awk -F, -v want="$2" 'NR==1 {for (i=1; i<=NF; i++) {if ($i=="status") s=i; if ($i=="latency_ms") l=i}; next}
    $s==want {print $l}' "$1"
}
admitted_summary() {
  local ok; ok=$(latencies "$1" 200)
  echo "admitted=$(echo "$ok" | grep -c .) on_time_pct=$(echo "$ok" | awk -v t="$2" '$1<=t {m++} END {printf "%.2f", 100*m/NR}') p99_ms=$(echo "$ok" | pct 0.99)"
}
rejected_summary() {
  local rej; rej=$(latencies "$1" 429)
  echo "rejected=$(echo "$rej" | grep -c .) p50_ms=$(echo "$rej" | pct 0.5) p99_ms=$(echo "$rej" | pct 0.99)"
}
