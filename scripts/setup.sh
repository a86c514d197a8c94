#!/usr/bin/env bash
# Installs what building and testing loadr needs on a fresh Debian machine with Node and npm:
# Bun (pinned), the Debian tools the tests use, and the locked npm dependencies.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

BUN_VERSION=1.4.4
if ! command -v bun >/dev/null 2>&1 || [ "$(bun --version)" != "$BUN_VERSION" ]; then
  echo "setup: installing bun@$BUN_VERSION with npm"
  npm install -g "bun@$BUN_VERSION" >/dev/null
fi

# Debian packages the build and the test suite use: certificate tools; C and WASM toolchains for
# the example plugins (gcc, clang + lld + wasi-libc + its wasm32 runtime, wabt for WAT fixtures,
# hiredis for the redis plugin, the arm64 cross gcc for release builds, qemu-user to run the arm64
# release binary in its test, iproute2 for the air-gapped test's loopback); real servers the tests
# start on loopback (redis-server, prometheus); Chromium for the report/dashboard browser tests.
APT_PACKAGES=(openssl ca-certificates gcc clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt
  libhiredis-dev redis-server redis-tools prometheus chromium gcc-aarch64-linux-gnu
  qemu-user-static iproute2)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: apt-get install ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
fi

bun install --frozen-lockfile >/dev/null
echo "setup: ready (bun $(bun --version))"
