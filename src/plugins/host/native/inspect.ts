/**
 * What a native library file is, read from its bytes before anything dlopens it (glibc reports a
 * wrong-architecture .so as "No such file or directory", and dlopen runs the library's
 * constructors): container format, CPU architecture, exported symbols (ELF .dynsym) and which
 * plugin ABI those exports speak. `loadr plugin info` prints its `exports:` line from this.
 */
import { readFileSync } from "node:fs";

export type LibFormat = "elf" | "mach-o" | "pe" | "unknown";
export type PluginAbi = "c" | "descriptor" | "abi_stable" | "unknown";

export interface LibraryInspection {
  format: LibFormat;
  /** x86_64, aarch64, x86, arm, riscv64, ... ("unknown" when not recognised) */
  arch: string;
  /** 32 or 64 */
  bits: number;
  /** ELF: a shared object (ET_DYN); Mach-O: MH_DYLIB/MH_BUNDLE; PE: a DLL */
  sharedLibrary: boolean;
  /** defined, default-visibility global symbols (ELF only; [] for other formats) */
  exports: string[];
  abi: PluginAbi;
}

/** The symbol abi_stable's `#[export_root_module]` exports (abi_stable_shared::mangled_root_module_loader_name). */
export const ABI_STABLE_ROOT = "_1as_0lib_1header_0root_bmodule_bloader";
export const C_ABI_PROBE = "loadr_plugin_abi_version";
export const DESCRIPTOR_SYMBOL = "loadr_plugin_descriptor";

export function inspectLibrary(path: string): LibraryInspection {
  return inspectBytes(new Uint8Array(readFileSync(path)));
}

export function inspectBytes(b: Uint8Array): LibraryInspection {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let r: Omit<LibraryInspection, "abi">;
  if (b.length >= 52 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) r = elf(b, dv);
  else if (b.length >= 28 && isMachO(dv)) r = machO(dv);
  else if (b.length >= 64 && b[0] === 0x4d && b[1] === 0x5a) r = pe(dv);
  else r = { format: "unknown", arch: "unknown", bits: 0, sharedLibrary: false, exports: [] };
  return { ...r, abi: abiOf(r.exports) };
}

export function abiOf(exports: string[]): PluginAbi {
  const s = new Set(exports);
  if (s.has(C_ABI_PROBE)) return "c";
  if (s.has(DESCRIPTOR_SYMBOL)) return "descriptor";
  if (s.has(ABI_STABLE_ROOT) || exports.some((e) => e.includes("abi_stable"))) return "abi_stable";
  return "unknown";
}

/** The architecture name this process runs on, in inspectLibrary's vocabulary. */
export function hostArch(): string {
  return ({ x64: "x86_64", arm64: "aarch64", ia32: "x86", arm: "arm", riscv64: "riscv64" } as Record<string, string>)[process.arch] ?? process.arch;
}

/** The container format this OS loads. */
export function hostFormat(): LibFormat {
  return process.platform === "darwin" ? "mach-o" : process.platform === "win32" ? "pe" : "elf";
}

const ELF_MACHINES: Record<number, string> = { 3: "x86", 40: "arm", 62: "x86_64", 183: "aarch64", 243: "riscv64", 8: "mips", 21: "ppc64" };

function elf(b: Uint8Array, dv: DataView): Omit<LibraryInspection, "abi"> {
  const is64 = b[4] === 2;
  const le = b[5] !== 2;
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  const word = (o: number) => (is64 ? Number(dv.getBigUint64(o, le)) : u32(o));
  const type = u16(16);
  const machine = u16(18);
  const base = { format: "elf" as const, arch: ELF_MACHINES[machine] ?? `elf-machine-${machine}`, bits: is64 ? 64 : 32, sharedLibrary: type === 3 };
  let exports: string[] = [];
  try {
    exports = elfExports(b, is64, u16, u32, word);
  } catch {
    // a truncated or odd section table: still report format/arch; the loader will refuse it later
  }
  return { ...base, exports };
}

