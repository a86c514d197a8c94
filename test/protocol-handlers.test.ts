/**
 * The protocol handler seam (src/protocols/handler.ts): one contract suite run against every
 * implementation, as Hono's common.case.test.ts runs one suite against every router — the
 * built-in HTTP/1.1 handler (against the echo target and a loopback server that hangs up), the
 * built-in GraphQL, WebSocket, SSE, TCP and UDP handlers (against the echo target's endpoints) and
 * a native protocol plugin through its adapter, in process and isolated in a child process (the C
 * echo-proto example built by `bun run build`). Plus the one error_kind list, in code and in
 * docs/metrics.md.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Socket, TCPSocketListener } from "bun";
import { startEcho, type EchoServer } from "../src/services/echo/server.ts";
import { loadNativePlugin } from "../src/plugins/host/native/load.ts";
import { NativeProtocol } from "../src/plugins/host/native/protocol.ts";
import { IsolatedProtocol } from "../src/plugins/host/native/isolation.ts";
import { HttpHandler } from "../src/protocols/http/handler.ts";
import { GraphqlHandler } from "../src/protocols/graphql/handler.ts";
import { TcpHandler, UdpHandler } from "../src/protocols/socket/handler.ts";
import { SseHandler } from "../src/protocols/sse/handler.ts";
import { WsHandler } from "../src/protocols/ws/handler.ts";
import { DEFAULT_WS_OPTIONS } from "../src/protocols/ws/options.ts";
import { DEFAULT_SOCKET_OPTIONS } from "../src/protocols/socket/options.ts";
import { ProtocolRouter } from "../src/protocols/router.ts";
import type { ProtocolHandler } from "../src/protocols/handler.ts";
import { ERROR_KINDS, type ProtocolRequest, type ProtocolResponse } from "../src/protocols/types.ts";
import { Sink, type TagSet } from "../src/metrics/sink.ts";
import { Vu } from "../src/engine/worker/vu.ts";
import type { ScenarioRuntime } from "../src/engine/worker/scenario-runtime.ts";
import { Outcome } from "../src/engine/worker/outcome.ts";
import { DIST_PLUGINS, ROOT } from "./support/native.ts";
import { of, pipelineHarness } from "./support/pipeline-harness.ts";

/** A loopback server that counts its open connections; `hangUp` ones close on the first request bytes. */
function tcpServer(hangUp: boolean): { port: number; open: () => number; stop: () => void } {
  let open = 0;
  const server: TCPSocketListener<undefined> = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open: () => void open++,
      close: () => void open--,
      data(s: Socket<undefined>) {
        if (hangUp) s.end();
        else s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
      },
    },
  });
  return { port: server.port, open: () => open, stop: () => server.stop(true) };
}

interface Subject {
  handler: ProtocolHandler<any>;
  /** answered without error */
  ok: ProtocolRequest;
  /** fails at the transport level after bytes went out */
  transportFailure: ProtocolRequest;
  /** a request the handler cannot send at all */
  invalid: ProtocolRequest;
  /** whether the handler throws for it (else it answers an error with zero timings) */
  invalidThrows: boolean;
  close(): void;
}

const HTTP_OPTIONS = { keepAlive: true, compression: true, cookies: true, followRedirects: true, maxRedirects: 10, hosts: {}, tls: {} };
const req = (url: string, extra: Partial<ProtocolRequest> = {}): ProtocolRequest => ({ name: "r", method: "GET", url, headers: [], timeoutMs: 5000, ...extra });
const body = new TextEncoder().encode("abcdef");

let echo: EchoServer;
let hangUp: ReturnType<typeof tcpServer>;
let counting: ReturnType<typeof tcpServer>;
beforeAll(async () => {
  echo = await startEcho();
  hangUp = tcpServer(true);
  counting = tcpServer(false);
});
afterAll(async () => {
  await echo.stop();
  hangUp.stop();
  counting.stop();
});

