#!/usr/bin/env bash
# Installs what loadr needs on a fresh Debian machine with Node and npm, and the locked npm
# dependencies. Safe to run again: it skips what is already there.
#   bash scripts/setup.sh          what building and running need: Bun (pinned) and a C compiler
#                                  (the native executor shim; example plugins whose toolchain is
#                                  missing are taken from their committed prebuilt artifacts)
#   bash scripts/setup.sh --test   also what only the test suite uses (README command 2, .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

BUN_VERSION=1.4.4
if ! command -v bun >/dev/null 2>&1 || [ "$(bun --version)" != "$BUN_VERSION" ]; then
  echo "setup: installing bun@$BUN_VERSION with npm"
  npm install -g "bun@$BUN_VERSION" >/dev/null
fi

# Building: gcc for the executor shim (src/plugins/host/native/shim.c), which every build compiles.
APT_PACKAGES=(gcc)
if [ "${1:-}" = "--test" ]; then
  # The test suite: certificate tools; C and WASM toolchains so the example plugins are built
  # from source (clang + lld + wasi-libc + its wasm32 runtime, wabt for WAT fixtures, hiredis for
  # the redis plugin, the arm64 cross gcc for release builds, qemu-user to run the arm64 release
  # binary, iproute2 for the air-gapped test's loopback); real servers the tests start on
  # loopback (redis-server, prometheus); Chromium for the report/dashboard browser tests; buildah,
  # podman and runc to build and run the Dockerfile's image (test/k8s-image.test.ts).
  APT_PACKAGES+=(openssl ca-certificates clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt
    libhiredis-dev redis-server redis-tools prometheus chromium gcc-aarch64-linux-gnu
    qemu-user-static iproute2 buildah podman runc)
elif [ -n "${1:-}" ]; then
  echo "setup: unknown option $1 (use --test for what the test suite needs)" >&2
  exit 2
fi
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
