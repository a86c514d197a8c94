#!/usr/bin/env bash
# build.sh <out-dir>: the redis plugin, hiredis linked statically (exit 3 = no compiler or no
# libhiredis-dev here: build.ts then copies the committed prebuilt libloadr_redis.so).
set -euo pipefail
out="${1:?usage: build.sh <out-dir>}"
cc="${CC:-cc}"
command -v "$cc" >/dev/null || exit 3
hiredis=$("$cc" -print-file-name=libhiredis.a)
[ -f "$hiredis" ] && [ -f /usr/include/hiredis/hiredis.h ] || exit 3
"$cc" -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Wno-unused-function -pthread \
  -Wl,--exclude-libs,ALL -o "$out/libloadr_redis.so" redis.c "$hiredis"