function elfExports(
  b: Uint8Array,
  is64: boolean,
  u16: (o: number) => number,
  u32: (o: number) => number,
  word: (o: number) => number,
): string[] {
  const shoff = word(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const sec = (i: number) => {
    const o = shoff + i * shentsize;
    return is64
      ? { type: u32(o + 4), offset: word(o + 0x18), size: word(o + 0x20), link: u32(o + 0x28), entsize: word(o + 0x38) }
      : { type: u32(o + 4), offset: u32(o + 0x10), size: u32(o + 0x14), link: u32(o + 0x18), entsize: u32(o + 0x24) };
  };
  const out: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = sec(i);
    if (s.type !== 11 /* SHT_DYNSYM */ || s.entsize === 0) continue;
    const str = sec(s.link);
    for (let off = s.offset + s.entsize; off + s.entsize <= s.offset + s.size; off += s.entsize) {
      const name = u32(off);
      const info = b[off + (is64 ? 4 : 12)]!;
      const other = b[off + (is64 ? 5 : 13)]!;
      const shndx = u16(off + (is64 ? 6 : 14));
      const bind = info >> 4;
      const stype = info & 0xf;
      if (shndx === 0 || (bind !== 1 && bind !== 2) || (other & 3) !== 0) continue; // undefined, local, or hidden
      if (stype !== 1 && stype !== 2) continue; // OBJECT or FUNC
      let end = str.offset + name;
      while (end < b.length && b[end] !== 0) end++;
      out.push(new TextDecoder().decode(b.subarray(str.offset + name, end)));
    }
  }
  return out.sort();
}

const MACHO_CPU: Record<number, string> = { 0x01000007: "x86_64", 0x0100000c: "aarch64", 7: "x86", 12: "arm" };

function isMachO(dv: DataView): boolean {
  const m = dv.getUint32(0, false);
  return m === 0xcffaedfe || m === 0xcefaedfe || m === 0xfeedfacf || m === 0xfeedface || m === 0xcafebabe;
}

function machO(dv: DataView): Omit<LibraryInspection, "abi"> {
  const m = dv.getUint32(0, false);
  if (m === 0xcafebabe) {
    // universal binary: list the architectures it carries
    const n = dv.getUint32(4, false);
    const arches = [];
    for (let i = 0; i < Math.min(n, 8); i++) arches.push(MACHO_CPU[dv.getUint32(8 + i * 20, false)] ?? "unknown");
    return { format: "mach-o", arch: arches.join("+"), bits: 64, sharedLibrary: true, exports: [] };
  }
  const le = m === 0xcffaedfe || m === 0xcefaedfe;
  const cpu = dv.getUint32(4, le);
  const filetype = dv.getUint32(12, le);
  return { format: "mach-o", arch: MACHO_CPU[cpu] ?? "unknown", bits: m === 0xcffaedfe || m === 0xfeedfacf ? 64 : 32, sharedLibrary: filetype === 6 || filetype === 8, exports: [] };
}

const PE_MACHINES: Record<number, string> = { 0x8664: "x86_64", 0xaa64: "aarch64", 0x14c: "x86", 0x1c4: "arm" };

function pe(dv: DataView): Omit<LibraryInspection, "abi"> {
  const off = dv.getUint32(0x3c, true);
  if (off + 24 > dv.byteLength || dv.getUint32(off, false) !== 0x50450000) {
    return { format: "unknown", arch: "unknown", bits: 0, sharedLibrary: false, exports: [] };
  }
  const machine = dv.getUint16(off + 4, true);
  const characteristics = dv.getUint16(off + 22, true);
  return { format: "pe", arch: PE_MACHINES[machine] ?? "unknown", bits: machine === 0x14c ? 32 : 64, sharedLibrary: (characteristics & 0x2000) !== 0, exports: [] };
}
