/**
 * Services a plan declares under `plugins:` (DESIGN.md "Services and the echo target"): started
 * before the flows are compiled, stopped after the run whatever happens. What `start()` returns
 * (at least `url`) becomes `${services.<name>.<key>}` in templates.
 * Built in today: `echo`. Service plugins (native) join this registry in the plugin work.
 */
import { startEcho } from "./echo/server.ts";
import type { LoadedNative } from "../plugins/host/native/load.ts";
import { startNativeService } from "../plugins/host/native/service.ts";

export interface ServiceEntry {
  name: string;
  path?: string;
  enabled?: boolean;
  config?: Record<string, unknown>;
}

export interface RunningServices {
  /** name → what start() returned */
  info: Record<string, Record<string, unknown>>;
  stopAll(): Promise<void>;
}

const BUILT_IN = new Set(["echo"]);

/** Entries this build treats as services (others are plugins of other kinds, loaded elsewhere). */
export function isBuiltInService(e: ServiceEntry): boolean {
  return e.path === undefined && BUILT_IN.has(e.name);
}

/** `native`: the plan's loaded native plugins (src/plugins/host/plan-plugins.ts); its services start here too, in plan order. */
export async function startServices(entries: ServiceEntry[], native: LoadedNative[] = []): Promise<RunningServices> {
  const stops: (() => Promise<void>)[] = [];
  const info: Record<string, Record<string, unknown>> = {};
  const stopAll = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
  };
  try {
    for (const e of entries) {
      if (e.enabled === false) continue;
      const plugin = native.find((p) => p.entry.name === e.name);
      if (plugin?.kind === "service") {
        const s = startNativeService(e.name, plugin.descriptor, plugin.config);
        stops.push(() => s.stop());
        info[e.name] = s.info;
        continue;
      }
      if (!isBuiltInService(e)) continue;
      const c = e.config ?? {};
      const echo = await startEcho({
        host: typeof c.host === "string" ? c.host : undefined,
        port: typeof c.port === "number" ? c.port : undefined,
        tls: c.tls === true,
      }).catch((err: Error) => {
        throw new Error(`service \`${e.name}\` failed to start: ${err.message} (choose another \`config.port\`, or 0 for any free port)`);
      });
      stops.push(() => echo.stop());
      info[e.name] = { url: echo.url, port: echo.port };
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return { info, stopAll };
}
