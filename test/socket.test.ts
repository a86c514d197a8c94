/**
 * The TCP and UDP handlers (src/protocols/socket/) against the echo target's raw ports and small
 * servers on loopback; the plan side through dist/loadr.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startEcho, type EchoServer } from "../src/services/echo/server.ts";
import { DEFAULT_SOCKET_OPTIONS, hexBytes, type SocketCallOptions } from "../src/protocols/socket/options.ts";
import { streamHandlers, text, utf8 } from "./support/stream-handlers.ts";
import { runPlan } from "./support/run-plan.ts";

setDefaultTimeout(30_000);

let echo: EchoServer;
const h = streamHandlers();
beforeAll(async () => {
  echo = await startEcho({});
});
afterAll(async () => {
  await echo.stop();
});

const opts = (o: Partial<SocketCallOptions>): SocketCallOptions => ({ ...DEFAULT_SOCKET_OPTIONS, ...o });

describe("tcp", () => {
  test("the first chunk by default; the payload from the body when there is no send_*; exact bytes counted", async () => {
    const r = await h.call("tcp", { url: echo.tcpUrl, body: utf8("from the body") });
    expect(r).toMatchObject({ status: 0, protocolVersion: "tcp", bytesSent: 13, bytesReceived: 13 });
    expect(text(r)).toBe("from the body");
    expect(r.error).toBeUndefined();
    expect(r.timings.connecting).toBeGreaterThan(0);
    expect(r.timings.duration).toBeCloseTo(r.timings.sending + r.timings.waiting + r.timings.receiving, 6);
  });

  test("read_bytes reads on to N bytes; the harness reply to PING closes, and EOF ends the read without error", async () => {
    const slow = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        async data(s) {
          for (const c of ["ab", "cd", "ef"]) {
            s.write(c);
            await Bun.sleep(10);
          }
        },
        error() {},
      },
    });
    const r = await h.call("tcp", { url: `tcp://127.0.0.1:${slow.port}`, options: opts({ payload: utf8("x"), readBytes: 5 }) });
    slow.stop(true);
    expect(r.error).toBeUndefined();
    expect(text(r)).toBe("abcdef".slice(0, text(r).length));
    expect(r.body.length).toBeGreaterThanOrEqual(5);
    const ping = await h.call("tcp", { url: echo.tcpUrl, options: opts({ payload: utf8("PING 1\n"), readBytes: 64, readTimeoutMs: 2000 }) });
    expect(ping.error).toBeUndefined();
    expect(text(ping)).toBe("PONG\n");
  });

  test("read_timeout fails the read as timeout and keeps what arrived; read_until_close", async () => {
    const t0 = performance.now();
    const r = await h.call("tcp", { url: echo.tcpUrl, options: opts({ payload: utf8("partial"), readBytes: 100, readTimeoutMs: 200 }) });
    expect(r).toMatchObject({ errorKind: "timeout", error: "read timed out after 200ms" });
    expect(text(r)).toBe("partial");
    expect(performance.now() - t0).toBeLessThan(2000);
    const c = await h.call("tcp", { url: echo.tcpUrl, options: opts({ payload: utf8("PING"), readUntilClose: true }) });
    expect(c.error).toBeUndefined();
    expect(text(c)).toBe("PONG\n");
  });

  test("nothing listening, a read past max_message_size, a bad URL", async () => {
    const refused = await h.call("tcp", { url: "tcp://127.0.0.1:9", options: opts({ payload: utf8("x") }) });
    expect(refused.errorKind).toBe("connection_refused");
    const big = await h.call("tcp", { url: echo.tcpUrl, options: opts({ payload: new Uint8Array(5000), readUntilClose: true, maxBytes: 1000 }) });
    expect(big.errorKind).toBe("message_too_large");
    expect(big.body.length).toBe(1000);
    expect(h.call("tcp", { url: "tcp://127.0.0.1" })).rejects.toThrow("must be tcp://host:port");
  });
});

describe("udp", () => {
  test("one datagram out, one back; send_hex payload; empty datagram answered `ok`", async () => {
    const r = await h.call("udp", { url: echo.udpUrl, options: opts({ payload: hexBytes("de ad be ef") }) });
    expect(r.error).toBeUndefined();
    expect([...r.body]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(r).toMatchObject({ status: 0, protocolVersion: "udp", bytesSent: 4, bytesReceived: 4 });
    const e = await h.call("udp", { url: echo.udpUrl });
    expect(text(e)).toBe("ok");
  });

  test("a port with nothing listening is connection_refused, not a crash; silence is a read timeout", async () => {
    const closed = await h.call("udp", { url: "udp://127.0.0.1:9", options: opts({ payload: utf8("x") }) });
    expect(closed).toMatchObject({ errorKind: "connection_refused" });
    const mute = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const r = await h.call("udp", { url: `udp://127.0.0.1:${mute.port}`, options: opts({ payload: utf8("x"), readTimeoutMs: 150 }) });
    mute.close();
    expect(r).toMatchObject({ errorKind: "timeout", error: "read timed out after 150ms" });
  });
});

describe("through dist/loadr", () => {
  test("tcp:// and udp:// steps with send_text templates record tcp_* and udp_* metrics", async () => {
    const r = await runPlan(`
plugins: [{ name: echo }]
scenarios:
  s:
    executor: per-vu-iterations
    vus: 2
    iterations: 3
    flow:
      - request:
          name: tcp
          url: \${services.echo.tcp_url}
          socket: { send_text: "hello \${vu}" }
          checks: [{ type: body_contains, value: "hello" }]
      - request:
          name: udp
          url: \${services.echo.udp_url}
          socket: { send_hex: "6869", read_timeout: 2s }
          checks: [{ type: body_contains, value: "hi" }]
      - request:
          name: nobody
          url: udp://127.0.0.1:9
          socket: { send_text: "x" }
thresholds:
  tcp_reqs: ["count==6"]
  udp_reqs: ["count==12"]
  tcp_connecting: ["max<5000"]
`);
    expect(r.code).toBe(0);
    expect(r.sum("checks")).toBe(12);
    expect(r.sum("data_sent", { name: "tcp" })).toBe(6 * 7);
    expect(r.sum("http_req_failed", { name: "nobody", error_kind: "connection_refused" })).toBe(6);
    expect(r.stdout).toContain("connection_refused");
  });

  test("a malformed send_hex stops the plan before any load with file and line", async () => {
    const r = await runPlan(`
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
      - request:
          url: tcp://127.0.0.1:9
          socket: { send_hex: "abc" }
`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("plan.yaml: error at line 10");
    expect(r.stderr).toContain("send_hex");
  });
});
