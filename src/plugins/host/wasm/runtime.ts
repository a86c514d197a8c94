/**
 * One live WASM plugin in one thread: evaluates the transpiled JS once, compiles the (already
 * capped and instrumented) core modules once, and keeps one instance that every call of this
 * thread goes through. Each call runs under the deadline (the instrumented loops call `tick`);
 * a trap, timeout, exit, ungranted capability or invalid result fails that call with a
 * PluginCallError and the instance is dropped — the next call instantiates a fresh one. An
 * instance whose memory stays above the high-water mark after a call is recycled the same way
 * (memory never shrinks).
 *
 * A 0.2 component imports the host interface (host-api.ts), served to its core module directly;
 * its WASI imports are the sandbox's (sandbox.ts) with the entry's grants (grants.ts).
 */
import type { LogLevel } from "../../../util/logger.ts";
import { Logger } from "../../../util/logger.ts";
import type { MetricKind } from "../../../metrics/registry.ts";
import { Sink } from "../../../metrics/sink.ts";
import { DEADLINE_MODULE, DEADLINE_TICK, FUEL_PER_TICK } from "./deadline-rewrite.ts";
import { mib, PAGE } from "./memory-cap.ts";
import { GROW_FAILED } from "./grow-watch.ts";
import { coreClocks, PluginExit, sandboxImports, versionless } from "./sandbox.ts";
import { CapabilityDenied, type Grants } from "./grants.ts";
import { type CallVu, HostApi, HOST_INTERFACE } from "./host-api.ts";
import { HostCallError, PluginMetrics } from "./plugin-metrics.ts";
import { SharedStore } from "./shared-store.ts";
import type { HookPhaseName, WitExchange, WitRequest, WitRequestAction, WitResponse, WitResponseAction } from "./hook-types.ts";
import { type Bytes, wholeBytes } from "../../../protocols/byte-range.ts";
import { DirectAbi, headerPairs, type HeaderList, isMainInstance } from "./canonical-abi.ts";
import { HookAbi, isHookInstance, memoryOf } from "./hook-abi.ts";

/** Everything a thread needs to run a WASM plugin: plain data (and one shared buffer), posted to workers. */
export interface WasmPluginSpec {
  type: "wasm";
  /** the `plugins:` entry name (metric tag, messages) */
  name: string;
  kind: "extractor" | "assertion" | "hook";
  /** the contract the component was built for: wit/loadr.wit (0.1.0) or wit/0.2/loadr.wit (0.2.0) */
  wit: "0.1.0" | "0.2.0";
  /** what describe() said */
  info: PluginInfo;
  /** the hook phases it exports (kind `hook`) */
  exportedPhases: HookPhaseName[];
  /** the entry's `phase` and `priority` (kind `hook`): which exported phases run, and their order */
  hook?: { phases: HookPhaseName[]; priority: number };
  /** the entry's capability grants (grants.ts) */
  grants: Grants;
  /** the metrics its manifest declares under `[metrics]` */
  metrics: { name: string; kind: MetricKind }[];
  /** its shared data (shared-store.ts), one buffer for every thread; absent for 0.1 components */
  shared?: SharedArrayBuffer;
  /** transpiled JS (sync instantiation mode) */
  js: string;
  /** core modules after the memory cap and deadline rewrite */
  modules: Record<string, Uint8Array>;
  /** the merged config (manifest `[config]` + `plugins:` entry) */
  config: unknown;
  timeoutMs: number;
  memoryLimitBytes: number;
  logLevel: LogLevel;
}

export interface PluginInfo {
  name: string;
  version: string;
  kind: string;
  description: string;
}

export type PluginErrorKind = "trap" | "timeout" | "memory" | "exit" | "invalid" | "capability";

/** Every plugin_errors `error` value, in the order docs/plugins/wasm.md lists them. */
export const PLUGIN_ERROR_KINDS: readonly PluginErrorKind[] = ["trap", "timeout", "memory", "exit", "invalid", "capability"];

export class PluginCallError extends Error {
  constructor(
    readonly kind: PluginErrorKind,
    message: string,
  ) {
    super(message);
  }
}


interface Live {
  exports: Record<string, any>;
  memories: WebAssembly.Memory[];
  /** the plugin's own linear memory (its main module's), the one the limits watch */
  main: WebAssembly.Memory | undefined;
  /** the lean call path, when the main core instance exports our world directly */
  direct?: DirectAbi;
  /** the same for the hook interfaces */
  hooks?: HookAbi;
  /** each core module's "a memory.grow failed" flag (grow-watch.ts) */
  growFailed: WebAssembly.Global[];
}

