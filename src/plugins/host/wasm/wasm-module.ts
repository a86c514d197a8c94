/**
 * Section-level reading and rewriting shared by the two core-module rewriters
 * (deadline-rewrite.ts, grow-watch.ts): going through the code section's function bodies,
 * counting what the import section brings, and replacing or appending to a vector section.
 */
import { insertSection, Reader, type Section, WasmFormatError, Writer } from "./wasm-binary.ts";
import { copyValType, skipValType } from "./wasm-code.ts";

/**
 * Calls `visit` with a reader standing at the expression of each function body in a code
 * section (its locals skipped); stops early, and returns true, when `visit` returns true.
 */
export function someFunctionBody(code: Uint8Array, visit: (expr: Reader) => boolean | void): boolean {
  const r = new Reader(code);
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const size = r.u32();
    const end = r.pos + size;
    const fr = new Reader(code, r.pos, end);
    const locals = fr.u32();
    for (let l = 0; l < locals; l++) {
      fr.u32();
      skipValType(fr);
    }
    if (visit(fr)) return true;
    r.pos = end;
  }
  return false;
}

/**
 * A new code section: each function body's locals copied as they are and its expression
 * rewritten by `copyExpr` (which must read the whole expression from `fr`), then `extra`
 * bodies appended.
 */
export function rewriteFunctionBodies(code: Uint8Array, copyExpr: (fr: Reader, fw: Writer) => void, extra: Uint8Array[] = []): Uint8Array {
  const r = new Reader(code);
  const w = new Writer();
  const n = r.u32();
  w.u32(n + extra.length);
  for (let i = 0; i < n; i++) {
    const size = r.u32();
    const end = r.pos + size;
    const fr = new Reader(code, r.pos, end);
    const fw = new Writer();
    const locals = fr.u32();
    fw.u32(locals);
    for (let l = 0; l < locals; l++) {
      fw.u32(fr.u32());
      copyValType(fr, fw);
    }
    copyExpr(fr, fw);
    if (fr.pos !== end) throw new WasmFormatError("function body size mismatch");
    const f = fw.finish();
    w.u32(f.length);
    w.bytes(f);
    r.pos = end;
  }
  for (const f of extra) {
    w.u32(f.length);
    w.bytes(f);
  }
  return w.finish();
}

/** What the import section (id 2) brings: imported functions and globals (they come before the defined ones in index space), entries, and whether a memory is 64-bit. */
export function countImports(s: Section | undefined): { funcs: number; globals: number; count: number; memory64: boolean } {
  if (!s) return { funcs: 0, globals: 0, count: 0, memory64: false };
  const r = new Reader(s.body);
  const count = r.u32();
  let funcs = 0;
  let globals = 0;
  let memory64 = false;
  for (let i = 0; i < count; i++) {
    r.skip(r.u32());
    r.skip(r.u32());
    const kind = r.byte();
    if (kind === 0x00) {
      funcs++;
      r.u32();
    } else if (kind === 0x01) {
      skipValType(r); // reftype
      skipLimits(r);
    } else if (kind === 0x02) {
      memory64 ||= (r.buf[r.pos]! & 0x04) !== 0; // limits flags
      skipLimits(r);
    } else if (kind === 0x03) {
      globals++;
      skipValType(r);
      r.byte();
    } else if (kind === 0x04) {
      r.byte();
      r.u32();
    } else throw new WasmFormatError(`unknown import kind ${kind}`);
  }
  return { funcs, globals, count, memory64 };
}

export function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.skipLeb();
  if (flags & 0x01) r.skipLeb();
}

/** Replaces the section with `id`, or inserts it at its canonical place. */
export function setSection(sections: Section[], id: number, body: Uint8Array): void {
  const i = sections.findIndex((s) => s.id === id);
  if (i >= 0) sections[i] = { id, body };
  else insertSection(sections, { id, body });
}

/** A vector section's entries without its leading count. */
export function afterCount(body: Uint8Array): Uint8Array {
  const r = new Reader(body);
  r.u32();
  return body.subarray(r.pos);
}

/** The leading count of a vector section; 0 when the module has none. */
export function vectorCount(s: Section | undefined): number {
  return s ? new Reader(s.body).u32() : 0;
}

export function writeName(w: Writer, name: string): void {
  const b = new TextEncoder().encode(name);
  w.u32(b.length);
  w.bytes(b);
}
