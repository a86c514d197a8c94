/**
 * Our versioned descriptor for output and service plugins (plugins/include/loadr_plugin.h):
 * `loadr_plugin_descriptor(host_abi_major)` returns a static struct starting with
 * {magic, abi_major, abi_minor, struct_size, role}; the host validates it field by field with
 * `read.*` before binding any function pointer, and reads a field only if struct_size covers it.
 */
import { CFunction, CString, dlopen, FFIType, read, toArrayBuffer, type Pointer } from "bun:ffi";
import { checkLibraryFile } from "./check-file.ts";
import { NativePluginError } from "./errors.ts";
import { DESCRIPTOR_SYMBOL } from "./inspect.ts";
import { parsePluginInfo, type PluginInfo } from "./plugin-info.ts";

export const DESCRIPTOR_MAGIC = 0x504c444c;
export const HOST_DESCRIPTOR_MAJOR = 1;
export const ROLES = { output: 1, service: 2 } as const;
export type Role = keyof typeof ROLES;

/** The smallest struct_size each role needs at ABI 1.0 (64-bit pointers). */
const MIN_SIZE: Record<Role, number> = { output: 64, service: 48 };
/** Function-pointer fields per role, by byte offset, in header order. */
const FIELDS = {
  output: { start: 24, on_samples: 32, on_snapshot: 40, finish: 48, free_buf: 56 },
  service: { start: 24, stop: 32, free_buf: 40 },
} as const;

export interface Descriptor {
  path: string;
  role: Role;
  abiMajor: number;
  abiMinor: number;
  info: PluginInfo;
  /** field name → function pointer */
  fns: Record<string, Pointer>;
}

/** `want` = the role the plan needs; undefined = whatever role the descriptor declares. */
export function readDescriptor(path: string, want?: Role): Descriptor {
  const lib = checkLibraryFile(path);
  if (lib.format === "elf" && !lib.exports.includes(DESCRIPTOR_SYMBOL)) {
    const hint = lib.abi === "c" ? " (it exports the C protocol ABI: a protocol plugin)" : "";
    throw new NativePluginError(`failed to load plugin from ${path}: missing \`${DESCRIPTOR_SYMBOL}\`: not a loadr ${want ?? "output/service"} plugin${hint}`);
  }
  let d: Pointer | null;
  try {
    const h = dlopen(path, { [DESCRIPTOR_SYMBOL]: { args: [FFIType.u32], returns: FFIType.ptr } });
    d = h.symbols[DESCRIPTOR_SYMBOL]!(HOST_DESCRIPTOR_MAJOR) as Pointer | null;
  } catch (e) {
    throw new NativePluginError(`failed to load plugin from ${path}: ${(e as Error).message}`);
  }
  const where = `plugin ${path}`;
  if (!d) throw new NativePluginError(`${where}: loadr_plugin_descriptor(${HOST_DESCRIPTOR_MAJOR}) returned NULL: the plugin does not support descriptor ABI ${HOST_DESCRIPTOR_MAJOR}.x`);
  const magic = read.u32(d, 0);
  if (magic !== DESCRIPTOR_MAGIC) throw new NativePluginError(`${where}: descriptor magic 0x${magic.toString(16)} is not 0x${DESCRIPTOR_MAGIC.toString(16)} (not a loadr descriptor, or corrupted)`);
  const abiMajor = read.u16(d, 4);
  const abiMinor = read.u16(d, 6);
  if (abiMajor !== HOST_DESCRIPTOR_MAJOR) throw new NativePluginError(`plugin ABI version mismatch: host expects ${HOST_DESCRIPTOR_MAJOR}, plugin built against ${abiMajor} (${path})`);
  const size = read.u32(d, 8);
  const roleNum = read.u32(d, 12);
  const role = (Object.keys(ROLES) as Role[]).find((r) => ROLES[r] === roleNum);
  if (role === undefined) throw new NativePluginError(`${where}: unknown descriptor role ${roleNum}`);
  if (want !== undefined && role !== want) throw new NativePluginError(`plugin \`${path}\` is \`${role}\`, expected \`${want}\``);
  if (size < MIN_SIZE[role]) throw new NativePluginError(`${where}: descriptor struct_size ${size} < ${MIN_SIZE[role]} required by ABI ${HOST_DESCRIPTOR_MAJOR}.0 ${role}`);
  const infoPtr = read.ptr(d, 16) as unknown as Pointer;
  if (!infoPtr) throw new NativePluginError(`${where}: descriptor info_json is NULL`);
  const info = parsePluginInfo(new CString(infoPtr).toString(), path);
  if (info.kind !== role) throw new NativePluginError(`plugin \`${info.name}\` is \`${info.kind}\`, expected \`${role}\``);
  const fns: Record<string, Pointer> = {};
  const missing: string[] = [];
  for (const [name, off] of Object.entries(FIELDS[role])) {
    const p = read.ptr(d, off) as unknown as Pointer;
    if (!p) missing.push(name);
    fns[name] = p;
  }
  if (missing.length) throw new NativePluginError(`${where}: required function pointer(s) NULL: ${missing.join(", ")}`);
  return { path, role, abiMajor, abiMinor, info, fns };
}

const outPtr = () => new BigUint64Array(1);

/** Calls a descriptor function that returns int32 and hands out a buffer through (out, out_len). */
type NativeFn = (...args: unknown[]) => unknown;

export function takeOut(free: NativeFn, outP: BigUint64Array, outLen: BigUint64Array): string {
  const p = Number(outP[0]);
  const len = Number(outLen[0]);
  if (p === 0 || len === 0) return "";
  const text = new TextDecoder().decode(new Uint8Array(toArrayBuffer(p as Pointer, 0, len).slice(0)));
  free(p as Pointer, len);
  return text;
}

export function fn(ptr: Pointer, args: (FFIType | string)[], returns: FFIType): NativeFn {
  return CFunction({ ptr, args: args as FFIType[], returns }) as unknown as NativeFn;
}

export { outPtr };
