#!/usr/bin/env bash
# bash build.sh <out-dir>: token_hook.js -> loadr_wasm_js_token_hook.wasm with componentize-qjs
# (npm dependency of @bytecodealliance/jco; exit 3 when it is not installed: the committed
# prebuilt component is used).
# componentize-qjs output differs from run to run (same behaviour, other bytes), which would
# change the example's archive sha256 in plugins/index.json at every build: the committed
# component is reused (exit 3) while the sources match source.sha256; FORCE=1 rebuilds anyway.
set -euo pipefail
cd "$(dirname "$0")"
stamp=$(cat token_hook.js componentize.ts ../../../wit/0.2/loadr.wit | sha256sum | cut -d' ' -f1)
if [ "${FORCE:-0}" != 1 ] && [ -f loadr_wasm_js_token_hook.wasm ] && [ "$(cat source.sha256 2>/dev/null)" = "$stamp" ]; then
  exit 3
fi
if ! bun -e 'require("componentize-qjs")' >/dev/null 2>&1; then
  echo "componentize-qjs not installed" >&2
  exit 3
fi
bun componentize.ts "$1/loadr_wasm_js_token_hook.wasm"
cp "$1/loadr_wasm_js_token_hook.wasm" loadr_wasm_js_token_hook.wasm
echo "$stamp" > source.sha256
