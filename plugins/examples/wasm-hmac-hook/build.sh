#!/usr/bin/env bash
# bash build.sh <out-dir>: builds loadr_wasm_hmac_hook.wasm into <out-dir> (exit 3: toolchain missing).
set -euo pipefail
cd "$(dirname "$0")"
LP_WIT=wit/0.2/loadr.wit exec ../wasm-c-common/build-component.sh hmac_sign.c request-hook-plugin "$1/loadr_wasm_hmac_hook.wasm"
