/**
 * The SSE handler (src/protocols/sse/) against the echo target's /sse stream and against servers
 * on loopback that send the format's corner cases; the plan side through dist/loadr.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startEcho, type EchoServer } from "../src/services/echo/server.ts";
import { DEFAULT_SSE_OPTIONS, type SseCallOptions } from "../src/protocols/sse/options.ts";
import { SseParser, type SseEvent } from "../src/protocols/sse/parser.ts";
import type { SseExtras } from "../src/protocols/sse/stream.ts";
import { streamHandlers, text } from "./support/stream-handlers.ts";
import { runPlan } from "./support/run-plan.ts";

setDefaultTimeout(30_000);

let echo: EchoServer;
let tlsEcho: EchoServer;
const h = streamHandlers();
beforeAll(async () => {
  echo = await startEcho({});
  tlsEcho = await startEcho({ tls: true });
});
afterAll(async () => {
  await echo.stop();
  await tlsEcho.stop();
});

const opts = (o: Partial<SseCallOptions>): SseCallOptions => ({ ...DEFAULT_SSE_OPTIONS, ...o });
const extras = (r: { extras?: unknown }) => r.extras as SseExtras;

/** A server answering every request with `body` as it comes (chunks written apart), then closing. */
function raw(head: string, chunks: string[]) {
  const srv = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      async data(s) {
        s.write(head);
        for (const c of chunks) {
          await Bun.sleep(5);
          s.write(c);
        }
        s.end();
      },
      error() {},
    },
  });
  return { url: `sse://127.0.0.1:${srv.port}/`, stop: () => srv.stop(true) };
}

describe("the event parser", () => {
  const parse = (chunks: string[]) => {
    const out: SseEvent[] = [];
    const p = new SseParser(1 << 20, (e) => (out.push(e), true));
    for (const c of chunks) p.push(new TextEncoder().encode(c));
    return out;
  };
  test("fields, multi-line data, comments, ids, default type, CR/LF/CRLF line ends split anywhere", () => {
    const whole = ": hi\nevent: a\ndata: one\ndata:two\nid: 7\n\r\ndata: x\r\rretry: 50\nevent: only\n\n";
    const expected = [
      { type: "a", data: "one\ntwo", id: "7" },
      { type: "message", data: "x", id: null },
      { type: "only", data: "", id: null },
    ];
    expect(parse([whole])).toEqual(expected);
    for (let cut = 1; cut < whole.length; cut++) expect(parse([whole.slice(0, cut), whole.slice(cut)])).toEqual(expected);
  });
  test("a line or an event past the cap stops the parser", () => {
    const p = new SseParser(10, () => true);
    expect(p.push(new TextEncoder().encode("data: " + "x".repeat(20)))).toBe(false);
    expect(p.tooLarge).toBe(true);
  });
});

describe("a stream against the echo target", () => {
  test("until: the reference's harness stream, stopped at the event whose data contains `done`", async () => {
    const r = await h.call("sse", { url: echo.sseUrl, options: opts({ until: "done" }) });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(200);
    expect(text(r)).toBe('{"status":"done"}');
    expect(extras(r).events_received).toBe(6);
    expect(extras(r).last_event).toEqual({ type: "done", data: '{"status":"done"}', id: null });
    expect(extras(r).events.map((e) => e.type)).toEqual(["update", "update", "update", "update", "update", "done"]);
    expect(extras(r).first_event_ms).toBeGreaterThan(0);
  });

  test("events: N stops after N; duration ends a long stream normally; close ends it too", async () => {
    const n = await h.call("sse", { url: echo.sseUrl + "?count=50&interval=5", options: opts({ events: 3 }) });
    expect(n.error).toBeUndefined();
    expect(extras(n).events_received).toBe(3);
    expect(text(n)).toBe('{"status":"ok","seq":2}');
    const t0 = performance.now();
    const d = await h.call("sse", { url: echo.sseUrl + "?count=1000&interval=20", options: opts({ durationMs: 300 }) });
    expect(d.error).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(extras(d).events_received).toBeGreaterThan(1);
    expect(extras(d).events_received).toBeLessThan(100);
    const c = await h.call("sse", { url: echo.sseUrl + "?count=2&end=close", options: opts({}) });
    expect(c.error).toBeUndefined();
    expect(extras(c).events_received).toBe(2);
  });

  test("the request timeout is a normal end after an event, and extras.events keeps the first 100", async () => {
    const r = await h.call("sse", { url: echo.sseUrl + "?count=150&end=hold", timeoutMs: 800, options: opts({}) });
    expect(r.error).toBeUndefined();
    expect(extras(r).events_received).toBe(150);
    expect(extras(r).events.length).toBe(100);
    expect(extras(r).events[99]!.data).toBe('{"status":"ok","seq":99}');
  });

  test("sses:// over TLS; a status >= 400 fails by its status; POST is refused", async () => {
    const tls = streamHandlers({ tls: { insecureSkipVerify: true } });
    const r = await tls.call("sse", { url: tlsEcho.sseUrl, options: opts({ events: 1 }) });
    expect(r.error).toBeUndefined();
    expect(extras(r).events_received).toBe(1);
    const nf = await h.call("sse", { url: echo.url + "/status/404", options: opts({}) });
    expect(nf.status).toBe(404);
    expect(nf.error).toBeUndefined();
    expect(h.router.named("sse")!.handler.failed(nf)).toBe(true);
    expect(h.call("sse", { url: echo.sseUrl, method: "POST", options: opts({}) })).rejects.toThrow("sse requires GET");
  });
});

