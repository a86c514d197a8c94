import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Socket } from "bun";
import { HttpClient } from "../src/protocols/http/client.ts";
import { certs, get, options, text } from "./fixtures/http/helpers.ts";

interface ProxyConn {
  head: string;
  up: Socket<undefined> | null;
  connecting: boolean;
  pending: Buffer[];
}

/**
 * A small forwarding proxy on 127.0.0.1: absolute-form requests are piped to their origin,
 * CONNECT opens a raw tunnel. It only ever connects to 127.0.0.1 / localhost.
 */
function startProxy(requiredAuth: string | null) {
  const log: { firstLine: string; auth: string | null }[] = [];
  const listener = Bun.listen<ProxyConn>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(s) {
        s.data = { head: "", up: null, connecting: false, pending: [] };
      },
      async data(s, d) {
        const st = s.data;
        if (st.up !== null) {
          st.up.write(d);
          return;
        }
        if (st.connecting) {
          st.pending.push(d);
          return;
        }
        st.head += d.toString("latin1");
        const end = st.head.indexOf("\r\n\r\n");
        if (end < 0) return;
        const firstLine = st.head.slice(0, st.head.indexOf("\r\n"));
        const auth = /\r\nproxy-authorization: ([^\r]*)/i.exec(st.head)?.[1] ?? null;
        log.push({ firstLine, auth });
        if (requiredAuth !== null && auth !== requiredAuth) {
          s.end("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
          return;
        }
        const [method, target] = firstLine.split(" ") as [string, string];
        const isConnect = method === "CONNECT";
        const u = isConnect ? new URL(`http://${target}`) : new URL(target);
        if (u.hostname !== "127.0.0.1" && u.hostname !== "localhost") {
          s.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
          return;
        }
        st.connecting = true;
        const up = await Bun.connect({
          hostname: "127.0.0.1",
          port: Number(u.port),
          socket: {
            data(_u, chunk) {
              s.write(chunk);
            },
            close() {
              s.end();
            },
            error() {},
          },
        });
        st.up = up;
        if (isConnect) s.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        else up.write(Buffer.from(st.head, "latin1"));
        for (const p of st.pending) up.write(p);
      },
      close(s) {
        s.data.up?.end();
      },
      error() {},
    },
  });
  return { port: listener.port, log, stop: () => listener.stop(true) };
}

let plain: ReturnType<typeof Bun.serve>;
let secure: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  plain = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => new Response(`plain ${new URL(r.url).pathname}`) });
  secure = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: certs.serverCert, key: certs.serverKey },
    fetch: () => new Response("through the tunnel"),
  });
});
afterAll(() => {
  plain.stop(true);
  secure.stop(true);
});

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;

test("plain HTTP goes through the proxy in absolute form with Proxy-Authorization from the userinfo", async () => {
  const proxy = startProxy(basic("user", "p@ss"));
  const c = new HttpClient(options({ proxy: `http://user:p%40ss@127.0.0.1:${proxy.port}` }));
  const url = `http://127.0.0.1:${plain.port}/via/proxy?x=1`;
  const r = await c.request(get(url));
  expect(r.status).toBe(200);
  expect(text(r.body)).toBe("plain /via/proxy");
  expect(proxy.log[0]).toEqual({ firstLine: `GET ${url} HTTP/1.1`, auth: basic("user", "p@ss") });
  c.close();
  proxy.stop();
});

test("HTTPS goes through a CONNECT tunnel, then TLS to the origin; the tunnel is kept alive", async () => {
  const proxy = startProxy(basic("u", "pw"));
  const c = new HttpClient(options({ proxy: `http://u:pw@127.0.0.1:${proxy.port}`, tls: { ca: certs.ca } }));
  const url = `https://localhost:${secure.port}/`;
  const a = await c.request(get(url));
  expect(a.error).toBeUndefined();
  expect(text(a.body)).toBe("through the tunnel");
  expect(a.timings.tls).toBeGreaterThan(0);
  expect(proxy.log[0]).toEqual({ firstLine: `CONNECT localhost:${secure.port} HTTP/1.1`, auth: basic("u", "pw") });
  const b = await c.request(get(url));
  expect(text(b.body)).toBe("through the tunnel");
  expect(b.timings.connecting).toBe(0);
  expect(proxy.log.length).toBe(1);
  c.close();
  proxy.stop();
});

test("a proxy refusing CONNECT is a connection error naming the proxy's answer", async () => {
  const proxy = startProxy(basic("right", "creds"));
  const c = new HttpClient(options({ proxy: `http://wrong:creds@127.0.0.1:${proxy.port}`, tls: { ca: certs.ca } }));
  const r = await c.request(get(`https://localhost:${secure.port}/`));
  expect(r.status).toBe(0);
  expect(r.error).toBe("proxy CONNECT failed: 407 Proxy Authentication Required");
  expect(r.errorKind).toBe("connection");
  c.close();
  proxy.stop();
});

test("the TLS certificate inside the tunnel is still verified", async () => {
  const proxy = startProxy(null);
  const c = new HttpClient(options({ proxy: `http://127.0.0.1:${proxy.port}` }));
  const r = await c.request(get(`https://localhost:${secure.port}/`));
  expect(r.status).toBe(0);
  expect(r.errorKind).toBe("tls");
  c.close();
  proxy.stop();
});
