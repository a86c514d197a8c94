#!/usr/bin/env bash
# bash build.sh <out-dir>: regex_extract.js -> loadr_wasm_js_extractor.wasm with componentize-qjs
# (npm dependency of @bytecodealliance/jco; exit 3 when it is not installed: the committed
# prebuilt component is used).
set -euo pipefail
cd "$(dirname "$0")"
if ! bun -e 'require("componentize-qjs")' >/dev/null 2>&1; then
  echo "componentize-qjs not installed" >&2
  exit 3
fi
bun componentize.ts "$1/loadr_wasm_js_extractor.wasm"
