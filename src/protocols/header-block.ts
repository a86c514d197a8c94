/**
 * Response headers as they arrived: the header lines `bytes[from, to)` of the head, each ending in
 * CRLF, one byte per character (latin1). The HTTP client keeps them instead of building
 * `[name, value]` pairs that a load loop never reads (protocols/http/response-parser.ts); readers
 * that want bytes anyway (the WASM plugin call) take them from here without making strings.
 */
import type { ByteRange } from "./byte-range.ts";

export interface HeaderBlock extends ByteRange {
  /**
   * Where the parser found each line's name and value, when it still holds them for this block and
   * every byte of it is ASCII: header i is `lines[4i]` (name start), `lines[4i+1]` (name length),
   * `lines[4i+2]` (value start), `lines[4i+3]` (value length), for `count` headers. Without them
   * readers scan the bytes again.
   */
  readonly lines?: Int32Array | null;
  readonly count?: number;
}

/** Node's (and Bun's) undocumented Buffer#latin1Slice: ~1.5x faster than toString("latin1", a, b) */
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

export function latin1(b: Buffer, start: number, end: number): string {
  return (b as unknown as Latin1Slicer).latin1Slice(start, end);
}

export function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Where each header's name and value lie in the block's bytes, in one pass: header i's name is
 * `bytes[at[2i], at[2i] + lens[2i])`, its value, without surrounding whitespace,
 * `bytes[at[2i + 1], at[2i + 1] + lens[2i + 1])`. Returns how many headers; with `asciiOnly`, -1 at
 * the first byte that is not ASCII (where latin1, the block's encoding, and UTF-8 part). Every line
 * has a colon and ends in CRLF: the parser accepted the head.
 */
export function headerRanges(h: HeaderBlock, at: number[], lens: number[], asciiOnly: boolean): number {
  const lines = h.lines;
  if (lines) {
    // the parser already found the ranges, and gives them only for an all-ASCII head
    const n = h.count!;
    for (let i = 0; i < n; i++) {
      at[2 * i] = lines[4 * i]!;
      lens[2 * i] = lines[4 * i + 1]!;
      at[2 * i + 1] = lines[4 * i + 2]!;
      lens[2 * i + 1] = lines[4 * i + 3]!;
    }
    return n;
  }
  const b = h.bytes;
  let n = 0;
  let pos = h.from;
  while (pos < h.to) {
    let colon = -1;
    let e = pos;
    for (; b[e] !== 13 || b[e + 1] !== 10; e++) {
      const c = b[e]!;
      if (c > 0x7f && asciiOnly) return -1;
      if (c === 58 && colon < 0) colon = e;
    }
    let vs = colon + 1;
    while (vs < e && isOws(b[vs]!)) vs++;
    let ve = e;
    while (ve > vs && isOws(b[ve - 1]!)) ve--;
    at[2 * n] = pos;
    lens[2 * n] = colon - pos;
    at[2 * n + 1] = vs;
    lens[2 * n + 1] = ve - vs;
    n++;
    pos = e + 2;
  }
  return n;
}

// splitHeaderBlock's ranges; it runs synchronously, so one pair of arrays serves every call
const AT: number[] = [];
const LENS: number[] = [];

/** The block's headers as `[name, value]` pairs in wire order: names as received, values without surrounding whitespace. */
export function splitHeaderBlock(h: HeaderBlock): [string, string][] {
  const n = headerRanges(h, AT, LENS, false);
  const out: [string, string][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const k = AT[2 * i]!;
    const v = AT[2 * i + 1]!;
    out[i] = [latin1(h.bytes, k, k + LENS[2 * i]!), latin1(h.bytes, v, v + LENS[2 * i + 1]!)];
  }
  return out;
}
