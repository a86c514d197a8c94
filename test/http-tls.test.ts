import { afterAll, beforeAll, expect, test } from "bun:test";
import { HttpClient } from "../src/protocols/http/client.ts";
import { certs, get, options, text } from "./fixtures/http/helpers.ts";

// server.pem (SAN localhost, 127.0.0.1, loadr.test) is signed by ca.pem; see fixtures/http/gen-certs.sh
const NO_TLSv1_3 = 0x20000000;
let srv: ReturnType<typeof Bun.serve>;
let only12: ReturnType<typeof Bun.serve>;
let mtls: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  const tls = { cert: certs.serverCert, key: certs.serverKey };
  srv = Bun.serve({ hostname: "127.0.0.1", port: 0, tls, fetch: () => new Response("secure") });
  only12 = Bun.serve({ hostname: "127.0.0.1", port: 0, tls: { ...tls, secureOptions: NO_TLSv1_3 }, fetch: () => new Response("tls12") });
  mtls = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { ...tls, ca: certs.ca, requestCert: true, rejectUnauthorized: true },
    fetch: () => new Response("mutual"),
  });
});
afterAll(() => {
  srv.stop(true);
  only12.stop(true);
  mtls.stop(true);
});

test("https with the signing CA: tls time measured, reused connection skips it", async () => {
  const c = new HttpClient(options({ tls: { ca: certs.ca } }));
  const url = `https://127.0.0.1:${srv.port}/`;
  const a = await c.request(get(url));
  expect(a.error).toBeUndefined();
  expect(text(a.body)).toBe("secure");
  expect(a.timings.tls).toBeGreaterThan(0);
  expect(a.timings.connecting).toBeGreaterThan(0);
  const b = await c.request(get(url));
  expect(b.timings.tls).toBe(0);
  expect(b.timings.connecting).toBe(0);
  c.close();
});

test("a self-signed chain without `ca` fails verification with a tls error", async () => {
  const c = new HttpClient(options());
  const r = await c.request(get(`https://127.0.0.1:${srv.port}/`));
  expect(r.status).toBe(0);
  expect(r.errorKind).toBe("tls");
  expect(r.error).toContain("tls handshake failed");
  c.close();
});

test("a wrong `ca` is rejected", async () => {
  const c = new HttpClient(options({ tls: { ca: certs.otherCa } }));
  const r = await c.request(get(`https://127.0.0.1:${srv.port}/`));
  expect(r.errorKind).toBe("tls");
  c.close();
});

test("insecureSkipVerify accepts the untrusted certificate", async () => {
  const c = new HttpClient(options({ tls: { insecureSkipVerify: true } }));
  const r = await c.request(get(`https://127.0.0.1:${srv.port}/`));
  expect(r.status).toBe(200);
  c.close();
});

test("serverName sets the name the certificate is checked against", async () => {
  const ok = new HttpClient(options({ tls: { ca: certs.ca, serverName: "loadr.test" } }));
  expect((await ok.request(get(`https://127.0.0.1:${srv.port}/`))).status).toBe(200);
  ok.close();
  const bad = new HttpClient(options({ tls: { ca: certs.ca, serverName: "wrong.test" } }));
  const r = await bad.request(get(`https://127.0.0.1:${srv.port}/`));
  expect(r.errorKind).toBe("tls");
  expect(r.error).toContain("wrong.test");
  bad.close();
});

test("hosts pinning over https verifies against the URL's host name", async () => {
  const c = new HttpClient(options({ tls: { ca: certs.ca }, hosts: { "loadr.test": "127.0.0.1" } }));
  const r = await c.request(get(`https://loadr.test:${srv.port}/`));
  expect(r.status).toBe(200);
  c.close();
});

test("mTLS: the client certificate is presented when cert/key are set", async () => {
  const c = new HttpClient(options({ tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } }));
  const r = await c.request(get(`https://127.0.0.1:${mtls.port}/`));
  expect(r.status).toBe(200);
  expect(text(r.body)).toBe("mutual");
  c.close();
  const without = new HttpClient(options({ tls: { ca: certs.ca } }));
  const r2 = await without.request(get(`https://127.0.0.1:${mtls.port}/`));
  expect(r2.status).toBe(0);
  expect(r2.errorKind).toBe("tls");
  without.close();
});

test("maxVersion 1.2 is honoured, and minVersion 1.3 against a 1.2-only server fails", async () => {
  const c12 = new HttpClient(options({ tls: { ca: certs.ca, maxVersion: "1.2" } }));
  expect((await c12.request(get(`https://127.0.0.1:${srv.port}/`))).status).toBe(200);
  c12.close();
  const c13 = new HttpClient(options({ tls: { ca: certs.ca, minVersion: "1.3" } }));
  expect((await c13.request(get(`https://127.0.0.1:${srv.port}/`))).status).toBe(200);
  const r = await c13.request(get(`https://127.0.0.1:${only12.port}/`));
  expect(r.status).toBe(0);
  expect(r.errorKind).toBe("tls");
  c13.close();
  const bad = new HttpClient(options({ tls: { minVersion: "1.3", maxVersion: "1.2" } }));
  expect((await bad.request(get(`https://127.0.0.1:${srv.port}/`))).error).toContain("min_version 1.3 is above max_version 1.2");
  bad.close();
});

test("plain HTTP spoken to a TLS port fails cleanly", async () => {
  const c = new HttpClient(options());
  const r = await c.request(get(`http://127.0.0.1:${srv.port}/`, { timeoutMs: 2000 }));
  expect(r.status).toBe(0);
  expect(r.error).toBeDefined();
  c.close();
});
