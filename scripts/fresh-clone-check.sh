#!/usr/bin/env bash
# Proves the build and the suite do not flake (docs/reliability.md): builds HEAD from N fresh
# clones in a row (default 5), then runs the whole suite once in the last clone while a CPU hog
# spins on every core. Not part of `bun test`: it takes a quarter of an hour. Prints one line per
# build and the suite's tally; exits non-zero when any build or test failed.
#   bash scripts/fresh-clone-check.sh [builds]
set -uo pipefail
cd "$(dirname "$0")/.."
builds=${1:-5}
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
cores=$(nproc)
for _ in $(seq 1 "$cores"); do (while :; do :; done) & hogs+=($!); done
echo "suite: bun test with $cores CPU hog(s) running (load average $(cut -d' ' -f1 /proc/loadavg))"
start=$(date +%s)
(cd "$last" && bun test >"$work/suite.log" 2>&1)
rc=$?
echo "suite: exit $rc in $(( $(date +%s) - start )) s, load average $(cut -d' ' -f1 /proc/loadavg): $(grep -E '^ *[0-9]+ (pass|fail)$' "$work/suite.log" | tr -s ' \n' ' ')"
grep -E '^\(fail\)' "$work/suite.log" | head -40
[ "$rc" -eq 0 ] || failed=1
exit "$failed"
