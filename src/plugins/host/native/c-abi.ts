/**
 * The plain C ABI v1 for protocol plugins (reference §6.7), kept exactly: four symbols,
 * plugin-owned buffers returned through loadr_plugin_free, JSON in and out.
 */
import { dlopen, FFIType, toArrayBuffer, type Pointer } from "bun:ffi";
import { checkLibraryFile } from "./check-file.ts";
import { NativePluginError } from "./errors.ts";
import { C_ABI_PROBE } from "./inspect.ts";
import { parsePluginInfo, type PluginInfo } from "./plugin-info.ts";

export const HOST_C_ABI_VERSION = 1;

const SYMBOLS = {
  loadr_plugin_abi_version: { args: [], returns: FFIType.u32 },
  loadr_plugin_info: { args: [FFIType.ptr], returns: FFIType.ptr },
  loadr_plugin_execute: { args: ["buffer", "buffer_length", "ptr"], returns: FFIType.ptr },
  loadr_plugin_free: { args: [FFIType.ptr, FFIType.u64], returns: FFIType.void },
} as const;

export interface CAbiLibrary {
  path: string;
  info: PluginInfo;
  /** raw function pointer of loadr_plugin_execute (for the executor shim) */
  executePtr: Pointer;
  /** execute on this thread: request bytes → response bytes (copied; the plugin buffer is freed) */
  executeSync(req: Uint8Array): Uint8Array;
  /** copy a plugin-owned buffer and free it */
  take(ptr: number, len: number): Uint8Array;
}

// One instance per library path per thread: dlopen of the same path is one refcounted handle anyway.
const opened = new Map<string, CAbiLibrary>();

export function openCAbiLibrary(path: string): CAbiLibrary {
  const hit = opened.get(path);
  if (hit) return hit;
  const lib = checkLibraryFile(path);
  for (const s of Object.keys(SYMBOLS)) {
    if (lib.format === "elf" && !lib.exports.includes(s)) {
      const hint = lib.abi === "descriptor" ? " (it exports loadr_plugin_descriptor: an output or service plugin, not a protocol)" : "";
      throw new NativePluginError(`failed to load plugin from ${path}: missing \`${s}\`${hint}`);
    }
  }
  let sym: ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];
  try {
    sym = dlopen(path, SYMBOLS).symbols;
  } catch (e) {
    throw new NativePluginError(`failed to load plugin from ${path}: ${(e as Error).message}`);
  }
  const version = sym.loadr_plugin_abi_version();
  if (version !== HOST_C_ABI_VERSION) {
    throw new NativePluginError(`plugin ABI version mismatch: host expects ${HOST_C_ABI_VERSION}, plugin built against ${version} (${path})`);
  }
  const outLen = new BigUint64Array(1);
  const take = (ptr: number, len: number): Uint8Array => {
    if (ptr === 0 || ptr === null) {
      if (len !== 0) throw new Error(`returned a null buffer with non-zero length ${len}`);
      return new Uint8Array(0);
    }
    const copy = new Uint8Array(toArrayBuffer(ptr as Pointer, 0, len).slice(0));
    sym.loadr_plugin_free(ptr as Pointer, len);
    return copy;
  };
  let infoText: string;
  try {
    const p = sym.loadr_plugin_info(outLen);
    infoText = new TextDecoder().decode(take(p as unknown as number, Number(outLen[0])));
  } catch (e) {
    throw new NativePluginError(`plugin ${path}: loadr_plugin_info ${(e as Error).message}`);
  }
  const info = parsePluginInfo(infoText, path);
  const l: CAbiLibrary = {
    path,
    info,
    executePtr: (sym.loadr_plugin_execute as unknown as { ptr: Pointer }).ptr,
    executeSync(req) {
      const p = sym.loadr_plugin_execute(req, req, outLen);
      return take(p as unknown as number, Number(outLen[0]));
    },
    take,
  };
  opened.set(path, l);
  return l;
}

export { C_ABI_PROBE };
