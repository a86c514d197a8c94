/**
 * The WASM plugin roles' adapter: a thread's WASM extractor and assertion plugins enter the
 * registries of the parts they plug into (src/extract/registry.ts, src/checks/registry.ts) as the
 * `plugin` kind of each — a step's `plugin:` names the instance; a missing or wrong-kind plugin is
 * a compile-time error naming it — and its hook plugins enter the thread's request hooks
 * (src/pipeline/hooks.ts) through hook-adapter.ts.
 */
import type { ExtractorRegistry } from "../../../extract/registry.ts";
import type { ConditionRegistry } from "../../../checks/registry.ts";
import { pluginExtractor } from "../../../extract/plugin.ts";
import type { PluginExtractorSpec } from "../../../extract/specs.ts";
import { pluginCheck } from "../../../checks/plugin.ts";
import type { PluginConditionSpec } from "../../../checks/specs.ts";
import type { Logger } from "../../../util/logger.ts";
import type { RequestHooks } from "../../../pipeline/hooks.ts";
import type { Vu } from "../../../engine/worker/vu.ts";
import { ofType } from "../../../util/kind-registry.ts";
import { pluginFor, type PluginLookup, type WasmHost } from "./host.ts";
import { wasmHooks } from "./hook-adapter.ts";

export function registerWasmKinds(host: PluginLookup | undefined, to: { extractors: ExtractorRegistry; conditions: ConditionRegistry }, log: Logger): void {
  to.extractors.register("plugin", ofType((spec: PluginExtractorSpec) => pluginExtractor(spec, pluginFor(host, spec.plugin, "extractor"))));
  to.conditions.register("plugin", ofType((spec: PluginConditionSpec, name: string) => pluginCheck(spec, name, pluginFor(host, spec.plugin, "assertion"), log)));
}

/** Every hook plugin's hooks, in plan order (`hooks()` makes the registry only when there is one). */
export function registerWasmHooks(host: WasmHost, hooks: () => RequestHooks<Vu>): void {
  for (const p of host.hooks()) for (const h of wasmHooks(p)) hooks().add(h);
}
