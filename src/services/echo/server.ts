/**
 * The built-in echo target: a local HTTP(S) + WebSocket + SSE server with the endpoints of the
 * reference test server (§7). Tests, examples and the benchmark harness (when nginx is absent)
 * point loads at it; plans reach it as the service `echo` (`${services.echo.url}`).
 *
 * Endpoints are in echo-routes.ts, their static bodies in echo-bodies.ts, the TLS test
 * certificate in echo-cert.ts.
 */
import type { ServerWebSocket } from "bun";
import { ECHO_CERT_PEM, ECHO_KEY_PEM } from "./cert.ts";
import { DELAY_MAX_MS, echoRoutes } from "./routes.ts";

export interface EchoOptions {
  /** Interface to bind; loopback by default (a load target must never be reachable from outside by accident). */
  host?: string;
  /** 0 = an ephemeral port. */
  port?: number;
  /** Serve HTTPS/WSS with the self-signed test certificate of echo-cert.ts. */
  tls?: boolean;
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
  /** Stops listening and closes every open connection (including WebSockets and SSE streams). */
  stop(): Promise<void>;
}

/** Text frame that makes the WebSocket echo close the connection instead of echoing. */
export const WS_CLOSE_COMMAND = "ping-close";

const websocket = {
  message(ws: ServerWebSocket<undefined>, message: string | Buffer) {
    if (message === WS_CLOSE_COMMAND) {
      ws.close(1000, "bye");
      return;
    }
    ws.send(message); // a string goes back as a text frame, a Buffer as a binary frame
  },
};

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
      "/ws": (req, srv) => {
        if (srv.upgrade(req)) return undefined;
        return new Response("expected a WebSocket upgrade", { status: 426 });
      },
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
  const at = urlHost(host);
  return {
    url: `${o.tls ? "https" : "http"}://${at}:${port}`,
    port,
    h2Url: `https://${at}:${h2.tlsPort}`,
    h2cUrl: `http://${at}:${h2.cleartextPort}`,
    grpcUrl: `grpc://${at}:${h2.cleartextPort}`,
    grpcsUrl: `grpcs://${at}:${h2.tlsPort}`,
    async stop() {
      await Promise.all([server.stop(true), h2.stop()]);
    },
  };
}

const KNOWN_PATHS = new Set(Object.keys(echoRoutes()).filter((p) => !p.includes(":")));
