/**
 * The HTTP endpoints of the echo target (reference §7, plus a few the HTTP client's tests need).
 *
 * Routing is Bun's native router (exact paths, then `:param` paths): static endpoints are
 * prebuilt `Response`s that Bun answers without entering JS at all, which is what makes the
 * echo target a usable benchmark target when nginx is absent. Dynamic endpoints do only the
 * work their route needs.
 */
import type { BunRequest } from "bun";
import {
  BROTLI_BODY,
  CHUNKS,
  DEFLATE_BODY,
  GZIP_BODY,
  HTML_BODY,
  JSON_BODY,
  JSON_TYPE,
  LARGE_MAX_KB,
  TEXT,
  WELCOME,
  XML_BODY,
  largeBody,
} from "./bodies.ts";
import { demo } from "./demo.ts";

const dec = new TextDecoder(); // non-fatal: invalid UTF-8 becomes U+FFFD, as the reference's lossy decode

const staticResponse = (body: Uint8Array, type: string, extra?: Record<string, string>) =>
  new Response(body, { headers: { "content-type": type, ...extra } });

const text = (body: string, status = 200) => new Response(body, { status, headers: { "content-type": TEXT } });
const json = (value: unknown, status = 200, headers?: Headers) => {
  const h = headers ?? new Headers();
  h.set("content-type", JSON_TYPE);
  return new Response(JSON.stringify(value), { status, headers: h });
};
const empty = (status: number) => new Response(null, { status });

/** A non-negative decimal integer path parameter, or -1 (no signs, no fractions, no blanks). */
function uint(s: string | undefined): number {
  if (!s || !/^\d{1,12}$/.test(s)) return -1;
  return Number(s);
}

function headersObject(h: Headers): Record<string, string> {
  // Headers iteration yields lower-cased names with repeated values already joined by ", ".
  const out: Record<string, string> = {};
  for (const [k, v] of h) out[k] = v;
  return out;
}

function requestCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = req.headers.get("cookie");
  if (!raw) return out;
  for (const part of raw.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

async function echo(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v; // last value wins, like a map of the query
  const body = new Uint8Array(await req.arrayBuffer());
  return json({
    method: req.method,
    path: url.pathname,
    query,
    headers: headersObject(req.headers),
    body: dec.decode(body),
    body_base64: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("base64"),
  });
}

async function login(req: Request): Promise<Response> {
  let username: unknown;
  let password: unknown;
  const type = req.headers.get("content-type") ?? "";
  const raw = await req.text();
  if (type.includes("json") || (!type.includes("form") && raw.trimStart().startsWith("{"))) {
    try {
      const v = JSON.parse(raw) as Record<string, unknown>;
      if (v && typeof v === "object") ({ username, password } = v);
    } catch {
      return json({ error: "invalid JSON body" }, 400);
    }
  } else {
    const form = new URLSearchParams(raw);
    username = form.get("username") ?? undefined;
    password = form.get("password") ?? undefined;
  }
  if (typeof username !== "string" || !username || typeof password !== "string" || !password) {
    return json({ error: "username and password are required" }, 400);
  }
  const token = "sess-" + Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex");
  const h = new Headers({ "set-cookie": `session=${token}; HttpOnly; Path=/` });
  return json({ token }, 200, h);
}

function cookiesSet(req: Request): Response {
  const h = new Headers();
  for (const [k, v] of new URL(req.url).searchParams) h.append("set-cookie", `${k}=${v}; Path=/`);
  // The reference answers with the cookies the request carried, not the ones it sets.
  return json(requestCookies(req), 200, h);
}

/** Each piece is flushed on its own so the client sees several chunks, not one coalesced write. */
function chunked(): Response {
  const stream = new ReadableStream({
    type: "direct",
    async pull(controller) {
      for (const c of CHUNKS) {
        controller.write(c);
        await controller.flush();
        await Bun.sleep(1);
      }
      controller.close();
    },
  });
  return new Response(stream, { headers: { "content-type": TEXT } });
}

const enc = new TextEncoder();

/** SSE: 5 `tick` events ~50 ms apart, then the stream ends (reference SseTestServer). */
function events(): Response {
  const stream = new ReadableStream({
    type: "direct",
    async pull(controller) {
      for (let n = 0; n < 5; n++) {
        if (n > 0) await Bun.sleep(50);
        controller.write(enc.encode(`event: tick\ndata: {"n":${n}}\n\n`));
        await controller.flush();
      }
      controller.close();
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
}

/** Longest /delay/{ms}; the server's idle timeout is set above it (see echo.ts). */
export const DELAY_MAX_MS = 60_000;

/** The route table for Bun.serve. `counter` is per server instance, hence a factory. */
export function echoRoutes() {
  let counter = 0;
  return {
    "/": { GET: staticResponse(WELCOME, TEXT) },
    "/json": { GET: staticResponse(JSON_BODY, JSON_TYPE) },
    "/xml": { GET: staticResponse(XML_BODY, "application/xml") },
    "/html": { GET: staticResponse(HTML_BODY, "text/html; charset=utf-8") },
    "/gzip": { GET: staticResponse(GZIP_BODY, JSON_TYPE, { "content-encoding": "gzip" }) },
    "/deflate": { GET: staticResponse(DEFLATE_BODY, JSON_TYPE, { "content-encoding": "deflate" }) },
    "/brotli": { GET: staticResponse(BROTLI_BODY, JSON_TYPE, { "content-encoding": "br" }) },
    // Answers then closes the connection (keep-alive / reconnect tests). Must be a handler: Bun
    // ignores `Connection: close` on a prebuilt static Response and keeps the socket open.
    "/close": { GET: () => new Response(WELCOME, { headers: { "content-type": TEXT, connection: "close" } }) },
    "/echo": echo,
    // the reference harness's demo app (examples 05, 06, 07, 16, 17, 22, 25)
    "/demo": demo,
    "/demo/*": demo,
    "/login": { POST: login },
    "/cookies": { GET: (req: Request) => json(requestCookies(req)) },
    "/cookies/set": { GET: cookiesSet },
    "/headers": { GET: (req: Request) => json(headersObject(req.headers)) },
    "/counter": { GET: () => text(String(++counter)) },
    "/chunked": { GET: chunked },
    "/events": { GET: events },
    "/status/:code": {
      GET: (req: BunRequest<"/status/:code">) => {
        const code = uint(req.params.code);
        // Response accepts 200..599; informational codes cannot be a final answer here.
        if (code < 200 || code > 599) return empty(400);
        return empty(code);
      },
    },
    "/delay/:ms": {
      GET: async (req: BunRequest<"/delay/:ms">) => {
        const ms = uint(req.params.ms);
        if (ms < 0 || ms > DELAY_MAX_MS) return empty(400);
        await Bun.sleep(ms);
        return text(`delayed ${ms}ms`);
      },
    },
    "/redirect/:n": {
      GET: (req: BunRequest<"/redirect/:n">) => {
        const n = uint(req.params.n);
        if (n < 0) return empty(400);
        if (n === 0) return text("done");
        return new Response(null, { status: 302, headers: { location: `/redirect/${n - 1}` } });
      },
    },
    "/large/:kb": {
      GET: (req: BunRequest<"/large/:kb">) => {
        const kb = uint(req.params.kb);
        if (kb < 0 || kb > LARGE_MAX_KB) return empty(400);
        return new Response(largeBody(kb), { headers: { "content-type": TEXT } });
      },
    },
  };
}
