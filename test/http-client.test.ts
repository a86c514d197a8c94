import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { HttpClient } from "../src/protocols/http/client.ts";
import { get, header, options, rawServer, sleep, text } from "./fixtures/http/helpers.ts";

const BIG = "x".repeat(200_000);
let srv: ReturnType<typeof Bun.serve>;
let base: string;
const remotePorts: number[] = [];

beforeAll(() => {
  srv = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req, server) {
      const u = new URL(req.url);
      remotePorts.push(server.requestIP(req)!.port);
      const enc = u.searchParams.get("enc");
      const payload = new TextEncoder().encode("compressed hello");
      switch (u.pathname) {
        case "/echo-headers":
          return Response.json(Object.fromEntries(req.headers));
        case "/echo-body":
          return new Response(await req.arrayBuffer(), { headers: { "x-method": req.method } });
        case "/big":
          return new Response(BIG);
        case "/empty":
          return new Response(null, { status: 204 });
        case "/enc": {
          const body =
            enc === "gzip" || enc === "x-gzip" ? gzipSync(payload)
            : enc === "deflate" ? deflateSync(payload)
            : enc === "deflate-raw" ? deflateRawSync(payload)
            : enc === "br" ? brotliCompressSync(payload)
            : payload;
          return new Response(body, { headers: { "content-encoding": enc === "deflate-raw" ? "deflate" : enc ?? "identity" } });
        }
        default:
          return new Response("hello");
      }
    },
  });
  base = `http://127.0.0.1:${srv.port}`;
});
afterAll(() => srv.stop(true));

describe("keep-alive", () => {
  test("the second request reuses the connection: connecting=0 and the server sees one client port", async () => {
    const c = new HttpClient(options());
    remotePorts.length = 0;
    const a = await c.request(get(`${base}/`));
    const b = await c.request(get(`${base}/`));
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.timings.connecting).toBeGreaterThan(0);
    expect(b.timings.connecting).toBe(0);
    expect(new Set(remotePorts).size).toBe(1);
    c.close();
  });

  test("a request's own non-ASCII Cookie header: data_sent counts its UTF-8 bytes and the connection is kept", async () => {
    const heads: string[] = [];
    const raw = rawServer((s, _c, head) => {
      heads.push(head);
      s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    });
    const c = new HttpClient(options()); // its jar stays empty: the head carries only the request's cookie
    const req = { ...get(`http://127.0.0.1:${raw.port}/`), headers: [["Cookie", "name=välüe"]] as [string, string][] };
    const a = await c.request(req);
    const b = await c.request(req);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(heads[0]).toContain("Cookie: name=v\xc3\xa4l\xc3\xbce\r\n"); // UTF-8 on the wire (read as latin1)
    expect(a.bytesSent).toBe(heads[0]!.length);
    expect(b.timings.connecting).toBe(0);
    expect(raw.conns.length).toBe(1);
    c.close();
    raw.stop();
  });

  test("a non-ASCII header value: data_sent counts its UTF-8 bytes (the head template's byte count)", async () => {
    const heads: string[] = [];
    const raw = rawServer((s, _c, head) => {
      heads.push(head);
      s.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    });
    const c = new HttpClient(options());
    const req = { ...get(`http://127.0.0.1:${raw.port}/`), headers: [["X-Name", "välüe ✓"], ["X-Plain", "ascii"]] as [string, string][] };
    const a = await c.request(req);
    expect(a.status).toBe(200);
    expect(heads[0]).toContain("X-Name: v\xc3\xa4l\xc3\xbce \xe2\x9c\x93\r\n"); // UTF-8 on the wire (read as latin1)
    expect(a.bytesSent).toBe(heads[0]!.length);
    c.close();
    raw.stop();
  });

  test("keepAlive false sends Connection: close and opens a new connection per request", async () => {
    const c = new HttpClient(options({ keepAlive: false }));
    remotePorts.length = 0;
    const a = await c.request(get(`${base}/echo-headers`));
    const b = await c.request(get(`${base}/echo-headers`));
    expect((JSON.parse(text(a.body)) as Record<string, string>).connection).toBe("close");
    expect(b.timings.connecting).toBeGreaterThan(0);
    expect(new Set(remotePorts).size).toBe(2);
    c.close();
  });

  test("overlapping requests on one client each get their own connection", async () => {
    const hold = rawServer((s, conn) => {
      // answer only once two connections are open, proving the requests overlapped
      setTimeout(() => s.write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + conn.id), 50);
    });
    const c = new HttpClient(options());
    const url = `http://127.0.0.1:${hold.port}/`;
    const [a, b] = await Promise.all([c.request(get(url)), c.request(get(url))]);
    expect([text(a.body), text(b.body)].sort()).toEqual(["0", "1"]);
    expect(hold.conns.length).toBe(2);
    c.close();
    hold.stop();
  });
});

