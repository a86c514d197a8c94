/**
 * `extract: - { type: plugin, name: <var>, plugin: <entry>, config?, default? }`: an extractor
 * plugin's call over the response. The plugin arrives through the `plugin` kind that its adapter
 * registers (src/plugins/host/wasm/register.ts); this file holds what the kind means whatever
 * runs it. Its config (plugin config merged with the step's) is serialised once here, not per
 * call. Like built-in extractors: the value goes to the variable; `none` or a failed call falls
 * back to `default`, else the extraction fails (the request gets its extra `http_req_failed`
 * sample) with the reason.
 */
import type { ResponseView } from "./response-view.ts";
import type { CompiledExtractor, PluginExtractorSpec } from "./specs.ts";

/** An extractor plugin as extract/ sees it (the WASM host's MeteredPlugin is one). */
export interface ExtractorPlugin {
  /** the config text passed to every call: the plugin's config with the step's merged over it */
  configJson(stepConfig: unknown): string;
  /** `value` undefined: the plugin extracted nothing */
  extract(r: ResponseView, config: string): { ok: true; value: string | undefined } | { ok: false; error: string };
}

export function pluginExtractor(spec: PluginExtractorSpec, p: ExtractorPlugin): CompiledExtractor {
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
