import { afterAll, beforeAll, expect, test } from "bun:test";
import { HttpClient } from "../src/protocols/http/client.ts";
import { formatDuration } from "../src/protocols/http/errors.ts";
import { get, options, rawServer, sleep, text } from "./fixtures/http/helpers.ts";

let srv: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  srv = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => new Response(`host=${r.headers.get("host")}`) });
});
afterAll(() => srv.stop(true));

/** a port nobody listens on: bind one, then free it */
function closedPort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

test("timeout bounds the whole exchange: status 0, humantime message, errorKind timeout", async () => {
  const raw = rawServer(() => {
    /* never answers */
  });
  const c = new HttpClient(options());
  const t0 = performance.now();
  const r = await c.request(get(`http://127.0.0.1:${raw.port}/`, { timeoutMs: 150 }));
  const took = performance.now() - t0;
  expect(r.status).toBe(0);
  expect(r.error).toBe("request timed out after 150ms");
  expect(r.errorKind).toBe("timeout");
  expect(took).toBeGreaterThanOrEqual(145);
  expect(took).toBeLessThan(1000);
  // the timed-out connection was discarded, not pooled
  expect(r.timings.waiting).toBeGreaterThan(100);
  c.close();
  raw.stop();
});

test("a slow trickling body still times out", async () => {
  const raw = rawServer(async (s) => {
    s.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
    for (let i = 0; i < 20; i++) {
      await sleep(30);
      s.write("x");
    }
  });
  const c = new HttpClient(options());
  const r = await c.request(get(`http://127.0.0.1:${raw.port}/`, { timeoutMs: 200 }));
  expect(r.error).toBe("request timed out after 200ms");
  expect(r.timings.receiving).toBeGreaterThan(100);
  c.close();
  raw.stop();
});

test("durations are printed like Rust's Duration Debug", () => {
  expect(formatDuration(10_000)).toBe("10s");
  expect(formatDuration(1500)).toBe("1.5s");
  expect(formatDuration(500)).toBe("500ms");
  expect(formatDuration(0.25)).toBe("250µs");
});

test("connection refused", async () => {
  const c = new HttpClient(options());
  const r = await c.request(get(`http://127.0.0.1:${closedPort()}/`));
  expect(r.status).toBe(0);
  expect(r.errorKind).toBe("connection_refused");
  expect(r.error).toContain("refused");
  c.close();
});

test("an unresolvable name is a dns error (answered locally for .invalid)", async () => {
  const c = new HttpClient(options());
  const r = await c.request(get("http://nonexistent.invalid/"));
  expect(r.status).toBe(0);
  expect(r.errorKind).toBe("dns");
  expect(r.error).toContain("nonexistent.invalid");
  c.close();
});

test("localhost resolves (to loopback)", async () => {
  const c = new HttpClient(options());
  const r = await c.request(get(`http://localhost:${srv.port}/`));
  expect(r.status).toBe(200);
  expect(text(r.body)).toBe(`host=localhost:${srv.port}`);
  c.close();
});

test("hosts pinning: host:port → ip:port keeps the Host header", async () => {
  const c = new HttpClient(options({ hosts: { "api.example.test:80": `127.0.0.1:${srv.port}` } }));
  const r = await c.request(get("http://api.example.test/"));
  expect(r.status).toBe(200);
  expect(text(r.body)).toBe("host=api.example.test");
  c.close();
});

test("hosts pinning: bare host → ip keeps the URL's port", async () => {
  const c = new HttpClient(options({ hosts: { "pinned.test": "127.0.0.1" } }));
  const r = await c.request(get(`http://pinned.test:${srv.port}/`));
  expect(text(r.body)).toBe(`host=pinned.test:${srv.port}`);
  c.close();
});

test("a server answering garbage gives a clear transport error", async () => {
  const raw = rawServer((s) => {
    s.write("SSH-2.0-OpenSSH_9.2\r\n\r\n");
  });
  const c = new HttpClient(options());
  const r = await c.request(get(`http://127.0.0.1:${raw.port}/`));
  expect(r.status).toBe(0);
  expect(r.error).toContain("invalid HTTP response");
  expect(r.errorKind).toBe("transport");
  c.close();
  raw.stop();
});

test("malformed status line and bad framing are errors", async () => {
  const replies = [
    "HTTP/1.1 2x0 OK\r\n\r\n",
    "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    // the quoted bytes name no error kind: the message says "connection" and "timeout", the kind is transport
    "HTTP/1.1 200 OK\r\nConnection-Timeout : 5\r\n\r\n",
  ];
  for (const reply of replies) {
    const raw = rawServer((s) => {
      s.write(reply);
    });
    const c = new HttpClient(options());
    const r = await c.request(get(`http://127.0.0.1:${raw.port}/`));
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/invalid (HTTP response|chunked body)/);
    expect(r.errorKind).toBe("transport");
    c.close();
    raw.stop();
  }
});

