/**
 * The WASM plugins of one worker thread: one runtime (one instance) per plugin, created at
 * worker init from the specs the coordinator resolved, plus the per-call metrics —
 * `plugin_call_duration{plugin,kind,phase}` for every call and `plugin_errors{plugin,error,phase}`
 * for each failed one (phase: `extract`, `check`, or the hook's `on-request`, `on-response`,
 * `on-log`, as Loom's loom_plugin_duration_seconds{plugin,phase}). Extractors and conditions of
 * type `plugin` find their plugin here through the kind register.ts adds to the thread's extractor
 * and condition registries; hooks enter the thread's request hooks through hook-adapter.ts.
 */
import type { Logger } from "../../../util/logger.ts";
import type { ResponseView } from "../../../extract/response-view.ts";
import type { Sink, TagSet } from "../../../metrics/sink.ts";
import { mergeConfig } from "../../store/merge-config.ts";
import type { CallVu } from "./host-api.ts";
import type { HookPhaseName, WitExchange, WitRequest, WitRequestAction, WitResponse, WitResponseAction } from "./hook-types.ts";
import { PluginCallError, type PluginErrorKind, WasmRuntime, type WasmPluginSpec } from "./runtime.ts";

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: string; kind: PluginErrorKind };

/** The `phase` tag of a call. */
export type CallPhase = "extract" | "check" | HookPhaseName;

/** A plugin bound to the worker's sink: what `type: plugin` extractors and conditions call
 *  (it is both an ExtractorPlugin and an AssertionPlugin of src/extract/plugin.ts, src/checks/plugin.ts),
 *  and what a hook calls. */
export class MeteredPlugin {
  /** per phase: the duration tag set, and the error tag set per error kind */
  private readonly tagsOf = new Map<CallPhase, { duration: TagSet; errors: Map<PluginErrorKind, TagSet> }>();

  constructor(
    readonly runtime: WasmRuntime,
    private readonly sink: Sink,
  ) {}

  private phaseTags(phase: CallPhase) {
    let t = this.tagsOf.get(phase);
    if (t === undefined) this.tagsOf.set(phase, (t = { duration: this.sink.tags({ plugin: this.name, kind: this.kind, phase }), errors: new Map() }));
    return t;
  }

  get name(): string {
    return this.runtime.spec.name;
  }
  get kind(): WasmPluginSpec["kind"] {
    return this.runtime.spec.kind;
  }

  /** The JSON text passed to every call: plugin config, shallow-merged with the step's (once, at compile time). */
  configJson(stepConfig: unknown): string {
    return JSON.stringify(mergeConfig(this.runtime.spec.config, stepConfig) ?? {});
  }

  extract(r: ResponseView, config: string): CallResult<string | undefined> {
    // body and headers as received when the response kept them: lowered from their bytes, with no
    // copy of the body nor header pairs made first
    return this.timed("extract", () => this.runtime.extract(r.bodyRange?.() ?? r.body, r.headerBlock ?? r.headers, config));
  }

  check(r: ResponseView, config: string): CallResult<{ pass: boolean; detail: string }> {
    return this.timed("check", () => this.runtime.check(r.status, r.bodyRange?.() ?? r.body, r.headerBlock ?? r.headers, r.durationMs, config));
  }

  onRequest(vu: CallVu, req: WitRequest): CallResult<WitRequestAction> {
    // the hooks call without a closure (timed's): one runs on every request
    try {
      return this.done("on-request", this.runtime.onRequest(vu, req));
    } catch (e) {
      return this.failed("on-request", e);
    }
  }

  onResponse(vu: CallVu, req: WitRequest, res: WitResponse): CallResult<WitResponseAction> {
    try {
      return this.done("on-response", this.runtime.onResponse(vu, req, res));
    } catch (e) {
      return this.failed("on-response", e);
    }
  }

  onLog(vu: CallVu, x: WitExchange): CallResult<void> {
    try {
      return this.done("on-log", this.runtime.onLog(vu, x));
    } catch (e) {
      return this.failed("on-log", e);
    }
  }

  /** A call that returned something loadr cannot use (an invalid request from a hook): one plugin_errors of kind `invalid`. */
  invalid(phase: CallPhase, message: string): string {
    this.countError(phase, "invalid");
    return `plugin \`${this.name}\` returned ${message}`;
  }

  // the duration runs from the runtime's own clock read at the start of the call (one read fewer)
  private timed<T>(phase: CallPhase, f: () => T): CallResult<T> {
    try {
      return this.done(phase, f());
    } catch (e) {
      return this.failed(phase, e);
    }
  }

  private done<T>(phase: CallPhase, value: T): CallResult<T> {
    this.sink.trend("plugin_call_duration", this.phaseTags(phase).duration, performance.now() - this.runtime.callStart);
    return { ok: true, value };
  }

  private failed(phase: CallPhase, e: unknown): CallResult<never> {
    this.sink.trend("plugin_call_duration", this.phaseTags(phase).duration, performance.now() - this.runtime.callStart);
    const err = e instanceof PluginCallError ? e : new PluginCallError("invalid", `plugin \`${this.name}\` failed: ${(e as Error).message}`);
    this.countError(phase, err.kind);
    return { ok: false, error: err.message, kind: err.kind };
  }

  private countError(phase: CallPhase, kind: PluginErrorKind): void {
    const t = this.phaseTags(phase);
    let tags = t.errors.get(kind);
    if (tags === undefined) t.errors.set(kind, (tags = this.sink.tags({ plugin: this.name, error: kind, phase })));
    this.sink.counter("plugin_errors", tags, 1);
  }
}

/** A thread's WASM plugins by `plugins:` entry name. */
export interface PluginLookup {
  get(name: string): MeteredPlugin | undefined;
}

type CallKind = Exclude<WasmPluginSpec["kind"], "hook">;

export class WasmHost implements PluginLookup {
  private readonly plugins = new Map<string, MeteredPlugin>();

  /** `write`: where the plugins' own output lines go (the thread's log destination) */
  constructor(specs: readonly WasmPluginSpec[], sink: Sink, log: Logger, write: (line: string) => void = (line) => void process.stderr.write(line + "\n")) {
    for (const s of specs) {
      const rt = new WasmRuntime(s, write, sink);
      rt.exports(); // instantiate now: worker init pays for it, not the first request
      this.plugins.set(s.name, new MeteredPlugin(rt, sink));
      log.debug(`plugin \`${s.name}\` (${s.kind}, ${s.info.name} ${s.info.version}) instantiated in this worker`);
    }
  }

  get(name: string): MeteredPlugin | undefined {
    return this.plugins.get(name);
  }

  /** Every hook plugin, in plan order. */
  hooks(): MeteredPlugin[] {
    return [...this.plugins.values()].filter((p) => p.kind === "hook");
  }
}

/** The plugin a `type: plugin` step names, of the right kind, or a clear compile-time error. */
export function pluginFor(plugins: PluginLookup | undefined, name: string, kind: CallKind): MeteredPlugin {
  const p = plugins?.get(name);
  if (!p) throw new Error(`plugin \`${name}\` is not loaded; add it to \`plugins:\` (a wasm ${kind})`);
  if (p.kind !== kind) throw new Error(`plugin \`${name}\` is \`${p.kind}\`, expected \`${kind}\``);
  return p;
}
