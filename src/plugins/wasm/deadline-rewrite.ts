/**
 * The per-call deadline (`timeout`), enforced inside the thread: Bun's Worker.terminate cannot
 * stop a thread looping in wasm (notes/wasm-spike.md Q4), so instead every `loop` header of a
 * core module burns one unit of a fuel counter, and when it runs out the module calls the host
 * import `loadr:deadline.tick`, which throws past the deadline or returns the next fuel budget.
 *
 * The rewrite, per module:
 *  - appends a type `[] -> [i32]`, an imported function `loadr:deadline.tick` and a mutable
 *    i32 global `$fuel`;
 *  - after each `loop <blocktype>` inserts
 *      global.get $fuel; i32.const 1; i32.sub; global.tee $fuel; i32.eqz;
 *      if; call $tick; global.set $fuel; end
 *  - the new import takes function index = number of imported functions, so every reference to
 *    a defined function (call, return_call, ref.func, exports, start, element segments) moves
 *    up by one; the `name` custom section is dropped (it would be stale).
 * Instructions are walked with their immediates (MVP, sign-extension, saturating truncation,
 * bulk memory, reference types, multi-value, SIMD, threads, exceptions, tail calls); anything
 * else (GC, typed function references beyond call_ref) is refused with a clear message.
 */
import { insertSection, Reader, readSections, type Section, WasmFormatError, writeModule, Writer } from "./wasm-binary.ts";

export const DEADLINE_MODULE = "loadr:deadline";
export const DEADLINE_TICK = "tick";
/** loop iterations between two clock reads; the spike stopped a spinning plugin 0.3–0.9 ms late */
export const FUEL_PER_TICK = 20_000;

export function instrumentDeadline(mod: Uint8Array): Uint8Array {
  const sections = readSections(mod);
  const code = sections.find((s) => s.id === 10);
  if (!code || !hasLoop(code)) return mod;

  // types: append [] -> [i32]
  const types = sections.find((s) => s.id === 1);
  const typeCount = types ? countTypes(types) : 0;
  const typeW = new Writer();
  typeW.u32(typeCount + 1);
  if (types) typeW.bytes(afterCount(types.body));
  typeW.bytes(new Uint8Array([0x60, 0x00, 0x01, 0x7f]));
  setSection(sections, 1, typeW.finish());

  // imports: append loadr:deadline.tick
  const imports = sections.find((s) => s.id === 2);
  const { funcs: importedFuncs, globals: importedGlobals, count: importCount } = countImports(imports);
  const impW = new Writer();
  impW.u32(importCount + 1);
  if (imports) impW.bytes(afterCount(imports.body));
  writeName(impW, DEADLINE_MODULE);
  writeName(impW, DEADLINE_TICK);
  impW.byte(0x00);
  impW.u32(typeCount);
  setSection(sections, 2, impW.finish());

  const shift = (f: number) => (f >= importedFuncs ? f + 1 : f);
  const tickFunc = importedFuncs;

  // globals: rewrite init exprs (ref.func) and append $fuel
  const globals = sections.find((s) => s.id === 6);
  const gW = new Writer();
  let definedGlobals = 0;
  if (globals) {
    const r = new Reader(globals.body);
    definedGlobals = r.u32();
    gW.u32(definedGlobals + 1);
    for (let i = 0; i < definedGlobals; i++) {
      copyValType(r, gW);
      gW.byte(r.byte()); // mutability
      copyExpr(r, gW, shift, -1, -1);
    }
  } else gW.u32(1);
  const fuelGlobal = importedGlobals + definedGlobals;
  gW.bytes(new Uint8Array([0x7f, 0x01, 0x41]));
  gW.s32(FUEL_PER_TICK);
  gW.byte(0x0b);
  setSection(sections, 6, gW.finish());

  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!;
    if (s.id === 7) sections[i] = { id: 7, body: rewriteExports(s.body, shift) };
    else if (s.id === 8) sections[i] = { id: 8, body: rewriteStart(s.body, shift) };
    else if (s.id === 9) sections[i] = { id: 9, body: rewriteElements(s.body, shift) };
    else if (s.id === 10) sections[i] = { id: 10, body: rewriteCode(s.body, shift, fuelGlobal, tickFunc) };
  }
  return writeModule(sections.filter((s) => !(s.id === 0 && customName(s) === "name")));
}

function setSection(sections: Section[], id: number, body: Uint8Array): void {
  const i = sections.findIndex((s) => s.id === id);
  if (i >= 0) sections[i] = { id, body };
  else insertSection(sections, { id, body });
}

function afterCount(body: Uint8Array): Uint8Array {
  const r = new Reader(body);
  r.u32();
  return body.subarray(r.pos);
}

