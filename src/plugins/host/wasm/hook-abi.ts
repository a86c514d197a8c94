/**
 * The lean call path of the hook interfaces of wit/0.2/loadr.wit, straight into the component's
 * main core instance (as canonical-abi.ts does for extract and check): jco's export wrappers cost
 * ~25 µs a call in a worker (a component-model task, closures, debug records), which a hook on
 * every request cannot pay. Layouts (wit-component's lowering, plugins/examples/wasm-c-common/
 * loadr_wasm_hook.h lists them):
 *
 *   on-request(name, protocol, method, url, headers, body: 6 × (ptr,len)) -> ret
 *     ret {u8 case @0; change: opt method @4, opt url @16, set-headers @28, remove-headers @36,
 *          opt body @44; respond: u16 status @4, headers @8, body @16}
 *   on-response(args) -> ret   args: request @0 (48 bytes), response @48: u16 status, headers @52,
 *          body @60, f64 duration @72, opt error @80, bool synthetic @92 (96 bytes, align 8)
 *     ret {opt fail @0, set-vars @12}
 *   on-log(args)               args: name @0, protocol @8, method @16, url @24, u16 status @32,
 *          f64 duration @40, f64 waiting @48, u64 sent @56, u64 received @64, bool failed @72,
 *          opt error @76, bool synthetic @88 (96 bytes, align 8)
 *
 * Every string and list is its own `cabi_realloc` allocation, which the callee frees (the C kit
 * serves them from an arena). Strings coming back are decoded strictly: invalid UTF-8 throws, as
 * the canonical ABI traps.
 */
import type { WitExchange, WitHeaders, WitRequest, WitRequestAction, WitResponse, WitResponseAction } from "./hook-types.ts";
import { latin1 } from "../../../protocols/header-block.ts";

const ON_REQUEST = "loadr:plugin/request-hook@0.2.0#on-request";
const ON_RESPONSE = "loadr:plugin/response-hook@0.2.0#on-response";
const ON_LOG = "loadr:plugin/log-hook@0.2.0#on-log";

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

type Realloc = (old: number, oldSize: number, align: number, size: number) => number;

/** The memory a core instance exports, or else the one it imports (a componentize-qjs module imports its memory). */
export function memoryOf(exports: Record<string, unknown>, imports: Record<string, unknown> | undefined): WebAssembly.Memory | undefined {
  if (exports.memory instanceof WebAssembly.Memory) return exports.memory;
  for (const ns of Object.values(imports ?? {}))
    if (ns !== null && typeof ns === "object") for (const v of Object.values(ns)) if (v instanceof WebAssembly.Memory) return v;
  return undefined;
}

/** Does this core instance export a hook (and have what lowering needs)? */
export function isHookInstance(x: Record<string, unknown>): boolean {
  return typeof x.cabi_realloc === "function" && (ON_REQUEST in x || ON_RESPONSE in x || ON_LOG in x);
}

export class HookAbi {
  private readonly realloc: Realloc;
  private readonly memory: WebAssembly.Memory;
  private readonly onRequestFn?: (...a: number[]) => number;
  private readonly onRequestPost?: (ret: number) => void;
  private readonly onResponseFn?: (args: number) => number;
  private readonly onResponsePost?: (ret: number) => void;
  private readonly onLogFn?: (args: number) => void;
  private readonly shared: boolean;
  private u8 = new Uint8Array(0);
  private dv = new DataView(new ArrayBuffer(0));
  /** the same bytes as a Buffer, for latin1() */
  private buf = Buffer.alloc(0);
  /** one call's strings, UTF-8, back to back, and where each starts and ends */
  private scratch = new Uint8Array(1024);
  private readonly at: number[] = [];
  private readonly len: number[] = [];
  private readonly ptr: number[] = [];
  /** the strings whose bytes `scratch`, `at` and `len` hold (a static step lowers the same ones every call) */
  private readonly last: string[] = [];
  /** the last short ASCII string lifted, per length */
  private readonly lifted: (string | undefined)[] = new Array(129).fill(undefined);

