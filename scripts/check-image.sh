#!/usr/bin/env bash
# check-image.sh: checks the daemon-less image tarball (server/target/jib-image.tar, built by the `jib` Maven
# profile) without a Docker engine, and runs it for real.
#
#   scripts/check-image.sh [--rebuild] [IMAGE_TAR]
#
# 1. Builds the tarball if it is missing (or with --rebuild):
#      mvn -B -q -Pjib -pl server -am package -DskipTests
# 2. Reads the image (Docker `docker load` layout: manifest.json + config + *.tar.gz layers; an OCI layout with
#    index.json is read too) and lists every layer: size, entries, Jib's comment.
# 3. Asserts the layers hold the application (classes, the flexserve-models/router jars, Jib's classpath file),
#    the runtime (/opt/jre/bin/java, the dynamic loader) and a world-writable /tmp, and that the config sets both
#    telemetry opt-outs, a non-root user and an entrypoint.
# 4. Unpacks all layers, in order, into a temporary root file system and starts the image's entrypoint with
#    exactly the image's environment (env -i) under chroot, in new network, mount and PID namespaces
#    (`unshare --net --mount --pid`, plus `--map-root-user` when not run as root). The network namespace holds
#    only loopback, so the server cannot reach anything outside: becoming ready there shows it needs no network,
#    and any outbound attempt would fail. As root it runs as the image's user (chroot --userspec); without root,
#    as root of a user namespace (the calling user outside). As a container runtime would, it provides /proc and
#    /dev/{null,zero,random,urandom}.
# 5. Polls GET /v2/health/ready from inside that namespace until 200 (CHECK_IMAGE_TIMEOUT seconds, default 180:
#    the first start converts the embedded model), sends one embeddings request, reads /metrics, then stops the
#    server with SIGTERM (SIGKILL after 20 s). Everything it made is removed on exit (trap), whatever happens.
#
# Exit status 0 when every step passed. When promtool is installed, /metrics must also pass `promtool check metrics`.
# Needs Linux with util-linux (unshare), coreutils (chroot), iproute2 (ip, ss),
# tar, gzip, jq, curl; and root or unprivileged user namespaces. Used by CI; prints what it checked.
# Environment: CHECK_IMAGE_TIMEOUT (s, default 180), CHECK_IMAGE_PORT (default: the image's
# MICRONAUT_SERVER_PORT, else 8080), KEEP_ROOTFS=1 keeps the unpacked root file system for inspection.
set -euo pipefail

export ORT_DISABLE_TELEMETRY=1 OPT_OUT_TRACKING=true
repo=$(cd "$(dirname "$0")/.." && pwd)
rebuild=0
if [[ ${1:-} == --rebuild ]]; then rebuild=1; shift; fi
image=${1:-$repo/server/target/jib-image.tar}
timeout_s=${CHECK_IMAGE_TIMEOUT:-180}

