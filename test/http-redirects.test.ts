import { afterAll, beforeAll, expect, test } from "bun:test";
import { HttpClient } from "../src/protocols/http/client.ts";
import { get, header, options, text } from "./fixtures/http/helpers.ts";

let srv: ReturnType<typeof Bun.serve>;
let base: string;
beforeAll(() => {
  srv = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const u = new URL(req.url);
      const m = /^\/r(\d{3})$/.exec(u.pathname);
      if (m !== null) return new Response("moving", { status: Number(m[1]), headers: { location: "/final" } });
      if (u.pathname.startsWith("/loop/")) {
        const n = Number(u.pathname.slice(6));
        return new Response(null, { status: 302, headers: { location: `/loop/${n + 1}` } });
      }
      if (u.pathname === "/final") {
        const body = await req.text();
        return Response.json({ method: req.method, body, ct: req.headers.get("content-type") });
      }
      return new Response("?", { status: 404 });
    },
  });
  base = `http://127.0.0.1:${srv.port}`;
});
afterAll(() => srv.stop(true));

const post = (url: string) => ({
  method: "POST",
  url,
  headers: [["Content-Type", "text/plain"]] as [string, string][],
  body: new TextEncoder().encode("data"),
  timeoutMs: 5000,
});

for (const status of [301, 302, 303]) {
  test(`${status} turns POST into GET without a body`, async () => {
    const c = new HttpClient(options());
    const r = await c.request(post(`${base}/r${status}`));
    expect(r.status).toBe(200);
    expect(JSON.parse(text(r.body))).toEqual({ method: "GET", body: "", ct: null });
    expect(r.url).toBe(`${base}/final`);
    c.close();
  });
}

for (const status of [307, 308]) {
  test(`${status} repeats the method and body`, async () => {
    const c = new HttpClient(options());
    const r = await c.request(post(`${base}/r${status}`));
    expect(JSON.parse(text(r.body))).toEqual({ method: "POST", body: "data", ct: "text/plain" });
    c.close();
  });
}

test("HEAD stays HEAD across a 302", async () => {
  const c = new HttpClient(options());
  const r = await c.request(get(`${base}/r302`, { method: "HEAD" }));
  expect(r.status).toBe(200);
  expect(r.body.length).toBe(0);
  expect(r.url).toBe(`${base}/final`);
  c.close();
});

test("timings and byte counts accumulate over hops; the final hop's status and headers win", async () => {
  const c = new HttpClient(options());
  const single = await c.request(get(`${base}/final`));
  const hop = await c.request(get(`${base}/r302`));
  expect(hop.status).toBe(200);
  expect(header(hop.headers, "content-type")).toContain("application/json");
  expect(hop.bytesSent).toBeGreaterThan(single.bytesSent);
  expect(hop.bytesReceived).toBeGreaterThan(single.bytesReceived);
  c.close();
});

test("exceeding max_redirects is an error naming the limit", async () => {
  const c = new HttpClient(options({ maxRedirects: 3 }));
  const r = await c.request(get(`${base}/loop/0`));
  expect(r.status).toBe(0);
  expect(r.error).toBe("stopped after 3 redirects (max_redirects)");
  c.close();
});

test("exactly max_redirects hops are followed", async () => {
  const c = new HttpClient(options());
  const r = await c.request(get(`${base}/r301`, { maxRedirects: 1 }));
  expect(r.status).toBe(200);
  c.close();
});

test("followRedirects false returns the redirect itself (request override wins)", async () => {
  const c = new HttpClient(options());
  const r = await c.request(get(`${base}/r302`, { followRedirects: false }));
  expect(r.status).toBe(302);
  expect(header(r.headers, "location")).toBe("/final");
  expect(text(r.body)).toBe("moving");
  c.close();
});