describe("request head", () => {
  test("default headers: User-Agent, Host with non-default port, Accept-Encoding; no Content-Length without body", async () => {
    const c = new HttpClient(options());
    const r = await c.request(get(`${base}/echo-headers`));
    const h = JSON.parse(text(r.body)) as Record<string, string>;
    expect(h["user-agent"]).toBe("loadr/0.1");
    expect(h.host).toBe(`127.0.0.1:${srv.port}`);
    expect(h["accept-encoding"]).toBe("gzip, deflate, br");
    expect(h["content-length"]).toBeUndefined();
    c.close();
  });

  test("request headers override the defaults case-insensitively; no Accept-Encoding without compression", async () => {
    const c = new HttpClient(options({ compression: false }));
    const r = await c.request(get(`${base}/echo-headers`, { headers: [["user-agent", "custom/1"], ["X-Test", "yes"]] }));
    const h = JSON.parse(text(r.body)) as Record<string, string>;
    expect(h["user-agent"]).toBe("custom/1");
    expect(h["x-test"]).toBe("yes");
    expect(h["accept-encoding"]).toBeUndefined();
    c.close();
  });

  test("a body is sent with Content-Length and bytesSent counts head + body", async () => {
    const c = new HttpClient(options());
    const body = new TextEncoder().encode("payload-123");
    const r = await c.request({ method: "POST", url: `${base}/echo-body`, headers: [], body, timeoutMs: 5000 });
    expect(text(r.body)).toBe("payload-123");
    expect(header(r.headers, "x-method")).toBe("POST");
    const head = `POST /echo-body HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nUser-Agent: loadr/0.1\r\nAccept-Encoding: gzip, deflate, br\r\nContent-Length: 11\r\n\r\n`;
    expect(r.bytesSent).toBe(head.length + body.length);
    c.close();
  });

  test("a large body that exceeds one socket write arrives intact", async () => {
    const c = new HttpClient(options());
    const body = new Uint8Array(3_000_000).fill(97);
    const r = await c.request({ method: "PUT", url: `${base}/echo-body`, headers: [], body, timeoutMs: 10000 });
    expect(r.error).toBeUndefined();
    expect(r.body.length).toBe(body.length);
    c.close();
  });

  test("a header value with CR/LF is refused instead of corrupting the request", async () => {
    const c = new HttpClient(options());
    const r = await c.request(get(`${base}/`, { headers: [["X-Bad", "a\r\nInjected: 1"]] }));
    expect(r.status).toBe(0);
    expect(r.error).toContain("invalid value for header X-Bad");
    c.close();
  });

  test("reusing the same header array object reuses the cached head and still reflects cookies", async () => {
    const c = new HttpClient(options());
    const headers: [string, string][] = [["X-A", "1"]];
    const a = await c.request(get(`${base}/echo-headers`, { headers }));
    c.jar.setFromHeader("sid=9", "127.0.0.1", "/");
    const b = await c.request(get(`${base}/echo-headers`, { headers }));
    expect((JSON.parse(text(a.body)) as Record<string, string>).cookie).toBeUndefined();
    expect((JSON.parse(text(b.body)) as Record<string, string>).cookie).toBe("sid=9");
    c.close();
  });

  test("a new array each request with the first one's entries and its own last header (a hook's copy) sends that header, bytes counted", async () => {
    const c = new HttpClient(options());
    const own: [string, string] = ["X-A", "1"];
    const seen: { sig: string | undefined; sent: number }[] = [];
    for (const sig of ["first", "sécond", "third"]) {
      const r = await c.request(get(`${base}/echo-headers`, { headers: [own, ["x-signature", sig]] }));
      seen.push({ sig: (JSON.parse(text(r.body)) as Record<string, string>)["x-signature"], sent: r.bytesSent });
    }
    const head = (sig: string) => `GET /echo-headers HTTP/1.1\r\nHost: 127.0.0.1:${srv.port}\r\nUser-Agent: loadr/0.1\r\nAccept-Encoding: gzip, deflate, br\r\nX-A: 1\r\nx-signature: ${sig}\r\n\r\n`;
    // the server decodes header bytes as latin1: the UTF-8 "é" arrives as two characters
    expect(seen).toEqual([
      { sig: "first", sent: head("first").length },
      { sig: Buffer.from("sécond").toString("latin1"), sent: Buffer.byteLength(head("sécond")) },
      { sig: "third", sent: head("third").length },
    ]);
    c.close();
  });
});


