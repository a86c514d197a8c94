/**
 * A plan's native plugins, by role, for one run: protocol plugins become handlers in each
 * worker's ProtocolRouter; output plugins become Outputs on the main thread; service plugins are
 * started by src/services/registry.ts. Entries arrive resolved (src/plugins/resolve.ts); loading
 * errors are one line each, and the run refuses to start rather than run without a plugin the
 * plan names.
 */
import type { Output } from "../outputs/types.ts";
import { ProtocolRouter } from "../protocols/router.ts";
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

/** The protocol router of one thread: built-ins plus this plan's protocol plugins. */
export async function protocolRouter(refs: readonly NativePluginRef[]): Promise<ProtocolRouter> {
  const router = new ProtocolRouter();
  for (const p of loadNativeEntries(refs)) {
    if (p.kind !== "protocol") continue;
    const handler = p.entry.isolation === "process"
      ? new IsolatedProtocol(p.path, p.info, p.config)
      : await NativeProtocol.create(p.lib, p.config);
    router.register(handler, p.schemes, [p.entry.name]);
  }
  return router;
}

/**
 * Output plugins from `plugins:` (kind output) and `outputs: [{type: plugin, name}]` — the
 * latter's `config` merged over the entry's. An output named in both runs once.
 */
export function pluginOutputs(refs: readonly NativePluginRef[], outputs: readonly { type: string; name?: string; config?: Record<string, unknown> }[]): Output[] {
  const wanted = new Map<string, Record<string, unknown>>();
  for (const o of outputs) if (o.type === "plugin" && o.name) wanted.set(o.name, o.config ?? {});
  const byName = new Set(refs.map((r) => r.entry.name));
  for (const name of wanted.keys()) {
    if (!byName.has(name)) throw new PluginLoadError(`outputs: plugin \`${name}\` is not listed under \`plugins:\` (add \`- name: ${name}\` there)`);
  }
  const expected = Object.fromEntries([...wanted.keys()].map((n) => [n, "output"]));
  const list = refs.map((r) => {
    const extra = wanted.get(r.entry.name);
    return extra ? { ...r, config: { ...(r.config as Record<string, unknown> ?? {}), ...extra } } : r;
  });
  const result: Output[] = [];
  for (const p of loadNativeEntries(list, expected)) {
    if (p.kind === "output") result.push(new NativeOutput(p.entry.name, p.descriptor, p.config));
  }
  return result;
}

export { NativePluginError };