test("a reset mid-response is an error and the socket is not reused", async () => {
  const raw = rawServer((s, conn) => {
    if (conn.id === 0) {
      s.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
      setTimeout(() => s.terminate(), 10);
    } else {
      s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
  });
  const c = new HttpClient(options());
  const url = `http://127.0.0.1:${raw.port}/`;
  const r = await c.request(get(url));
  expect(r.status).toBe(0);
  expect(r.errorKind).toBe("connection_reset");
  const r2 = await c.request(get(url));
  expect(text(r2.body)).toBe("ok");
  expect(r2.timings.connecting).toBeGreaterThan(0);
  expect(raw.conns.length).toBe(2);
  c.close();
  raw.stop();
});

test("a close before the body is complete is reported as connection closed", async () => {
  const raw = rawServer((s) => {
    s.end("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  });
  const c = new HttpClient(options());
  const r = await c.request(get(`http://127.0.0.1:${raw.port}/`));
  expect(r.error).toBe("connection closed before message completed");
  expect(r.errorKind).toBe("connection_reset");
  c.close();
  raw.stop();
});

test("a stale keep-alive socket closed by the server between requests is retried once on a fresh connection", async () => {
  // connection 0 answers once, then drops the next request unanswered (the race of a server
  // closing an idle connection just as the client reuses it); connection 1 answers
  const raw = rawServer((s, conn) => {
    if (conn.id === 0 && conn.requests > 1) {
      s.terminate();
      return;
    }
    s.write(`HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n${conn.id}`);
  });
  const c = new HttpClient(options());
  const url = `http://127.0.0.1:${raw.port}/`;
  const a = await c.request(get(url));
  const b = await c.request(get(url));
  expect(text(a.body)).toBe("0");
  expect(b.error).toBeUndefined();
  expect(text(b.body)).toBe("1");
  expect(raw.conns.length).toBe(2);
  c.close();
  raw.stop();
});

test("an idle connection the server closed cleanly is not used again", async () => {
  const raw = rawServer((s) => {
    s.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); // keep-alive response, then FIN
  });
  const c = new HttpClient(options());
  const url = `http://127.0.0.1:${raw.port}/`;
  await c.request(get(url));
  await sleep(20);
  const b = await c.request(get(url));
  expect(text(b.body)).toBe("ok");
  expect(raw.conns.length).toBe(2);
  c.close();
  raw.stop();
});

test("a response that is not retried: the server got bytes of the reply out before dying", async () => {
  const raw = rawServer((s, conn) => {
    if (conn.requests > 1) {
      s.write("HTTP/1.1 20");
      setTimeout(() => s.terminate(), 5);
      return;
    }
    s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  const c = new HttpClient(options());
  const url = `http://127.0.0.1:${raw.port}/`;
  await c.request(get(url));
  const b = await c.request(get(url));
  expect(b.status).toBe(0);
  expect(b.errorKind).toBe("connection_reset");
  expect(raw.conns.length).toBe(1);
  c.close();
  raw.stop();
});

test("unsupported schemes and bad TLS config are reported, not thrown", async () => {
  const c = new HttpClient(options());
  const r = await c.request(get("ftp://127.0.0.1/"));
  expect(r.error).toBe("http handler cannot handle scheme `ftp`");
  c.close();
  const bad = new HttpClient(options({ tls: { cert: "x" } }));
  const r2 = await bad.request(get(`http://127.0.0.1:${srv.port}/`));
  expect(r2.error).toContain("cert and key must both be set");
  bad.close();
});

test("after close() requests fail with a clear error", async () => {
  const c = new HttpClient(options());
  await c.request(get(`http://127.0.0.1:${srv.port}/`));
  c.close();
  const r = await c.request(get(`http://127.0.0.1:${srv.port}/`));
  expect(r.error).toBe("client closed");
});

test("bytes of a response cut short still count as received", async () => {
  const raw = rawServer((s) => {
    s.end("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  });
  const c = new HttpClient(options());
  const r = await c.request(get(`http://127.0.0.1:${raw.port}/`));
  expect(r.error).toBeDefined();
  expect(r.bytesReceived).toBe("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".length);
  expect(r.bytesSent).toBeGreaterThan(0);
  c.close();
  raw.stop();
});
