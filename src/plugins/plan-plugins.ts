/**
 * A plan's native plugins, by role, for one run: protocol plugins become handlers in each
 * worker's ProtocolRouter; output plugins become Outputs on the main thread; service plugins are
 * started by src/services/registry.ts. Every load error is one NativePluginError line; the run
 * refuses to start rather than run without a plugin the plan names.
 */
import type { Output } from "../outputs/types.ts";
import { ProtocolRouter } from "../protocols/router.ts";
import { isBuiltInService } from "../services/registry.ts";
import { loadNativePlugin, type LoadedNative } from "./native/load.ts";
import { NativePluginError } from "./native/errors.ts";
import { NativeOutput } from "./native/output.ts";
import { NativeProtocol } from "./native/protocol.ts";
import { IsolatedProtocol } from "./native/isolation.ts";
import { resolvePluginEntry, type PlanPluginEntry } from "./resolve.ts";

export class PluginLoadError extends Error {}

/** Load every enabled native entry (`expected` = the kind a role demands, e.g. outputs:). */
export function loadNativeEntries(entries: PlanPluginEntry[], baseDir: string, expected: Record<string, string> = {}): LoadedNative[] {
  const out: LoadedNative[] = [];
  for (const e of entries) {
    if (e.enabled === false || isBuiltInService(e)) continue;
    try {
      const r = resolvePluginEntry(e, baseDir);
      if (r.type !== "native") continue; // WASM extractors/assertions load elsewhere
      out.push(loadNativePlugin(e, r.manifest, r.path, r.config, expected[e.name]));
    } catch (err) {
      const msg = (err as Error).message;
      throw new PluginLoadError(msg.includes(`\`${e.name}\``) ? msg : `plugin \`${e.name}\`: ${msg}`);
    }
  }
  return out;
}

/** The protocol router of one thread: built-ins plus this plan's protocol plugins. */
export async function protocolRouter(entries: PlanPluginEntry[], baseDir: string): Promise<ProtocolRouter> {
  const router = new ProtocolRouter();
  for (const p of loadNativeEntries(entries, baseDir)) {
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
export function pluginOutputs(entries: PlanPluginEntry[], outputs: { type: string; name?: string; config?: Record<string, unknown> }[], baseDir: string): Output[] {
  const wanted = new Map<string, Record<string, unknown>>();
  for (const o of outputs) if (o.type === "plugin" && o.name) wanted.set(o.name, o.config ?? {});
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const name of wanted.keys()) {
    if (!byName.has(name)) throw new PluginLoadError(`outputs: plugin \`${name}\` is not listed under \`plugins:\` (add \`- name: ${name}\` there)`);
  }
  const expected = Object.fromEntries([...wanted.keys()].map((n) => [n, "output"]));
  const list = entries.filter((e) => e.enabled !== false).map((e) => (wanted.has(e.name) ? { ...e, config: { ...(e.config ?? {}), ...wanted.get(e.name) } } : e));
  const result: Output[] = [];
  for (const p of loadNativeEntries(list, baseDir, expected)) {
    if (p.kind === "output") result.push(new NativeOutput(p.entry.name, p.descriptor, p.config));
  }
  return result;
}

export { NativePluginError };