  constructor(x: Record<string, unknown>, memory: WebAssembly.Memory) {
    this.realloc = x.cabi_realloc as Realloc;
    this.memory = memory;
    this.onRequestFn = x[ON_REQUEST] as HookAbi["onRequestFn"];
    this.onRequestPost = x[`cabi_post_${ON_REQUEST}`] as HookAbi["onRequestPost"];
    this.onResponseFn = x[ON_RESPONSE] as HookAbi["onResponseFn"];
    this.onResponsePost = x[`cabi_post_${ON_RESPONSE}`] as HookAbi["onResponsePost"];
    this.onLogFn = x[ON_LOG] as HookAbi["onLogFn"];
    this.shared = this.memory.buffer instanceof SharedArrayBuffer;
  }

  get hasOnRequest(): boolean {
    return this.onRequestFn !== undefined;
  }
  get hasOnResponse(): boolean {
    return this.onResponseFn !== undefined;
  }
  get hasOnLog(): boolean {
    return this.onLogFn !== undefined;
  }

  onRequest(r: WitRequest): WitRequestAction {
    const s = this.strings([r.name, r.protocol, r.method, r.url], r.headers);
    const hdrs = this.headerList(4, r.headers.length);
    const body = this.bytes(r.body);
    const p = this.ptr;
    const l = this.len;
    const ret = this.onRequestFn!(p[0]!, l[0]!, p[1]!, l[1]!, p[2]!, l[2]!, p[3]!, l[3]!, hdrs, s - 4 >> 1, body, r.body.length);
    this.refresh();
    const dv = this.dv;
    let out: WitRequestAction;
    switch (dv.getUint8(ret)) {
      case 0:
        out = { tag: "proceed" };
        break;
      case 1:
        out = {
          tag: "change",
          val: {
            method: this.optString(ret + 4),
            url: this.optString(ret + 16),
            setHeaders: this.pairs(ret + 28),
            removeHeaders: this.stringList(ret + 36),
            body: dv.getUint8(ret + 44) === 0 ? undefined : this.byteList(ret + 48),
          },
        };
        break;
      case 2:
        out = { tag: "respond", val: { status: dv.getUint16(ret + 4, true), headers: this.pairs(ret + 8), body: this.byteList(ret + 16) } };
        break;
      default:
        throw new TypeError("invalid variant discriminant for request-action");
    }
    this.onRequestPost?.(ret);
    return out;
  }

  onResponse(req: WitRequest, res: WitResponse): WitResponseAction {
    const args = this.realloc(0, 0, 8, 96);
    this.requestAt(args, req);
    const n = this.strings(res.error === undefined ? [] : [res.error], res.headers);
    const hdrs = this.headerList(n - 2 * res.headers.length, res.headers.length);
    const body = this.bytes(res.body);
    this.refresh();
    const dv = this.dv;
    dv.setUint16(args + 48, res.status, true);
    dv.setUint32(args + 52, hdrs, true);
    dv.setUint32(args + 56, res.headers.length, true);
    dv.setUint32(args + 60, body, true);
    dv.setUint32(args + 64, res.body.length, true);
    dv.setFloat64(args + 72, res.durationMs, true);
    dv.setUint8(args + 80, res.error === undefined ? 0 : 1);
    dv.setUint32(args + 84, res.error === undefined ? 0 : this.ptr[0]!, true);
    dv.setUint32(args + 88, res.error === undefined ? 0 : this.len[0]!, true);
    dv.setUint8(args + 92, res.synthetic ? 1 : 0);
    const ret = this.onResponseFn!(args);
    this.refresh();
    const out = { fail: this.optString(ret), setVars: this.pairs(ret + 12) };
    this.onResponsePost?.(ret);
    return out;
  }

