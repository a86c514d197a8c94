/**
 * `extract: - { type: plugin, name: <var>, plugin: <entry>, config?, default? }`: a WASM
 * extractor plugin's `extract()` over the response. Its config (plugin config merged with the
 * step's) is serialised once here, not per call. Like built-in extractors: the value goes to the
 * variable; `none` or a failed call falls back to `default`, else the extraction fails (the
 * request gets its extra `http_req_failed` sample) with the reason.
 */
import { pluginFor, type PluginLookup } from "../plugins/host/wasm/host.ts";
import type { CompiledExtractor } from "./specs.ts";

export interface PluginExtractorSpec {
  type: "plugin";
  name: string;
  plugin: string;
  config?: Record<string, unknown>;
  default?: unknown;
}

export function compilePluginExtractor(spec: PluginExtractorSpec, plugins: PluginLookup | undefined): CompiledExtractor {
  const p = pluginFor(plugins, spec.plugin, "extractor");
  const config = p.configJson(spec.config);
  const hasDefault = spec.default !== undefined;
  const fallback = spec.default;
  const none = `plugin ${spec.plugin} extracted nothing`;
  return {
    name: spec.name,
    run(r) {
      const res = p.extract(r, config);
      if (res.ok && res.value !== undefined) return { ok: true, value: res.value };
      if (hasDefault) return { ok: true, value: fallback };
      return { ok: false, error: res.ok ? none : res.error };
    },
  };
}