/** captured output per call, per stream; the rest of a call's output is dropped */
const OUTPUT_CAP = 4096;

export class WasmRuntime {
  private readonly instantiate: (get: (n: string) => WebAssembly.Module, imports: unknown, core: unknown) => any;
  private readonly compiled = new Map<string, WebAssembly.Module>();
  private live: Live | undefined;
  private deadline = Infinity;
  /** tick found the deadline passed during the current call (its trap is a timeout) */
  private timedOut = false;
  private readonly highWater: number;
  private readonly nearCap: number;
  private readonly out: { 1: Uint8Array[]; 2: Uint8Array[] } = { 1: [], 2: [] };
  private outBytes = 0;
  private readonly log: Logger;
  /** instances created (the first one included) — tests and the bench read it */
  instances = 0;
  /** performance.now() when the latest call began (instantiation included): the deadline's
   *  base, and what the caller times the call from, so a call reads the clock once on entry */
  callStart = 0;
  /** one of the plugin's exports is running (the sandbox answers start-up code neutrally otherwise) */
  private inCall = false;
  /** the host interface of 0.2 components (its `vu` is the VU of the call in progress) */
  readonly host: HostApi;

  /** `sink`: where the metrics it records through the host API go (none: a sink of its own, read by nobody) */
  constructor(
    readonly spec: WasmPluginSpec,
    write?: (line: string) => void,
    sink: Sink = new Sink(),
  ) {
    this.instantiate = evaluate(spec.js);
    for (const [n, b] of Object.entries(spec.modules)) this.compiled.set(n, new WebAssembly.Module(b));
    // recycle above the high-water mark (memory never shrinks); a trap within 1 MiB of the cap is an out-of-memory
    this.highWater = highWaterOf(spec.memoryLimitBytes);
    this.nearCap = spec.memoryLimitBytes - 16 * PAGE;
    this.log = new Logger(spec.logLevel, write);
    this.host = new HostApi({
      name: spec.name,
      config: spec.config,
      log: this.log,
      metrics: new PluginMetrics(sink, spec.name, new Map(spec.metrics.map((m) => [m.name, m.kind])), this.log),
      shared: spec.shared && new SharedStore(spec.shared),
    });
  }

  describe(): PluginInfo {
    return this.call((x) => x["loadr:plugin/meta@0.1.0"]?.describe?.() ?? x.meta.describe());
  }

  extract(body: Bytes, headers: HeaderList, config: string): string | undefined {
    return this.call((x, d) => (d?.hasExtract ? d.extract(body, headers, config) : x.extractor.extract(wholeBytes(body), headerPairs(headers), config)));
  }

  check(status: number, body: Bytes, headers: HeaderList, durationMs: number, config: string): { pass: boolean; detail: string } {
    return this.call((x, d) =>
      d?.hasCheck
        ? d.check(status, body, headers, durationMs, config)
        : x.assertion.check(BigInt(status), wholeBytes(body), headerPairs(headers), durationMs, config),
    );
  }

  /** on-request: what to do with the request (`vu` is the VU the host's `vu`/`var-*` functions see). */
  onRequest(vu: CallVu | undefined, req: WitRequest): WitRequestAction {
    return this.withVu(vu, onRequestOf, req, undefined);
  }

  onResponse(vu: CallVu | undefined, req: WitRequest, res: WitResponse): WitResponseAction {
    return this.withVu(vu, onResponseOf, req, res);
  }

  onLog(vu: CallVu | undefined, exchange: WitExchange): void {
    this.withVu(vu, onLogOf, exchange, undefined);
  }

  // the op and its arguments apart: a hook runs on every request, and makes no closure per call
  private withVu<T, A, B>(vu: CallVu | undefined, f: CallOp<T, A, B>, a: A, b: B): T {
    this.host.vu = vu;
    try {
      return this.call(f, a, b);
    } finally {
      this.host.vu = undefined;
    }
  }

  /** The live instance's exports, instantiating when needed (load-time checks use it). */
  exports(): Record<string, any> {
    return (this.live ??= this.newInstance()).exports;
  }

  /** `<interface>#<function>` of every function its core modules import from outside (wasi:…, loadr:plugin/host…). */
  imports(): string[] {
    const out = new Set<string>();
    for (const m of this.compiled.values())
      for (const i of WebAssembly.Module.imports(m)) if (i.kind === "function" && i.module.includes(":") && i.module !== DEADLINE_MODULE) out.add(`${i.module}#${i.name}`);
    return [...out].sort();
  }

