#!/usr/bin/env bash
# check-no-outbound.sh: proves the server makes no outbound connection attempt while it starts and serves every kind
# of request (embeddings, completions, streamed chat, model listing, metrics).
#
#   scripts/check-no-outbound.sh            (needs: mvn -B -q package -DskipTests; ../shared for the test models)
#
# Runs the server jar, launched as ./flexserve does, in a new network namespace holding only loopback
# (`unshare --net --map-root-user`) under `strace -f`, which records every connect/sendto/sendmsg system call of the
# JVM and of ONNX Runtime's native code alike, including attempts that fail (in that namespace any attempt would
# fail with ENETUNREACH, so failing is not enough: the trace shows there were none). Serves a repository with MiniLM
# and tinystories-260k (converted into bench-out/outbound-repo on first use). Exit status 0 when the trace holds no
# IPv4/IPv6 destination outside loopback; prints every socket destination it saw, by family.
# Needs Linux with util-linux (unshare), iproute2 (ip), strace, curl; root or unprivileged user namespaces. Used by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export ORT_DISABLE_TELEMETRY=1 OPT_OUT_TRACKING=true
source scripts/lib.sh
jar=server/target/flexserve.jar
[ -f "$jar" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }
for tool in unshare ip strace curl; do
  command -v "$tool" > /dev/null || { echo "needs $tool" >&2; exit 2; }
done
if [ "${1:-}" != "--inside" ]; then
  ensure_repo bench-out/outbound-repo
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  status=0
  unshare --net --map-root-user --kill-child "$0" --inside "$work" || status=$?
  exit "$status"
fi

# Inside the namespace from here on.
work="$2"
ip link set lo up
echo "network namespace: $(ip -brief address | awk '{print $1, $3}' | xargs)"
port=8080
FLEXSERVE_MODEL_DIR=bench-out/outbound-repo strace -f --seccomp-bpf -qq -e trace=connect,sendto,sendmsg \
  -o "$work/trace.txt" java -Dai.djl.offline=true -jar "$jar" --port "$port" > "$work/server.log" 2>&1 &
server=$!
url="http://127.0.0.1:$port"
for _ in $(seq 1 360); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/v2/health/ready")" = 200 ] && break
  kill -0 "$server" 2> /dev/null || { cat "$work/server.log" >&2; echo "server exited" >&2; exit 1; }
  sleep 0.5
done
check() { # name expected-status curl-args...
  local name="$1" want="$2"; shift 2
  local got
  got=$(curl -s -o /dev/null -w '%{http_code}' "$@")
  echo "  $name: $got"
  [ "$got" = "$want" ] || { echo "unexpected status for $name" >&2; exit 1; }
}
echo "requests:"
check embeddings 200 "$url/v1/embeddings" -d '{"model":"all-minilm-l6-v2","input":"no network here"}'
check completions 200 "$url/v1/completions" -d '{"model":"tinystories","prompt":"Once upon a time","max_tokens":8}'
check "streamed chat" 200 -N "$url/v1/chat/completions" \
  -d '{"model":"tinystories","messages":[{"role":"user","content":"Tell a story"}],"max_tokens":8,"stream":true}'
check models 200 "$url/v1/models"
check metrics 200 "$url/metrics"
# SIGTERM to the JVM (strace's child; strace itself would only detach), then strace exits with it
pkill -TERM -P "$server" java || true
wait "$server" 2> /dev/null || true

# Destinations by family. AF_UNIX (e.g. glibc asking nscd) and AF_NETLINK (the JVM listing interfaces) stay on the
# host; IPv4/IPv6 must be loopback.
grep -o 'sa_family=AF_[A-Z0-9]*' "$work/trace.txt" | sort | uniq -c | sed 's/^/  /' > "$work/families.txt" || true
echo "socket destinations in $(wc -l < "$work/trace.txt") traced calls:"
cat "$work/families.txt"
outside=$(grep -E 'sa_family=AF_INET6?' "$work/trace.txt" \
  | grep -vE 'inet_addr\("127\.|inet_pton\(AF_INET6, "::1"|inet_pton\(AF_INET6, "::ffff:127\.' || true)
if [ -n "$outside" ]; then
  echo "FAIL: outbound attempts:" >&2
  echo "$outside" | head -20 >&2
  exit 1
fi
echo "PASS: no IPv4/IPv6 connection attempt outside loopback"
