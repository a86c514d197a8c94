/**
 * A plan's native plugins, by role, for one run: each is loaded here and registered into the
 * registry of the part it plugs into — protocol plugins into each worker's ProtocolRouter, output
 * plugins into the run's OutputRegistry (kind `plugin`), service plugins into its
 * ServiceRegistry. Entries arrive resolved (src/plugins/host/resolve.ts); loading errors are one
 * line each, and the run refuses to start rather than run without a plugin the plan names.
 */
import type { OutputRegistry } from "../../outputs/registry.ts";
import type { ServiceRegistry } from "../../services/registry.ts";
import type { ProtocolRouter } from "../../protocols/router.ts";
import type { PluginProtocolInfo } from "../../protocols/builtins.ts";
import { loadNativePlugin, type LoadedNative } from "./native/load.ts";
import { NativePluginError } from "./native/errors.ts";
import { NativeOutput } from "./native/output.ts";
import { NativeProtocol } from "./native/protocol.ts";
import { startNativeService } from "./native/service.ts";
import { IsolatedProtocol } from "./native/isolation.ts";
import type { NativePluginRef, PluginSpec } from "./resolve.ts";

export class PluginLoadError extends Error {}

export function nativeRefs(specs: readonly PluginSpec[]): NativePluginRef[] {
  return specs.filter((s): s is NativePluginRef => s.type === "native");
}

/** dlopen and check every native entry (`expected` = the kind a role demands, e.g. outputs:). */
export function loadNativeEntries(refs: readonly NativePluginRef[], expected: Record<string, string> = {}): LoadedNative[] {
  return refs.map((r) => {
    try {
      return loadNativePlugin(r.entry, r.manifest, r.path, r.config, expected[r.entry.name]);
    } catch (err) {
      const msg = (err as Error).message;
      throw new PluginLoadError(msg.includes(`\`${r.entry.name}\``) ? msg : `plugin \`${r.entry.name}\`: ${msg}`);
    }
  });
}

/** Register this plan's protocol plugins into one thread's router (its built-ins are there already); `warn`: an isolated plugin's crash. */
export async function registerProtocolPlugins(router: ProtocolRouter, refs: readonly NativePluginRef[], warn?: (line: string) => void): Promise<void> {
  // outputs and services run on the main thread: a worker opens only what may be a protocol
  const candidates = refs.filter((r) => r.manifest === undefined || r.manifest.kind === "protocol");
  for (const p of loadNativeEntries(candidates)) {
    if (p.kind !== "protocol") continue;
    const handler = p.entry.isolation === "process"
      ? new IsolatedProtocol(p.path, p.info, p.config, warn)
      : await NativeProtocol.create(p.lib, p.config);
    // a scheme a built-in owns: the main thread already warned (protocolInfos), once per run
    router.register(handler, p.schemes, [p.entry.name]);
  }
}

/** The loaded protocol plugins as the main thread's plan check knows them (src/protocols/builtins.ts runCatalogue). */
export function protocolInfos(loaded: readonly LoadedNative[]): PluginProtocolInfo[] {
  return loaded.flatMap((p) => (p.kind === "protocol" ? [{ name: p.info.name, schemes: p.schemes, entry: p.entry.name }] : []));
}

type OutputEntry = { type: string; name?: string; config?: Record<string, unknown> };

/**
 * The kind `outputs: [{type: plugin, name}]` demands of each plugin it names (pass to
 * loadNativeEntries, which checks it as the library loads). A name not among the native
 * `plugins:` entries is one clear error.
 */
export function outputPluginKinds(refs: readonly NativePluginRef[], outputs: readonly OutputEntry[]): Record<string, string> {
  const listed = new Set(refs.map((r) => r.entry.name));
  const kinds: Record<string, string> = {};
  for (const o of outputs) {
    if (o.type !== "plugin" || !o.name) continue;
    if (!listed.has(o.name)) throw new PluginLoadError(`outputs: plugin \`${o.name}\` is not listed under \`plugins:\` (add \`- name: ${o.name}\` there)`);
    kinds[o.name] = "output";
  }
  return kinds;
}

/**
 * Output plugins enter the run's output registry as kind `plugin`: `outputs: [{type: plugin, name}]`
 * creates the one it names, its `config` merged over the entry's. Returns the output plugins'
 * names: each runs whether or not `outputs:` names it (once when named in both).
 */
export function registerNativeOutputs(loaded: readonly LoadedNative[], registry: OutputRegistry): string[] {
  const outputs = new Map<string, Extract<LoadedNative, { kind: "output" }>>();
  for (const p of loaded) if (p.kind === "output") outputs.set(p.entry.name, p);
  registry.registerOutput("plugin", (spec: { name: string; config?: Record<string, unknown> }) => {
    const p = outputs.get(spec.name);
    // outputPluginKinds refused names that are not native entries; this one loaded as another kind
    if (p === undefined) throw new PluginLoadError(`outputs: plugin \`${spec.name}\` is not an output plugin`);
    const config = spec.config ? { ...((p.config as Record<string, unknown>) ?? {}), ...spec.config } : p.config;
    return new NativeOutput(p.entry.name, p.descriptor, config);
  });
  return [...outputs.keys()];
}

/** Service plugins enter the run's service registry by entry name; their config is the merged one. */
export function registerNativeServices(loaded: readonly LoadedNative[], registry: ServiceRegistry): void {
  for (const p of loaded) if (p.kind === "service") registry.register(p.entry.name, () => startNativeService(p.entry.name, p.descriptor, p.config));
}

export { NativePluginError };
