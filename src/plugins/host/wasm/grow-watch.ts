/**
 * Telling "ran out of memory" from "trapped" (runtime.ts classify): a plugin whose
 * `memory.grow` failed at the cap (memory-cap.ts) and that then aborts traps like any other
 * bug — and its memory may be far below the cap when it does (a Go runtime asks for a large
 * arena at once, is refused, and panics at 10 of 16 MiB). So every `memory.grow` of a core
 * module records its failure in an exported global the runtime reads after a failed call:
 *
 *   memory.grow  →  memory.grow; global.set $r; global.get $failed; global.get $r; i32.const -1;
 *                   i32.eq; i32.or; global.set $failed; global.get $r
 *
 * Two i32 globals are appended (global indices after every existing one: nothing shifts) and
 * `$failed` is exported as GROW_FAILED. A module without `memory.grow` is returned unchanged.
 */
import { walkExpr } from "./wasm-code.ts";
import { copyValType, skipValType } from "./wasm-code.ts";
import { insertSection, Reader, readSections, type Section, WasmFormatError, writeModule, Writer } from "./wasm-binary.ts";

export const GROW_FAILED = "loadr:grow-failed";

const MEMORY_GROW = 0x40;

export function watchGrow(mod: Uint8Array): Uint8Array {
  const sections = readSections(mod);
  const code = sections.find((s) => s.id === 10);
  if (!code || !hasGrow(code)) return mod;
  const importedGlobals = countImportedGlobals(sections.find((s) => s.id === 2));

  const gi = sections.findIndex((s) => s.id === 6);
  const gw = new Writer();
  let defined = 0;
  if (gi >= 0) {
    const r = new Reader(sections[gi]!.body);
    defined = r.u32();
    gw.u32(defined + 2);
    gw.bytes(sections[gi]!.body.subarray(r.pos));
  } else gw.u32(2);
  const result = importedGlobals + defined;
  const failed = result + 1;
  for (let k = 0; k < 2; k++) gw.bytes(new Uint8Array([0x7f, 0x01, 0x41, 0x00, 0x0b])); // (mut i32) (i32.const 0)
  if (gi >= 0) sections[gi] = { id: 6, body: gw.finish() };
  else insertSection(sections, { id: 6, body: gw.finish() });

  const ei = sections.findIndex((s) => s.id === 7);
  const ew = new Writer();
  const name = new TextEncoder().encode(GROW_FAILED);
  if (ei >= 0) {
    const r = new Reader(sections[ei]!.body);
    ew.u32(r.u32() + 1);
    ew.bytes(sections[ei]!.body.subarray(r.pos));
  } else ew.u32(1);
  ew.u32(name.length);
  ew.bytes(name);
  ew.byte(0x03); // global
  ew.u32(failed);
  if (ei >= 0) sections[ei] = { id: 7, body: ew.finish() };
  else insertSection(sections, { id: 7, body: ew.finish() });

  const ci = sections.indexOf(code);
  sections[ci] = { id: 10, body: rewriteCode(code.body, result, failed) };
  return writeModule(sections);
}

function rewriteCode(body: Uint8Array, result: number, failed: number): Uint8Array {
  const r = new Reader(body);
  const w = new Writer();
  const n = r.u32();
  w.u32(n);
  for (let i = 0; i < n; i++) {
    const size = r.u32();
    const end = r.pos + size;
    const fr = new Reader(body, r.pos, end);
    const fw = new Writer();
    const locals = fr.u32();
    fw.u32(locals);
    for (let l = 0; l < locals; l++) {
      fw.u32(fr.u32());
      copyValType(fr, fw);
    }
    let copied = fr.pos;
    walkExpr(fr, (ins) => {
      if (ins.op !== MEMORY_GROW) return;
      fw.bytes(body.subarray(copied, fr.pos)); // up to and including memory.grow's immediate
      copied = fr.pos;
      fw.byte(0x24); fw.u32(result); // global.set $r
      fw.byte(0x23); fw.u32(failed); // global.get $failed
      fw.byte(0x23); fw.u32(result); // global.get $r
      fw.byte(0x41); fw.s32(-1); // i32.const -1
      fw.byte(0x46); // i32.eq
      fw.byte(0x72); // i32.or
      fw.byte(0x24); fw.u32(failed); // global.set $failed
      fw.byte(0x23); fw.u32(result); // global.get $r
    });
    fw.bytes(body.subarray(copied, fr.pos));
    if (fr.pos !== end) throw new WasmFormatError("function body size mismatch");
    const f = fw.finish();
    w.u32(f.length);
    w.bytes(f);
    r.pos = end;
  }
  return w.finish();
}

function hasGrow(code: Section): boolean {
  const r = new Reader(code.body);
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const size = r.u32();
    const end = r.pos + size;
    const fr = new Reader(code.body, r.pos, end);
    const locals = fr.u32();
    for (let l = 0; l < locals; l++) {
      fr.u32();
      skipValType(fr);
    }
    let found = false;
    walkExpr(fr, (ins) => {
      if (ins.op === MEMORY_GROW) found = true;
    });
    if (found) return true;
    r.pos = end;
  }
  return false;
}

function countImportedGlobals(s: Section | undefined): number {
  if (!s) return 0;
  const r = new Reader(s.body);
  const count = r.u32();
  let globals = 0;
  const limits = () => {
    const flags = r.byte();
    r.skipLeb();
    if (flags & 0x01) r.skipLeb();
  };
  for (let i = 0; i < count; i++) {
    r.skip(r.u32());
    r.skip(r.u32());
    const kind = r.byte();
    if (kind === 0x00) r.u32();
    else if (kind === 0x01) {
      skipValType(r);
      limits();
    } else if (kind === 0x02) limits();
    else if (kind === 0x03) {
      globals++;
      skipValType(r);
      r.byte();
    } else if (kind === 0x04) {
      r.byte();
      r.u32();
    } else throw new WasmFormatError(`unknown import kind ${kind}`);
  }
  return globals;
}
