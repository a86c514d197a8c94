/**
 * `assert:`/`checks: - { type: plugin, plugin: <entry>, name?, config?, on_failure? }`: an
 * assertion plugin's verdict is the condition. The plugin arrives through the `plugin` kind its
 * adapter registers (src/plugins/host/wasm/register.ts); this file holds what the kind means
 * whatever runs it. A failed call (trap, timeout, exit, invalid result) fails the condition; its
 * reason is logged (budgeted), the verdict's detail only at debug level, since it differs per
 * response.
 */
import type { Logger } from "../util/logger.ts";
import type { ResponseView } from "../extract/response-view.ts";
import type { PluginConditionSpec } from "./specs.ts";

/** An assertion plugin as checks/ sees it (the WASM host's MeteredPlugin is one). */
export interface AssertionPlugin {
  /** the config text passed to every call: the plugin's config with the condition's merged over it */
  configJson(stepConfig: unknown): string;
  check(r: ResponseView, config: string): { ok: true; value: { pass: boolean; detail: string } } | { ok: false; error: string };
}

export function pluginCheck(spec: PluginConditionSpec, name: string, p: AssertionPlugin, log: Logger | undefined): (r: ResponseView) => boolean {
  const config = p.configJson(spec.config);
  return (r) => {
    const res = p.check(r, config);
    if (!res.ok) {
      log?.warn(`check \`${name}\` failed: ${res.error}`);
      return false;
    }
    if (!res.value.pass && log?.enabled("debug")) log.debug(`check \`${name}\` failed: ${res.value.detail}`);
    return res.value.pass;
  };
}