describe("response bodies", () => {
  test("content-length body; bytesReceived = status line + headers + body", async () => {
    const c = new HttpClient(options());
    const r = await c.request(get(`${base}/`));
    expect(r.status).toBe(200);
    expect(r.statusText).toBe("OK");
    expect(r.protocolVersion).toBe("HTTP/1.1");
    expect(text(r.body)).toBe("hello");
    const headLen = 17 + r.headers.reduce((n, [k, v]) => n + k.length + 2 + v.length + 2, 0) + 2;
    expect(r.bytesReceived).toBe(headLen + 5);
    expect(r.timings.duration).toBeCloseTo(r.timings.sending + r.timings.waiting + r.timings.receiving, 9);
    c.close();
  });

  test("a body spanning many socket reads", async () => {
    const c = new HttpClient(options());
    const r = await c.request(get(`${base}/big`));
    expect(r.body.length).toBe(BIG.length);
    expect(text(r.body)).toBe(BIG);
    c.close();
  });

  test("204 has an empty body and the connection stays usable", async () => {
    const c = new HttpClient(options());
    const r = await c.request(get(`${base}/empty`));
    expect(r.status).toBe(204);
    expect(r.body.length).toBe(0);
    const again = await c.request(get(`${base}/`));
    expect(again.timings.connecting).toBe(0);
    c.close();
  });

  test("HEAD reads no body even with a Content-Length", async () => {
    const c = new HttpClient(options());
    const r = await c.request(get(`${base}/big`, { method: "HEAD" }));
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
    const again = await c.request(get(`${base}/`));
    expect(text(again.body)).toBe("hello");
    c.close();
  });

  test("chunked body split at awkward places, with extensions and trailers", async () => {
    const raw = rawServer(async (s) => {
      const parts = [
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunky\r\n\r\n5",
        "\r\nhel",
        "lo\r\n7;ext=1\r\n, world\r",
        "\n0\r\nX-Trailer: t\r\n",
        "\r\n",
      ];
      for (const p of parts) {
        s.write(p);
        await sleep(5);
      }
    });
    const c = new HttpClient(options());
    const url = `http://127.0.0.1:${raw.port}/`;
    const r = await c.request(get(url));
    expect(r.error).toBeUndefined();
    expect(text(r.body)).toBe("hello, world");
    expect(header(r.headers, "x-kind")).toBe("chunky");
    // the connection is reusable after the trailer
    const r2 = await c.request(get(url));
    expect(text(r2.body)).toBe("hello, world");
    expect(raw.conns.length).toBe(1);
    c.close();
    raw.stop();
  });

  test("a body without length is read until the server closes", async () => {
    const raw = rawServer((s) => {
      s.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ");
      setTimeout(() => s.end("close"), 20);
    });
    const c = new HttpClient(options());
    const r = await c.request(get(`http://127.0.0.1:${raw.port}/`));
    expect(r.error).toBeUndefined();
    expect(text(r.body)).toBe("until close");
    c.close();
    raw.stop();
  });

  test("interim 1xx responses are skipped", async () => {
    const raw = rawServer((s) => {
      s.write("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    });
    const c = new HttpClient(options());
    const r = await c.request(get(`http://127.0.0.1:${raw.port}/`));
    expect(r.status).toBe(200);
    expect(text(r.body)).toBe("ok");
    expect(header(r.headers, "link")).toBeUndefined();
    c.close();
    raw.stop();
  });

  test("HTTP/1.0 responses report their version and close the connection", async () => {
    const raw = rawServer((s) => {
      s.write("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
    });
    const c = new HttpClient(options());
    const url = `http://127.0.0.1:${raw.port}/`;
    const r = await c.request(get(url));
    expect(r.protocolVersion).toBe("HTTP/1.0");
    await c.request(get(url));
    expect(raw.conns.length).toBe(2);
    c.close();
    raw.stop();
  });
});

describe("decompression", () => {
  for (const enc of ["gzip", "x-gzip", "deflate", "deflate-raw", "br"]) {
    test(`${enc} bodies are decompressed`, async () => {
      const c = new HttpClient(options());
      const r = await c.request(get(`${base}/enc?enc=${enc}`));
      expect(r.error).toBeUndefined();
      expect(text(r.body)).toBe("compressed hello");
      // bytesReceived counts the compressed bytes on the wire
      expect(r.bytesReceived).toBeLessThan(1000);
      c.close();
    });
  }

  test("without compression the body is left encoded", async () => {
    const c = new HttpClient(options({ compression: false }));
    const r = await c.request(get(`${base}/enc?enc=gzip`));
    expect(r.body[0]).toBe(0x1f);
    expect(r.body[1]).toBe(0x8b);
    c.close();
  });

  test("a corrupt gzip body is a transport error, not a crash", async () => {
    const raw = rawServer((s) => {
      s.write("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope");
    });
    const c = new HttpClient(options());
    const r = await c.request(get(`http://127.0.0.1:${raw.port}/`));
    expect(r.status).toBe(0);
    expect(r.error).toContain("error decoding response body");
    expect(r.errorKind).toBe("transport");
    c.close();
    raw.stop();
  });
});

test("response headers come out in wire order, names as sent, values trimmed — also after an interim 100", async () => {
  const raw = rawServer((s) => {
    s.write(
      "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n" +
        "HTTP/1.1 201 Created\r\nX-A:  one \r\nx-a:\ttwo\t\r\nEmpty:\r\nSet-Cookie: k=v\r\nContent-Length: 2\r\n\r\nhi",
    );
  });
  const c = new HttpClient(options());
  const r = await c.request(get(`http://127.0.0.1:${raw.port}/`));
  expect(r.status).toBe(201);
  expect(r.statusText).toBe("Created");
  expect(r.headers).toEqual([
    ["X-A", "one"],
    ["x-a", "two"],
    ["Empty", ""],
    ["Set-Cookie", "k=v"],
    ["Content-Length", "2"],
  ]);
  expect(r.headers).toBe(r.headers); // split once, then the same array
  expect(text(r.body)).toBe("hi");
  c.close();
  raw.stop();
});

test("bodies read after later requests reused the connection are still their own (lazily sliced)", async () => {
  let n = 0;
  const raw = rawServer((s) => {
    const body = `body-${++n}-${"x".repeat(n * 10)}`;
    s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  });
  const c = new HttpClient(options());
  const rs = [];
  for (let i = 0; i < 3; i++) rs.push(await c.request(get(`http://127.0.0.1:${raw.port}/`)));
  expect(raw.conns.length).toBe(1); // one keep-alive connection served all three
  expect(rs.map((r) => text(r.body))).toEqual([1, 2, 3].map((i) => `body-${i}-${"x".repeat(i * 10)}`));
  c.close();
  raw.stop();
});


test("a response's header block carries the parser's ranges until its connection reads the next response, and splits the same either way", async () => {
  let n = 0;
  const raw = rawServer((s) => {
    n++;
    s.write(`HTTP/1.1 200 OK\r\nX-N:  ${n} \r\nX-Pad: ${"p".repeat(n)}\r\nContent-Length: 1\r\n\r\n${n}`);
  });
  const c = new HttpClient(options());
  const first = await c.request(get(`http://127.0.0.1:${raw.port}/`));
  const fresh = first.headerBlock!;
  expect(fresh.lines).toBeInstanceOf(Int32Array);
  expect(fresh.count).toBe(3);
  const second = await c.request(get(`http://127.0.0.1:${raw.port}/`));
  expect(raw.conns.length).toBe(1); // the same connection (and parser) read both
  const stale = first.headerBlock!;
  expect(stale.lines ?? null).toBeNull(); // the parser's ranges are the second head's now
  expect(first.headers).toEqual([["X-N", "1"], ["X-Pad", "p"], ["Content-Length", "1"]]);
  expect(second.headerBlock!.lines).toBeInstanceOf(Int32Array);
  expect(second.headers).toEqual([["X-N", "2"], ["X-Pad", "pp"], ["Content-Length", "1"]]);
  c.close();
  raw.stop();
});
test("bodyText() is the lossy UTF-8 text of the body (BOM kept, U+FFFD for invalid bytes), raw or content-decoded", async () => {
  const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0xff, 0xe2, 0x82, 0x62, 0xed, 0xa0, 0x80]);
  const zipped = gzipSync(bytes);
  const raw = rawServer((s, conn) => {
    const body = conn.requests % 2 === 1 ? bytes : zipped;
    const enc = conn.requests % 2 === 1 ? "" : "Content-Encoding: gzip\r\n";
    s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\n${enc}Content-Length: ${body.length}\r\n\r\n`), body]));
  });
  const c = new HttpClient(options());
  const lossy = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(bytes);
  for (let i = 0; i < 2; i++) {
    const r = await c.request(get(`http://127.0.0.1:${raw.port}/`));
    expect(r.bodyText!()).toBe(lossy);
    expect([...r.body]).toEqual([...bytes]);
  }
  c.close();
  raw.stop();
});

test("bodyRange() is the raw body where its socket chunk holds it until the body is read, null once sliced or content-decoded", async () => {
  const body = Buffer.from("range-body-é");
  const raw = rawServer(async (s, conn) => {
    if (conn.requests === 3) {
      const z = gzipSync(body);
      s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${z.length}\r\n\r\n`), z]));
      return;
    }
    const head = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`;
    if (conn.requests === 1) s.write(Buffer.concat([Buffer.from(head), body])); // behind the head in one chunk
    else {
      s.write(head); // the whole of the next chunk
      await sleep(10);
      s.write(body);
    }
  });
  const c = new HttpClient(options());
  const url = `http://127.0.0.1:${raw.port}/`;
  for (let i = 0; i < 2; i++) {
    const r = await c.request(get(url));
    const range = r.bodyRange!()!;
    expect(Buffer.from(range.bytes.subarray(range.from, range.to)).equals(body)).toBe(true);
    expect(Buffer.from(r.body).equals(body)).toBe(true);
    expect(r.bodyRange!()).toBeNull(); // sliced now: readers take `body`
  }
  const zipped = await c.request(get(url));
  expect(zipped.bodyRange!()).toBeNull();
  expect(Buffer.from(zipped.body).equals(body)).toBe(true);
  c.close();
  raw.stop();
});

test("bodies around the 16 KiB copy limit read the same as text and as bytes, in either order, also once the connection moved on", async () => {
  // Exchange.rawBody copies a body up to 16 KiB out of its socket chunk, views a larger one, and
  // hands back the chunk itself when the body is all of it; rawBodyText decodes from the chunk
  const sizes = [16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 40_000];
  const bodyOf = (n: number) => Buffer.from("é".repeat(n)).subarray(0, n); // ends in half a "é" when n is odd
  let next = 0;
  const raw = rawServer(async (s) => {
    const i = next++;
    const body = bodyOf(sizes[(i >> 1) % sizes.length]!);
    const head = `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`;
    if (i % 2 === 0) s.write(Buffer.concat([Buffer.from(head), body])); // head and body in one chunk
    else {
      s.write(head); // the body alone in the next chunk
      await sleep(10);
      s.write(body);
    }
  });
  const c = new HttpClient(options());
  const url = `http://127.0.0.1:${raw.port}/`;
  const rs = [];
  for (let i = 0; i < 2 * sizes.length; i++) rs.push(await c.request(get(url)));
  expect(raw.conns.length).toBe(1);
  const lossy = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  rs.forEach((r, i) => {
    const want = bodyOf(sizes[i >> 1]!);
    if (i % 4 < 2) {
      expect(r.bodyText!()).toBe(lossy.decode(want));
      expect(Buffer.from(r.body).equals(want)).toBe(true);
    } else {
      expect(Buffer.from(r.body).equals(want)).toBe(true);
      expect(r.bodyText!()).toBe(lossy.decode(want));
    }
  });
  c.close();
  raw.stop();
});

test("http_req_receiving is 0 for a response whole in its first chunk, the time to its last byte otherwise", async () => {
  const raw = rawServer(async (s, conn) => {
    if (conn.requests === 1) s.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nwhole");
    else {
      s.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsp");
      await sleep(50);
      s.write("lit");
    }
  });
  const c = new HttpClient(options());
  const url = `http://127.0.0.1:${raw.port}/`;
  const whole = await c.request(get(url));
  const split = await c.request(get(url));
  expect(raw.conns.length).toBe(1);
  expect(text(whole.body)).toBe("whole");
  expect(whole.timings.receiving).toBe(0);
  expect(text(split.body)).toBe("split");
  expect(split.timings.receiving).toBeGreaterThan(40);
  expect(split.timings.duration).toBeCloseTo(split.timings.sending + split.timings.waiting + split.timings.receiving, 9);
  c.close();
  raw.stop();
});
