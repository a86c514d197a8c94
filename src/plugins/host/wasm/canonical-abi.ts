/**
 * A lean call path for the three functions of wit/loadr.wit, straight into the component's main
 * core instance. jco's generated export wrappers create a component-model task, several closures
 * and debug-log records on every call (≈ 2–3× the cost of the call itself in a busy worker); our
 * world is fixed and small, so lowering and lifting it by hand is a few dozen lines:
 *   extract(body, headers, config) -> option<string>: params (ptr,len)×3, ret {u8 tag@0, ptr@4, len@8}
 *   check(s64, body, headers, f64, config) -> verdict:    ret {u8 pass@0, ptr@4, len@8}
 *   describe() -> info:                                   ret 4 × (ptr,len)
 * Arguments go into memory the plugin allocates through `cabi_realloc` (utf-8 strings); results
 * are read, decoded strictly (invalid UTF-8 throws), then `cabi_post_*` frees them. Instances
 * whose main module does not export these names (none we know of) keep jco's wrappers.
 */
import { type Bytes, bytesLength } from "../../../protocols/byte-range.ts";
import { type HeaderBlock, headerRanges, latin1, splitHeaderBlock } from "../../../protocols/header-block.ts";

const EXTRACT = "loadr:plugin/extractor@0.1.0#extract";
const CHECK = "loadr:plugin/assertion@0.1.0#check";
const DESCRIBE = "loadr:plugin/meta@0.1.0#describe";

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

/** A call's headers: pairs, or the block as received (protocols/header-block.ts), lowered from its bytes. */
export type HeaderList = readonly (readonly [string, string])[] | HeaderBlock;

export function headerPairs(h: HeaderList): readonly (readonly [string, string])[] {
  return Array.isArray(h) ? h : splitHeaderBlock(h as HeaderBlock);
}

export interface CoreExports {
  memory: WebAssembly.Memory;
  cabi_realloc: (old: number, oldSize: number, align: number, size: number) => number;
  [name: string]: unknown;
}

/** Does this core instance carry our world's exports (and what lowering needs)? */
export function isMainInstance(x: Record<string, unknown>): x is CoreExports {
  return x.memory instanceof WebAssembly.Memory && typeof x.cabi_realloc === "function" && (EXTRACT in x || CHECK in x);
}

export class DirectAbi {
  private readonly realloc: CoreExports["cabi_realloc"];
  private readonly memory: WebAssembly.Memory;
  private readonly extractFn?: (...a: number[]) => number;
  private readonly extractPost?: (ret: number) => void;
  private readonly checkFn?: (status: bigint, ...a: number[]) => number;
  private readonly checkPost?: (ret: number) => void;
  private readonly shared: boolean;
  /** configs are the same few strings on every call: encode each once */
  private readonly configBytes = new Map<string, Uint8Array>();

  constructor(x: CoreExports) {
    this.realloc = x.cabi_realloc;
    this.memory = x.memory;
    this.extractFn = x[EXTRACT] as typeof this.extractFn;
    this.extractPost = x[`cabi_post_${EXTRACT}`] as typeof this.extractPost;
    this.checkFn = x[CHECK] as typeof this.checkFn;
    this.checkPost = x[`cabi_post_${CHECK}`] as typeof this.checkPost;
    this.shared = x.memory.buffer instanceof SharedArrayBuffer;
  }

  get hasExtract(): boolean {
    return this.extractFn !== undefined;
  }
  get hasCheck(): boolean {
    return this.checkFn !== undefined;
  }

  extract(body: Bytes, headers: HeaderList, config: string): string | undefined {
    const c = this.config(config);
    const a = this.lower(body, headers, c);
    const ret = this.extractFn!(a.body, a.bodyLength, a.headers, a.count, a.config, c.length);
    this.refresh();
    const view = this.dv;
    let out: string | undefined;
    const tag = view.getUint8(ret);
    if (tag === 1) out = this.string(view.getUint32(ret + 4, true), view.getUint32(ret + 8, true));
    else if (tag !== 0) throw new TypeError("invalid variant discriminant for option");
    this.extractPost?.(ret);
    return out;
  }

  check(status: number, body: Bytes, headers: HeaderList, durationMs: number, config: string): { pass: boolean; detail: string } {
    const c = this.config(config);
    const a = this.lower(body, headers, c);
    const ret = this.checkFn!(BigInt(status), a.body, a.bodyLength, a.headers, a.count, durationMs, a.config, c.length);
    this.refresh();
    const view = this.dv;
    const pass = view.getUint8(ret) !== 0;
    const detail = this.string(view.getUint32(ret + 4, true), view.getUint32(ret + 8, true));
    this.checkPost?.(ret);
    return { pass, detail };
  }

  // views over the current memory buffer, remade only when memory.grow replaced it
  private u8 = new Uint8Array(0);
  private dv = new DataView(new ArrayBuffer(0));
  /** the same bytes as a Buffer, for latin1() */
  private bytes = Buffer.alloc(0);
  /** one call's header strings: where each starts in `scratch`, its byte length and its pointer in plugin memory */
  private readonly headerAt: number[] = [];
  private readonly headerLens: number[] = [];
  private readonly headerPtrs: number[] = [];
  /** all of one call's header names and values, UTF-8, back to back */
  private scratch = new Uint8Array(4096);
  private readonly args = { body: 0, bodyLength: 0, headers: 0, count: 0, config: 0 };

