/**
 * Response headers as they arrived: the header lines `bytes[from, to)` of the head, each ending in
 * CRLF, one byte per character (latin1). The HTTP client keeps them instead of building
 * `[name, value]` pairs that a load loop never reads (protocols/http/response-parser.ts); readers
 * that want bytes anyway (the WASM plugin call) take them from here without making strings.
 */
export interface HeaderBlock {
  readonly bytes: Buffer;
  readonly from: number;
  readonly to: number;
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

/** The block's headers as `[name, value]` pairs in wire order: names as received, values without surrounding whitespace. */
export function splitHeaderBlock(h: HeaderBlock): [string, string][] {
  const out: [string, string][] = [];
  if (h.to <= h.from) return out;
  const text = latin1(h.bytes, h.from, h.to);
  let pos = 0;
  while (pos < text.length) {
    const e = text.indexOf("\r\n", pos);
    const colon = text.indexOf(":", pos);
    let vs = colon + 1;
    while (vs < e && isOws(text.charCodeAt(vs))) vs++;
    let ve = e;
    while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
    out.push([text.slice(pos, colon), text.slice(vs, ve)]);
    pos = e + 2;
  }
  return out;
}
