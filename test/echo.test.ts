import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { startEcho, type EchoServer } from "../src/services/echo/server.ts";
import { ECHO_CA_PEM } from "../src/services/echo/cert.ts";

let echo: EchoServer;
beforeAll(async () => {
  echo = await startEcho({});
});
afterAll(async () => {
  await echo.stop();
});

/** One raw HTTP/1.1 exchange over Bun.connect: the wire bytes, the data events, whether the server closed. */
async function raw(port: number, request: string, waitMs = 400) {
  const pieces: string[] = [];
  let serverClosed = false;
  const dec = new TextDecoder();
  let done!: () => void;
  const closed = new Promise<void>((r) => (done = r));
  const sock = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data(_s, d) {
        pieces.push(dec.decode(d));
      },
      close() {
        serverClosed = true;
        done();
      },
    },
  });
  sock.write(request);
  await Promise.race([closed, Bun.sleep(waitMs)]);
  const wasClosedByServer = serverClosed;
  if (!serverClosed) sock.end();
  return { text: pieces.join(""), pieces, serverClosed: wasClosedByServer };
}

describe("echo target: static bodies (byte-exact, reference §7)", () => {
  test("GET / answers the welcome text", async () => {
    const r = await fetch(echo.url + "/");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toStartWith("text/plain");
    expect(await r.text()).toBe("Welcome to loadr-testserver");
  });

  test("url is http://127.0.0.1:PORT without a trailing slash", () => {
    expect(echo.url).toBe(`http://127.0.0.1:${echo.port}`);
  });

  test("GET /json is exactly the reference document", async () => {
    const r = await fetch(echo.url + "/json");
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(await r.text()).toBe(
      '{"items":[{"id":1,"name":"alpha"},{"id":2,"name":"beta"}],"token":"tok-123","nested":{"deep":{"value":42}}}',
    );
  });

  test("GET /xml is exactly the reference catalog, as application/xml", async () => {
    const r = await fetch(echo.url + "/xml");
    expect(r.headers.get("content-type")).toBe("application/xml");
    expect(await r.text()).toBe(
      '<catalog><item id="1"><name>alpha</name></item><item id="2"><name>beta</name></item></catalog>',
    );
  });

  test("GET /html has the login form, the csrf input and links", async () => {
    const r = await fetch(echo.url + "/html");
    expect(r.headers.get("content-type")).toStartWith("text/html");
    const html = await r.text();
    expect(html).toContain('<form action="/login"');
    expect(html).toContain('name="csrf" value="csrf-token-xyz"');
    expect(html.match(/<a href=/g)?.length).toBeGreaterThanOrEqual(2);
  });

  test("unknown path is 404, known path with another method is 405", async () => {
    expect((await fetch(echo.url + "/no-such-thing")).status).toBe(404);
    expect((await fetch(echo.url + "/login")).status).toBe(405);
    expect((await fetch(echo.url + "/json", { method: "DELETE" })).status).toBe(405);
  });
});

describe("echo target: /echo", () => {
  test("reflects method, path, query, headers and a text body", async () => {
    const r = await fetch(echo.url + "/echo?a=1&b=two", {
      method: "PUT",
      headers: { "x-test": "yes", "content-type": "text/plain" },
      body: "hello body",
    });
    expect(r.headers.get("content-type")).toBe("application/json");
    const j = (await r.json()) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(["method", "path", "query", "headers", "body", "body_base64"]);
    expect(j.method).toBe("PUT");
    expect(j.path).toBe("/echo");
    expect(j.query).toEqual({ a: "1", b: "two" });
    expect((j.headers as Record<string, string>)["x-test"]).toBe("yes");
    expect(j.body).toBe("hello body");
    expect(j.body_base64).toBe(Buffer.from("hello body").toString("base64"));
  });

  test("a binary body round-trips through body_base64", async () => {
    const bytes = new Uint8Array([0, 1, 2, 0xff, 0xfe, 0x80]);
    const r = await fetch(echo.url + "/echo", { method: "POST", body: bytes });
    const j = (await r.json()) as { body_base64: string; body: string };
    expect(new Uint8Array(Buffer.from(j.body_base64, "base64"))).toEqual(bytes);
    expect(j.body).toContain("\uFFFD"); // invalid UTF-8 decoded lossily, not an error
  });

  test("GET without a body gives empty body fields", async () => {
    const j = (await (await fetch(echo.url + "/echo")).json()) as Record<string, unknown>;
    expect(j.method).toBe("GET");
    expect(j.body).toBe("");
    expect(j.body_base64).toBe("");
    expect(j.query).toEqual({});
  });
});

