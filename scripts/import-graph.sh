#!/usr/bin/env bash
# Prints each module's package import graph (from its compiled classes, with the JDK's jdeps) and fails when a
# module's packages form a cycle, i.e. when no order of its packages has every arrow pointing down. Run after
# `mvn -B -q install -DskipTests`. The same rule runs in the tests (PackageCyclesTest, ArchUnit); this is the
# picture: packages are listed top first (tsort), each with what it imports from its own module.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for module in router models models/convert models/distill server models/toolchain loadtest; do
  classes="$module/target/classes"
  [ -d "$classes" ] || { echo "$module: not built (run mvn -B -q install -DskipTests)" >&2; status=1; continue; }
  # "  io.flexserve.a -> io.flexserve.b  classes" lines between packages of this module only
  own=$(find "$classes" -name '*.class' -printf '%h\n' | sed "s|^$classes/||; s|/|.|g" | sort -u)
  edges=$(jdeps -verbose:package -filter:none -e 'io\.flexserve\..*' "$classes" 2>/dev/null \
    | awk '$2 == "->" && $1 ~ /^io\.flexserve\./ { print $1, $3 }' \
    | grep -v '\.proto\b' | sort -u \
    | while read -r from to; do
        if [ "$from" != "$to" ] && grep -qx "$to" <<< "$own"; then echo "$from $to"; fi
      done)
  echo "== $module ($(wc -l <<< "$own") packages)"
  # every package once (self-edges make isolated packages appear), arrows from importer to imported
  if ! order=$( { sed 's/.*/& &/' <<< "$own"; echo "$edges"; } | grep -v '^$' | tsort 2>/tmp/import-graph.err); then
    echo "   CYCLE: $(tr '\n' ' ' < /tmp/import-graph.err)"
    status=1
  fi
  for p in $order; do
    deps=$(awk -v p="$p" '$1 == p { print $2 }' <<< "$edges" | sed 's/^io\.flexserve\.//' | tr '\n' ' ')
    printf '   %-40s -> %s\n' "${p#io.flexserve.}" "${deps:-(nothing of its own module)}"
  done
done
exit $status
