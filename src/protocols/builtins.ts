/**
 * The handlers this build has, and the routers made of them: a worker's (real handlers, the run's
 * protocol plugins registered after), the main thread's (descriptions, to refuse a plan before any
 * load) and `loadr validate`'s (descriptions, the plan's plugins taken on trust). Add a built-in
 * protocol here: its handler, the names `protocol:` may use and the URL schemes it serves.
 */
import type { ProtocolCatalogue } from "../plan/protocol-check.ts";
import type { HandlerInfo, ProtocolHandler } from "./handler.ts";
import type { HttpClient, HttpClientOptions } from "./http/client.ts";
import { HTTP_INFO, HttpHandler } from "./http/handler.ts";
import { GRPC_INFO, GrpcHandler } from "./grpc/handler.ts";
import { HTTP_METRICS } from "./http/metrics.ts";
import { GRPC_METRICS } from "./grpc/metrics.ts";
import { GRAPHQL_INFO, GRAPHQL_METRICS, GraphqlHandler } from "./graphql/handler.ts";
import { ProtocolRouter, type Routed } from "./router.ts";
import { TCP_INFO, TCP_METRICS, TcpHandler, UDP_INFO, UDP_METRICS, UdpHandler } from "./socket/handler.ts";
import { SSE_INFO, SSE_METRICS, SseHandler } from "./sse/handler.ts";
import { WS_INFO, WS_METRICS, WsHandler } from "./ws/handler.ts";

const HTTP_ADDRESS = { names: ["http", "https"], schemes: ["http", "https"] };
const GRPC_ADDRESS = { names: ["grpc"], schemes: ["grpc", "grpcs"] };
// GraphQL and SSE over http(s) are reached by `protocol:` only; GraphQL uses HTTP's per-VU state
const GRAPHQL_ADDRESS = { names: ["graphql"], schemes: [], sharesStateOf: "http" };
const WS_ADDRESS = { names: ["ws", "websocket", "wss"], schemes: ["ws", "wss"] };
const SSE_ADDRESS = { names: ["sse", "sses"], schemes: ["sse", "sses"] };
const TCP_ADDRESS = { names: ["tcp"], schemes: ["tcp"] };
const UDP_ADDRESS = { names: ["udp"], schemes: ["udp"] };

/** The built-ins as the main thread knows them: names, addresses and plan checks, no handler. */
const BUILTIN_INFOS = [
  { handler: HTTP_INFO, ...HTTP_ADDRESS },
  { handler: GRPC_INFO, ...GRPC_ADDRESS },
  { handler: GRAPHQL_INFO, ...GRAPHQL_ADDRESS },
  { handler: WS_INFO, ...WS_ADDRESS },
  { handler: SSE_INFO, ...SSE_ADDRESS },
  { handler: TCP_INFO, ...TCP_ADDRESS },
  { handler: UDP_INFO, ...UDP_ADDRESS },
];

/** What a protocol plugin is to the router before it loads: a handler reading `plugin:` and `sql:` options. */
export const PLUGIN_OPTION_BLOCKS: readonly string[] = ["plugin", "sql"];

/** A worker's router: the built-in handlers; the caller registers the run's protocol plugins. */
export function builtinRouter(http: HttpClientOptions): ProtocolRouter {
  const httpHandler = new HttpHandler(http);
  return new ProtocolRouter<ProtocolHandler>([
    { handler: httpHandler, ...HTTP_ADDRESS },
    { handler: new GrpcHandler(http) as ProtocolHandler, ...GRPC_ADDRESS },
    { handler: new GraphqlHandler(httpHandler) as ProtocolHandler, ...GRAPHQL_ADDRESS },
    { handler: new WsHandler(http), ...WS_ADDRESS },
    { handler: new SseHandler(http), ...SSE_ADDRESS },
    { handler: new TcpHandler(http), ...TCP_ADDRESS },
    { handler: new UdpHandler(http), ...UDP_ADDRESS },
  ]);
}

/**
 * The metric names each built-in handler declares (its `metrics`), for the run's metric catalogue
 * (src/run/metric-check.ts): a threshold may name them without any handler being built. A new
 * built-in handler adds its line here (test/metric-catalogue.test.ts checks it against the router).
 */
export const BUILTIN_HANDLER_METRICS: readonly { handler: string; metrics: readonly string[] }[] = [
  { handler: HTTP_INFO.name, metrics: HTTP_METRICS },
  { handler: GRPC_INFO.name, metrics: GRPC_METRICS },
  { handler: GRAPHQL_INFO.name, metrics: GRAPHQL_METRICS },
  { handler: WS_INFO.name, metrics: WS_METRICS },
  { handler: SSE_INFO.name, metrics: SSE_METRICS },
  { handler: TCP_INFO.name, metrics: TCP_METRICS },
  { handler: UDP_INFO.name, metrics: UDP_METRICS },
];

/** The built-in HTTP handler of a router, whose per-VU state is the VU's HttpClient (the JS cookie functions use its jar). */
export function httpRoute(router: ProtocolRouter): Routed<ProtocolHandler<HttpClient>> {
  return router.handlers[0] as Routed<ProtocolHandler<HttpClient>>;
}

/** A loaded protocol plugin as the main thread knows it. */
export interface PluginProtocolInfo {
  name: string;
  schemes: readonly string[];
  /** its `plugins:` entry name */
  entry: string;
}

/**
 * The main thread's router over descriptions: the built-ins and the run's loaded protocol
 * plugins, with one warning per name or scheme a plugin declares that a built-in owns.
 */
export function runCatalogue(plugins: readonly PluginProtocolInfo[]): { catalogue: ProtocolRouter<HandlerInfo>; warnings: string[] } {
  const router = new ProtocolRouter<HandlerInfo>(BUILTIN_INFOS);
  const warnings = plugins.flatMap((p) => router.register({ name: p.name, optionBlocks: PLUGIN_OPTION_BLOCKS }, p.schemes, [p.entry]));
  return { catalogue: router, warnings };
}

/**
 * `loadr validate`'s view: the built-ins, and every `plugins:` entry as a protocol handler under
 * its entry name. Which schemes a plugin declares is known only once it loads, so with any plugin
 * listed a URL scheme no built-in serves is left to `loadr run` to judge.
 */
export function validationCatalogue(plugins: readonly { name: string }[]): ProtocolCatalogue {
  const router = new ProtocolRouter<HandlerInfo>(BUILTIN_INFOS);
  for (const p of plugins) router.register({ name: p.name, optionBlocks: PLUGIN_OPTION_BLOCKS }, []);
  if (plugins.length === 0) return router;
  return {
    unserved(step) {
      const p = router.unserved(step);
      return p?.field === "url" ? undefined : p;
    },
  };
}
