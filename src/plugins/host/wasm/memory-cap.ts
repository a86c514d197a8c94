/**
 * The memory cap (`memory_limit`): every memory a core module defines gets a maximum of at most
 * `maxPages` 64 KiB pages, so `memory.grow` past the cap fails inside the plugin (malloc returns
 * NULL or the plugin traps) and the host process is never at risk. Imported memories keep
 * their declared limits: they are the defining module's memory, already capped.
 */
import { Reader, readSections, type Section, WasmFormatError, writeModule, Writer } from "./wasm-binary.ts";

export const PAGE = 65536;

export class MemoryLimitError extends Error {}

export function capMemory(mod: Uint8Array, maxPages: number): Uint8Array {
  const sections = readSections(mod);
  const i = sections.findIndex((s) => s.id === 5);
  if (i < 0) return mod;
  sections[i] = { id: 5, body: rewriteMemories(sections[i]!, maxPages) };
  return writeModule(sections);
}

function rewriteMemories(s: Section, maxPages: number): Uint8Array {
  const r = new Reader(s.body);
  const w = new Writer();
  const n = r.u32();
  w.u32(n);
  for (let k = 0; k < n; k++) {
    const flags = r.byte();
    if (flags & 0x04) throw new WasmFormatError("64-bit memories are not supported");
    const min = r.u32();
    const max = flags & 0x01 ? r.u32() : Infinity;
    if (min > maxPages) {
      throw new MemoryLimitError(
        `the plugin needs ${mib(min * PAGE)} of memory at start, above its memory_limit of ${mib(maxPages * PAGE)}; raise \`memory_limit\``,
      );
    }
    w.byte(flags | 0x01);
    w.u32(min);
    w.u32(Math.min(max, maxPages));
  }
  return w.finish();
}

/** Bytes as MiB for messages: 16 MiB, 0.31 MiB. */
export function mib(bytes: number): string {
  const m = bytes / (1024 * 1024);
  return `${Number.isInteger(m) ? m : m.toFixed(2)} MiB`;
}
