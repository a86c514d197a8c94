#!/usr/bin/env bash
# build.sh <out-dir>: the C echo-proto plugin (exit 3 = no C compiler: build.ts copies the prebuilt one)
set -euo pipefail
out="${1:?usage: build.sh <out-dir>}"
command -v "${CC:-cc}" >/dev/null || exit 3
"${CC:-cc}" -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -o "$out/libecho_proto.so" echo_proto.c
