/**
 * The HTTP client's body bounds, in process (docs/plan.md "Response bodies"): max_body_size on the
 * body as received and as decoded, the streamed decoding past 1 MiB and its cancellation by the
 * timeout, discard_response_bodies. The same attacks through dist/loadr, with their memory, are in
 * hostile-http.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { brotliCompressSync, constants, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { HttpClient } from "../src/protocols/http/client.ts";
import { SYNC_MAX } from "../src/protocols/http/decompress.ts";
import { get, options, text } from "./fixtures/http/helpers.ts";
import { type HostileServer, startHostileServer } from "./support/hostile-server.ts";

const MiB = 1024 * 1024;
let srv: HostileServer;
beforeAll(async () => {
  srv = await startHostileServer();
});
afterAll(() => srv.stop());

/** A server answering each request with `body` under `Content-Encoding: coding` (Bun.serve sends it as it is). */
function encodedServer(coding: string, body: Uint8Array) {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(body, { headers: { "content-encoding": coding } }) });
  return { port: server.port, stop: () => server.stop(true) };
}

describe("decoding", () => {
  // text that compresses about 5:1, on either side of the synchronous limit
  const sample = (n: number) => Buffer.from(Array.from({ length: Math.ceil(n / 8) }, (_, i) => (i * 2654435761 >>> 0).toString(16).padStart(8, "0")).join("").slice(0, n));
  // brotli's default quality takes seconds for a few MiB
  const brotli = (b: Uint8Array) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } });
  const encoders: Record<string, (b: Buffer) => Uint8Array> = {
    gzip: (b) => gzipSync(b),
    deflate: (b) => deflateSync(b),
    "deflate (raw)": (b) => deflateRawSync(b),
    br: (b) => brotli(b),
    "gzip, br": (b) => brotli(gzipSync(b)),
  };

  for (const [name, encode] of Object.entries(encoders)) {
    test(`${name}: bodies below, at and above ${SYNC_MAX} decoded bytes (decoded at once, or as a stream) decode to the same bytes`, async () => {
      for (const n of [1000, SYNC_MAX, SYNC_MAX + 1, 3 * MiB]) {
        const want = sample(n);
        const raw = encodedServer(name.replace(" (raw)", ""), encode(want));
        const c = new HttpClient(options());
        const r = await c.request(get(`http://127.0.0.1:${raw.port}/`));
        expect(r.error).toBeUndefined();
        expect(Buffer.from(r.body).equals(want)).toBe(true);
        c.close();
        raw.stop();
      }
    });
  }

  test("a corrupt body fails as transport with its coding named, whether decoded at once or as a stream", async () => {
    for (const size of [100, 2 * MiB]) {
      const bad = Buffer.from(gzipSync(sample(size * 4)).subarray(0, size));
      bad.fill(0x55, 20);
      const raw = encodedServer("gzip", bad);
      const c = new HttpClient(options());
      const r = await c.request(get(`http://127.0.0.1:${raw.port}/`));
      expect(r.errorKind).toBe("transport");
      expect(r.error).toStartWith("error decoding response body (gzip): ");
      c.close();
      raw.stop();
    }
  });

  test("the decoded bytes are capped by max_body_size (the request's wins over the client's), at once or while streaming", async () => {
    const c = new HttpClient(options({ maxBodySize: 64 * MiB }));
    const small = await c.request(get(`${srv.url}/bomb/gzip?mib=1`, { maxBodySize: 512 * 1024 }));
    expect([small.errorKind, small.error]).toEqual(["body_too_large", "response body too large: its gzip decoding passed max_body_size (512 KiB)"]);
    const streamed = await c.request(get(`${srv.url}/bomb/br?mib=16`, { maxBodySize: 8 * MiB }));
    expect([streamed.errorKind, streamed.error]).toEqual(["body_too_large", "response body too large: its br decoding passed max_body_size (8 MiB)"]);
    const fits = await c.request(get(`${srv.url}/bomb/deflate?mib=8`, { maxBodySize: 8 * MiB }));
    expect([fits.error, fits.body.length]).toEqual([undefined, 8 * MiB]);
    const byDefault = await c.request(get(`${srv.url}/bomb/gzip?mib=65`));
    expect(byDefault.error).toBe("response body too large: its gzip decoding passed max_body_size (64 MiB)");
    c.close();
  });

  test("a streaming decoding still running at the timeout is stopped there: timeout, its time counted in receiving", async () => {
    const c = new HttpClient(options());
    const t0 = performance.now();
    // 8 GiB of zeros in ~100 KB of br: it arrives at once, and decoding it takes far longer than 1 s
    const r = await c.request(get(`${srv.url}/bomb/br?mib=8192`, { maxBodySize: 16 * 1024 * MiB, timeoutMs: 1000 }));
    const took = performance.now() - t0;
    expect([r.errorKind, r.error]).toEqual(["timeout", "request timed out after 1s"]);
    expect(took).toBeLessThan(3000);
    expect(r.timings.receiving).toBeGreaterThan(300);
    expect(r.timings.duration).toBeCloseTo(r.timings.sending + r.timings.waiting + r.timings.receiving, 9);
    c.close();
  });

  test("a small decoding's time counts in receiving too (http_req_receiving: reading and decoding the body)", async () => {
    const c = new HttpClient(options());
    const r = await c.request(get(`${srv.url}/bomb/gzip?mib=1`));
    expect(r.body.length).toBe(MiB);
    expect(r.timings.receiving).toBeGreaterThan(0);
    c.close();
  });
});

describe("max_body_size on received bytes", () => {
  test("a body past it fails as body_too_large and its connection is closed: the next request opens another", async () => {
    const c = new HttpClient(options({ maxBodySize: MiB }));
    const r = await c.request(get(`${srv.url}/flood/chunked`));
    expect(r.errorKind).toBe("body_too_large");
    expect(r.bytesReceived).toBeGreaterThan(MiB);
    expect(r.bytesReceived).toBeLessThan(4 * MiB);
    const next = await c.request(get(`${srv.url}/ok`));
    expect(text(next.body)).toBe("ok");
    expect(next.timings.connecting).toBeGreaterThan(0);
    c.close();
  });
});

describe("discard_response_bodies", () => {
  test("a body is counted, not kept, past any cap; a compressed one is not decoded", async () => {
    const c = new HttpClient(options({ maxBodySize: MiB, discardBodies: true }));
    const big = await c.request(get(`${srv.url}/flood/length?gib=0.0625`));
    expect([big.error, big.status, big.body.length]).toEqual([undefined, 200, 0]);
    expect(big.bytesReceived).toBeGreaterThan(64 * MiB);
    const bomb = await c.request(get(`${srv.url}/bomb/gzip?mib=2048`));
    expect([bomb.error, bomb.status, bomb.body.length]).toEqual([undefined, 200, 0]);
    // the keep-alive connection was read to each body's end: still the one connection
    expect(bomb.timings.connecting).toBe(0);
    c.close();
  });
});