  onLog(x: WitExchange): void {
    const args = this.realloc(0, 0, 8, 96);
    this.strings(x.error === undefined ? [x.name, x.protocol, x.method, x.url] : [x.name, x.protocol, x.method, x.url, x.error], []);
    this.refresh();
    const dv = this.dv;
    for (let i = 0; i < 4; i++) {
      dv.setUint32(args + i * 8, this.ptr[i]!, true);
      dv.setUint32(args + i * 8 + 4, this.len[i]!, true);
    }
    dv.setUint16(args + 32, x.status, true);
    dv.setFloat64(args + 40, x.durationMs, true);
    dv.setFloat64(args + 48, x.waitingMs, true);
    dv.setBigUint64(args + 56, x.bytesSent, true);
    dv.setBigUint64(args + 64, x.bytesReceived, true);
    dv.setUint8(args + 72, x.failed ? 1 : 0);
    dv.setUint8(args + 76, x.error === undefined ? 0 : 1);
    dv.setUint32(args + 80, x.error === undefined ? 0 : this.ptr[4]!, true);
    dv.setUint32(args + 84, x.error === undefined ? 0 : this.len[4]!, true);
    dv.setUint8(args + 88, x.synthetic ? 1 : 0);
    this.onLogFn!(args);
  }

  // ---- lowering ----

  /** A request record (6 × (ptr,len)) at `at`. */
  private requestAt(at: number, r: WitRequest): void {
    const n = this.strings([r.name, r.protocol, r.method, r.url], r.headers);
    const hdrs = this.headerList(4, r.headers.length);
    const body = this.bytes(r.body);
    this.refresh();
    const dv = this.dv;
    for (let i = 0; i < 4; i++) {
      dv.setUint32(at + i * 8, this.ptr[i]!, true);
      dv.setUint32(at + i * 8 + 4, this.len[i]!, true);
    }
    dv.setUint32(at + 32, hdrs, true);
    dv.setUint32(at + 36, (n - 4) >> 1, true);
    dv.setUint32(at + 40, body, true);
    dv.setUint32(at + 44, r.body.length, true);
  }

  /**
   * Allocates and copies `first`, then every header name and value, as strings of the plugin's;
   * their pointers and lengths land in `ptr` / `len` in that order. Returns how many. All are
   * encoded by one native call into the scratch (one string joined: the common all-ASCII case
   * needs no second pass); the allocations come before the copies, so memory is looked up once.
   */
  private strings(first: readonly string[], headers: WitHeaders): number {
    const n = first.length + 2 * headers.length;
    const at = this.at;
    const len = this.len;
    const last = this.last;
    const piece = (i: number) => (i < first.length ? first[i]! : headers[(i - first.length) >> 1]![(i - first.length) & 1]!);
    // the same strings as the call before (compared by ===: the prepared request's own strings,
    // so mostly one pointer compare each): their bytes are in scratch already
    let same = last.length === n;
    for (let i = 0; same && i < n; i++) same = piece(i) === last[i];
    if (!same) {
      let all = "";
      for (const s of first) all += s;
      for (const [k, v] of headers) all += k + v;
      if (this.scratch.length < 3 * all.length) this.scratch = new Uint8Array(3 * all.length);
      const { written } = encoder.encodeInto(all, this.scratch);
      let off = 0;
      if (written === all.length) {
        for (let i = 0; i < n; i++) {
          at[i] = off;
          off += len[i] = piece(i).length;
        }
      } else {
        for (let i = 0; i < n; i++) {
          at[i] = off;
          off += len[i] = encoder.encodeInto(piece(i), this.scratch.subarray(off)).written;
        }
      }
      last.length = n;
      for (let i = 0; i < n; i++) last[i] = piece(i);
    }
    const ptr = this.ptr;
    const realloc = this.realloc;
    for (let i = 0; i < n; i++) ptr[i] = realloc(0, 0, 1, len[i]!);
    this.refresh();
    const u8 = this.u8;
    const scratch = this.scratch;
    for (let i = 0; i < n; i++) {
      const p = ptr[i]!;
      const from = at[i]!;
      const l = len[i]!;
      if (l > 32) u8.set(scratch.subarray(from, from + l), p);
      else for (let j = 0; j < l; j++) u8[p + j] = scratch[from + j]!;
    }
    return n;
  }

