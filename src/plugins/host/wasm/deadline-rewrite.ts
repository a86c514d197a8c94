/**
 * The per-call deadline (`timeout`), enforced inside the thread: Bun's Worker.terminate cannot
 * stop a thread looping in wasm (docs/dev/wasm-host-recipes.md Q4), so instead every `loop` header and
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
 * Bulk memory instructions run as long as their length says: one `memory.fill` of 1 GiB took
 * 5.4 s against a 100 ms timeout, and a loop of 900 MiB fills was charged one unit per fill —
 * 20,000 fills between two clock reads. So each `memory.fill` and `memory.copy` becomes a call
 * of a helper the rewrite adds, which charges one unit per BULK_UNIT bytes (a loop turn moves
 * about that much) and does a long operation in BULK_CHUNK pieces, charging each: a call then
 * reads the clock at least every FUEL_PER_TICK × BULK_UNIT bytes (1.25 MiB, ~6 ms on fresh pages)
 * and ends within its timeout and that. The helper checks the whole range first, so an
 * out-of-bounds operation still traps before it writes anything, and copies overlapping ranges
 * in the order that keeps memmove's result.
 *
 * The rewrite, per module:
 *  - appends a type `[] -> [i32]`, an imported function `loadr:deadline.tick` and the global
 *    `$fuel`; with bulk memory instructions, a type `[i32 i32 i32] -> []` and one helper
 *    function per (instruction, memories) used, after the module's own functions;
 *  - replaces each `memory.fill`/`memory.copy` by a call of its helper;
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
/** bytes of memory.fill/memory.copy charged as one unit of fuel (log2: 64 bytes) */
const BULK_UNIT_SHIFT = 6;
/** a longer fill or copy runs in pieces of this many bytes, each charged before it runs */
export const BULK_CHUNK = 64 * 1024;

export function instrumentDeadline(mod: Uint8Array): Uint8Array {
  const sections = readSections(mod);
  const code = sections.find((s) => s.id === 10);
  const scan = code ? scanCode(code) : undefined;
  if (!code || !scan || (!scan.charged && scan.bulk.size === 0)) return mod;
  if (scan.bulk.size > 0) refuse64BitMemories(sections);

  // types: append [] -> [i32] (tick) and, for the bulk helpers, [i32 i32 i32] -> []
  const types = sections.find((s) => s.id === 1);
  const typeCount = types ? countTypes(types) : 0;
  const typeW = new Writer();
  typeW.u32(typeCount + (scan.bulk.size > 0 ? 2 : 1));
  if (types) typeW.bytes(afterCount(types.body));
  typeW.bytes(new Uint8Array([0x60, 0x00, 0x01, 0x7f]));
  if (scan.bulk.size > 0) typeW.bytes(new Uint8Array([0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00]));
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
  gW.bytes(new Uint8Array([0x7f, 0x01, 0x41]));
  gW.s32(FUEL_PER_TICK);
  gW.byte(0x0b);
  setSection(sections, 6, gW.finish());

  // functions: the bulk helpers come after the module's own, so no index moves for them
  const funcs = sections.find((s) => s.id === 3);
  const definedFuncs = funcs ? new Reader(funcs.body).u32() : 0;
  const helpers = new Map<string, number>();
  for (const key of scan.bulk.keys()) helpers.set(key, importedFuncs + 1 + definedFuncs + helpers.size);
  const fuel: Fuel = { global: importedGlobals + definedGlobals, tick, helpers };
  if (helpers.size > 0) {
    const fW = new Writer();
    fW.u32(definedFuncs + helpers.size);
    if (funcs) fW.bytes(afterCount(funcs.body));
    for (let k = 0; k < helpers.size; k++) fW.u32(typeCount + 1);
    setSection(sections, 3, fW.finish());
  }

  for (let i = 0; i < sections.length; i++) {
    const s = sections[i]!;
    if (s.id === 7) sections[i] = { id: 7, body: rewriteExports(s.body, shift) };
    else if (s.id === 8) sections[i] = { id: 8, body: rewriteStart(s.body, shift) };
    else if (s.id === 9) sections[i] = { id: 9, body: rewriteElements(s.body, shift) };
    else if (s.id === 10) sections[i] = { id: 10, body: rewriteCode(s.body, shift, fuel, [...scan.bulk.values()].map((b) => bulkHelper(b, fuel))) };
  }
  return writeModule(sections.filter((s) => !(s.id === 0 && customName(s) === "name")));
}

interface Fuel {
  global: number;
  tick: number;
  /** bulk instruction key (bulkKey) → its helper's function index */
  helpers: Map<string, number>;
}

