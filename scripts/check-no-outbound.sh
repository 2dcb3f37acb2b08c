#!/usr/bin/env bash
# check-no-outbound.sh: proves the server makes no outbound connection attempt while it starts and serves every kind
# of request (embeddings, completions, streamed chat, vision features, model listing, metrics).
#
#   scripts/check-no-outbound.sh            (needs: mvn -B -q package -DskipTests; ../shared for the test models)
#
# Runs the server jar, launched as ./flexserve does, in a new network namespace holding only loopback
# (`unshare --net --map-root-user`) under `strace -f`, which records every connect/sendto/sendmsg system call of the
# JVM and of ONNX Runtime's native code alike, including attempts that fail (in that namespace any attempt would
# fail with ENETUNREACH, so failing is not enough: the trace shows there were none). Serves a repository with MiniLM,
# tinystories-260k and a tiny RADIO backbone (converted into bench-out/outbound-repo on first use). Exit status 0 when the trace holds no
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
png=$(mktemp --suffix .png)
base64 -d > "$png" <<'PNG'
iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAABlklEQVR4nBXRURVEIQhFUSMYgQhGMAIRiGCEE8EIRiACEYhABCLMG7/ZrMt1jMEcyGAN9kAHNjgDBnfwBj6IQQ5q0IMxJnMikzXZE53Y5EyY3Mmb+CQmOalJzw8IUxBhCVtQwYQjIFzhCS6EkEIJLR9YzIUs1mIvdGGLs2BxF2/hi1jkoha9PrCZG9mszd7oxjZnw+Zu3sY3sclNbXp/QJmKKEvZiiqmHAXlKk9xJZRUSmn9gDENMZaxDTXMOAbGNZ7hRhhplNH2gcM8yGEd9kEPdjgHDvfwDn6IQx7q0OcD/wK/Sr4jv9hfkG/1N/x/Fx44BCQU9Pc94zIvclmXfdGLXc79j9/Lu/glLnmpS98PPOZDHuuxH/qwx3n/5ffxHv6IRz7q0e8DznTEWc521DHn+D/KdZ7jTjjplNP+gWAGEqxgBxpYcOIf/AYv8CCCDCro+EAyE0lWshNNLDn5P/MmL/Ekkkwq6fxAMQspVrELLaw49S/lFq/wIoosquj6QDMbaVazG22sOf2v8Dav8SaabKrp5geIAnAQEbP2+wAAAABJRU5ErkJggg==
PNG
check "vision features" 200 "$url/v1/vision/features?model=radio-tiny&outputs=summary" -H 'Content-Type: image/png' --data-binary @"$png"
rm -f "$png"
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
