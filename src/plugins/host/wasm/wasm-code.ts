/**
 * Walking core wasm instructions with their immediates, for the deadline rewriter: it has to
 * find loop headers, tail calls and function indices without understanding anything else. Covers MVP, sign-extension, saturating truncation, bulk memory,
 * reference types, multi-value, SIMD, threads, exceptions (legacy and exnref), tail calls and
 * call_ref; anything else (GC) is refused with a clear message rather than mis-walked.
 */
import { type Reader, WasmFormatError, type Writer } from "./wasm-binary.ts";

/** What the walker tells its visitor about one instruction (the object is reused: copy, don't keep). */
export interface Instr {
  op: number;
  /** offset of the opcode; the reader stands after the immediates when the visitor runs */
  start: number;
  /** the function index immediate of call, return_call and ref.func; -1 for anything else */
  func: number;
}

/** Walks one expression up to and including its final `end`, calling `visit` after each instruction's immediates. */
export function walkExpr(r: Reader, visit: (i: Instr) => void): void {
  const i: Instr = { op: 0, start: 0, func: -1 };
  let depth = 1;
  while (depth > 0) {
    i.start = r.pos;
    i.func = -1;
    const op = (i.op = r.byte());
    switch (op) {
      case 0x02: case 0x03: case 0x04: case 0x06: // block loop if try
        depth++;
        skipBlockType(r);
        break;
      case 0x1f: { // try_table
        depth++;
        skipBlockType(r);
        const n = r.u32();
        for (let k = 0; k < n; k++) {
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
        for (let k = 0; k <= n; k++) r.u32();
        break;
      }
      case 0x10: case 0x12: case 0xd2: // call, return_call, ref.func
        i.func = r.u32();
        break;
      case 0x11: case 0x13:
        r.u32();
        r.u32();
        break;
      case 0x1c: {
        const n = r.u32();
        for (let k = 0; k < n; k++) skipValType(r);
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
    visit(i);
  }
}

export function skipValType(r: Reader): void {
  const b = r.byte();
  if (b === 0x63 || b === 0x64) r.skipLeb(); // (ref null? ht)
}

export function copyValType(r: Reader, w: Writer): void {
  const start = r.pos;
  skipValType(r);
  w.bytes(r.buf.subarray(start, r.pos));
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
