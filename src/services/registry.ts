/**
 * Services a plan declares under `plugins:` (docs/dev/architecture.md "Services and the echo target"): started
 * before the flows are compiled, stopped after the run whatever happens. What a service's start
 * returns (at least `url`) becomes `${services.<name>.<key>}` in templates.
 *
 * Built in: `echo` (an entry without `path`). Service plugins enter through register(), by their
 * `plugins:` entry name — the native service adapter (src/plugins/host/native/service.ts) is
 * registered by src/plugins/host/plan-plugins.ts. One registry per run (src/run/session.ts).
 */
import { startEcho } from "./echo/server.ts";
import { KindRegistry } from "../util/kind-registry.ts";

export interface ServiceEntry {
  name: string;
  path?: string;
  enabled?: boolean;
  config?: Record<string, unknown>;
}

/** A started service: what templates see of it, and how it stops (called once). */
export interface StartedService {
  info: Record<string, unknown>;
  stop(): Promise<void>;
}

/** Starts one service from its entry; a failure throws a message naming the service. */
export type ServiceStarter = (entry: ServiceEntry) => StartedService | Promise<StartedService>;

export interface RunningServices {
  /** name → what start() returned */
  info: Record<string, Record<string, unknown>>;
  stopAll(): Promise<void>;
}

const BUILT_IN = new Map<string, ServiceStarter>([["echo", startEchoService]]);

/** Entries this build treats as built-in services (others are plugins, resolved and loaded by plugins/). */
export function isBuiltInService(e: ServiceEntry): boolean {
  return e.path === undefined && BUILT_IN.has(e.name);
}

/** Service plugins by the `plugins:` entry name that declared them (the built-ins apart: they match only entries without `path`). */
export class ServiceRegistry extends KindRegistry<ServiceStarter> {
  constructor() {
    super("service");
  }

  /** Start the plan's services in plan order; if one fails, those already started are stopped. */
  async startAll(entries: readonly ServiceEntry[]): Promise<RunningServices> {
    const stops: (() => Promise<void>)[] = [];
    const info: Record<string, Record<string, unknown>> = {};
    const stopAll = async () => {
      for (const s of stops.splice(0).reverse()) await s().catch(() => {});
    };
    try {
      for (const e of entries) {
        if (e.enabled === false) continue;
        const start = this.kinds.get(e.name) ?? (isBuiltInService(e) ? BUILT_IN.get(e.name) : undefined);
        if (start === undefined) continue;
        const s = await start(e);
        stops.push(() => s.stop());
        info[e.name] = s.info;
      }
    } catch (err) {
      await stopAll();
      throw err;
    }
    return { info, stopAll };
  }
}

async function startEchoService(e: ServiceEntry): Promise<StartedService> {
  const c = e.config ?? {};
  const echo = await startEcho({
    host: typeof c.host === "string" ? c.host : undefined,
    port: typeof c.port === "number" ? c.port : undefined,
    tls: c.tls === true,
    tcpPort: typeof c.tcp_port === "number" ? c.tcp_port : undefined,
    udpPort: typeof c.udp_port === "number" ? c.udp_port : undefined,
  }).catch((err: Error) => {
    throw new Error(`service \`${e.name}\` failed to start: ${err.message} (choose another \`config.port\`, or 0 for any free port)`);
  });
  const info = {
    url: echo.url,
    port: echo.port,
    h2_url: echo.h2Url,
    h2c_url: echo.h2cUrl,
    grpc_url: echo.grpcUrl,
    grpcs_url: echo.grpcsUrl,
    ws_url: echo.wsUrl,
    sse_url: echo.sseUrl,
    graphql_url: echo.graphqlUrl,
    tcp_url: echo.tcpUrl,
    udp_url: echo.udpUrl,
    tcp_port: echo.tcpPort,
    udp_port: echo.udpPort,
  };
  return { info, stop: () => echo.stop() };
}