describe("echo target: status, delay, redirects, counter, large", () => {
  test("/status/{code} answers that status with an empty body; invalid → 400", async () => {
    for (const code of [200, 201, 204, 404, 418, 503]) {
      const r = await fetch(`${echo.url}/status/${code}`);
      expect(r.status).toBe(code);
      expect(await r.text()).toBe("");
    }
    for (const bad of ["abc", "99", "600", "-1", "2.5"]) {
      expect((await fetch(`${echo.url}/status/${bad}`)).status).toBe(400);
    }
  });

  test("/delay/{ms} sleeps then says so", async () => {
    const t0 = performance.now();
    const r = await fetch(echo.url + "/delay/60");
    expect(await r.text()).toBe("delayed 60ms");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    expect((await fetch(echo.url + "/delay/x")).status).toBe(400);
  });

  test("/redirect/{n} chains 302s down to 200 done", async () => {
    const r = await fetch(echo.url + "/redirect/3", { redirect: "manual" });
    expect(r.status).toBe(302);
    expect(r.headers.get("location")).toBe("/redirect/2");
    const followed = await fetch(echo.url + "/redirect/3");
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(echo.url + "/redirect/0");
    expect(await followed.text()).toBe("done");
  });

  test("/counter increments per server instance", async () => {
    const a = Number(await (await fetch(echo.url + "/counter")).text());
    const b = Number(await (await fetch(echo.url + "/counter")).text());
    expect(b).toBe(a + 1);
    const other = await startEcho({});
    try {
      expect(await (await fetch(other.url + "/counter")).text()).toBe("1");
    } finally {
      await other.stop();
    }
  });

  test("/large/{kb} is kb×1024 bytes of x, at most 65536 KB", async () => {
    const body = new Uint8Array(await (await fetch(echo.url + "/large/3")).arrayBuffer());
    expect(body.length).toBe(3072);
    expect(body.every((b) => b === 0x78)).toBe(true);
    expect((await (await fetch(echo.url + "/large/0")).arrayBuffer()).byteLength).toBe(0);
    expect((await fetch(echo.url + "/large/65537")).status).toBe(400);
  });
});

describe("echo target: headers and cookies", () => {
  test("/headers returns request headers, repeated ones joined with ', '", async () => {
    const { text } = await raw(
      echo.port,
      "GET /headers HTTP/1.1\r\nHost: h\r\nX-Multi: a\r\nX-Multi: b\r\nConnection: close\r\n\r\n",
    );
    const body = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)) as Record<string, string>;
    expect(body["x-multi"]).toBe("a, b");
    expect(body.host).toBe("h");
  });

  test("/cookies/set sets each query pair and returns the request's cookies", async () => {
    const r = await fetch(echo.url + "/cookies/set?a=1&b=2", { headers: { cookie: "old=x" } });
    expect(r.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(await r.json()).toEqual({ old: "x" });
  });

  test("/cookies returns the request's cookies as JSON", async () => {
    const r = await fetch(echo.url + "/cookies", { headers: { cookie: "a=1; session=s-2" } });
    expect(await r.json()).toEqual({ a: "1", session: "s-2" });
    expect(await (await fetch(echo.url + "/cookies")).json()).toEqual({});
  });

  test("POST /login with JSON or a form returns a session token and cookie", async () => {
    const viaJson = await fetch(echo.url + "/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "alice", password: "pw" }),
    });
    expect(viaJson.status).toBe(200);
    const { token } = (await viaJson.json()) as { token: string };
    expect(token).toMatch(/^sess-[0-9a-f]{32}$/);
    expect(viaJson.headers.getSetCookie()).toEqual([`session=${token}; HttpOnly; Path=/`]);

    const viaForm = await fetch(echo.url + "/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "username=bob&password=pw",
    });
    const second = ((await viaForm.json()) as { token: string }).token;
    expect(second).toMatch(/^sess-[0-9a-f]{32}$/);
    expect(second).not.toBe(token);
  });

  test("POST /login without both fields is 400", async () => {
    const missing = await fetch(echo.url + "/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "alice" }),
    });
    expect(missing.status).toBe(400);
    const form = await fetch(echo.url + "/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "password=pw",
    });
    expect(form.status).toBe(400);
  });
});