const echoProtoLib = () => {
  const lib = loadNativePlugin({ name: "echo-proto" }, undefined, join(DIST_PLUGINS, "echo-proto/libecho_proto.so"), {});
  if (lib.kind !== "protocol") throw new Error("echo-proto did not load as a protocol");
  return lib;
};
// echo-proto: `fail` sets the response's error after `sleep_ms` (its duration_ms); options that JSON cannot encode make the request unsendable
const pluginRequests = {
  ok: req("echo-proto://h/x", { body }),
  transportFailure: req("echo-proto://h/x", { body, options: { fail: "connection reset by peer", sleep_ms: 3 } }),
  invalid: req("echo-proto://h/x", { options: { n: 10n } }),
  invalidThrows: true,
};

const CASES: { name: string; make(): Promise<Subject> }[] = [
  {
    name: "HTTP/1.1",
    make: async () => ({
      handler: new HttpHandler(HTTP_OPTIONS),
      ok: req(`${echo.url}/echo`, { method: "POST", body }),
      transportFailure: req(`http://127.0.0.1:${hangUp.port}/`, { method: "POST", body }),
      invalid: req("http://127.0.0.1:99999/"),
      invalidThrows: false,
      close: () => {},
    }),
  },
  {
    name: "GraphQL (over HTTP/1.1)",
    make: async () => ({
      handler: new GraphqlHandler(new HttpHandler(HTTP_OPTIONS)),
      ok: req(echo.graphqlUrl, { method: "POST", headers: [["Content-Type", "application/json"]], body: new TextEncoder().encode('{"query":"{ echo(message: \\"hi\\") }"}') }),
      transportFailure: req(`http://127.0.0.1:${hangUp.port}/graphql`, { method: "POST", body }),
      invalid: req("http://127.0.0.1:99999/"),
      invalidThrows: false,
      close: () => {},
    }),
  },
  {
    name: "WebSocket",
    make: async () => ({
      handler: new WsHandler(HTTP_OPTIONS),
      ok: req(echo.wsUrl, { options: { ...DEFAULT_WS_OPTIONS, frames: [{ data: body, binary: false, delayMs: 0 }] } }),
      transportFailure: req(`ws://127.0.0.1:${hangUp.port}/`),
      invalid: req("ws://127.0.0.1:99999/"),
      invalidThrows: true,
      close: () => {},
    }),
  },
  {
    name: "SSE",
    make: async () => ({
      handler: new SseHandler(HTTP_OPTIONS),
      ok: req(echo.sseUrl),
      transportFailure: req(`sse://127.0.0.1:${hangUp.port}/`),
      invalid: req("sse://127.0.0.1:99999/"),
      invalidThrows: true,
      close: () => {},
    }),
  },
  {
    name: "TCP",
    make: async () => ({
      handler: new TcpHandler(HTTP_OPTIONS),
      ok: req(echo.tcpUrl, { body }),
      transportFailure: req(echo.tcpUrl, { options: { ...DEFAULT_SOCKET_OPTIONS, payload: body, readBytes: 1000, readTimeoutMs: 50 } }),
      invalid: req("tcp://127.0.0.1/"),
      invalidThrows: true,
      close: () => {},
    }),
  },
  {
    name: "UDP",
    make: async () => ({
      handler: new UdpHandler(HTTP_OPTIONS),
      ok: req(echo.udpUrl, { body }),
      transportFailure: req("udp://127.0.0.1:9", { body }),
      invalid: req("udp://127.0.0.1/"),
      invalidThrows: true,
      close: () => {},
    }),
  },
  {
    name: "native protocol plugin, in process (adapter)",
    make: async () => ({ handler: await NativeProtocol.create(echoProtoLib().lib, {}), ...pluginRequests, close: () => {} }),
  },
  {
    name: "native protocol plugin, isolation: process (adapter)",
    make: async () => {
      const lib = echoProtoLib();
      const handler = new IsolatedProtocol(lib.path, lib.info, {});
      return { handler, ...pluginRequests, close: () => handler.close() };
    },
  },
];

