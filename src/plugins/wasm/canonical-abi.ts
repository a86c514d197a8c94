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
const EXTRACT = "loadr:plugin/extractor@0.1.0#extract";
const CHECK = "loadr:plugin/assertion@0.1.0#check";
const DESCRIBE = "loadr:plugin/meta@0.1.0#describe";

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

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
  /** configs are the same few strings on every call: encode each once */
  private readonly configBytes = new Map<string, Uint8Array>();

  constructor(x: CoreExports) {
    this.realloc = x.cabi_realloc;
    this.memory = x.memory;
    this.extractFn = x[EXTRACT] as typeof this.extractFn;
    this.extractPost = x[`cabi_post_${EXTRACT}`] as typeof this.extractPost;
    this.checkFn = x[CHECK] as typeof this.checkFn;
    this.checkPost = x[`cabi_post_${CHECK}`] as typeof this.checkPost;
  }

  get hasExtract(): boolean {
    return this.extractFn !== undefined;
  }
  get hasCheck(): boolean {
    return this.checkFn !== undefined;
  }

  extract(body: Uint8Array, headers: readonly (readonly [string, string])[], config: string): string | undefined {
    const b = this.bytes(body);
    const h = this.headers(headers);
    const c = this.bytes(this.config(config));
    const ret = this.extractFn!(b, body.length, h, headers.length, c, this.lastLen);
    const view = this.view();
    let out: string | undefined;
    const tag = view.getUint8(ret);
    if (tag === 1) out = this.string(view.getUint32(ret + 4, true), view.getUint32(ret + 8, true));
    else if (tag !== 0) throw new TypeError("invalid variant discriminant for option");
    this.extractPost?.(ret);
    return out;
  }

  check(status: number, body: Uint8Array, headers: readonly (readonly [string, string])[], durationMs: number, config: string): { pass: boolean; detail: string } {
    const b = this.bytes(body);
    const h = this.headers(headers);
    const c = this.bytes(this.config(config));
    const ret = this.checkFn!(BigInt(status), b, body.length, h, headers.length, durationMs, c, this.lastLen);
    const view = this.view();
    const pass = view.getUint8(ret) !== 0;
    const detail = this.string(view.getUint32(ret + 4, true), view.getUint32(ret + 8, true));
    this.checkPost?.(ret);
    return { pass, detail };
  }

  private lastLen = 0;
  // views over the current memory buffer, remade only when memory.grow replaced it
  private buf: ArrayBuffer | undefined;
  private u8 = new Uint8Array(0);
  private dv = new DataView(new ArrayBuffer(0));
  /** header names and values repeat from response to response: encode each once */
  private readonly headerBytes = new Map<string, Uint8Array>();

  private refresh(): void {
    const b = this.memory.buffer;
    if (b !== this.buf) {
      this.buf = b;
      this.u8 = new Uint8Array(b);
      this.dv = new DataView(b);
    }
  }

  private view(): DataView {
    this.refresh();
    return this.dv;
  }

  /** Copies bytes into plugin memory; returns the pointer (length in lastLen). */
  private bytes(src: Uint8Array): number {
    const ptr = this.realloc(0, 0, 1, src.length);
    this.refresh();
    this.u8.set(src, ptr);
    this.lastLen = src.length;
    return ptr;
  }

  private encoded(s: string): Uint8Array {
    let b = this.headerBytes.get(s);
    if (b === undefined) {
      b = encoder.encode(s);
      if (this.headerBytes.size >= 1024) this.headerBytes.clear(); // dates and ids never repeat
      this.headerBytes.set(s, b);
    }
    return b;
  }

  private headers(headers: readonly (readonly [string, string])[]): number {
    const n = headers.length;
    const base = this.realloc(0, 0, 4, n * 16);
    for (let i = 0; i < n; i++) {
      const [k, v] = headers[i]!;
      const kp = this.bytes(this.encoded(k));
      const kl = this.lastLen;
      const vp = this.bytes(this.encoded(v));
      const vl = this.lastLen;
      // after the allocations: memory may have grown and replaced the buffer
      const view = this.view();
      const at = base + i * 16;
      view.setUint32(at, kp, true);
      view.setUint32(at + 4, kl, true);
      view.setUint32(at + 8, vp, true);
      view.setUint32(at + 12, vl, true);
    }
    return base;
  }

  private config(config: string): Uint8Array {
    let b = this.configBytes.get(config);
    if (b === undefined) {
      b = encoder.encode(config);
      if (this.configBytes.size < 64) this.configBytes.set(config, b);
    }
    return b;
  }

  private string(ptr: number, len: number): string {
    this.refresh();
    return strict.decode(this.u8.subarray(ptr, ptr + len));
  }
}
