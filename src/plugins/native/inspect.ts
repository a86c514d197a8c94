/**
 * What a native library is and what it exports, read from the file without loading it
 * (`loadr plugin info` shows it before a plugin is enabled). Minimal version written for the
 * distribution work: ELF64 little-endian `.dynsym` only; the native plugin work owns the full
 * reader (ELF/Mach-O checks before dlopen) and keeps this signature.
 */
import { readFileSync } from "node:fs";

export interface LibraryInfo {
  format: string;
  arch: string;
  exports: string[];
  abi: "c" | "descriptor" | "abi_stable" | "unknown";
}

const MACHINES: Record<number, string> = { 3: "x86", 40: "arm", 62: "x86_64", 183: "aarch64", 243: "riscv64" };
const SHT_DYNSYM = 11;

export function inspectLibrary(path: string): LibraryInfo {
  const b = readFileSync(path);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46) {
    const magic = b.length >= 4 ? b.readUInt32LE(0) : 0;
    if (magic === 0xfeedfacf) return { format: "mach-o", arch: "unknown", exports: [], abi: "unknown" };
    return { format: "unknown", arch: "unknown", exports: [], abi: "unknown" };
  }
  const is64 = b[4] === 2;
  const le = b[5] === 1;
  const arch = MACHINES[le ? b.readUInt16LE(0x12) : b.readUInt16BE(0x12)] ?? "unknown";
  if (!is64 || !le) return { format: is64 ? "elf64-be" : "elf32", arch, exports: [], abi: "unknown" };
  const exports = dynamicExports(b);
  return { format: "elf64", arch, exports, abi: abiOf(exports) };
}

function dynamicExports(b: Buffer): string[] {
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const section = (i: number) => {
    const o = shoff + i * shentsize;
    return { type: b.readUInt32LE(o + 4), offset: Number(b.readBigUInt64LE(o + 0x18)), size: Number(b.readBigUInt64LE(o + 0x20)), link: b.readUInt32LE(o + 0x28), entsize: Number(b.readBigUInt64LE(o + 0x38)) };
  };
  if (shoff === 0 || shoff + shnum * shentsize > b.length) return [];
  const names: string[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== SHT_DYNSYM || s.entsize < 24) continue;
    const strtab = section(s.link);
    for (let o = s.offset + s.entsize; o + 24 <= s.offset + s.size && o + 24 <= b.length; o += s.entsize) {
      const info = b[o + 4]!;
      const bind = info >> 4;
      const type = info & 0xf;
      const shndx = b.readUInt16LE(o + 6);
      if (shndx === 0 || (bind !== 1 && bind !== 2) || (type !== 1 && type !== 2)) continue;
      const start = strtab.offset + b.readUInt32LE(o);
      const end = b.indexOf(0, start);
      if (end > start) names.push(b.toString("utf8", start, end));
    }
  }
  return names.sort();
}

function abiOf(exports: string[]): LibraryInfo["abi"] {
  if (exports.includes("loadr_plugin_abi_version")) return "c";
  if (exports.some((e) => e.startsWith("loadr_plugin_descriptor"))) return "descriptor";
  if (exports.some((e) => e.includes("abi_stable") || e.startsWith("_sabi"))) return "abi_stable";
  return "unknown";
}
