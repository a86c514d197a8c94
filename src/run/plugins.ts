/**
 * The run's plugin stage on the main thread: resolve the plan's `plugins:` entries (WASM entries
 * are transpiled here, once), load the native ones and check each against the role the plan gives
 * it, and register output and service plugins into the run's registries. What workers need is the
 * resolved entries (`specs`), plain data each thread instantiates itself (src/run/worker-setup.ts).
 */
import type { Plan } from "../plan/schema.ts";
import { OutputRegistry } from "../outputs/registry.ts";
import { ServiceRegistry } from "../services/registry.ts";
import { PluginResolveError, resolvePlugins, type PluginSpec } from "../plugins/host/resolve.ts";
import { loadNativeEntries, nativeRefs, outputPluginKinds, protocolInfos, registerNativeOutputs, registerNativeServices } from "../plugins/host/plan-plugins.ts";
import type { PluginProtocolInfo } from "../protocols/builtins.ts";
import { RunSetupError } from "./errors.ts";

export interface RunPlugins {
  /** the resolved entries, posted to every worker */
  specs: PluginSpec[];
  /** the built-in output kinds plus the output plugins' kind `plugin` */
  outputs: OutputRegistry;
  /** output plugins that run whether or not `outputs:` names them */
  pluginOutputs: string[];
  /** the built-in services plus the service plugins */
  services: ServiceRegistry;
  /** the protocol plugins, as the check of what the plan's requests need knows them */
  protocols: PluginProtocolInfo[];
}

export async function loadRunPlugins(
  plan: Plan,
  o: { baseDir: string; pluginsDir: string; debug?: (line: string) => void; warn?: (line: string) => void; env?: Record<string, string | undefined> },
): Promise<RunPlugins> {
  const specs = await resolvePlugins(plan.plugins ?? [], o).catch((e: Error) => {
    throw e instanceof PluginResolveError ? new RunSetupError(e.message) : e;
  });
  const outputs = new OutputRegistry();
  const services = new ServiceRegistry();
  let pluginOutputs: string[];
  let protocols: PluginProtocolInfo[];
  // native libraries load (and are checked) before anything starts: a bad plugin is one line, no run
  try {
    const refs = nativeRefs(specs);
    // loaded once: output plugins named under `outputs:` must load as outputs
    const native = loadNativeEntries(refs, outputPluginKinds(refs, plan.outputs ?? []));
    pluginOutputs = registerNativeOutputs(native, outputs);
    registerNativeServices(native, services);
    protocols = protocolInfos(native);
  } catch (e) {
    throw new RunSetupError((e as Error).message);
  }
  return { specs, outputs, pluginOutputs, services, protocols };
}
