/**
 * The host interface of wit/0.2/loadr.wit (`loadr:plugin/host@0.2.0`), served at the core-wasm
 * level: the runtime hands these functions to the core module that imports them (runtime.ts
 * instantiateCore), in place of jco's generated trampolines, which set up a component-model task
 * and several closures on every call. Arguments are read straight from the plugin's memory and
 * results written into its return areas (memory allocated with its `cabi_realloc`), as
 * wit-component lowers these signatures (plugins/examples/wasm-c-common/loadr_wasm_host.h lists
 * them). A shared-data `get` of a small value costs a lock and two short copies.
 *
 * Misuse (a bad metric name, invalid UTF-8 in a string) throws HostCallError: the plugin call
 * fails, counted in `plugin_errors`.
 */
import type { Logger, LogLevel } from "../../../util/logger.ts";
import type { MetricKind } from "../../../metrics/registry.ts";
import { HostCallError, type PluginMetrics } from "./plugin-metrics.ts";
import { SharedStoreError, type SharedStore } from "./shared-store.ts";

export const HOST_INTERFACE = "loadr:plugin/host@0.2.0";

/** What the host functions need of the VU a call runs for (the engine's Vu has it). */
export interface CallVu {
  readonly id: number;
  readonly iteration: number;
  readonly vars: Map<string, unknown>;
  readonly rt: { readonly name: string };
}

/** A log budget per plugin instance: a burst, refilled at a steady rate. */
export const LOG_RATE = { perSecond: 10, burst: 20 } as const;

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];
const strict = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

export interface HostServices {
  /** the `plugins:` entry name */
  name: string;
  /** the merged config object: `config(key)` answers its top-level keys as JSON */
  config: unknown;
  log: Logger;
  metrics: PluginMetrics;
  /** absent when the plugin has no shared data (a 0.1 component never asks) */
  shared?: SharedStore;
}

export class HostApi {
  /** the VU of the call in progress (hooks set it around their calls) */
  vu: CallVu | undefined;
  private memory: WebAssembly.Memory | undefined;
  private realloc: ((old: number, oldSize: number, align: number, size: number) => number) | undefined;
  private u8 = new Uint8Array(0);
  private dv = new DataView(new ArrayBuffer(0));
  private readonly configJson = new Map<string, Uint8Array>();
  private tokens: number = LOG_RATE.burst;
  private refilled = performance.now();
  private dropped = 0;

  constructor(private readonly s: HostServices) {
    const c = s.config;
    if (c !== null && typeof c === "object" && !Array.isArray(c))
      for (const [k, v] of Object.entries(c)) if (v !== undefined) this.configJson.set(k, encoder.encode(JSON.stringify(v)));
  }

  /** The instance's memory and allocator (its main core module's exports), once it exists. */
  bind(exports: Record<string, unknown>, memory: WebAssembly.Memory | undefined): void {
    this.memory = memory;
    this.realloc = typeof exports.cabi_realloc === "function" ? (exports.cabi_realloc as HostApi["realloc"]) : undefined;
    this.u8 = new Uint8Array(0);
  }

  /** The core functions, by the names the module imports them under. */
  functions(): Record<string, (...a: any[]) => unknown> {
    const metric = (kind: MetricKind) => (np: number, nl: number, value: number, tp: number, tc: number) => this.metric(kind, np, nl, value, tp, tc);
    return {
      log: (level: number, p: number, n: number) => this.logLine(level, p, n),
      config: (kp: number, kl: number, ret: number) => this.putOptBytes(ret, this.configJson.get(this.str(kp, kl))),
      "counter-add": metric("counter"),
      "trend-add": metric("trend"),
      "gauge-set": metric("gauge"),
      "rate-add": (np: number, nl: number, pass: number, tp: number, tc: number) => this.metric("rate", np, nl, pass, tp, tc),
      "shared-get": (kp: number, kl: number, ret: number) => this.sharedGet(kp, kl, ret),
      "shared-set": (kp: number, kl: number, vp: number, vl: number, ret: number) => this.sharedPut(kp, kl, vp, vl, undefined, ret),
      "shared-compare-and-swap": (kp: number, kl: number, vp: number, vl: number, version: bigint, ret: number) =>
        this.sharedPut(kp, kl, vp, vl, BigInt.asUintN(64, version), ret),
      vu: (ret: number) => this.vuContext(ret),
      "var-get": (np: number, nl: number, ret: number) => {
        const v = this.vu?.vars.get(this.str(np, nl));
        this.putOptBytes(ret, v === undefined ? undefined : encoder.encode(typeof v === "string" ? v : JSON.stringify(v) ?? String(v)));
      },
      "var-set": (np: number, nl: number, vp: number, vl: number) => {
        this.vu?.vars.set(this.str(np, nl), this.str(vp, vl));
      },
    };
  }

  // ---- memory ----

  /** Views of the current buffer, remade only when memory.grow replaced it (a detached buffer has length 0). */
  private view(): Uint8Array {
    if (this.u8.length === 0 || this.u8.buffer !== this.memory!.buffer) {
      const b = this.memory!.buffer;
      this.u8 = new Uint8Array(b);
      this.dv = new DataView(b);
    }
    return this.u8;
  }