  /** The list of `count` (name, value) pairs whose strings start at `ptr[from]`: its address. */
  private headerList(from: number, count: number): number {
    const list = this.realloc(0, 0, 4, count * 16);
    this.refresh();
    const dv = this.dv;
    for (let i = 0; i < 2 * count; i++) {
      dv.setUint32(list + i * 8, this.ptr[from + i]!, true);
      dv.setUint32(list + i * 8 + 4, this.len[from + i]!, true);
    }
    return list;
  }

  private bytes(b: Uint8Array): number {
    const p = this.realloc(0, 0, 1, b.length);
    this.refresh();
    if (b.length > 32) this.u8.set(b, p);
    else for (let i = 0; i < b.length; i++) this.u8[p + i] = b[i]!;
    return p;
  }

  // ---- lifting ----

  /** Views of the current buffer; memory.grow detaches a non-shared memory's old one (length 0: look again). */
  private refresh(): void {
    if (this.u8.length !== 0 && !this.shared) return;
    const b = this.memory.buffer;
    this.u8 = new Uint8Array(b);
    this.dv = new DataView(b);
    this.buf = Buffer.from(b);
  }

  private string(ptr: number, len: number): string {
    const u8 = this.u8;
    if (ptr + len > u8.length) throw new RangeError("result string out of bounds"); // the canonical ABI traps
    if (len <= 128) {
      // short ASCII results (header names, signatures) skip the decoder and its subarray; one
      // returned before with this length and these bytes (a header name, every call) is reused
      const was = this.lifted[len];
      let same = was !== undefined;
      let i = ptr;
      for (; i < ptr + len; i++) {
        const c = u8[i]!;
        if (c >= 0x80) break;
        if (same && was!.charCodeAt(i - ptr) !== c) same = false;
      }
      if (i === ptr + len) return same ? was! : (this.lifted[len] = latin1(this.buf, ptr, ptr + len));
    }
    return strict.decode(u8.subarray(ptr, ptr + len));
  }

  /** option<string> at `at`: {u8 some, ptr @+4, len @+8} */
  private optString(at: number): string | undefined {
    const dv = this.dv;
    return dv.getUint8(at) === 0 ? undefined : this.string(dv.getUint32(at + 4, true), dv.getUint32(at + 8, true));
  }

  /** list<u8> at `at`, copied out */
  private byteList(at: number): Uint8Array {
    const p = this.dv.getUint32(at, true);
    const n = this.dv.getUint32(at + 4, true);
    if (p + n > this.u8.length) throw new RangeError("result list out of bounds");
    return this.u8.slice(p, p + n);
  }

  /** list<tuple<string, string>> at `at` */
  private pairs(at: number): WitHeaders {
    const dv = this.dv;
    const base = dv.getUint32(at, true);
    const n = dv.getUint32(at + 4, true);
    const out: WitHeaders = [];
    for (let i = 0; i < n; i++) {
      const e = base + i * 16;
      out.push([this.string(dv.getUint32(e, true), dv.getUint32(e + 4, true)), this.string(dv.getUint32(e + 8, true), dv.getUint32(e + 12, true))]);
    }
    return out;
  }

  /** list<string> at `at` */
  private stringList(at: number): string[] {
    const dv = this.dv;
    const base = dv.getUint32(at, true);
    const n = dv.getUint32(at + 4, true);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.string(dv.getUint32(base + i * 8, true), dv.getUint32(base + i * 8 + 4, true)));
    return out;
  }
}
