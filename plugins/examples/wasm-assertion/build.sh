#!/usr/bin/env bash
# bash build.sh <out-dir>: builds loadr_wasm_assertion.wasm into <out-dir> (exit 3: toolchain missing).
set -euo pipefail
cd "$(dirname "$0")"
exec ../wasm-c-common/build-component.sh max_body_size.c loadr-assertion-plugin "$1/loadr_wasm_assertion.wasm"