  private str(p: number, n: number): string {
    const u8 = this.view();
    if (p + n > u8.length) throw new HostCallError("a host call's string is out of bounds");
    try {
      return strict.decode(u8.subarray(p, p + n));
    } catch {
      throw new HostCallError("a host call's string is not valid UTF-8");
    }
  }

  /** Copies bytes into a new allocation of the plugin's; its address. */
  private alloc(bytes: Uint8Array, length = bytes.length): number {
    const ptr = this.realloc!(0, 0, 1, length);
    const u8 = this.view();
    if (length <= 32) for (let i = 0; i < length; i++) u8[ptr + i] = bytes[i]!;
    else u8.set(bytes.subarray(0, length), ptr);
    return ptr;
  }

  /** option<string> / option<list<u8>> at `ret`: {u8 some @0, ptr @4, len @8} */
  private putOptBytes(ret: number, bytes: Uint8Array | undefined, length = bytes?.length ?? 0): void {
    if (bytes === undefined) {
      this.view()[ret] = 0;
      return;
    }
    const ptr = this.alloc(bytes, length);
    this.view();
    const dv = this.dv;
    dv.setUint8(ret, 1);
    dv.setUint32(ret + 4, ptr, true);
    dv.setUint32(ret + 8, length, true);
  }

  // ---- the functions ----

  private logLine(level: number, p: number, n: number): void {
    const lvl = LEVELS[level] ?? "info";
    if (!this.s.log.enabled(lvl)) return;
    const now = performance.now();
    this.tokens = Math.min(LOG_RATE.burst, this.tokens + ((now - this.refilled) / 1000) * LOG_RATE.perSecond);
    this.refilled = now;
    if (this.tokens < 1) {
      this.dropped++;
      return;
    }
    this.tokens--;
    if (this.dropped > 0) {
      this.s.log.log("warn", `plugin \`${this.s.name}\`: ${this.dropped} log line(s) dropped (more than ${LOG_RATE.perSecond} a second)`);
      this.dropped = 0;
    }
    this.s.log.log(lvl, `plugin \`${this.s.name}\`: ${this.str(p, n)}`);
  }

  private metric(kind: MetricKind, np: number, nl: number, value: number, tp: number, tc: number): void {
    const name = this.str(np, nl);
    const tags: [string, string][] = [];
    if (tc > 0) {
      this.view();
      for (let i = 0; i < tc; i++) {
        const at = tp + i * 16;
        tags.push([this.str(this.dv.getUint32(at, true), this.dv.getUint32(at + 4, true)), this.str(this.dv.getUint32(at + 8, true), this.dv.getUint32(at + 12, true))]);
        this.view();
      }
    }
    try {
      this.s.metrics.record(kind, name, value, tags);
    } catch (e) {
      throw e instanceof HostCallError ? e : new HostCallError((e as Error).message);
    }
  }

  private store(): SharedStore {
    if (this.s.shared === undefined) throw new HostCallError("shared data is not available to this plugin");
    return this.s.shared;
  }

  /** ret: option<shared-entry> = {u8 some @0, value ptr @8, len @12, u64 version @16} */
  private sharedGet(kp: number, kl: number, ret: number): void {
    const u8 = this.view();
    if (kp + kl > u8.length) throw new HostCallError("a host call's string is out of bounds");
    const got = this.store().getInto(u8, kp, kl);
    if (got === undefined) {
      u8[ret] = 0;
      return;
    }
    const ptr = this.alloc(got.bytes, got.length);
    this.view();
    const dv = this.dv;
    dv.setUint8(ret, 1);
    dv.setUint32(ret + 8, ptr, true);
    dv.setUint32(ret + 12, got.length, true);
    dv.setBigUint64(ret + 16, got.version, true);
  }

  /** ret: result<u64, shared-error> = {u8 err @0, ok u64 @8 | err {u8 case @8, u64 conflict @16}} */
  private sharedPut(kp: number, kl: number, vp: number, vl: number, expected: bigint | undefined, ret: number): void {
    const u8 = this.view();
    if (kp + kl > u8.length || vp + vl > u8.length) throw new HostCallError("a host call's argument is out of bounds");
    try {
      const version = this.store().putFrom(u8, kp, kl, u8, vp, vl, expected);
      this.dv.setUint8(ret, 0);
      this.dv.setBigUint64(ret + 8, version, true);
    } catch (e) {
      if (!(e instanceof SharedStoreError)) throw e;
      const dv = this.dv;
      dv.setUint8(ret, 1);
      const err = e.error;
      dv.setUint8(ret + 8, err.tag === "too-large" ? 0 : err.tag === "full" ? 1 : 2);
      if (err.tag === "conflict") dv.setBigUint64(ret + 16, err.val, true);
    }
  }

  /** ret: option<vu-context> = {u8 some @0, u32 vu @8, u64 iteration @16, scenario ptr @24, len @28} */
  private vuContext(ret: number): void {
    const vu = this.vu;
    if (vu === undefined) {
      this.view()[ret] = 0;
      return;
    }
    const scenario = encoder.encode(vu.rt.name);
    const ptr = this.alloc(scenario);
    this.view();
    const dv = this.dv;
    dv.setUint8(ret, 1);
    dv.setUint32(ret + 8, vu.id, true);
    dv.setBigUint64(ret + 16, BigInt(Math.max(0, vu.iteration)), true);
    dv.setUint32(ret + 24, ptr, true);
    dv.setUint32(ret + 28, scenario.length, true);
  }
}
