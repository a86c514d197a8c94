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
  return {
    url: `${o.tls ? "https" : "http"}://${urlHost(host)}:${port}`,
    port,
    async stop() {
      await server.stop(true);
    },
  };
}

const KNOWN_PATHS = new Set(Object.keys(echoRoutes()).filter((p) => !p.includes(":")));