  /** The live instance's linear memory in bytes (0 before it exists): load.ts warns when a plugin starts near its cap. */
  memoryBytes(): number {
    return this.live?.main?.buffer.byteLength ?? 0;
  }

  private call<T, A = undefined, B = undefined>(f: CallOp<T, A, B>, a?: A, b?: B): T {
    let live = this.live;
    const start = (this.callStart = performance.now());
    this.timedOut = false;
    try {
      if (live === undefined) {
        live = this.live = this.newInstance();
        this.deadline = performance.now() + this.spec.timeoutMs; // instantiating is not the call's time
      } else this.deadline = start + this.spec.timeoutMs;
      this.inCall = true;
      const r = f(live.exports, live.direct, live.hooks, a as A, b as B);
      this.inCall = false;
      if (this.outBytes > 0) this.flushOutput();
      const mem = live.main;
      if (mem !== undefined && mem.buffer.byteLength > this.highWater) {
        this.log.debug(`plugin \`${this.spec.name}\`: memory at ${mem.buffer.byteLength >> 20} MiB after a call; recycling its instance`);
        this.live = undefined;
      }
      return r;
    } catch (e) {
      this.inCall = false;
      this.live = undefined;
      if (this.outBytes > 0) this.flushOutput();
      throw this.classify(e, live);
    } finally {
      this.deadline = Infinity;
    }
  }

  private newInstance(): Live {
    const memories: WebAssembly.Memory[] = [];
    const growFailed: WebAssembly.Global[] = [];
    let direct: DirectAbi | undefined;
    let hooks: HookAbi | undefined;
    let main: WebAssembly.Memory | undefined;
    const hostFns = this.host.functions();
    const stdio = {
      write: (fd: 1 | 2, bytes: Uint8Array) => {
        if (this.outBytes >= OUTPUT_CAP) return;
        const room = OUTPUT_CAP - this.outBytes;
        const b = bytes.length > room ? bytes.slice(0, room) : bytes.slice();
        this.out[fd].push(b);
        this.outBytes += b.length;
      },
    };
    // Past the deadline tick returns 0 and the instrumented code traps (`unreachable`): a trap,
    // unlike an exception thrown from here, cannot be caught by the plugin's own catch_all.
    const tick = () => {
      if (performance.now() <= this.deadline) return FUEL_PER_TICK;
      this.timedOut = true;
      return 0;
    };
    const caps = { grants: this.spec.grants, inCall: () => this.inCall };
    const instantiateCore = (module: WebAssembly.Module, imports?: Record<string, unknown>) => {
      // the host interface and the clocks are served to the module that imports them, in place
      // of jco's trampolines (each sets up a component-model task per call)
      const patched: Record<string, unknown> = { ...imports, [DEADLINE_MODULE]: { [DEADLINE_TICK]: tick } };
      const host = imports !== undefined && HOST_INTERFACE in imports;
      if (host) patched[HOST_INTERFACE] = hostFns;
      let memory: WebAssembly.Memory | undefined;
      const clocks = coreClocks(caps, () => memory);
      for (const [ns, fns] of Object.entries(imports ?? {})) {
        const iface = versionless(ns);
        if (iface === "wasi:clocks/monotonic-clock") patched[ns] = { ...(fns as object), now: clocks.monotonic };
        else if (iface === "wasi:clocks/wall-clock") patched[ns] = { ...(fns as object), now: clocks.wall };
      }
      const inst = new WebAssembly.Instance(module, patched as never);
      memory = memoryOf(inst.exports, imports);
      if (host) this.host.bind(inst.exports, memory);
      for (const v of Object.values(inst.exports)) if (v instanceof WebAssembly.Memory && !memories.includes(v)) memories.push(v);
      const grow = inst.exports[GROW_FAILED];
      if (grow instanceof WebAssembly.Global) growFailed.push(grow);
      if (direct === undefined && isMainInstance(inst.exports)) direct = new DirectAbi(inst.exports);
      if (hooks === undefined && isHookInstance(inst.exports)) {
        const mem = memoryOf(inst.exports, imports);
        if (mem !== undefined) hooks = new HookAbi(inst.exports, (main = mem));
      }
      if (main === undefined && isMainInstance(inst.exports)) main = inst.exports.memory;
      return inst;
    };
    this.deadline = performance.now() + Math.max(this.spec.timeoutMs, 1000); // _initialize runs here too
    try {
      const exports = this.instantiate((n) => this.compiled.get(n)!, sandboxImports(stdio, caps), instantiateCore);
      this.instances++;
      const lean = !process.env.LOADR_WASM_JCO_CALLS;
      // the plugin's memory: its main module's, else the largest (a helper module may export a small one)
      main ??= memories.reduce<WebAssembly.Memory | undefined>((a, m) => (a === undefined || m.buffer.byteLength > a.buffer.byteLength ? m : a), undefined);
      return { exports, memories, main, growFailed, direct: lean ? direct : undefined, hooks: lean ? hooks : undefined };
    } catch (e) {
      // start-up code that could not grow its memory under the cap: say so, not "unreachable"
      if (growFailed.some((g) => g.value !== 0))
        throw new PluginCallError("memory", `plugin \`${this.spec.name}\` ran out of memory while starting (memory_limit ${mib(this.spec.memoryLimitBytes)}); raise its \`memory_limit\``);
      throw e;
    } finally {
      this.deadline = Infinity;
    }
  }

