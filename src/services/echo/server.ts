/**
 * The built-in echo target: a local HTTP(S) + WebSocket + SSE + GraphQL server with the endpoints
 * of the reference test server (§7), and raw TCP and UDP echo ports. Tests, examples and the
 * benchmark harness (when nginx is absent) point loads at it; plans reach it as the service
 * `echo` (`${services.echo.url}`, `${services.echo.ws_url}`…: src/services/registry.ts).
 *
 * HTTP endpoints are in routes.ts, their static bodies in bodies.ts, the TLS test certificate in
 * cert.ts; WebSocket in ws.ts, the event stream in sse.ts, GraphQL in graphql.ts, TCP and UDP in
 * sockets.ts.
 */
import { ECHO_CERT_PEM, ECHO_KEY_PEM } from "./cert.ts";
import { graphqlRoute } from "./graphql.ts";
import { DELAY_MAX_MS, echoRoutes } from "./routes.ts";
import { startSockets } from "./sockets.ts";
import { sseRoute } from "./sse.ts";
import { upgrade, websocket } from "./ws.ts";

export { WS_CLOSE_COMMAND } from "./ws.ts";

export interface EchoOptions {
  /** Interface to bind; loopback by default (a load target must never be reachable from outside by accident). */
  host?: string;
  /** 0 = an ephemeral port. */
  port?: number;
  /** Serve HTTPS/WSS with the self-signed test certificate of echo-cert.ts. */
  tls?: boolean;
  /** The TCP and UDP echo ports; 0 (default) = ephemeral. */
  tcpPort?: number;
  udpPort?: number;
}

export interface EchoServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  port: number;
  /** HTTP/2 over TLS (ALPN h2, the test certificate), e.g. `https://127.0.0.1:41235` (h2-server.ts) */
  h2Url: string;
  /** cleartext HTTP/2 (prior knowledge), e.g. `http://127.0.0.1:41236` */
  h2cUrl: string;
  /** the gRPC services (grpc-service.ts) on the h2c listener, e.g. `grpc://127.0.0.1:41236` */
  grpcUrl: string;
  /** the same over TLS, e.g. `grpcs://127.0.0.1:41235` */
  grpcsUrl: string;
  /** `ws://…/ws` (`wss://` with TLS): the WebSocket echo */
  wsUrl: string;
  /** `sse://…/sse` (`sses://` with TLS): the event stream */
  sseUrl: string;
  /** `http://…/graphql`: the GraphQL endpoint */
  graphqlUrl: string;
  /** `tcp://host:port`, `udp://host:port`: the raw echo ports */
  tcpUrl: string;
  udpUrl: string;
  tcpPort: number;
  udpPort: number;
  /** Stops listening and closes every open connection (including WebSockets and SSE streams). */
  stop(): Promise<void>;
}

/** The host part of the URL a client should use to reach a server bound to `host`. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

export async function startEcho(o: EchoOptions = {}): Promise<EchoServer> {
  const host = o.host ?? "127.0.0.1";
  const server = Bun.serve({
    hostname: host,
    port: o.port ?? 0,
    development: false,
    // Bun closes sockets idle for longer than this, a pending response included, so it must
    // outlast the longest /delay; seconds, max 255.
    idleTimeout: Math.ceil(DELAY_MAX_MS / 1000) + 30,
    ...(o.tls ? { tls: { cert: ECHO_CERT_PEM, key: ECHO_KEY_PEM } } : {}),
    routes: {
      ...echoRoutes(),
      "/ws": (req, srv) => upgrade(req, srv, false),
      "/ws/ack": (req, srv) => upgrade(req, srv, true),
      "/sse": { GET: sseRoute },
      "/graphql": { GET: graphqlRoute, POST: graphqlRoute },
    },
    fetch(req) {
      // Unmatched path, or a matched path with a method it does not serve.
      return new Response(null, { status: KNOWN_PATHS.has(new URL(req.url).pathname) ? 405 : 404 });
    },
    websocket,
  });
  const port = server.port;
  if (port === undefined) throw new Error("echo target: Bun.serve did not report a port");
  // node:http2 is loaded when an echo target starts, not with every run
  const { startH2 } = await import("./h2-server.ts");
  const h2 = await startH2(host).catch(async (e: Error) => {
    await server.stop(true);
    throw e;
  });
  const sockets = await startSockets(host, o.tcpPort, o.udpPort).catch(async (e: Error) => {
    await Promise.all([server.stop(true), h2.stop()]);
    throw e;
  });
  const at = urlHost(host);
  const s = o.tls ? "s" : "";
  return {
    url: `http${s}://${at}:${port}`,
    port,
    h2Url: `https://${at}:${h2.tlsPort}`,
    h2cUrl: `http://${at}:${h2.cleartextPort}`,
    grpcUrl: `grpc://${at}:${h2.cleartextPort}`,
    grpcsUrl: `grpcs://${at}:${h2.tlsPort}`,
    wsUrl: `ws${s}://${at}:${port}/ws`,
    sseUrl: `sse${s}://${at}:${port}/sse`,
    graphqlUrl: `http${s}://${at}:${port}/graphql`,
    tcpUrl: `tcp://${at}:${sockets.tcpPort}`,
    udpUrl: `udp://${at}:${sockets.udpPort}`,
    tcpPort: sockets.tcpPort,
    udpPort: sockets.udpPort,
    async stop() {
      sockets.stop();
      await Promise.all([server.stop(true), h2.stop()]);
    },
  };
}

const KNOWN_PATHS = new Set(Object.keys(echoRoutes()).filter((p) => !p.includes(":")));
