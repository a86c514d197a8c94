/**
 * The WebSocket handler (src/protocols/ws/) against the echo target's /ws and /ws/ack, and
 * against a hostile server on loopback that completes the handshake and then breaks the protocol;
 * the plan side through dist/loadr.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import type { Socket, TCPSocketListener } from "bun";
import type { WsCallOptions, WsFrame } from "../src/protocols/ws/options.ts";
import { DEFAULT_WS_OPTIONS } from "../src/protocols/ws/options.ts";
import { Link } from "../src/protocols/socket/link.ts";
import { streamHandlers, text, utf8 } from "./support/stream-handlers.ts";
import { echoTargets } from "./support/echo-targets.ts";
import { runPlan } from "./support/run-plan.ts";

setDefaultTimeout(30_000);

const echoes = echoTargets();
const h = streamHandlers();

const frame = (s: string, delayMs = 0): WsFrame => ({ data: utf8(s), binary: false, delayMs });
const opts = (o: Partial<WsCallOptions>): WsCallOptions => ({ ...DEFAULT_WS_OPTIONS, ...o });
const extras = (r: { extras?: unknown }) => r.extras as Record<string, unknown>;

describe("a session against the echo target", () => {
  test("frames in order, text and binary, echoed; the body is the last message; subprotocol chosen", async () => {
    const bin: WsFrame = { data: new Uint8Array([0xde, 0xad, 0xbe, 0xef]), binary: true, delayMs: 0 };
    const r = await h.call("ws", { url: echoes.plain.wsUrl, headers: [["Origin", "http://example.test"]], options: opts({ subprotocols: ["chat.v2", "other"], frames: [frame("hello"), frame("again", 30), bin] }) });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(101);
    expect(r.protocolVersion).toBe("ws");
    expect(r.headers.find(([k]) => k.toLowerCase() === "sec-websocket-protocol")?.[1]).toBe("chat.v2");
    expect([...r.body]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(extras(r)).toMatchObject({ msgs_sent: 3, msgs_received: 3, last_message: null, close_code: null });
    // the 30 ms delay is inside sending; duration is handshake + sending + receiving
    expect(r.timings.sending).toBeGreaterThanOrEqual(25);
    expect(r.timings.duration).toBeCloseTo(r.timings.waiting + r.timings.sending + r.timings.receiving, 6);
    expect(r.bytesSent).toBeGreaterThan(3 + 5 + 5 + 4);
  });

  test("/ws/ack answers every frame as the reference's harness: the last message is the ack text", async () => {
    const r = await h.call("ws", { url: echoes.plain.wsUrl + "/ack", options: opts({ frames: [frame("a"), frame("b")], receiveCount: 2 }) });
    expect(r.error).toBeUndefined();
    expect(text(r)).toBe('{"type":"ack","ok":true}');
    expect(extras(r).last_message).toBe('{"type":"ack","ok":true}');
  });

  test("receive_until stops at the first text containing it; receive_count 0 ends after sending", async () => {
    const r = await h.call("ws", { url: echoes.plain.wsUrl, options: opts({ frames: [frame("one"), frame("two"), frame("three")], receiveUntil: "tw" }) });
    expect(r.error).toBeUndefined();
    expect(text(r)).toBe("two");
    expect(extras(r).msgs_received).toBe(2);
    // matched in the message's bytes: multi-byte text, and never across into the next message
    const u = await h.call("ws", { url: echoes.plain.wsUrl, options: opts({ frames: [frame("crème"), frame("brûlée"), frame("naïve")], receiveUntil: "ûl" }) });
    expect(u.error).toBeUndefined();
    expect(extras(u)).toMatchObject({ msgs_received: 2, last_message: "brûlée" });
    const z = await h.call("ws", { url: echoes.plain.wsUrl, options: opts({ frames: [frame("x")], receiveCount: 0 }) });
    expect(z.error).toBeUndefined();
    expect(extras(z).msgs_received).toBe(0);
  });

  test("session_duration ends the receive phase normally; the request timeout fails it", async () => {
    const t0 = performance.now();
    const r = await h.call("ws", { url: echoes.plain.wsUrl, options: opts({ frames: [frame("x")], receiveUntil: "never", sessionDurationMs: 300 }) });
    expect(r.error).toBeUndefined();
    expect(extras(r).msgs_received).toBe(1);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(r.timings.receiving).toBeGreaterThanOrEqual(290);
    const late = await h.call("ws", { url: echoes.plain.wsUrl, timeoutMs: 400, options: opts({ frames: [frame("x")], receiveCount: 5 }) });
    expect(late).toMatchObject({ status: 101, errorKind: "timeout", error: "request timed out after 400ms" });
    expect(extras(late).msgs_received).toBe(1);
  });

  test("permessage-deflate: negotiated when asked, messages compressed both ways", async () => {
    const big = "compress me ".repeat(500);
    const r = await h.call("ws", { url: echoes.plain.wsUrl, options: opts({ frames: [frame(big)], deflate: true }) });
    expect(r.error).toBeUndefined();
    expect(r.headers.find(([k]) => k.toLowerCase() === "sec-websocket-extensions")?.[1]).toContain("permessage-deflate");
    expect(text(r)).toBe(big);
    expect(r.bytesReceived).toBeLessThan(big.length / 4);
    expect(r.bytesSent).toBeLessThan(big.length / 4);
  });

  test("frames due together go out in one write: the ones before a delay, then the delayed one with those after it", async () => {
    // observed on the real link: each write the session makes, its frames unmasked
    const writes: { op: number; text: string }[][] = [];
    const proto = Link.prototype as unknown as { write(b: Uint8Array | string): void };
    const write = proto.write;
    proto.write = function (this: Link, b: Uint8Array | string) {
      if (typeof b !== "string") writes.push(clientFrames(b));
      return write.call(this, b);
    };
    try {
      const r = await h.call("ws", { url: echoes.plain.wsUrl, options: opts({ frames: [frame("a"), frame("b"), frame("c", 50), frame("d"), frame("e")] }) });
      expect(r.error).toBeUndefined();
      expect(extras(r)).toMatchObject({ msgs_sent: 5, msgs_received: 5, last_message: "e" });
      expect(r.timings.sending).toBeGreaterThanOrEqual(45);
    } finally {
      proto.write = write;
    }
    expect(writes.map((w) => w.map((f) => (f.op === 1 ? f.text : `op${f.op}`)))).toEqual([["a", "b"], ["c", "d", "e"], ["op8"]]);
    // compressed messages batched alike: each its own compressed frame, echoed intact
    const words = ["one ".repeat(50), "two ".repeat(50), "three ".repeat(50)];
    const z = await h.call("ws", { url: echoes.plain.wsUrl, options: opts({ frames: words.map((w) => frame(w)), deflate: true }) });
    expect(z.error).toBeUndefined();
    expect(extras(z)).toMatchObject({ msgs_sent: 3, msgs_received: 3, last_message: words[2] });
    expect(z.bytesSent).toBeLessThan(words.join("").length / 2);
  });

  test("pings are answered with pongs; the server's close frame is a normal end with its code", async () => {
    const r = await h.call("ws", { url: echoes.plain.wsUrl, options: opts({ frames: [frame("ping-me")] }) });
    expect(r.error).toBeUndefined();
    expect(text(r)).toBe("pong received");
    const c = await h.call("ws", { url: echoes.plain.wsUrl, options: opts({ frames: [frame("close-4000")] }) });
    expect(c.error).toBeUndefined();
    expect(extras(c)).toMatchObject({ close_code: 4000, close_reason: "custom", msgs_received: 0 });
  });

  test("wss:// with the plan's TLS options", async () => {
    const insecure = streamHandlers({ tls: { insecureSkipVerify: true } });
    const r = await insecure.call("ws", { url: echoes.tls.wsUrl, options: opts({ frames: [frame("over tls")] }) });
    expect(r.error).toBeUndefined();
    expect(text(r)).toBe("over tls");
    expect(r.timings.tls).toBeGreaterThan(0);
    const strict = await h.call("ws", { url: echoes.tls.wsUrl, options: opts({ frames: [frame("x")] }) });
    expect(strict.errorKind).toBe("tls");
  });

  test("a refused upgrade fails as handshake with the server's status", async () => {
    const r = await h.call("ws", { url: echoes.plain.wsUrl.replace("/ws", "/status/403"), options: opts({ frames: [frame("x")] }) });
    expect(r).toMatchObject({ status: 403, errorKind: "handshake" });
    expect(r.error).toBe("websocket handshake refused: 403 Forbidden (expected 101 Switching Protocols)");
    const refused = await h.call("ws", { url: "ws://127.0.0.1:9/ws", options: opts({ frames: [frame("x")] }) });
    expect(refused).toMatchObject({ status: 0, errorKind: "connection_refused" });
  });

  test("a URL it cannot use is an invalid request (the pipeline records it)", async () => {
    expect(h.call("ws", { url: "ws://", options: opts({}) })).rejects.toThrow();
    expect(h.call("ws", { url: "http://127.0.0.1:1/", options: opts({}) })).rejects.toThrow("cannot handle scheme `http`");
  });
});

/** The client frames in `b` (RFC 6455 §5.2, masked, lengths under 64 KiB): opcode and unmasked text. */
function clientFrames(b: Uint8Array): { op: number; text: string }[] {
  const out: { op: number; text: string }[] = [];
  for (let at = 0; at < b.length; ) {
    const op = b[at]! & 0x0f;
    let len = b[at + 1]! & 0x7f;
    at += 2;
    if (len === 126) {
      len = (b[at]! << 8) | b[at + 1]!;
      at += 2;
    }
    const key = b.subarray(at, at + 4);
    const data = b.subarray(at + 4, at + 4 + len).map((x, i) => x ^ key[i & 3]!);
    out.push({ op, text: new TextDecoder().decode(data) });
    at += 4 + len;
  }
  return out;
}

