/**
 * Protocol selection (reference §5.2): a request goes to a built-in handler or to a protocol
 * plugin, decided once per request step when the flow is compiled. Built-in names and schemes
 * always win over plugin-declared schemes; `protocol: <name>` resolves by the handler's
 * name (a plugin's info name) or by a scheme a plugin declared. One router per worker thread:
 * it holds that thread's loaded protocol plugins.
 */
import type { ProtocolResponse } from "./types.ts";

/** What the engine hands a plugin protocol for one request (rendered, ready to send). */
export interface PluginCall {
  /** the `name` tag of the request */
  name: string;
  method: string;
  url: string;
  headers: [string, string][];
  body?: Uint8Array;
  timeoutMs: number;
  /** the rendered `plugin:` block; undefined when the step has none */
  options?: unknown;
}

export interface PluginProtocol {
  /** the handler name (the plugin's info name): `proto` tag, `protocol:` value */
  readonly name: string;
  /** metric family: `<family>_reqs`, `<family>_req_duration`, ... (reference §2.6 sanitising) */
  readonly family: string;
  call(c: PluginCall): ProtocolResponse | Promise<ProtocolResponse>;
}

/** Built-in protocol names/aliases and URL schemes (reference §5.1–5.2): never taken by a plugin. */
const BUILTIN_NAMES: Record<string, string> = {
  http: "http", https: "http", graphql: "graphql", ws: "ws", wss: "ws", websocket: "ws", sse: "sse", sses: "sse",
  grpc: "grpc", tcp: "tcp", udp: "udp", browser: "browser",
};
const BUILTIN_SCHEMES: Record<string, string> = {
  http: "http", https: "http", ws: "ws", wss: "ws", grpc: "grpc", grpcs: "grpc", sse: "sse", sses: "sse", tcp: "tcp", udp: "udp",
};

export type Route = { kind: "builtin"; protocol: string } | { kind: "plugin"; handler: PluginProtocol };

export class ProtocolRouterError extends Error {}

export class ProtocolRouter {
  private readonly byName = new Map<string, PluginProtocol>();
  private readonly byScheme = new Map<string, PluginProtocol>();

  /** Register a loaded protocol plugin; later registrations of a scheme win; built-in schemes are ignored. */
  register(handler: PluginProtocol, schemes: string[], aliases: string[] = []): void {
    this.byName.set(handler.name, handler);
    // the plan addresses a plugin by its `plugins:` entry name too (DESIGN.md "Contracts")
    for (const a of aliases) if (BUILTIN_NAMES[a.toLowerCase()] === undefined) this.byName.set(a, handler);
    for (const s of schemes) {
      const k = s.toLowerCase();
      if (BUILTIN_SCHEMES[k] === undefined) this.byScheme.set(k, handler);
    }
  }

  get plugins(): PluginProtocol[] {
    return [...new Set(this.byName.values())];
  }

  /**
   * Route a request step. `url` is the raw (unrendered) URL text: its scheme is the text before
   * `://`. Unknown schemes without `protocol:` go to HTTP, which refuses them at send time.
   */
  route(protocol: string | undefined, url: string): Route {
    if (protocol !== undefined) {
      const p = protocol.toLowerCase();
      const builtin = BUILTIN_NAMES[p];
      if (builtin !== undefined) return { kind: "builtin", protocol: builtin };
      const h = this.byScheme.get(p) ?? this.byName.get(protocol);
      if (h) return { kind: "plugin", handler: h };
      const known = this.plugins.map((x) => x.name);
      throw new ProtocolRouterError(
        `protocol \`${protocol}\` is neither built in nor provided by a loaded plugin` +
          (known.length ? ` (loaded protocol plugins: ${known.join(", ")})` : " (add the protocol plugin under `plugins:`)"),
      );
    }
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url);
    if (m) {
      const scheme = m[1]!.toLowerCase();
      const builtin = BUILTIN_SCHEMES[scheme];
      if (builtin !== undefined) return { kind: "builtin", protocol: builtin };
      const h = this.byScheme.get(scheme);
      if (h) return { kind: "plugin", handler: h };
    }
    return { kind: "builtin", protocol: "http" };
  }
}

/** Reference §2.6: lower-case; chars outside [a-z0-9_] → `_`; trim `_`; empty → `plugin`. */
export function metricFamily(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^_+|_+$/g, "");
  return s === "" ? "plugin" : s;
}
