/**
 * The WASM plugin roles' adapter: a thread's WASM extractor and assertion plugins enter the
 * registries of the parts they plug into (src/extract/registry.ts, src/checks/registry.ts) as the
 * `plugin` kind of each. A step's `plugin:` names the instance; a missing or wrong-kind plugin is
 * a compile-time error naming it.
 */
import type { ExtractorRegistry } from "../../../extract/registry.ts";
import type { ConditionRegistry } from "../../../checks/registry.ts";
import { pluginExtractor } from "../../../extract/plugin.ts";
import type { PluginExtractorSpec } from "../../../extract/specs.ts";
import { pluginCheck } from "../../../checks/plugin.ts";
import type { PluginConditionSpec } from "../../../checks/specs.ts";
import type { Logger } from "../../../util/logger.ts";
import { ofType } from "../../../util/kind-registry.ts";
import { pluginFor, type PluginLookup } from "./host.ts";

export function registerWasmKinds(host: PluginLookup | undefined, to: { extractors: ExtractorRegistry; conditions: ConditionRegistry }, log: Logger): void {
  to.extractors.register("plugin", ofType((spec: PluginExtractorSpec) => pluginExtractor(spec, pluginFor(host, spec.plugin, "extractor"))));
  to.conditions.register("plugin", ofType((spec: PluginConditionSpec, name: string) => pluginCheck(spec, name, pluginFor(host, spec.plugin, "assertion"), log)));
}