fail() { echo "check-image: FAIL: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }
for tool in tar gzip jq curl unshare chroot ip ss; do
  command -v "$tool" >/dev/null || fail "'$tool' is not installed"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/check-image.XXXXXX")
ns_pid=
cleanup() {
  local rc=$?
  if [[ -n $ns_pid ]] && kill -0 "$ns_pid" 2>/dev/null; then
    # unshare runs with --kill-child: its death kills PID 1 of the namespace, and with it every process in it
    kill -KILL "$ns_pid" 2>/dev/null || true
    wait "$ns_pid" 2>/dev/null || true
  fi
  if [[ ${KEEP_ROOTFS:-0} == 1 ]]; then
    echo "check-image: kept $work"
  else
    rm -rf --one-file-system "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. the tarball
if [[ $rebuild == 1 || ! -f $image ]]; then
  step "building $image"
  (cd "$repo" && mvn -B -q -Pjib -pl server -am package -DskipTests)
fi
[[ -f $image ]] || fail "$image not found"

# ---- 2. the image layout: config and layers, in order
tarx() { tar --warning=no-unknown-keyword "$@"; }   # Jib writes LIBARCHIVE.* pax keywords GNU tar does not know
mkdir -p "$work/image" "$work/rootfs"
tarx -xf "$image" -C "$work/image"
cd "$work/image"
if [[ -f manifest.json ]]; then
  config=$(jq -r '.[0].Config' manifest.json)
  mapfile -t layers < <(jq -r '.[0].Layers[]' manifest.json)
elif [[ -f index.json ]]; then
  blob() { echo "blobs/${1/://}"; }
  manifest=$(blob "$(jq -r '.manifests[0].digest' index.json)")
  config=$(blob "$(jq -r '.config.digest' "$manifest")")
  mapfile -t layers < <(jq -r '.layers[].digest' "$manifest" | while read -r d; do blob "$d"; done)
else
  fail "$image is neither a docker-load tarball (manifest.json) nor an OCI layout (index.json)"
fi
[[ ${#layers[@]} -gt 0 ]] || fail "image has no layers"
mapfile -t comments < <(jq -r '[.history[]? | select(.empty_layer != true) | .comment // ""][]' "$config")

step "image $(basename "$image") ($(du -h "$image" | cut -f1)): ${#layers[@]} layers"
printf '%-3s %-10s %8s  %s\n' '#' size entries 'content'
for i in "${!layers[@]}"; do
  l=${layers[$i]}
  tarx -tzf "$l" > "$work/layer$i.txt" || fail "layer $l is not a gzip tar"
  printf '%-3s %-10s %8s  %s\n' "$i" "$(du -h "$l" | cut -f1)" "$(wc -l < "$work/layer$i.txt")" "${comments[$i]:-?}"
done
cat "$work"/layer*.txt > "$work/all.txt"

# ---- 3. what must be in it
step "contents"
has() { grep -qxE "$1" "$work/all.txt" || fail "no layer holds $2 ($1)"; echo "ok  $2"; }
has '(\./)?app/classes/io/flexserve/server/FlexServe\.class' 'application classes: /app/classes/.../FlexServe.class'
has '(\./)?app/libs/flexserve-models-.*\.jar' 'module jar: /app/libs/flexserve-models-*.jar'
has '(\./)?app/libs/flexserve-router-.*\.jar' 'module jar: /app/libs/flexserve-router-*.jar'
has '(\./)?app/libs/onnxruntime.*\.jar' 'ONNX Runtime jar'
has '(\./)?app/jib-classpath-file' 'classpath file: /app/jib-classpath-file'
has '(\./)?opt/jre/bin/java' 'jlinked JRE: /opt/jre/bin/java'
has '(\./)?opt/jre/lib/modules' 'JRE module image: /opt/jre/lib/modules'
has '(\./)?lib64/ld-linux-x86-64\.so\.2' 'dynamic loader: /lib64/ld-linux-x86-64.so.2'
for so in libc.so.6 libm.so.6 libstdc++.so.6 libgcc_s.so.1 libz.so.1 libdl.so.2 libpthread.so.0 librt.so.1; do
  re=${so//./\\.}
  has "(\./)?lib/x86_64-linux-gnu/${re//+/\\+}" "/lib/x86_64-linux-gnu/$so"
done
for i in "${!layers[@]}"; do tarx -tvzf "${layers[$i]}"; done | grep -qE '^drwxrwxrwx.* (\./)?tmp/?$' \
  || fail "/tmp is missing or not world-writable"
echo "ok  /tmp is drwxrwxrwx"

step "config"
jq -r '.config | "entrypoint: \(.Entrypoint // [] | join(" "))", "cmd:        \(.Cmd // [] | join(" "))",
  "user:       \(.User // "")", "workdir:    \(.WorkingDir // "")", "ports:      \(.ExposedPorts // {} | keys | join(" "))",
  "env:        \(.Env // [] | join("\n            "))"' "$config"
mapfile -t img_env < <(jq -r '.config.Env // [] | .[]' "$config")
mapfile -t entry < <(jq -r '.config | (.Entrypoint // []) + (.Cmd // []) | .[]' "$config")
user=$(jq -r '.config.User // ""' "$config")
workdir=$(jq -r '.config.WorkingDir // "/"' "$config")
printf '%s\n' "${img_env[@]}" | grep -qx 'ORT_DISABLE_TELEMETRY=1' || fail "image env lacks ORT_DISABLE_TELEMETRY=1"
printf '%s\n' "${img_env[@]}" | grep -qx 'OPT_OUT_TRACKING=true' || fail "image env lacks OPT_OUT_TRACKING=true"
[[ ${#entry[@]} -gt 0 ]] || fail "image has neither Entrypoint nor Cmd"
[[ -n $user && ${user%%:*} != 0 && ${user%%:*} != root ]] || fail "image runs as root (User='$user')"
echo "ok  both telemetry opt-outs set, non-root user $user, entrypoint present"
port=${CHECK_IMAGE_PORT:-$(printf '%s\n' "${img_env[@]}" | sed -n 's/^MICRONAUT_SERVER_PORT=//p')}
port=${port:-8080}

# ---- 4. unpack and run it in its own namespaces
step "unpacking ${#layers[@]} layers into a root file system"
root=$work/rootfs
grep -qE '(^|/)\.wh\.' "$work/all.txt" && fail "layers hold whiteout files, which this script does not apply"
for l in "${layers[@]}"; do
  tarx -xzf "$l" -C "$root" --no-same-owner
done
mkdir -p "$root/proc" "$root/dev"
for d in null zero random urandom; do : > "$root/dev/$d"; done
du -sh "$root" | sed 's/\t.*//; s/^/size: /'

printf '%s\0' "${img_env[@]}" > "$work/env.bin"
printf '%s\0' "${entry[@]}" > "$work/entry.bin"
userspec=()
map_root=()
if [[ $(id -u) == 0 ]]; then
  userspec=(--userspec="$user")
  as="image user $user"
else
  map_root=(--map-root-user)
  as="root of a user namespace (uid $(id -u) outside); image user $user not switchable without root"
fi

# Runs inside the new namespaces: PID 1 of the PID namespace, still in the host file system view.
cat > "$work/inner.sh" <<'INNER'
set -euo pipefail
work=$1 root=$2 port=$3 timeout_s=$4 workdir=$5; shift 5   # remaining args: chroot --userspec, if any
mount -t proc proc "$root/proc"
for d in null zero random urandom; do mount --bind "/dev/$d" "$root/dev/$d"; done
ip link set lo up
echo "network namespace interfaces: $(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')"
mapfile -d '' env < "$work/env.bin"
mapfile -d '' entry < "$work/entry.bin"
# java inherits exactly the image's environment. chroot always starts it in /, not in the image's WorkingDir
# ($workdir); the server resolves no relative paths, so that makes no difference here.
env -i "${env[@]}" "$(command -v chroot)" "$@" "$root" "${entry[@]}" > "$work/server.log" 2>&1 &
server=$!
started=$(date +%s)
code=000
while :; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/v2/health/ready" || true)
  [[ $code == 200 ]] && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "server exited before it was ready; log tail:"; tail -n 40 "$work/server.log"; exit 1
  fi
  if (( $(date +%s) - started > timeout_s )); then
    echo "not ready after ${timeout_s}s (last status $code); log tail:"; tail -n 40 "$work/server.log"; exit 1
  fi
  sleep 1
done
echo "GET /v2/health/ready -> 200 after $(( $(date +%s) - started ))s"
echo "server process: $(grep -E '^(Uid|Gid):' "/proc/$server/status" | awk '{printf "%s %s  ", $1, $2}')"
r=$(curl -s -D "$work/headers.txt" -o "$work/body.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  -H 'X-Latency-Target-Ms: 60000' -d '{"input":"The image answers from an isolated namespace."}' \
  "http://127.0.0.1:$port/v1/embeddings")
echo "POST /v1/embeddings -> $r, $(grep -io '^x-subnet: .*' "$work/headers.txt" | tr -d '\r'), $(grep -o '"embedding":\[[^]]*\]' "$work/body.json" | tr ',' '\n' | wc -l) floats"
[[ $r == 200 ]] || { cat "$work/body.json"; exit 1; }
curl -s "http://127.0.0.1:$port/metrics" > "$work/metrics.txt"
grep -E '^flexserve_requests_total' "$work/metrics.txt" | sed 's/^/metrics: /'
echo "metrics: $(grep -c '^flexserve_' "$work/metrics.txt") flexserve_ samples, $(grep -c '_created' "$work/metrics.txt") *_created lines"
if command -v promtool >/dev/null; then
  promtool check metrics < "$work/metrics.txt" && echo "promtool check metrics: no problems" || { echo "promtool check metrics failed"; exit 1; }
fi
# every TCP/UDP socket in the namespace (listeners, the probes' TIME-WAITs): none may have a non-loopback peer
ss -tuanH > "$work/sockets.txt"
foreign=$(awk '$6 !~ /^(127\.[0-9.]+|\[::1\]|\[::ffff:127\.[0-9.]+\]|\*|0\.0\.0\.0|\[::\]):/' "$work/sockets.txt")
echo "sockets in the namespace: $(awk '{print $2}' "$work/sockets.txt" | sort | uniq -c | xargs), non-loopback peers: ${foreign:-none}"
[[ -z $foreign ]] || exit 1
kill -TERM "$server"
for _ in $(seq 20); do kill -0 "$server" 2>/dev/null || break; sleep 1; done
if kill -0 "$server" 2>/dev/null; then echo "no exit 20 s after SIGTERM; killing"; kill -KILL "$server"; fi
wait "$server" && rc=0 || rc=$?
echo "server stopped (exit status $rc after SIGTERM)"
INNER

step "running the entrypoint as $as, in namespaces net+mount+pid${map_root:++user}, loopback only"
unshare "${map_root[@]}" --net --mount --pid --fork --kill-child --mount-proc --propagation private \
  bash "$work/inner.sh" "$work" "$root" "$port" "$timeout_s" "$workdir" "${userspec[@]}" &
ns_pid=$!
wait "$ns_pid" && rc=0 || rc=$?
ns_pid=
if grep -qiE 'UnknownHost|Network is unreachable|ConnectException' "$work/server.log"; then
  echo "server log mentions a failed outbound connection:"; grep -iE 'UnknownHost|Network is unreachable|ConnectException' "$work/server.log" | head
  fail "the server tried to reach the network"
fi
echo "server log tail:"; tail -n 8 "$work/server.log" | sed 's/^/  /'
[[ $rc == 0 ]] || fail "the image did not serve (status $rc)"
step "PASS: $(basename "$image") holds app + JRE + libs and serves /v2/health/ready from a loopback-only namespace"
