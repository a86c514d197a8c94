/**
 * The per-call deadline (`timeout`), enforced inside the thread: Bun's Worker.terminate cannot
 * stop a thread looping in wasm (notes/wasm-spike.md Q4), so instead every `loop` header and
 * every tail call of a core module burns one unit of a fuel counter, and when it runs out the
 * module calls the host import `loadr:deadline.tick`, which returns the next fuel budget, or 0
 * past the deadline — and then the module traps (`unreachable`). A trap, unlike an exception
 * thrown by the host, cannot be caught by the plugin's own exception handlers (`catch_all`
 * would otherwise swallow the timeout and loop on).
 *
 * Why this contains every call: an execution that does not terminate either recurses without
 * bound through ordinary calls (the stack overflows: a trap), or it runs a loop header or a
 * tail call (`return_call*`, which replaces its frame and so can recurse forever on a flat
 * stack) infinitely often — code without those only moves forward. Each of those charges the
 * one module-wide counter, so at most FUEL_PER_TICK of them run between two clock reads,
 * however the loops are spread over frames: a deep but finite nest of loops over calls is
 * charged iteration by iteration like a single loop. Once the deadline has passed, the next
 * tick traps.
 *
 * The counter is a mutable i32 global. A per-function i32 local (loaded from the global at entry
 * and written back around calls and exits) was measured against it: no faster in JSC's wasm
 * tiers on the C example (CPU-time A/B, ±2 %, slower on small bodies: the syncs in the many
 * small malloc/free/memcmp calls cost what the loop headers save), so the simpler global stays.
 *
 * The rewrite, per module:
 *  - appends a type `[] -> [i32]`, an imported function `loadr:deadline.tick` and the global
 *    `$fuel`;
 *  - after each `loop <blocktype>` and before each tail call inserts
 *      global.get $fuel; i32.const 1; i32.sub; global.set $fuel; global.get $fuel; i32.eqz;
 *      if; call $tick; global.set $fuel; global.get $fuel; i32.eqz; if; unreachable; end; end
 *  - the new import takes function index = number of imported functions, so every reference to
 *    a defined function (call, return_call, ref.func, exports, start, element segments) moves
 *    up by one; the `name` custom section is dropped (it would be stale).
 * Instructions are walked with their immediates (wasm-code.ts); anything the walker does not
 * know (GC) is refused with a clear message.
 */
import { copyValType, type Instr, skipValType, walkExpr } from "./wasm-code.ts";
import { insertSection, Reader, readSections, type Section, WasmFormatError, writeModule, Writer } from "./wasm-binary.ts";

export const DEADLINE_MODULE = "loadr:deadline";
export const DEADLINE_TICK = "tick";
/** loop iterations between two clock reads; the spike stopped a spinning plugin 0.3–0.9 ms late */
export const FUEL_PER_TICK = 20_000;

export function instrumentDeadline(mod: Uint8Array): Uint8Array {
  const sections = readSections(mod);
  const code = sections.find((s) => s.id === 10);
  if (!code || !needsFuel(code)) return mod;

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
  const tick = importedFuncs;

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
      copyExpr(r, gW, shift, null);
    }
  } else gW.u32(1);
  const fuel = { global: importedGlobals + definedGlobals, tick };
  gW.bytes(new Uint8Array([0x7f, 0x01, 0x41]));
  gW.s32(FUEL_PER_TICK);
  gW.byte(0x0b);
  setSection(sections, 6, gW.finish());

  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!;
    if (s.id === 7) sections[i] = { id: 7, body: rewriteExports(s.body, shift) };
    else if (s.id === 8) sections[i] = { id: 8, body: rewriteStart(s.body, shift) };
    else if (s.id === 9) sections[i] = { id: 9, body: rewriteElements(s.body, shift) };
    else if (s.id === 10) sections[i] = { id: 10, body: rewriteCode(s.body, shift, fuel) };
  }
  return writeModule(sections.filter((s) => !(s.id === 0 && customName(s) === "name")));
}

interface Fuel {
  global: number;
  tick: number;
}

function emitCharge(w: Writer, f: Fuel): void {
  w.byte(0x23); w.u32(f.global); // global.get $fuel
  w.byte(0x41); w.s32(1); // i32.const 1
  w.byte(0x6b); // i32.sub
  w.byte(0x24); w.u32(f.global); // global.set $fuel
  w.byte(0x23); w.u32(f.global); // global.get $fuel
  w.byte(0x45); // i32.eqz
  w.byte(0x04); w.byte(0x40); // if (empty)
  w.byte(0x10); w.u32(f.tick); // call $tick
  w.byte(0x24); w.u32(f.global); // global.set $fuel
  w.byte(0x23); w.u32(f.global); // global.get $fuel
  w.byte(0x45); // i32.eqz: tick said the deadline has passed
  w.byte(0x04); w.byte(0x40); // if (empty)
  w.byte(0x00); // unreachable
  w.byte(0x0b); // end
  w.byte(0x0b); // end
}

const isTailCall = (op: number) => op === 0x12 || op === 0x13 || op === 0x15; // return_call, _indirect, _ref

/**
 * Copies one expression (up to its final `end`) from r to w, shifting function indices and,
 * with `fuel`, charging after every loop header and before every tail call.
 */
function copyExpr(r: Reader, w: Writer, shift: (f: number) => number, fuel: Fuel | null): void {
  let copied = r.pos;
  const flush = (upTo: number) => {
    if (upTo > copied) w.bytes(r.buf.subarray(copied, upTo));
    copied = upTo;
  };
  walkExpr(r, (i: Instr) => {
    if (fuel !== null && isTailCall(i.op)) {
      flush(i.start);
      emitCharge(w, fuel);
    }
    if (i.func >= 0) {
      flush(i.start);
      w.byte(i.op);
      w.u32(shift(i.func));
      copied = r.pos;
    }
    if (fuel !== null && i.op === 0x03) {
      flush(r.pos);
      emitCharge(w, fuel);
    }
  });
  flush(r.pos);
}

function rewriteCode(body: Uint8Array, shift: (f: number) => number, fuel: Fuel): Uint8Array {
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
    copyExpr(fr, fw, shift, fuel);
    if (fr.pos !== end) throw new WasmFormatError("function body size mismatch");
    const f = fw.finish();
    w.u32(f.length);
    w.bytes(f);
    r.pos = end;
  }
  return w.finish();
}

/** Quick scan: is there a loop or a tail call anywhere (anything to charge)? */
function needsFuel(code: Section): boolean {
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
    walkExpr(fr, (i) => {
      if (i.op === 0x03 || isTailCall(i.op)) found = true;
    });
    if (found) return true;
    r.pos = end;
  }
  return false;
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
    if (!(flags & 0x01)) copyExpr(r, w, shift, null); // active: offset expression
    const exprs = (flags & 0x04) !== 0;
    if (flags & 0x03) {
      // elemkind (0x00) or reftype
      if (exprs) copyValType(r, w);
      else w.byte(r.byte());
    }
    const count = r.u32();
    w.u32(count);
    for (let k = 0; k < count; k++) {
      if (exprs) copyExpr(r, w, shift, null);
      else w.u32(shift(r.u32()));
    }
  }
  return w.finish();
}

