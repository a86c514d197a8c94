#!/usr/bin/env bash
# build.sh <out-dir>: the redis-server service plugin (exit 3 = no C compiler: use the prebuilt)
set -euo pipefail
out="${1:?usage: build.sh <out-dir>}"
command -v "${CC:-cc}" >/dev/null || exit 3
"${CC:-cc}" -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -o "$out/libredis_service.so" redis_service.c
