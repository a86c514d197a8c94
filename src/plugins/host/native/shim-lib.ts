/**
 * Loads the executor shim (shim.c). Inside dist/loadr the library is embedded; it is copied once
 * into the cache dir under its content hash (docs/dev/architecture.md "Files at run time": not to a possibly
 * noexec /tmp, never one file per run) and dlopen'ed from there. From sources it is the file
 * build.ts compiled beside shim.c (compiled on the spot when missing, for `bun test` without a build).
 */
import { dlopen, FFIType } from "bun:ffi";
import { existsSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../../../util/cache-dir.ts";
import { inBinary } from "../../../util/in-binary.ts";

const SYMBOLS = {
  loadr_shim_create: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.ptr },
  loadr_shim_submit: { args: [FFIType.ptr, FFIType.ptr, "buffer", "buffer_length", FFIType.f64], returns: FFIType.i32 },
  loadr_shim_drain: { args: [FFIType.ptr, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
  loadr_shim_threads: { args: [FFIType.ptr], returns: FFIType.i32 },
  loadr_shim_stop: { args: [FFIType.ptr], returns: FFIType.void },
  loadr_shim_mute: { args: [FFIType.ptr], returns: FFIType.void },
} as const;

export type ShimSymbols = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];

let loaded: Promise<ShimSymbols> | undefined;

export function loadShim(): Promise<ShimSymbols> {
  loaded ??= locate().then((path) => dlopen(path, SYMBOLS).symbols);
  return loaded;
}

export { inBinary };

async function locate(): Promise<string> {
  if (!inBinary()) return sourceShim();
  const embedded = (await import("./shim-asset.ts")).default;
  const bytes = await Bun.file(embedded).bytes();
  const hash = new Bun.CryptoHasher("sha256").update(bytes).digest("hex").slice(0, 16);
  const dest = join(cacheDir("native"), `libloadr_shim-${hash}.so`);
  if (!existsSync(dest) || statSync(dest).size !== bytes.length) {
    // write beside, then rename: a concurrent run (or worker) never dlopens a half-written file
    const tmp = `${dest}.${process.pid}-${crypto.randomUUID()}.tmp`;
    writeFileSync(tmp, bytes, { mode: 0o755 });
    renameSync(tmp, dest);
  }
  return dest;
}

/** Path of the shim built from shim.c beside this file (what build.ts does, for source runs). */
export function sourceShim(): string {
  const dir = import.meta.dir;
  const so = join(dir, "libloadr_shim.so");
  const src = join(dir, "shim.c");
  if (existsSync(so) && statSync(so).mtimeMs >= statSync(src).mtimeMs) return so;
  compileShim(src, so);
  return so;
}

/** gcc -O2 -shared -pthread; used by build.ts too (with a cross compiler for other targets). */
export function compileShim(src: string, out: string, cc = process.env.CC ?? "cc"): void {
  const r = Bun.spawnSync([cc, "-O2", "-fPIC", "-shared", "-pthread", "-o", out, src], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`cannot compile the executor shim (${cc}): ${r.stderr.toString().trim()}`);
}
