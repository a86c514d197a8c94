/**
 * The few pieces of the core wasm binary format the limit rewriters need: LEB128 reading and
 * writing, and splitting a module into its sections. Nothing here interprets instructions.
 */

export class WasmFormatError extends Error {}

export class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  byte(): number {
    if (this.pos >= this.end) throw new WasmFormatError("unexpected end of module");
    return this.buf[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
      if (shift > 35) throw new WasmFormatError("LEB128 too long");
    }
  }
  /** Skips a signed or unsigned LEB128 of any width (immediates we copy but never change). */
  skipLeb(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    throw new WasmFormatError("LEB128 too long");
  }
  skip(n: number): void {
    if (this.pos + n > this.end) throw new WasmFormatError("unexpected end of module");
    this.pos += n;
  }
  bytes(n: number): Uint8Array {
    const start = this.pos;
    this.skip(n);
    return this.buf.subarray(start, this.pos);
  }
}

export class Writer {
  private chunks: Uint8Array[] = [];
  private cur = new Uint8Array(256);
  private len = 0;
  size = 0;
  byte(b: number): void {
    if (this.len === this.cur.length) this.flush(this.cur.length * 2);
    this.cur[this.len++] = b;
    this.size++;
  }
  u32(v: number): void {
    v >>>= 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }
  s32(v: number): void {
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }
  bytes(b: Uint8Array): void {
    if (b.length > 64) {
      this.flush(256);
      this.chunks.push(b);
      this.size += b.length;
      return;
    }
    for (let i = 0; i < b.length; i++) this.byte(b[i]!);
  }
  private flush(nextCap: number): void {
    if (this.len > 0) this.chunks.push(this.cur.subarray(0, this.len));
    this.cur = new Uint8Array(nextCap);
    this.len = 0;
  }
  finish(): Uint8Array {
    this.flush(16);
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export interface Section {
  id: number;
  /** the section's contents (without id and size) */
  body: Uint8Array;
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/** A core module's sections in order; throws on a component or a non-wasm file. */
export function readSections(mod: Uint8Array): Section[] {
  if (mod.length < 8 || MAGIC.some((b, i) => mod[i] !== b)) throw new WasmFormatError("not a wasm binary");
  if (mod[4] !== 1 || mod[5] !== 0 || mod[6] !== 0 || mod[7] !== 0) throw new WasmFormatError("not a core wasm module");
  const r = new Reader(mod, 8);
  const out: Section[] = [];
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    out.push({ id, body: r.bytes(size) });
  }
  return out;
}

export function writeModule(sections: Section[]): Uint8Array {
  const w = new Writer();
  w.bytes(new Uint8Array([...MAGIC, 1, 0, 0, 0]));
  for (const s of sections) {
    w.byte(s.id);
    w.u32(s.body.length);
    w.bytes(s.body);
  }
  return w.finish();
}

/** True when the bytes are a component (layer 1), not a core module. */
export function isComponent(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC.every((b, i) => bytes[i] === b) && bytes[6] === 1 && bytes[7] === 0;
}

/** Where a section with `id` goes in the canonical order (custom sections excluded). */
export const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

/** Inserts a new known section at its canonical place. */
export function insertSection(sections: Section[], s: Section): void {
  const rank = SECTION_ORDER.indexOf(s.id);
  const at = sections.findIndex((x) => x.id !== 0 && SECTION_ORDER.indexOf(x.id) > rank);
  if (at < 0) sections.push(s);
  else sections.splice(at, 0, s);
}

/**
 * The names a component imports at its top level (`wasi:clocks/wall-clock@0.2.3`,
 * `loadr:plugin/host@0.2.0`), read from its import sections without instantiating anything
 * (`loadr plugin info`).
 */
export function componentImports(bytes: Uint8Array): string[] {
  if (!isComponent(bytes)) throw new WasmFormatError("not a WebAssembly component");
  const r = new Reader(bytes, 8);
  const out: string[] = [];
  const text = new TextDecoder();
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 10) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const form = r.byte(); // 0x00 plain name, 0x01 name with a version suffix
        out.push(text.decode(r.bytes(r.u32())));
        if (form === 0x01) r.skip(r.u32());
        const kind = r.byte(); // externdesc
        if (kind === 0x00) {
          r.byte(); // core module: 0x11 typeidx
          r.u32();
        } else if (kind === 0x02 || kind === 0x03) {
          const bound = r.byte(); // value bound / type bound (0x01 on a type bound: sub resource, no index)
          if (!(kind === 0x03 && bound === 0x01)) r.u32();
        } else r.u32();
      }
    }
    r.pos = end;
  }
  return out;
}
