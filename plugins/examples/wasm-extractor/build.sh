#!/usr/bin/env bash
# bash build.sh <out-dir>: builds loadr_wasm_extractor.wasm into <out-dir> (exit 3: toolchain missing).
set -euo pipefail
cd "$(dirname "$0")"
exec ../wasm-c-common/build-component.sh upper_boundary.c loadr-plugin "$1/loadr_wasm_extractor.wasm"