function customName(s: Section): string {
  const r = new Reader(s.body);
  const n = r.u32();
  return new TextDecoder().decode(r.bytes(n));
}

function writeName(w: Writer, name: string): void {
  const b = new TextEncoder().encode(name);
  w.u32(b.length);
  w.bytes(b);
}

function countTypes(s: Section): number {
  const r = new Reader(s.body);
  const n = r.u32();
  // GC rec groups make entries != types; find them and refuse (we only know plain function types)
  for (let i = 0; i < n; i++) {
    const form = r.byte();
    if (form !== 0x60) throw new WasmFormatError("GC type definitions are not supported by the deadline rewriter");
    const params = r.u32();
    for (let p = 0; p < params; p++) skipValType(r);
    const results = r.u32();
    for (let p = 0; p < results; p++) skipValType(r);
  }
  return n;
}

function countImports(s: Section | undefined): { funcs: number; globals: number; count: number } {
  if (!s) return { funcs: 0, globals: 0, count: 0 };
  const r = new Reader(s.body);
  const count = r.u32();
  let funcs = 0;
  let globals = 0;
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
    } else if (kind === 0x02) skipLimits(r);
    else if (kind === 0x03) {
      globals++;
      skipValType(r);
      r.byte();
    } else if (kind === 0x04) {
      r.byte();
      r.u32();
    } else throw new WasmFormatError(`unknown import kind ${kind}`);
  }
  return { funcs, globals, count };
}

function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.skipLeb();
  if (flags & 0x01) r.skipLeb();
}

function skipValType(r: Reader): void {
  const b = r.byte();
  if (b === 0x63 || b === 0x64) r.skipLeb(); // (ref null? ht)
}

function copyValType(r: Reader, w: Writer): void {
  const start = r.pos;
  skipValType(r);
  w.bytes(r.buf.subarray(start, r.pos));
}

function rewriteExports(body: Uint8Array, shift: (f: number) => number): Uint8Array {
  const r = new Reader(body);
  const w = new Writer();
  const n = r.u32();
  w.u32(n);
  for (let i = 0; i < n; i++) {
    const len = r.u32();
    w.u32(len);
    w.bytes(r.bytes(len));
    const kind = r.byte();
    w.byte(kind);
    const idx = r.u32();
    w.u32(kind === 0x00 ? shift(idx) : idx);
  }
  return w.finish();
}

function rewriteStart(body: Uint8Array, shift: (f: number) => number): Uint8Array {
  const w = new Writer();
  w.u32(shift(new Reader(body).u32()));
  return w.finish();
}

function rewriteElements(body: Uint8Array, shift: (f: number) => number): Uint8Array {
  const r = new Reader(body);
  const w = new Writer();
  const n = r.u32();
  w.u32(n);
  for (let i = 0; i < n; i++) {
    const flags = r.u32();
    w.u32(flags);
    if (flags & 0x02 && !(flags & 0x01)) w.u32(r.u32()); // explicit table index (2, 6)
    if (!(flags & 0x01)) copyExpr(r, w, shift, -1, -1); // active: offset expression
    const exprs = (flags & 0x04) !== 0;
    if (flags & 0x03) {
      // elemkind (0x00) or reftype
      if (exprs) copyValType(r, w);
      else w.byte(r.byte());
    }
    const count = r.u32();
    w.u32(count);
    for (let k = 0; k < count; k++) {
      if (exprs) copyExpr(r, w, shift, -1, -1);
      else w.u32(shift(r.u32()));
    }
  }
  return w.finish();
}

function rewriteCode(body: Uint8Array, shift: (f: number) => number, fuel: number, tick: number): Uint8Array {
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
    copyExpr(fr, fw, shift, fuel, tick);
    if (fr.pos !== end) throw new WasmFormatError("function body size mismatch");
    const f = fw.finish();
    w.u32(f.length);
    w.bytes(f);
    r.pos = end;
  }
  return w.finish();
}

/** Quick scan: does the code section contain a loop at all? (walks instructions properly) */
function hasLoop(code: Section): boolean {
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
    walk(fr, null, (op) => {
      if (op === 0x03) found = true;
    });
    if (found) return true;
    r.pos = end;
  }
  return false;
}

/**
 * Copies one expression (up to its final `end`) from r to w, shifting function indices and,
 * when fuel >= 0, inserting the fuel check after every loop header.
 */
function copyExpr(r: Reader, w: Writer, shift: (f: number) => number, fuel: number, tick: number): void {
  walk(r, { w, shift, fuel, tick }, () => {});
}

interface Emit {
  w: Writer;
  shift: (f: number) => number;
  fuel: number;
  tick: number;
}