/** A memory.fill of one memory, or a memory.copy between two (dst, src). */
interface Bulk {
  op: "fill" | "copy";
  mems: number[];
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
    const bulk = fuel !== null && i.op === 0xfc ? bulkOf(r.buf, i.start, r.pos) : undefined;
    if (bulk !== undefined) {
      flush(i.start);
      w.byte(0x10); // call $helper
      w.u32(fuel!.helpers.get(bulkKey(bulk))!);
      copied = r.pos;
      return;
    }
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

function rewriteCode(body: Uint8Array, shift: (f: number) => number, fuel: Fuel, extra: Uint8Array[]): Uint8Array {
  const r = new Reader(body);
  const w = new Writer();
  const n = r.u32();
  w.u32(n + extra.length);
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
  for (const f of extra) {
    w.u32(f.length);
    w.bytes(f);
  }
  return w.finish();
}

/** What the code holds: a loop or a tail call anywhere (something to charge), and the bulk memory instructions used. */
function scanCode(code: Section): { charged: boolean; bulk: Map<string, Bulk> } {
  const r = new Reader(code.body);
  const n = r.u32();
  let charged = false;
  const bulk = new Map<string, Bulk>();
  for (let i = 0; i < n; i++) {
    const size = r.u32();
    const end = r.pos + size;
    const fr = new Reader(code.body, r.pos, end);
    const locals = fr.u32();
    for (let l = 0; l < locals; l++) {
      fr.u32();
      skipValType(fr);
    }
    walkExpr(fr, (i) => {
      if (i.op === 0x03 || isTailCall(i.op)) charged = true;
      const b = i.op === 0xfc ? bulkOf(fr.buf, i.start, fr.pos) : undefined;
      if (b !== undefined) bulk.set(bulkKey(b), b);
    });
    r.pos = end;
  }
  return { charged, bulk };
}

/** The memory.fill (0xfc 11 mem) or memory.copy (0xfc 10 dst src) at buf[start, end), else undefined. */
function bulkOf(buf: Uint8Array, start: number, end: number): Bulk | undefined {
  const r = new Reader(buf, start + 1, end);
  const sub = r.u32();
  if (sub === 11) return { op: "fill", mems: [r.u32()] };
  if (sub === 10) return { op: "copy", mems: [r.u32(), r.u32()] };
  return undefined;
}

const bulkKey = (b: Bulk) => `${b.op}:${b.mems.join(":")}`;

/** Bulk helpers take i32 addresses; a 64-bit memory (which the memory cap refuses anyway) is refused here too. */
function refuse64BitMemories(sections: Section[]): void {
  const is64 = (flags: number) => (flags & 0x04) !== 0;
  const mems = sections.find((s) => s.id === 5);
  if (mems) {
    const r = new Reader(mems.body);
    const n = r.u32();
    for (let k = 0; k < n; k++) {
      const flags = r.byte();
      if (is64(flags)) throw new WasmFormatError("64-bit memories are not supported");
      r.skipLeb();
      if (flags & 0x01) r.skipLeb();
    }
  }
  if (countImports(sections.find((s) => s.id === 2)).memory64) throw new WasmFormatError("64-bit memories are not supported");
}

// The helpers' code. Locals: 0 = destination, 1 = value (fill) or source (copy), 2 = length.
const OP = {
  localGet: 0x20, localSet: 0x21, localTee: 0x22, globalGet: 0x23, globalSet: 0x24, i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32GtU: 0x4b, i32LeS: 0x4c, i64LeU: 0x58, i32Add: 0x6a, i32Sub: 0x6b, i32And: 0x71, i64Add: 0x7c,
  i64Shl: 0x86, i32ShrU: 0x76, i64ExtendI32U: 0xad, memorySize: 0x3f, call: 0x10, if: 0x04, else: 0x05, loop: 0x03, brIf: 0x0d,
  end: 0x0b, unreachable: 0x00, void: 0x40, prefixFC: 0xfc,
} as const;

/**
 * One helper: `fill(dst, value, len)` or `copy(dst, src, len)`. Up to BULK_CHUNK bytes: charge
 * len / BULK_UNIT, then the instruction itself. Longer, and in bounds: pieces of BULK_CHUNK,
 * each charged first (a copy whose destination lies above its source goes from the end, as
 * memmove does); the last piece (or the whole out-of-bounds operation, which then traps without
 * writing) is the instruction itself.
 */
function bulkHelper(b: Bulk, f: Fuel): Uint8Array {
  const w = new Writer();
  /** one instruction: opcode, then its u32 immediates */
  const ins = (code: number, ...imm: number[]) => {
    w.byte(code);
    for (const x of imm) w.u32(x);
  };
  const i32 = (v: number) => {
    w.byte(OP.i32Const);
    w.s32(v);
  };
  const instruction = () => ins(OP.prefixFC, b.op === "fill" ? 11 : 10, ...b.mems);
  // fuel -= units; at or below zero, tick: its 0 (the deadline has passed) traps
  const charge = (units: () => void) => {
    ins(OP.globalGet, f.global);
    units();
    ins(OP.i32Sub);
    ins(OP.globalSet, f.global);
    ins(OP.globalGet, f.global);
    i32(0);
    ins(OP.i32LeS);
    ins(OP.if, OP.void);
    ins(OP.call, f.tick);
    ins(OP.globalSet, f.global);
    ins(OP.globalGet, f.global);
    ins(OP.i32Eqz);
    ins(OP.if, OP.void);
    ins(OP.unreachable);
    ins(OP.end);
    ins(OP.end);
  };
  // (u64) local + len <= byte size of memory m
  const inBounds = (local: number, m: number) => {
    ins(OP.localGet, local);
    ins(OP.i64ExtendI32U);
    ins(OP.localGet, 2);
    ins(OP.i64ExtendI32U);
    ins(OP.i64Add);
    ins(OP.memorySize, m);
    ins(OP.i64ExtendI32U);
    ins(OP.i64Const, 16);
    ins(OP.i64Shl);
    ins(OP.i64LeU);
  };
  // local op= BULK_CHUNK, leaving the result on the stack with `tee`
  const step = (local: number, code: number, tee = false) => {
    ins(OP.localGet, local);
    i32(BULK_CHUNK);
    ins(code);
    ins(tee ? OP.localTee : OP.localSet, local);
  };
  // one charged piece of BULK_CHUNK bytes, at dst and src or, with `at`, that local's value past them
  const piece = (at?: number) => {
    charge(() => i32(BULK_CHUNK >> BULK_UNIT_SHIFT));
    const address = (local: number) => {
      ins(OP.localGet, local);
      if (at === undefined) return;
      ins(OP.localGet, at);
      ins(OP.i32Add);
    };
    address(0);
    if (b.op === "fill") ins(OP.localGet, 1); // the value
    else address(1);
    i32(BULK_CHUNK);
    instruction();
  };
  // while len > BULK_CHUNK: the piece at the start, then move past it
  const forward = () => {
    ins(OP.loop, OP.void);
    piece();
    step(0, OP.i32Add);
    if (b.op === "copy") step(1, OP.i32Add);
    step(2, OP.i32Sub, true);
    i32(BULK_CHUNK);
    ins(OP.i32GtU);
    ins(OP.brIf, 0);
    ins(OP.end);
  };
  // while len > BULK_CHUNK: len -= BULK_CHUNK, then the piece at len (the end first)
  const backward = () => {
    ins(OP.loop, OP.void);
    step(2, OP.i32Sub);
    piece(2);
    ins(OP.localGet, 2);
    i32(BULK_CHUNK);
    ins(OP.i32GtU);
    ins(OP.brIf, 0);
    ins(OP.end);
  };

  w.u32(0); // no locals beyond the parameters
  ins(OP.localGet, 2);
  i32(BULK_CHUNK);
  ins(OP.i32GtU);
  ins(OP.if, OP.void); // longer than a piece
  inBounds(0, b.mems[0]!);
  if (b.op === "copy") {
    inBounds(1, b.mems[1]!);
    ins(OP.i32And);
  }
  ins(OP.if, OP.void); // and in bounds
  if (b.op === "copy" && b.mems[0] === b.mems[1]) {
    ins(OP.localGet, 0);
    ins(OP.localGet, 1);
    ins(OP.i32GtU);
    ins(OP.if, OP.void); // destination above the source
    backward();
    ins(OP.else);
    forward();
    ins(OP.end);
  } else forward();
  ins(OP.end);
  ins(OP.else); // up to a piece: charged by length
  charge(() => {
    ins(OP.localGet, 2);
    i32(BULK_UNIT_SHIFT);
    ins(OP.i32ShrU);
  });
  ins(OP.end);
  ins(OP.localGet, 0);
  ins(OP.localGet, 1);
  ins(OP.localGet, 2);
  instruction();
  ins(OP.end);
  return w.finish();
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

function countImports(s: Section | undefined): { funcs: number; globals: number; count: number; memory64: boolean } {
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