/** One request on a fresh per-VU state (or none, for a stateless handler). */
async function call(h: ProtocolHandler<any>, r: ProtocolRequest): Promise<ProtocolResponse> {
  const state = h.perVu?.open();
  try {
    return await h.call(r, state);
  } finally {
    if (state !== undefined) h.perVu!.close(state);
  }
}

/** The metric names a handler's emit() records for these responses. */
function emitted(h: ProtocolHandler<any>, responses: ProtocolResponse[]): string[] {
  const sink = new Sink();
  const names = new Set<string>();
  for (const kind of ["counter", "trend", "rate"] as const) {
    const record = (sink[kind] as (m: string, t: TagSet, v: never) => void).bind(sink);
    sink[kind] = ((m: string, t: TagSet, v: never) => {
      names.add(m);
      record(m, t, v);
    }) as never;
  }
  const ts = sink.tags({ name: "r" });
  for (const r of responses) h.emit(sink, ts, r);
  return [...names].sort();
}

const zeroTimings = (r: ProtocolResponse) => Object.values(r.timings).every((v) => v === 0);

for (const c of CASES) {
  describe(`protocol handler contract: ${c.name}`, () => {
    let s: Subject;
    beforeAll(async () => {
      s = await c.make();
    });
    afterAll(() => s.close());

    test("answers a request: no error, not failed, bytes and timings counted (duration = sending + waiting + receiving)", async () => {
      const r = await call(s.handler, s.ok);
      expect(r.error).toBeUndefined();
      expect(s.handler.failed(r)).toBe(false);
      expect(r.bytesSent).toBeGreaterThan(0);
      expect(r.bytesReceived).toBeGreaterThan(0);
      const t = r.timings;
      for (const v of Object.values(t)) expect(v).toBeGreaterThanOrEqual(0);
      expect(t.duration).toBeCloseTo(t.sending + t.waiting + t.receiving, 6);
    });

    test("a transport failure is an error response, never a throw: a listed error_kind, failed, its timings and bytes count", async () => {
      const r = await call(s.handler, s.transportFailure);
      expect(typeof r.error).toBe("string");
      expect(ERROR_KINDS).toContain(r.errorKind!);
      expect(s.handler.failed(r)).toBe(true);
      expect(Object.values(r.timings).some((v) => v > 0)).toBe(true);
      expect(r.bytesSent).toBeGreaterThan(0);
    });

    test("an invalid request: the handler throws, or answers an error with zero timings and nothing sent", async () => {
      let r: ProtocolResponse | undefined;
      let threw = false;
      try {
        r = await call(s.handler, s.invalid);
      } catch {
        threw = true;
      }
      expect(threw).toBe(s.invalidThrows);
      if (!threw) expect({ error: typeof r!.error, zero: zeroTimings(r!), sent: r!.bytesSent }).toEqual({ error: "string", zero: true, sent: 0 });
    });

    test("emit() records exactly the metric names the handler declares", async () => {
      const ok = await call(s.handler, s.ok);
      const failed = await call(s.handler, s.transportFailure);
      // the optional family counters show when a response's extras carry them
      const rich = Object.create(ok, { extras: { value: { docs: 1, rows: 2, msgs: 3 } } }) as ProtocolResponse;
      expect(emitted(s.handler, [rich, ok, failed])).toEqual([...s.handler.metrics].sort());
      expect(new Set(s.handler.metrics).size).toBe(s.handler.metrics.length);
    });

    test("per-VU state: opened once per VU, its own for a parallel branch, closed when the VU retires or is interrupted", async () => {
      const h = s.handler;
      const router = new ProtocolRouter([{ handler: h, names: [h.name], schemes: [] }]);
      const routed = router.handlers[0]!;
      const vu = new Vu(1, { run: { protocols: router } } as unknown as ScenarioRuntime);
      if (h.perVu === undefined) {
        // stateless: the VU keeps nothing for it, and requests go through with no state
        const r = await h.call(s.ok, undefined);
        expect(r.error).toBeUndefined();
        return;
      }
      const first = vu.state(routed);
      expect(vu.state(routed)).toBe(first);
      const child = vu.branch(0);
      expect(child.state(routed)).not.toBe(first);
      vu.endBranch(child);
      // a keep-alive connection of this VU's state is open at the server until the VU retires
      const target = req(`http://127.0.0.1:${counting.port}/`);
      expect((await h.call(target, first)).status).toBe(200);
      await waitFor(() => counting.open() === 1);
      vu.close();
      await waitFor(() => counting.open() === 0);
      expect((await h.call(target, first)).error).toBe("client closed");
      // the next request opens a fresh state; an interrupt (ramp-down) closes it the same way
      const second = vu.state(routed);
      expect(second).not.toBe(first);
      expect((await h.call(target, second)).status).toBe(200);
      await waitFor(() => counting.open() === 1);
      vu.interrupt();
      await waitFor(() => counting.open() === 0);
    });
  });
}

