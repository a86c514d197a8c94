/**
 * A plan's native plugins, by role, for one run: protocol plugins become handlers in each
 * worker's ProtocolRouter; output plugins become Outputs on the main thread; service plugins are
 * started by src/services/registry.ts. Entries arrive resolved (src/plugins/host/resolve.ts); loading
 * errors are one line each, and the run refuses to start rather than run without a plugin the
 * plan names.
 */
import type { Output } from "../../outputs/types.ts";
import type { ProtocolRouter } from "../../protocols/router.ts";
import type { PluginProtocolInfo } from "../../protocols/builtins.ts";
import { loadNativePlugin, type LoadedNative } from "./native/load.ts";
import { NativePluginError } from "./native/errors.ts";
import { NativeOutput } from "./native/output.ts";
import { NativeProtocol } from "./native/protocol.ts";
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

/** Register this plan's protocol plugins into one thread's router (its built-ins are there already). */
export async function registerProtocolPlugins(router: ProtocolRouter, refs: readonly NativePluginRef[]): Promise<void> {
  // outputs and services run on the main thread: a worker opens only what may be a protocol
  const candidates = refs.filter((r) => r.manifest === undefined || r.manifest.kind === "protocol");
  for (const p of loadNativeEntries(candidates)) {
    if (p.kind !== "protocol") continue;
    const handler = p.entry.isolation === "process"
      ? new IsolatedProtocol(p.path, p.info, p.config)
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
 * Output plugins from `plugins:` (kind output) and `outputs: [{type: plugin, name}]` — the
 * latter's `config` merged over the entry's. An output named in both runs once.
 */
export function pluginOutputs(loaded: readonly LoadedNative[], outputs: readonly OutputEntry[]): Output[] {
  const wanted = new Map<string, Record<string, unknown>>();
  for (const o of outputs) if (o.type === "plugin" && o.name) wanted.set(o.name, o.config ?? {});
  const result: Output[] = [];
  for (const p of loaded) {
    if (p.kind !== "output") continue;
    const extra = wanted.get(p.entry.name);
    const config = extra ? { ...((p.config as Record<string, unknown>) ?? {}), ...extra } : p.config;
    result.push(new NativeOutput(p.entry.name, p.descriptor, config));
  }
  return result;
}

export { NativePluginError };
