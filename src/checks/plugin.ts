/**
 * `assert:`/`checks: - { type: plugin, plugin: <entry>, name?, config?, on_failure? }`: a WASM
 * assertion plugin's `check()` verdict is the condition. A failed call (trap, timeout, exit,
 * invalid result) fails the condition; its reason is logged (budgeted), the verdict's detail
 * only at debug level, since it differs per response.
 */
import type { Logger } from "../util/logger.ts";
import { pluginFor, type PluginLookup } from "../plugins/host/wasm/host.ts";

export interface PluginConditionSpec {
  type: "plugin";
  plugin: string;
  name?: string;
  config?: Record<string, unknown>;
  on_failure?: string;
}

export function pluginCheck(
  spec: PluginConditionSpec,
  name: string,
  plugins: PluginLookup | undefined,
  log: Logger | undefined,
): (r: import("../extract/response-view.ts").ResponseView) => boolean {
  const p = pluginFor(plugins, spec.plugin, "assertion");
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