  private classify(e: unknown, live: Live | undefined): PluginCallError {
    const who = `plugin \`${this.spec.name}\``;
    if (e instanceof PluginCallError) return e;
    if (this.timedOut) return new PluginCallError("timeout", `${who} timed out after ${this.spec.timeoutMs} ms`);
    if (e instanceof PluginExit) return new PluginCallError("exit", `${who} ${e.message}`);
    if (e instanceof CapabilityDenied) return new PluginCallError("capability", `${who} ${e.message}`);
    if (e instanceof HostCallError) return new PluginCallError("invalid", `${who}: ${e.message}`);
    // JSC appends the JS expression that was running, e.g. "(evaluating 'extractor010Extract(…)')"
    const msg = (e instanceof Error ? e.message : String(e)).replace(/ \(evaluating '.*'\)$/s, "");
    if (e instanceof TypeError && /decode|utf-?8|encoded data|invalid variant/i.test(msg)) {
      return new PluginCallError("invalid", `${who} returned invalid UTF-8`);
    }
    const mem = live?.main;
    if (live?.growFailed.some((g) => g.value !== 0) || (mem !== undefined && mem.buffer.byteLength >= this.nearCap)) {
      return new PluginCallError("memory", `${who} ran out of memory (memory_limit ${mib(this.spec.memoryLimitBytes)}): ${msg}`);
    }
    if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) return new PluginCallError("trap", `${who} trapped: ${msg}`);
    return new PluginCallError("invalid", `${who} failed: ${msg}`);
  }

  private flushOutput(): void {
    for (const fd of [1, 2] as const) {
      const parts = this.out[fd];
      if (parts.length === 0) continue;
      const text = new TextDecoder().decode(Buffer.concat(parts));
      parts.length = 0;
      const level = fd === 1 ? "info" : "warn";
      for (const line of text.split("\n")) if (line !== "") this.log.log(level, `plugin \`${this.spec.name}\` ${fd === 1 ? "stdout" : "stderr"}: ${line}`);
    }
    this.outBytes = 0;
  }
}

/** Memory above this after a call recycles the instance: 3/4 of the cap. */
export function highWaterOf(memoryLimitBytes: number): number {
  return Math.floor(memoryLimitBytes * 0.75);
}

/**
 * Turns the generated module text into its `instantiate` function without touching disk: the
 * two `export` keywords go, and strings coming out of the plugin are decoded strictly so
 * invalid UTF-8 fails the call (the canonical ABI says it must trap) instead of becoming U+FFFD.
 */
function evaluate(js: string): WasmRuntime["instantiate"] {
  const body = js
    .replace("export function instantiate(", "function instantiate(")
    .replace("export const _util", "const _util")
    .replace("const TEXT_DECODER_UTF8 = new TextDecoder();", 'const TEXT_DECODER_UTF8 = new TextDecoder("utf-8", { fatal: true });');
  return new Function(`${body}\nreturn instantiate;`)() as WasmRuntime["instantiate"];
}

/** A call into the live instance: its exports, the lean extract/check and hook paths when it has them, and up to two arguments. */
type CallOp<T, A, B> = (x: Record<string, any>, direct: DirectAbi | undefined, hooks: HookAbi | undefined, a: A, b: B) => T;

const onRequestOf: CallOp<WitRequestAction, WitRequest, undefined> = (x, _d, h, req) => (h?.hasOnRequest ? h.onRequest(req) : x.requestHook.onRequest(req));
const onResponseOf: CallOp<WitResponseAction, WitRequest, WitResponse> = (x, _d, h, req, res) =>
  h?.hasOnResponse ? h.onResponse(req, res) : x.responseHook.onResponse(req, res);
const onLogOf: CallOp<void, WitExchange, undefined> = (x, _d, h, e) => (h?.hasOnLog ? h.onLog(e) : x.logHook.onLog(e));
