/**
 * The echo target's HTTP/2 listeners: h2 over TLS (ALPN h2, the test certificate) and cleartext
 * h2c (prior knowledge). Both answer the HTTP endpoints of routes.ts (through route-match.ts) and
 * the gRPC services of grpc-service.ts (requests with a `application/grpc` content type), so
 * `${services.echo.h2_url}`, `${services.echo.h2c_url}`, `${services.echo.grpc_url}` and
 * `${services.echo.grpcs_url}` need no other server.
 */
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { ECHO_CERT_PEM, ECHO_KEY_PEM } from "./cert.ts";
import type { GrpcEchoService } from "./grpc-service.ts";
import { routeAnswerer } from "./route-match.ts";

export interface H2Listeners {
  /** port of the h2-over-TLS listener */
  tlsPort: number;
  /** port of the cleartext h2c listener */
  cleartextPort: number;
  stop(): Promise<void>;
}

/** fields HTTP/2 forbids in a response (RFC 9113 §8.2.2): the HTTP/1.1 answers may carry them */
const CONNECTION_FIELDS = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

export async function startH2(host: string): Promise<H2Listeners> {
  const answer = routeAnswerer();
  // made on the first gRPC call (it parses the protos with protobufjs): most runs make none
  let grpc: Promise<GrpcEchoService> | null = null;
  const onStream = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    stream.on("error", () => {}); // a client that resets its stream is no failure of ours
    if (String(headers["content-type"] ?? "").startsWith("application/grpc")) {
      grpc ??= import("./grpc-service.ts").then((m) => new m.GrpcEchoService());
      // the stream's first DATA may arrive before the service exists: hold it until then
      stream.pause();
      void grpc.then((g) => {
        g.serve(stream, headers);
        stream.resume();
      });
    } else void serveHttp(stream, headers, answer);
  };
  const tls = http2.createSecureServer({ cert: ECHO_CERT_PEM, key: ECHO_KEY_PEM, allowHTTP1: false });
  const clear = http2.createServer();
  const servers = [tls, clear];
  const sessions = new Set<http2.ServerHttp2Session>();
  for (const s of servers) {
    s.on("stream", onStream);
    s.on("session", (session: http2.ServerHttp2Session) => {
      sessions.add(session);
      session.on("error", () => {});
      session.on("close", () => sessions.delete(session));
    });
  }
  const ports: number[] = [];
  try {
    for (const s of servers) {
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(0, host, () => {
          s.off("error", reject);
          resolve();
        });
      });
      ports.push((s.address() as AddressInfo).port);
    }
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }
  return {
    tlsPort: ports[0]!,
    cleartextPort: ports[1]!,
    async stop() {
      for (const session of sessions) session.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

async function serveHttp(stream: http2.ServerHttp2Stream, h: http2.IncomingHttpHeaders, answer: (req: Request) => Promise<Response>): Promise<void> {
  const method = String(h[":method"] ?? "GET");
  const url = `${String(h[":scheme"] ?? "http")}://${String(h[":authority"] ?? "localhost")}${String(h[":path"] ?? "/")}`;
  const headers = new Headers();
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith(":") || v === undefined) continue;
    // HTTP/2 may split the cookie header (RFC 9113 §8.2.3): rejoin it as HTTP/1.1 sends it
    if (Array.isArray(v)) for (const one of v) headers.append(k, one);
    else headers.set(k, String(v));
  }
  const cookie = h.cookie;
  if (Array.isArray(cookie)) headers.set("cookie", cookie.join("; "));
  let body: Uint8Array | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    body = Buffer.concat(chunks);
  }
  let res: Response;
  try {
    res = await answer(new Request(url, { method, headers, body }));
  } catch {
    res = new Response(null, { status: 500 });
  }
  if (stream.closed || stream.destroyed) return;
  const out: http2.OutgoingHttpHeaders = { ":status": res.status };
  for (const [k, v] of res.headers) if (!CONNECTION_FIELDS.has(k) && k !== "set-cookie") out[k] = v;
  const cookies = res.headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  if (res.body === null || method === "HEAD") {
    stream.respond(out, { endStream: true });
    return;
  }
  stream.respond(out);
  for await (const chunk of res.body) {
    if (stream.closed || stream.destroyed) return;
    stream.write(chunk);
  }
  stream.end();
}