  /**
   * The views, after whatever may have grown the memory (an allocation, a call). memory.grow
   * detaches the old buffer of a non-shared memory, so an empty view means "look again" — one
   * length read instead of the `memory.buffer` getter on every call. (A shared memory's old
   * buffer is never detached: those are looked up every time.)
   */
  private refresh(): void {
    if (this.u8.length !== 0 && !this.shared) return;
    const b = this.memory.buffer;
    if (b !== this.u8.buffer) {
      this.u8 = new Uint8Array(b);
      this.dv = new DataView(b);
      this.bytes = Buffer.from(b);
    }
  }

  /**
   * Lowers the shared arguments: every list and string is its own `cabi_realloc` allocation
   * (the callee frees them one by one), made in canonical order — body, the header list, each
   * header's name and value, config. All allocations come first and the copies after, so the
   * memory (which an allocation may grow, replacing its buffer) is looked up once per call.
   */
  private lower(body: Bytes, headers: HeaderList, config: Uint8Array): DirectAbi["args"] {
    const realloc = this.realloc;
    const a = this.args;
    let n: number;
    let scratch: Uint8Array;
    if (Array.isArray(headers)) {
      n = headers.length;
      scratch = this.encodeHeaders(headers);
    } else {
      // an ASCII head is already its UTF-8: names and values are copied from its own bytes, with
      // nothing decoded, split or encoded; otherwise through the pairs
      const block = headers as HeaderBlock;
      n = headerRanges(block, this.headerAt, this.headerLens, true);
      if (n >= 0) scratch = block.bytes;
      else {
        const pairs = splitHeaderBlock(block);
        n = pairs.length;
        scratch = this.encodeHeaders(pairs);
      }
    }
    a.count = n;
    const bodyLength = (a.bodyLength = bytesLength(body));
    a.body = realloc(0, 0, 1, bodyLength);
    a.headers = realloc(0, 0, 4, n * 16);
    const at = this.headerAt;
    const lens = this.headerLens;
    const ptrs = this.headerPtrs;
    for (let i = 0; i < 2 * n; i++) ptrs[i] = realloc(0, 0, 1, lens[i]!);
    a.config = realloc(0, 0, 1, config.length);
    this.refresh();
    const u8 = this.u8;
    const view = this.dv;
    // a range is copied straight out of the buffer that holds it (a socket chunk): no view of it is made
    if (body instanceof Uint8Array) u8.set(body, a.body);
    else body.bytes.copy(u8, a.body, body.from, body.to);
    for (let i = 0; i < 2 * n; i++) {
      const ptr = ptrs[i]!;
      const from = at[i]!;
      const len = lens[i]!;
      for (let j = 0; j < len; j++) u8[ptr + j] = scratch[from + j]!;
      view.setUint32(a.headers + i * 8, ptr, true);
      view.setUint32(a.headers + i * 8 + 4, len, true);
    }
    copySmall(u8, config, a.config);
    return a;
  }

  /**
   * Encodes every header name and value into `scratch` and records where each one is. Header
   * strings are new substrings of each response's head; touching them one by one from JS
   * (hashing them into an encode cache, or reading their char codes) costs more than the rest
   * of the lowering, so they are joined into one string and encoded by one native call. When
   * that wrote one byte per character they were all ASCII and the offsets are the string
   * lengths; otherwise (rare) each is encoded on its own.
   */
  private encodeHeaders(headers: readonly (readonly [string, string])[]): Uint8Array {
    const n = 2 * headers.length;
    const at = this.headerAt;
    const lens = this.headerLens;
    let all = "";
    for (let i = 0; i < n; i++) all += headers[i >> 1]![i & 1]!;
    if (this.scratch.length < 3 * all.length) this.scratch = new Uint8Array(3 * all.length);
    const { written } = encoder.encodeInto(all, this.scratch);
    if (written === all.length) {
      let off = 0;
      for (let i = 0; i < n; i++) {
        const len = headers[i >> 1]![i & 1]!.length;
        at[i] = off;
        lens[i] = len;
        off += len;
      }
    } else {
      let off = 0;
      for (let i = 0; i < n; i++) {
        const { written: len } = encoder.encodeInto(headers[i >> 1]![i & 1]!, this.scratch.subarray(off));
        at[i] = off;
        lens[i] = len;
        off += len;
      }
    }
    return this.scratch;
  }

  private config(config: string): Uint8Array {
    let b = this.configBytes.get(config);
    if (b === undefined) {
      b = encoder.encode(config);
      if (this.configBytes.size < 64) this.configBytes.set(config, b);
    }
    return b;
  }

  /** A result string (views already refreshed); invalid UTF-8 throws, as the canonical ABI traps. */
  private string(ptr: number, len: number): string {
    const u8 = this.u8;
    if (ptr + len > u8.length) throw new RangeError("result string out of bounds"); // the canonical ABI traps
    if (len <= SHORT) {
      // short ASCII results (tokens, ids) skip the decoder and its subarray: half the cost
      let i = ptr;
      while (i < ptr + len && u8[i]! < 0x80) i++;
      if (i === ptr + len) return latin1(this.bytes, ptr, ptr + len);
    }
    return strict.decode(u8.subarray(ptr, ptr + len));
  }
}

/** Up to this many bytes a plain loop beats TypedArray.set's and TextDecoder's fixed cost. */
const SHORT = 32;

function copySmall(to: Uint8Array, from: Uint8Array, at: number): void {
  const n = from.length;
  if (n > SHORT) to.set(from, at);
  else for (let i = 0; i < n; i++) to[at + i] = from[i]!;
}