function walk(r: Reader, e: Emit | null, onOp: (op: number) => void): void {
  let depth = 1;
  let start = r.pos;
  const flush = (upTo = r.pos) => {
    if (e && upTo > start) e.w.bytes(r.buf.subarray(start, upTo));
    start = upTo;
  };
  while (depth > 0) {
    const opStart = r.pos;
    const op = r.byte();
    onOp(op);
    switch (op) {
      case 0x02: case 0x03: case 0x04: case 0x06: // block loop if try
        depth++;
        skipBlockType(r);
        if (op === 0x03 && e && e.fuel >= 0) {
          flush();
          emitFuelCheck(e);
        }
        break;
      case 0x1f: { // try_table
        depth++;
        skipBlockType(r);
        const n = r.u32();
        for (let i = 0; i < n; i++) {
          const kind = r.byte();
          if (kind === 0x00 || kind === 0x01) r.u32();
          r.u32();
        }
        break;
      }
      case 0x0b: depth--; break;
      case 0x05: case 0x19: case 0x00: case 0x01: case 0x0f: case 0x1a: case 0x1b: case 0x0a:
      case 0xd1: case 0xd3: case 0xd5:
        break;
      case 0x07: case 0x08: case 0x09: case 0x0c: case 0x0d: case 0xd4: case 0xd6:
      case 0x14: case 0x15:
      case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26:
      case 0x3f: case 0x40:
        r.u32();
        break;
      case 0x18: // delegate ends a try
        r.u32();
        depth--;
        break;
      case 0x0e: {
        const n = r.u32();
        for (let i = 0; i <= n; i++) r.u32();
        break;
      }
      case 0x10: case 0x12: case 0xd2: { // call, return_call, ref.func
        flush(opStart);
        const f = r.u32();
        if (e) {
          e.w.byte(op);
          e.w.u32(e.shift(f));
        }
        start = r.pos;
        break;
      }
      case 0x11: case 0x13:
        r.u32();
        r.u32();
        break;
      case 0x1c: {
        const n = r.u32();
        for (let i = 0; i < n; i++) skipValType(r);
        break;
      }
      case 0x41: case 0x42: r.skipLeb(); break;
      case 0x43: r.skip(4); break;
      case 0x44: r.skip(8); break;
      case 0xd0: r.skipLeb(); break; // ref.null heaptype
      case 0xfc: prefixFC(r); break;
      case 0xfd: prefixFD(r); break;
      case 0xfe: prefixFE(r); break;
      default:
        if (op >= 0x28 && op <= 0x3e) skipMemarg(r);
        else if (op >= 0x45 && op <= 0xc4) break;
        else throw new WasmFormatError(`unsupported instruction 0x${op.toString(16)} (GC or another proposal loadr does not instrument)`);
    }
  }
  flush();
}

function emitFuelCheck(e: Emit): void {
  const w = e.w;
  w.byte(0x23); w.u32(e.fuel); // global.get $fuel
  w.byte(0x41); w.s32(1); // i32.const 1
  w.byte(0x6b); // i32.sub
  w.byte(0x24); w.u32(e.fuel); // global.set $fuel
  w.byte(0x23); w.u32(e.fuel); // global.get $fuel
  w.byte(0x45); // i32.eqz
  w.byte(0x04); w.byte(0x40); // if (empty)
  w.byte(0x10); w.u32(e.tick); // call $tick
  w.byte(0x24); w.u32(e.fuel); // global.set $fuel
  w.byte(0x0b); // end
}

function skipBlockType(r: Reader): void {
  const b = r.buf[r.pos]!;
  if (b === 0x40 || (b >= 0x6a && b <= 0x7f && b !== 0x63 && b !== 0x64)) r.pos++;
  else if (b === 0x63 || b === 0x64) {
    r.pos++;
    r.skipLeb();
  } else r.skipLeb(); // s33 type index
}

function skipMemarg(r: Reader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // memory index (multi-memory)
  r.skipLeb();
}

function prefixFC(r: Reader): void {
  const sub = r.u32();
  if (sub <= 7) return;
  switch (sub) {
    case 8: case 10: case 12: case 14:
      r.u32();
      r.u32();
      return;
    case 9: case 11: case 13: case 15: case 16: case 17:
      r.u32();
      return;
    default:
      throw new WasmFormatError(`unsupported instruction 0xfc ${sub}`);
  }
}

function prefixFD(r: Reader): void {
  const sub = r.u32();
  if (sub <= 11 || sub === 92 || sub === 93) skipMemarg(r);
  else if (sub === 12 || sub === 13) r.skip(16);
  else if (sub >= 21 && sub <= 34) r.skip(1);
  else if (sub >= 84 && sub <= 91) {
    skipMemarg(r);
    r.skip(1);
  }
}

function prefixFE(r: Reader): void {
  const sub = r.u32();
  if (sub === 0x03) r.skip(1); // atomic.fence
  else skipMemarg(r);
}
