#!/usr/bin/env bash
# build.sh <out-dir>: the Rust echo-proto (no crates needed; exit 3 = no cargo: use the prebuilt)
set -euo pipefail
out="${1:?usage: build.sh <out-dir>}"
command -v cargo >/dev/null || exit 3
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}" cargo build --release --offline --quiet
cp "${CARGO_TARGET_DIR:-target}/release/libecho_proto_rs.so" "$out/libecho_proto_rs.so"