describe("bad input: a counted failure with its kind, never a hung VU", () => {
  test("a stream that never sends an event fails as no_events within the timeout", async () => {
    const t0 = performance.now();
    const r = await h.call("sse", { url: echo.sseUrl + "?count=0&end=hold", timeoutMs: 400, options: opts({}) });
    expect(r).toMatchObject({ status: 200, errorKind: "no_events", error: "sse: no event within the request timeout (400ms)" });
    expect(performance.now() - t0).toBeLessThan(2000);
    const closed = await h.call("sse", { url: echo.sseUrl + "?count=0&end=close", options: opts({}) });
    expect(closed).toMatchObject({ errorKind: "no_events" });
    const noStream = await h.call("sse", { url: echo.url + "/status/204", options: opts({}) });
    expect(noStream).toMatchObject({ status: 204, errorKind: "no_events" });
  });

  test("chunked bodies split anywhere, an event past max_message_size, a bad chunk", async () => {
    const ok = raw("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n", ["8\r\ndata:", " 1\n\r\n", "6\r\n\ndata:\r\n3\r\n 2\n\r\n", "1\r\n\n\r\n0\r\n\r\n"]);
    const r = await h.call("sse", { url: ok.url, options: opts({}) });
    ok.stop();
    expect(r.error).toBeUndefined();
    expect(extras(r).events.map((e) => e.data)).toEqual(["1", "2"]);
    const big = raw("HTTP/1.1 200 OK\r\n\r\n", ["data: " + "y".repeat(3000) + "\n\n"]);
    const b = await h.call("sse", { url: big.url, options: opts({ maxBytes: 1000 }) });
    big.stop();
    expect(b.errorKind).toBe("message_too_large");
    const garbage = raw("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n", ["zz\r\n"]);
    const g = await h.call("sse", { url: garbage.url, options: opts({}) });
    garbage.stop();
    expect(g.errorKind).toBe("transport");
  });
});

describe("through dist/loadr", () => {
  test("sse:// steps record plugin_reqs, sse_events and the time to the first event", async () => {
    const r = await runPlan(`
plugins: [{ name: echo }]
scenarios:
  s:
    executor: per-vu-iterations
    vus: 2
    iterations: 2
    flow:
      - request:
          name: stream
          url: \${services.echo.sse_url}?count=3
          headers: { Last-Event-ID: "\${iteration}" }
          sse: { events: 10, until: done, duration: 5s }
          checks: [{ type: body_contains, value: done }]
          assert: [{ type: status, equals: 200 }]
      - request:
          name: over http
          url: \${services.echo.url}/events
          protocol: sse
thresholds:
  sse_events: ["count==36"]
  plugin_reqs: ["count==8"]
  sse_time_to_first_event: ["p(95)<5000"]
`);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.sum("http_req_failed")).toBe(0);
    expect(r.sum("checks")).toBe(4);
    expect(r.series("plugin_reqs", { name: "stream", proto: "sse", status: "200" }).length).toBe(1);
  });
});
