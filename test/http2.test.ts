/**
 * HTTP/2 in the HTTP handler (docs/protocols/http2.md): version selection, the echo target's h2
 * (TLS) and h2c listeners, HTTP/1.1's behaviours over h2 (redirects, cookies, decompression,
 * bodies, timeouts, pinning, errors), the per-VU session shared by parallel branches, SETTINGS
 * max concurrent streams and GOAWAY honoured — in process against real servers on loopback — and
 * plans through dist/loadr.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import http2 from "node:http2";
import { gzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { h2Settings, Http2Client } from "../src/protocols/http/h2-client.ts";
import { HttpHandler } from "../src/protocols/http/handler.ts";
import type { HttpClientOptions, HttpVersion } from "../src/protocols/http/options.ts";
import type { ProtocolResponse } from "../src/protocols/types.ts";
import { runPlan } from "./support/run-plan.ts";
import { echoTargets } from "./support/echo-targets.ts";

setDefaultTimeout(60_000);

const BASE: HttpClientOptions = { keepAlive: true, compression: true, cookies: true, followRedirects: true, maxRedirects: 10, hosts: {}, tls: { insecureSkipVerify: true } };
const client = (version: HttpVersion, o: Partial<HttpClientOptions> = {}) => {
  const opts = { ...BASE, ...o, version };
  return new Http2Client(opts, h2Settings(opts));
};
const get = (c: Http2Client, url: string, timeoutMs = 5000) => c.request({ method: "GET", url, headers: [], timeoutMs });
const text = (r: ProtocolResponse) => new TextDecoder().decode(r.body);

const echoes = echoTargets();

/** A bare node:http2 server whose handler the test writes, counting sessions and the most streams open at once. */
async function h2Server(settings: http2.Settings, onStream: (s: http2.ServerHttp2Stream, h: http2.IncomingHttpHeaders, session: http2.ServerHttp2Session) => void) {
  const server = http2.createServer({ settings });
  const stats = { sessions: 0, open: 0, maxOpen: 0 };
  server.on("session", () => stats.sessions++);
  server.on("stream", (s, h) => {
    stats.open++;
    stats.maxOpen = Math.max(stats.maxOpen, stats.open);
    s.on("close", () => stats.open--);
    s.on("error", () => {}); // a stream the test resets
    onStream(s as http2.ServerHttp2Stream, h, s.session as http2.ServerHttp2Session);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, stats, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("version selection", () => {
  test("auto negotiates h2 by ALPN over TLS and reuses the session; cleartext stays HTTP/1.1", async () => {
    const c = client("auto");
    const a = await get(c, `${echoes.plain.h2Url}/json`);
    expect([a.status, a.protocolVersion, a.error]).toEqual([200, "HTTP/2", undefined]);
    expect(JSON.parse(text(a)).token).toBe("tok-123");
    expect(a.timings.tls).toBeGreaterThan(0);
    const b = await get(c, `${echoes.plain.h2Url}/json`);
    expect([b.protocolVersion, b.timings.connecting, b.timings.tls]).toEqual(["HTTP/2", 0, 0]);
    const plain = await get(c, `${echoes.plain.url}/json`);
    expect([plain.status, plain.protocolVersion]).toEqual([200, "HTTP/1.1"]);
    c.close();
  });

  test("auto falls back to HTTP/1.1 when the TLS server does not offer h2; http2 refuses it with one line", async () => {
    const c = client("auto");
    const r = await get(c, `${echoes.tls.url}/json`);
    expect([r.status, r.protocolVersion, r.error]).toEqual([200, "HTTP/1.1", undefined]);
    c.close();
    const strict = client("http2");
    const s = await get(strict, `${echoes.tls.url}/json`);
    expect(s.status).toBe(0);
    expect(s.error).toStartWith("the server does not speak HTTP/2");
    expect(s.errorKind).toBe("transport");
    strict.close();
  });

  test("http2 on an http:// URL is an invalid request; http2-prior-knowledge speaks h2c", async () => {
    const strict = client("http2");
    expect(() => strict.request({ method: "GET", url: `${echoes.plain.h2cUrl}/json`, headers: [], timeoutMs: 1000 })).toThrow("use an https:// URL, or `http2-prior-knowledge`");
    strict.close();
    const pk = client("http2-prior-knowledge");
    const r = await get(pk, `${echoes.plain.h2cUrl}/json`);
    expect([r.status, r.protocolVersion]).toEqual([200, "HTTP/2"]);
    // an HTTP/1.1-only server under prior knowledge: a counted failure, no hang
    const h1 = await get(pk, `${echoes.plain.url}/json`, 3000);
    expect(h1.error).toStartWith("the server did not answer in HTTP/2");
    pk.close();
  });

  test("version http1 keeps the plain HTTP/1.1 client", async () => {
    const h = new HttpHandler({ ...BASE, version: "http1" });
    const c = h.perVu.open();
    expect(c).not.toBeInstanceOf(Http2Client);
    h.perVu.close(c);
  });
});

describe("HTTP/1.1's behaviours over h2", () => {
  test("redirects, cookies, gzip, a POST body, headers as sent", async () => {
    const c = client("auto");
    const red = await get(c, `${echoes.plain.h2Url}/redirect/3`);
    expect([red.status, text(red), red.url]).toEqual([200, "done", `${echoes.plain.h2Url}/redirect/0`]);
    await get(c, `${echoes.plain.h2Url}/cookies/set?a=1&b=2`);
    expect(JSON.parse(text(await get(c, `${echoes.plain.h2Url}/cookies`)))).toEqual({ a: "1", b: "2" });
    const gz = await get(c, `${echoes.plain.h2Url}/gzip`);
    expect(JSON.parse(text(gz))).toEqual({ compressed: true });
    const post = await c.request({
      method: "POST",
      url: `${echoes.plain.h2Url}/echo?x=1`,
      headers: [["Content-Type", "text/plain"], ["X-Trace", "t-1"], ["Connection", "keep-alive"]],
      body: new TextEncoder().encode("hello h2"),
      timeoutMs: 5000,
    });
    const e = JSON.parse(text(post));
    expect([e.method, e.path, e.query, e.body]).toEqual(["POST", "/echo", { x: "1" }, "hello h2"]);
    expect(e.headers["x-trace"]).toBe("t-1");
    expect(e.headers["user-agent"]).toBe("loadr/0.1");
    expect(e.headers["accept-encoding"]).toBe("gzip, deflate, br");
    expect(e.headers.connection).toBeUndefined(); // connection-specific: not sent over h2
    expect(post.bytesSent).toBeGreaterThan("hello h2".length);
    expect(post.bytesReceived).toBeGreaterThan(post.body.length);
    c.close();
  });

  test("the whole exchange is bounded by the timeout; refused and pinned addresses as HTTP/1.1", async () => {
    const c = client("auto");
    const slow = await get(c, `${echoes.plain.h2Url}/delay/3000`, 300);
    expect([slow.status, slow.error, slow.errorKind]).toEqual([0, "request timed out after 300ms", "timeout"]);
    expect(slow.timings.duration).toBeLessThan(2500);
    const refused = await get(c, "https://127.0.0.1:1/");
    expect(refused.errorKind).toBe("connection_refused");
    c.close();
    const port = new URL(echoes.plain.h2Url).port;
    const pinned = client("auto", { hosts: { "h2.test": `127.0.0.1:${port}` } });
    const p = await get(pinned, "https://h2.test/json");
    expect([p.status, p.protocolVersion, p.url]).toEqual([200, "HTTP/2", "https://h2.test/json"]);
    pinned.close();
  });

  test("max_body_size bounds what is kept, as received and as decoded; discard_response_bodies counts without a cap", async () => {
    const bomb = gzipSync(Buffer.alloc(8 << 20)); // 8 MiB of zeros in ~8 KiB
    const srv = await h2Server({}, (s, h) => {
      const path = String(h[":path"]);
      if (path === "/long") {
        // no content-length: found out from the DATA frames
        s.respond({ ":status": 200 });
        s.end(Buffer.alloc(256 << 10, 0x61));
      } else if (path === "/declared") {
        s.respond({ ":status": 200, "content-length": String(1 << 30) });
        s.write(Buffer.alloc(1024));
      } else {
        s.respond({ ":status": 200, "content-encoding": "gzip", "content-length": String(bomb.length) });
        s.end(bomb);
      }
    });
    const c = client("http2-prior-knowledge", { maxBodySize: 64 << 10 });
    const long = await get(c, `${srv.url}/long`);
    expect([long.status, long.errorKind]).toEqual([0, "body_too_large"]);
    expect(long.error).toContain("its DATA frames passed max_body_size (64 KiB)");
    const declared = await get(c, `${srv.url}/declared`);
    expect(declared.errorKind).toBe("body_too_large");
    expect(declared.error).toContain("its Content-Length of 1073741824 bytes");
    const decoded = await get(c, `${srv.url}/bomb`);
    expect(decoded.errorKind).toBe("body_too_large");
    expect(decoded.error).toContain("gzip decoding passed max_body_size");
    // the same bomb within a large enough cap is decoded, streamed, whole
    const roomy = client("http2-prior-knowledge", { maxBodySize: 16 << 20 });
    const whole = await get(roomy, `${srv.url}/bomb`);
    expect([whole.status, whole.body.length]).toEqual([200, 8 << 20]);
    const counted = client("http2-prior-knowledge", { maxBodySize: 1024, discardBodies: true });
    const kept = await get(counted, `${srv.url}/long`);
    expect([kept.status, kept.body.length]).toEqual([200, 0]);
    expect(kept.bytesReceived).toBeGreaterThan(256 << 10);
    for (const x of [c, roomy, counted]) x.close();
    await srv.close();
  });

  test("an untrusted certificate fails the handshake unless insecure_skip_verify", async () => {
    const c = client("http2", { tls: {} });
    const r = await get(c, `${echoes.plain.h2Url}/json`);
    expect(r.errorKind).toBe("tls");
    expect(r.error).toStartWith("tls handshake failed:");
    c.close();
  });
});

describe("sessions", () => {
  test("a VU's parallel branches are streams on its one session", async () => {
    const srv = await h2Server({}, (s) => {
      setTimeout(() => {
        s.respond({ ":status": 200 });
        s.end("ok");
      }, 50);
    });
    const h = new HttpHandler({ ...BASE, version: "http2-prior-knowledge" });
    const vu = h.perVu.open();
    const branches = [h.perVu.branch(vu), h.perVu.branch(vu), h.perVu.branch(vu)];
    const rs = await Promise.all([vu, ...branches].map((c) => get(c as Http2Client, `${srv.url}/`)));
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(srv.stats.sessions).toBe(1);
    expect(srv.stats.maxOpen).toBe(4);
    for (const b of branches) h.perVu.close(b);
    // a branch closing leaves its VU's session open
    expect((await get(vu as Http2Client, `${srv.url}/`)).status).toBe(200);
    expect(srv.stats.sessions).toBe(1);
    h.perVu.close(vu);
    await srv.close();
  });

  test("SETTINGS_MAX_CONCURRENT_STREAMS is honoured: extra streams wait (blocked), never exceed it", async () => {
    const srv = await h2Server({ maxConcurrentStreams: 2 }, (s) => {
      setTimeout(() => {
        s.respond({ ":status": 200 });
        s.end("ok");
      }, 100);
    });
    const c = client("http2-prior-knowledge");
    await get(c, `${srv.url}/`); // the session exists and knows the server's SETTINGS
    const rs = await Promise.all(Array.from({ length: 6 }, () => get(c, `${srv.url}/`)));
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(srv.stats.maxOpen).toBe(2);
    expect(srv.stats.sessions).toBe(1);
    // the last pair waited for two rounds of 100 ms before its stream opened
    expect(Math.max(...rs.map((r) => r.timings.blocked))).toBeGreaterThan(150);
    c.close();
    await srv.close();
  });

  test("GOAWAY: the next request opens a new session, streams the server did not process are sent again", async () => {
    let n = 0;
    const srv = await h2Server({}, (s, _h, session) => {
      n++;
      if (n === 2) {
        // refuse this stream and everything after it on this session
        session.goaway(http2.constants.NGHTTP2_NO_ERROR, 1);
        s.close(http2.constants.NGHTTP2_REFUSED_STREAM);
        return;
      }
      s.respond({ ":status": 200 });
      s.end(`answer ${n}`);
    });
    const c = client("http2-prior-knowledge");
    const first = await get(c, `${srv.url}/`);
    expect(text(first)).toBe("answer 1");
    const second = await get(c, `${srv.url}/`);
    expect([second.status, text(second), second.error]).toEqual([200, "answer 3", undefined]);
    expect(srv.stats.sessions).toBe(2);
    c.close();
    await srv.close();
  });
});

describe("plans through dist/loadr", () => {
  test("an h2 plan: protocol_version in JS conditions, parallel branches, timing phases", async () => {
    const r = await runPlan(`
plugins: [{ name: echo }]
defaults: { http: { tls: { insecure_skip_verify: true } } }
scenarios:
  s:
    executor: per-vu-iterations
    vus: 2
    iterations: 3
    flow:
      - request:
          name: json
          url: \${services.echo.h2_url}/json
          checks:
            - { type: status, equals: 200 }
            - { type: js, name: h2, expression: "response.protocol_version === 'HTTP/2'" }
      - parallel:
          branches:
            - [{ request: { name: p, url: "\${services.echo.h2_url}/delay/20" } }]
            - [{ request: { name: p, url: "\${services.echo.h2_url}/delay/20" } }]
`);
    expect(r.stderr).not.toContain("not supported");
    expect(r.code).toBe(0);
    expect(r.sum("checks", { check: "h2" })).toBe(6);
    expect(r.sum("http_reqs", { name: "p" })).toBe(12);
    expect(r.sum("http_req_failed")).toBe(0);
    expect(r.series("http_req_tls_handshaking").some((s) => (s.agg.max ?? 0) > 0)).toBe(true);
  });

  test("version http2 with a literal http:// URL is refused before any load, with file:line", async () => {
    const r = await runPlan(`
defaults: { http: { version: http2 } }
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
      - request: { url: "http://127.0.0.1:9/" }
`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/plan\.yaml:9:\d+ \(scenarios\.s\.flow\[0\]\.request\.url\): `defaults\.http\.version: http2` negotiates HTTP\/2 by TLS ALPN/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.summary).toBeUndefined();
  });
});
