#!/usr/bin/env bash
# Proves the build and the suite do not flake (docs/dev/testing-under-load.md): builds HEAD from
# N fresh clones in a row (default 5), then runs the whole suite once in the last clone while CPU
# hogs spin (HOGS). Not part of `bun test`: it takes a quarter of an hour. Prints one line per
# build and the suite's tally, then each failed test with its first lines of output; exits
# non-zero when any build or test failed. The suite's full output is kept (its path is printed).
#   bash scripts/fresh-clone-check.sh [builds]
# Environment:
#   HOGS=n         CPU hogs during the suite (default: one per core; 0 runs it without)
#   SUITE_LOG=path where the suite's output goes (default: a new file under /tmp)
set -uo pipefail
cd "$(dirname "$0")/.."
builds=${1:-5}
hog_count=${HOGS:-$(nproc)}
suite_log=${SUITE_LOG:-$(mktemp /tmp/loadr-suite.XXXXXX.log)}
work=$(mktemp -d)
hogs=()
cleanup() { for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
failed=0
for i in $(seq 1 "$builds"); do
  dir="$work/clone-$i"
  git clone -q . "$dir"
  start=$(date +%s)
  if (cd "$dir" && bun install --frozen-lockfile >/dev/null 2>&1 && bun run build >"$dir/build.log" 2>&1); then
    echo "build $i/$builds: ok ($(( $(date +%s) - start )) s)"
  else
    failed=1
    echo "build $i/$builds: FAILED ($(( $(date +%s) - start )) s); its log:"
    tail -20 "$dir/build.log"
  fi
  [ "$i" -lt "$builds" ] && rm -rf "$dir"
done
last="$work/clone-$builds"
for _ in $(seq 1 "$hog_count"); do (while :; do :; done) & hogs+=($!); done
echo "suite: bun test with $hog_count CPU hog(s) on $(nproc) core(s) running (load average $(cut -d' ' -f1 /proc/loadavg)), output in $suite_log"
start=$(date +%s)
(cd "$last" && bun test >"$suite_log" 2>&1)
rc=$?
echo "suite: exit $rc in $(( $(date +%s) - start )) s, load average $(cut -d' ' -f1 /proc/loadavg): $(grep -E '^ *[0-9]+ (pass|fail)$' "$suite_log" | tr -s ' \n' ' ')"
# each failure with the lines bun printed before its `(fail)` line (the assertion and its values)
awk '/^\(pass\)|^\(skip\)|^[a-z0-9/_.-]+\.test\.ts:$/ { n = 0; next }
     /^\(fail\)/ { print; for (i = 0; i < n && i < 12; i++) print "    " buf[(n > 12 ? n - 12 : 0) + i]; n = 0; next }
     { buf[n++] = $0 }' "$suite_log" | head -200
[ "$rc" -eq 0 ] || failed=1
exit "$failed"