/** A server that answers the upgrade properly, then sends `after` (and closes when `close`). */
async function hostile(after: Uint8Array, o: { close?: boolean; accept?: string; status?: string } = {}): Promise<{ url: string; stop(): void }> {
  const l: TCPSocketListener<{ got: string }> = Bun.listen<{ got: string }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        s.data = { got: "" };
      },
      data(s: Socket<{ got: string }>, d) {
        s.data.got += d.toString("latin1");
        if (!s.data.got.includes("\r\n\r\n")) return;
        if (s.data.got === "\0") return;
        const key = /Sec-WebSocket-Key: (.*)\r\n/i.exec(s.data.got)![1]!;
        s.data.got = "\0";
        const accept = o.accept ?? createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
        s.write(`HTTP/1.1 ${o.status ?? "101 Switching Protocols"}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        if (after.length > 0) s.write(after);
        if (o.close) s.end();
      },
      error() {},
    },
  });
  return { url: `ws://127.0.0.1:${l.port}/`, stop: () => l.stop(true) };
}

describe("bad input from the server: a counted failure with its kind, never a hung VU", () => {
  const cases: [string, number[], { close?: boolean }, string, RegExp][] = [
    ["a reserved opcode", [0x83, 0x00], {}, "protocol", /reserved opcode 0x3/],
    ["a masked server frame", [0x81, 0x81, 1, 2, 3, 4, 0x41], {}, "protocol", /masked frame/],
    ["reserved bits without an extension", [0xc1, 0x01, 0x41], {}, "protocol", /RSV1/],
    ["a control frame over 125 bytes", [0x89, 126, 0, 200], {}, "protocol", /control frame/],
    ["text that is not UTF-8", [0x81, 0x02, 0xc3, 0x28], {}, "protocol", /not valid UTF-8/],
    ["a frame past max_message_size", [0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0], {}, "message_too_large", /max_message_size/],
    ["a close in the middle of a frame", [0x81, 0x10, 0x41, 0x42], { close: true }, "connection_reset", /middle of a frame/],
    ["a close without a close frame", [], { close: true }, "connection_reset", /without a close frame/],
  ];
  for (const [what, bytes, o, kind, message] of cases) {
    test(what, async () => {
      const srv = await hostile(new Uint8Array(bytes), o);
      try {
        const t0 = performance.now();
        const r = await h.call("ws", { url: srv.url, timeoutMs: 5000, options: opts({ frames: [frame("hi")] }) });
        expect(r.errorKind).toBe(kind as never);
        expect(r.error).toMatch(message);
        expect(performance.now() - t0).toBeLessThan(4000);
      } finally {
        srv.stop();
      }
    });
  }

  test("a wrong Sec-WebSocket-Accept, and an answer that never comes", async () => {
    const srv = await hostile(new Uint8Array(0), { accept: "bogus" });
    const bad = await h.call("ws", { url: srv.url, options: opts({ frames: [frame("x")] }) });
    expect(bad).toMatchObject({ errorKind: "handshake", error: "websocket handshake failed: wrong Sec-WebSocket-Accept" });
    srv.stop();
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {}, error() {} } });
    const t0 = performance.now();
    const r = await h.call("ws", { url: `ws://127.0.0.1:${silent.port}/`, timeoutMs: 300, options: opts({ frames: [frame("x")] }) });
    silent.stop(true);
    expect(r).toMatchObject({ status: 0, errorKind: "timeout" });
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe("through dist/loadr", () => {
  test("a ws: step records the ws_* metrics; ${vu} and ${iteration} render in frames", async () => {
    const r = await runPlan(`
plugins: [{ name: echo }]
scenarios:
  s:
    executor: per-vu-iterations
    vus: 2
    iterations: 2
    flow:
      - request:
          name: chat
          url: \${services.echo.ws_url}
          ws:
            send: ['vu \${vu} it \${iteration}', { binary_base64: "3q2+7w==", delay: 10ms }]
            compression: deflate
          checks: [{ type: body_contains, name: binary back, value: "" }]
      - request:
          name: last
          url: \${services.echo.ws_url}
          ws: { send: ['vu \${vu} it \${iteration}'] }
          extract: [{ type: regex, name: said, expression: "it (\\\\d)" }]
          checks: [{ type: body_contains, value: "vu " }]
thresholds:
  ws_msgs_received: ["count==12"]
  ws_session_duration: ["p(95)<5000"]
`);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.sum("ws_msgs_sent")).toBe(12);
    expect(r.count("ws_connecting")).toBe(8);
    expect(r.sum("http_req_failed")).toBe(0);
    expect(r.series("ws_session_duration", { name: "chat", proto: "ws", status: "101" }).length).toBe(1);
    expect(r.sum("checks")).toBe(8);
  });

  test("bad plans: invalid base64 and a subprotocol that is no token stop before any load with file:line", async () => {
    const r = await runPlan(`
plugins: [{ name: echo }]
scenarios:
  s:
    executor: per-vu-iterations
    vus: 1
    iterations: 1
    flow:
      - request:
          url: \${services.echo.ws_url}
          ws: { send: [{ binary_base64: "%%%" }], subprotocols: ["a b"] }
`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("plan.yaml: error at line 11");
    expect(r.stderr).toContain("binary_base64");
    expect(r.stderr).toContain("is not a token");
    expect(r.stderr).not.toContain("    at ");
  });

  test("500 sessions held open for 3 s against `loadr echo` in its own process", async () => {
    const proc = Bun.spawn([`${import.meta.dir}/../dist/loadr`, "echo", "--port", "0"], { stdout: "pipe", stderr: "pipe" });
    try {
      const reader = proc.stdout.getReader();
      let out = "";
      while (!/listening on (\S+)/.test(out)) out += new TextDecoder().decode((await reader.read()).value);
      const base = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      const r = await runPlan(`
scenarios:
  hold:
    executor: per-vu-iterations
    vus: 500
    iterations: 1
    flow:
      - request:
          name: held
          url: ${base.replace("http", "ws")}/ws
          timeout: 20s
          ws: { send: ["hello"], receive_until: "never", session_duration: 3s }
`);
      expect(r.code).toBe(0);
      expect(r.count("ws_session_duration")).toBe(500);
      expect(r.sum("http_req_failed")).toBe(0);
      expect(r.sum("ws_msgs_received")).toBe(500);
      const d = r.series("ws_session_duration")[0]!.agg as unknown as { min: number };
      expect(d.min).toBeGreaterThanOrEqual(2990);
    } finally {
      proc.kill();
      await proc.exited;
    }
  });
});
