#!/usr/bin/env bash
# Builds one C plugin into a component: build-component.sh <src.c> <world> <out.wasm> [-DLP_EXTRACTOR|-DLP_ASSERTION ...]
# The world is wit/loadr.wit's (0.1); LP_WIT=wit/0.2/loadr.wit picks a 0.2 world (hooks, the host API).
# Needs Debian clang + lld + wasi-libc (scripts/setup.sh); exits 3 when they are missing so
# build.ts falls back to the committed prebuilt component.
set -euo pipefail
src=$1 world=$2 out=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
# clang runs binaryen's wasm-opt after linking when it finds one: the repository's (a dependency
# of jco) is on PATH under `bun run build`, so put it there for a direct run too, or the same
# sources give other bytes (and another archive sha256) depending on how the script was started
PATH="$here/../../../node_modules/.bin:$PATH"
CC=${CC:-$(command -v clang-14 || command -v clang || true)}
if [[ -z "$CC" ]] || ! command -v wasm-ld >/dev/null || [[ ! -d /usr/lib/wasm32-wasi && ! -d /usr/share/wasi-sysroot ]]; then
  echo "build-component: clang/wasm-ld/wasi-libc not found" >&2
  exit 3
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$CC" --target=wasm32-wasi -O2 -g0 -mexec-model=reactor -Wl,--strip-all -I"$here" "$@" -o "$tmp/core.wasm" "$src"
bun "$here/core2component.ts" "$tmp/core.wasm" "$world" "$out" "${LP_WIT:-wit/loadr.wit}"
