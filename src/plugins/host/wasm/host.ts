/**
 * The WASM plugins of one worker thread: one runtime (one instance) per plugin, created at
 * worker init from the specs the coordinator resolved, plus the per-call metrics —
 * `plugin_call_duration{plugin,kind}` for every call and `plugin_errors{plugin,error}` for each
 * failed one. Extractors and conditions of type `plugin` find their plugin here through the kind
 * register.ts adds to the thread's extractor and condition registries.
 */
import type { Logger } from "../../../util/logger.ts";
import type { ResponseView } from "../../../extract/response-view.ts";
import type { Sink, TagSet } from "../../../metrics/sink.ts";
import { mergeConfig } from "../../store/merge-config.ts";
import { PluginCallError, type PluginErrorKind, WasmRuntime, type WasmPluginSpec } from "./runtime.ts";

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: string; kind: PluginErrorKind };

/** A plugin bound to the worker's sink: what `type: plugin` extractors and conditions call
 *  (it is both an ExtractorPlugin and an AssertionPlugin of src/extract/plugin.ts, src/checks/plugin.ts). */
export class MeteredPlugin {
  private readonly durationTags: TagSet;
  private readonly errorTags = new Map<PluginErrorKind, TagSet>();

  constructor(
    readonly runtime: WasmRuntime,
    private readonly sink: Sink,
  ) {
    const s = runtime.spec;
    this.durationTags = sink.tags({ plugin: s.name, kind: s.kind });
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
    return this.timed(() => this.runtime.extract(r.bodyRange?.() ?? r.body, r.headerBlock ?? r.headers, config));
  }

  check(r: ResponseView, config: string): CallResult<{ pass: boolean; detail: string }> {
    return this.timed(() => this.runtime.check(r.status, r.bodyRange?.() ?? r.body, r.headerBlock ?? r.headers, r.durationMs, config));
  }

  // the duration runs from the runtime's own clock read at the start of the call (one read fewer)
  private timed<T>(f: () => T): CallResult<T> {
    try {
      const value = f();
      this.sink.trend("plugin_call_duration", this.durationTags, performance.now() - this.runtime.callStart);
      return { ok: true, value };
    } catch (e) {
      this.sink.trend("plugin_call_duration", this.durationTags, performance.now() - this.runtime.callStart);
      const err = e instanceof PluginCallError ? e : new PluginCallError("invalid", `plugin \`${this.name}\` failed: ${(e as Error).message}`);
      let tags = this.errorTags.get(err.kind);
      if (tags === undefined) this.errorTags.set(err.kind, (tags = this.sink.tags({ plugin: this.name, error: err.kind })));
      this.sink.counter("plugin_errors", tags, 1);
      return { ok: false, error: err.message, kind: err.kind };
    }
  }
}

/** A thread's WASM plugins by `plugins:` entry name. */
export interface PluginLookup {
  get(name: string): MeteredPlugin | undefined;
}

export class WasmHost implements PluginLookup {
  private readonly plugins = new Map<string, MeteredPlugin>();

  /** `write`: where the plugins' own output lines go (the thread's log destination) */
  constructor(specs: readonly WasmPluginSpec[], sink: Sink, log: Logger, write: (line: string) => void = (line) => void process.stderr.write(line + "\n")) {
    for (const s of specs) {
      const rt = new WasmRuntime(s, write);
      rt.exports(); // instantiate now: worker init pays for it, not the first request
      this.plugins.set(s.name, new MeteredPlugin(rt, sink));
      log.debug(`plugin \`${s.name}\` (${s.kind}, ${s.info.name} ${s.info.version}) instantiated in this worker`);
    }
  }

  get(name: string): MeteredPlugin | undefined {
    return this.plugins.get(name);
  }
}

/** The plugin a `type: plugin` step names, of the right kind, or a clear compile-time error. */
export function pluginFor(plugins: PluginLookup | undefined, name: string, kind: WasmPluginSpec["kind"]): MeteredPlugin {
  const p = plugins?.get(name);
  if (!p) throw new Error(`plugin \`${name}\` is not loaded; add it to \`plugins:\` (a wasm ${kind})`);
  if (p.kind !== kind) throw new Error(`plugin \`${name}\` is \`${p.kind}\`, expected \`${kind}\``);
  return p;
}