describe("echo target: encodings and transfer forms", () => {
  const cases = [
    ["/gzip", "gzip", gunzipSync],
    ["/deflate", "deflate", inflateSync],
    ["/brotli", "br", brotliDecompressSync],
  ] as const;
  for (const [path, encoding, decode] of cases) {
    test(`${path} is ${encoding}-encoded {"compressed":true}`, async () => {
      const r = await fetch(echo.url + path, { decompress: false, headers: { "accept-encoding": encoding } });
      expect(r.headers.get("content-encoding")).toBe(encoding);
      const wire = new Uint8Array(await r.arrayBuffer());
      expect(new TextDecoder().decode(decode(wire))).toBe('{"compressed":true}');
      // and a decoding client sees the plain document
      expect(await (await fetch(echo.url + path)).text()).toBe('{"compressed":true}');
    });
  }

  test("/chunked arrives as several chunks with Transfer-Encoding: chunked", async () => {
    const { text } = await raw(echo.port, "GET /chunked HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    const [head, body] = [text.slice(0, text.indexOf("\r\n\r\n")), text.slice(text.indexOf("\r\n\r\n") + 4)];
    expect(head.toLowerCase()).toContain("transfer-encoding: chunked");
    expect(body).toBe("8\r\nchunk-1;\r\n8\r\nchunk-2;\r\n8\r\nchunk-3;\r\n7\r\nchunk-4\r\n0\r\n\r\n");
    expect(await (await fetch(echo.url + "/chunked")).text()).toBe("chunk-1;chunk-2;chunk-3;chunk-4");
  });

  test("/close answers with Connection: close and the server closes the socket", async () => {
    const { text, serverClosed } = await raw(echo.port, "GET /close HTTP/1.1\r\nHost: h\r\n\r\n", 2000);
    expect(text.toLowerCase()).toContain("connection: close");
    expect(text.endsWith("Welcome to loadr-testserver")).toBe(true);
    expect(serverClosed).toBe(true);
  });

  test("a plain GET keeps the connection open (keep-alive)", async () => {
    const { serverClosed } = await raw(echo.port, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 200);
    expect(serverClosed).toBe(false);
  });
});

describe("echo target: SSE and WebSocket", () => {
  test("GET /events streams 5 tick events ~50 ms apart, then closes", async () => {
    const t0 = performance.now();
    const r = await fetch(echo.url + "/events");
    expect(r.headers.get("content-type")).toBe("text/event-stream");
    const text = await r.text(); // resolves only when the server ends the stream
    const elapsed = performance.now() - t0;
    const events = text
      .split("\n\n")
      .filter((e) => e.length > 0)
      .map((e) => e.split("\n"));
    expect(events).toEqual([0, 1, 2, 3, 4].map((n) => ["event: tick", `data: {"n":${n}}`]));
    expect(elapsed).toBeGreaterThanOrEqual(180);
  });

  test("/ws echoes text and binary frames; ping-close makes the server close", async () => {
    const ws = new WebSocket(echo.url.replace("http", "ws") + "/ws");
    ws.binaryType = "arraybuffer";
    const received: (string | ArrayBuffer)[] = [];
    const closed = new Promise<CloseEvent>((r) => ws.addEventListener("close", (e) => r(e)));
    await new Promise((r, j) => {
      ws.addEventListener("open", r);
      ws.addEventListener("error", j);
    });
    const twoMessages = new Promise<void>((r) =>
      ws.addEventListener("message", (e) => {
        received.push(e.data as string | ArrayBuffer);
        if (received.length === 2) r();
      }),
    );
    ws.send("hello");
    ws.send(new Uint8Array([1, 2, 3]));
    await Promise.race([twoMessages, Bun.sleep(3000)]);
    expect(received[0]).toBe("hello");
    expect(new Uint8Array(received[1] as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    ws.send("ping-close");
    const ev = await Promise.race([closed, Bun.sleep(3000).then(() => null)]);
    expect(ev?.code).toBe(1000);
  });

  test("/ws without an upgrade is 426", async () => {
    expect((await fetch(echo.url + "/ws")).status).toBe(426);
  });
});

describe("echo target: TLS and lifecycle", () => {
  test("tls: true serves HTTPS trusted through ECHO_CA_PEM, and WSS", async () => {
    const s = await startEcho({ tls: true });
    try {
      expect(s.url).toBe(`https://127.0.0.1:${s.port}`);
      const r = await fetch(s.url + "/json", { tls: { ca: ECHO_CA_PEM } });
      expect((await r.json()) as unknown).toEqual({
        items: [
          { id: 1, name: "alpha" },
          { id: 2, name: "beta" },
        ],
        token: "tok-123",
        nested: { deep: { value: 42 } },
      });
      // the certificate also names localhost
      const byName = await fetch(`https://localhost:${s.port}/`, { tls: { ca: ECHO_CA_PEM } });
      expect(await byName.text()).toBe("Welcome to loadr-testserver");
      // without the CA the self-signed certificate is refused
      await expect(fetch(s.url + "/")).rejects.toThrow();

      const ws = new WebSocket(s.url.replace("https", "wss") + "/ws", { tls: { ca: ECHO_CA_PEM } });
      const reply = await Promise.race([
        new Promise<unknown>((r, j) => {
          ws.addEventListener("open", () => ws.send("over tls"));
          ws.addEventListener("message", (e) => r(e.data));
          ws.addEventListener("error", j);
        }),
        Bun.sleep(3000).then(() => "timeout"),
      ]);
      ws.close();
      expect(reply).toBe("over tls");
    } finally {
      await s.stop();
    }
  });

  test("explicit port is honoured and stop() frees it", async () => {
    const probe = await startEcho({});
    const port = probe.port;
    await probe.stop();
    const s = await startEcho({ port });
    expect(s.port).toBe(port);
    expect(await (await fetch(s.url + "/")).text()).toBe("Welcome to loadr-testserver");
    await s.stop();
    await expect(fetch(s.url + "/")).rejects.toThrow();
  });
});