async function waitFor(cond: () => boolean, ms = 2000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${cond}`);
    await Bun.sleep(5);
  }
}

describe("the pipeline's send phase", () => {
  test("a handler's throw (sync, or a rejected promise) is an invalid_request error response with zero timings, recorded by that handler; the flow goes on", async () => {
    const echoProto = await NativeProtocol.create(echoProtoLib().lib, {});
    // the plan cannot produce options JSON cannot encode: these handlers add them, and the adapter refuses the request
    const unencodable = (name: string, call: (r: ProtocolRequest) => ProtocolResponse | Promise<ProtocolResponse>) =>
      Object.assign(Object.create(echoProto) as ProtocolHandler, { name, call });
    const h = pipelineHarness({
      flow: `- request: { name: sync, url: "sync://h/" }\n- request: { name: async, url: "async://h/" }\n- request: { name: fine, url: "${echo.url}/" }`,
      handlers: [
        { handler: unencodable("sync-proto", (r) => echoProto.call({ ...r, options: { n: 1n } })), schemes: ["sync"] },
        { handler: unencodable("async-proto", async (r) => echoProto.call({ ...r, options: { n: 1n } })), schemes: ["async"] },
      ],
    });
    expect(await h.iterate()).toBe(Outcome.Continue);
    const samples = h.samples();
    for (const name of ["sync", "async"]) {
      const reqs = of(samples, "echo_proto_reqs", { name });
      expect(reqs.map((x) => [x.tags.proto, x.tags.status, x.tags.error_kind])).toEqual([[`${name}-proto`, "0", "invalid_request"]]);
      expect(of(samples, "echo_proto_req_duration", { name })[0]!.max).toBe(0);
      expect(of(samples, "data_sent", { name })[0]!.value).toBe(0);
      expect(of(samples, "http_req_failed", { name })[0]!.value).toBe(1);
    }
    expect(of(samples, "http_reqs", { name: "fine" }).map((x) => x.tags.status)).toEqual(["200"]);
    expect(h.logs).toEqual(["warn: request `sync` not sent: invalid request: JSON.stringify cannot serialize BigInt.", "warn: request `async` not sent: invalid request: JSON.stringify cannot serialize BigInt."]);
  });
});

describe("error_kind", () => {
  test("docs/metrics.md lists exactly the kinds of src/protocols/types.ts, in order", () => {
    const doc = readFileSync(join(ROOT, "docs/metrics.md"), "utf8");
    const section = doc.slice(doc.indexOf("## error_kind"));
    const rows = [...section.slice(0, section.indexOf("\n## ", 5) >>> 0).matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual([...ERROR_KINDS]);
  });
});
