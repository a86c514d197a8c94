/**
 * Index targets (docs/dev/architecture.md "Contracts"): native artifacts are keyed by the host's Rust-style
 * triple (reference §6.9, musl detected), WASM artifacts by `wasm32-wasip2` on every host.
 */
import { existsSync } from "node:fs";

export const WASM_TARGET = "wasm32-wasip2";

/** The triples the reference knows, plus the WASM key. */
export const KNOWN_TARGETS = [
  "x86_64-unknown-linux-gnu",
  "x86_64-unknown-linux-musl",
  "aarch64-unknown-linux-gnu",
  "aarch64-unknown-linux-musl",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
  "aarch64-pc-windows-msvc",
  WASM_TARGET,
] as const;

let cached: string | undefined;

/** This machine's triple, or `unknown` (never throws). */
export function hostTarget(): string {
  cached ??= detect();
  return cached;
}

function detect(): string {
  const arch = process.arch === "x64" ? "x86_64" : process.arch === "arm64" ? "aarch64" : undefined;
  if (!arch) return "unknown";
  switch (process.platform) {
    case "linux":
      return `${arch}-unknown-linux-${isMusl(arch) ? "musl" : "gnu"}`;
    case "darwin":
      return `${arch}-apple-darwin`;
    case "win32":
      return `${arch}-pc-windows-msvc`;
    default:
      return "unknown";
  }
}

/** glibc reports its version in the process report; a musl libc does not and ships ld-musl. */
function isMusl(arch: string): boolean {
  try {
    const report = (process as unknown as { report?: { getReport(): { header?: { glibcVersionRuntime?: string } } } }).report?.getReport();
    if (report?.header?.glibcVersionRuntime) return false;
  } catch {
    // no report support: fall through to the loader check
  }
  return existsSync(`/lib/ld-musl-${arch}.so.1`);
}

/**
 * The artifact keys acceptable on this host for a plugin, best first: an explicit `--target`
 * alone, else the host triple then the WASM key (a WASM artifact runs everywhere).
 */
export function acceptableTargets(explicit?: string): string[] {
  return explicit ? [explicit] : [hostTarget(), WASM_TARGET];
}
