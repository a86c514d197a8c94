import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HttpClient } from "../src/protocols/http/client.ts";
import { CookieJar, defaultPath, MAX_COOKIE_BYTES, MAX_COOKIES, MAX_PER_DOMAIN, pathMatch } from "../src/protocols/http/cookies.ts";
import { get, options, text } from "./fixtures/http/helpers.ts";

describe("cookie jar rules (§2.8)", () => {
  const now = 1_000_000_000_000;

  test("host-only cookies match only their host", () => {
    const j = new CookieJar();
    j.setFromHeader("a=1", "api.example.com", "/", now);
    expect(j.headerFor("api.example.com", "/", false, now)).toBe("a=1");
    expect(j.headerFor("x.api.example.com", "/", false, now)).toBe("");
  });

  test("Domain cookies (leading dot stripped) match subdomains on a dot boundary", () => {
    const j = new CookieJar();
    j.setFromHeader("d=1; Domain=.Example.com", "www.example.com", "/", now);
    expect(j.headerFor("example.com", "/", false, now)).toBe("d=1");
    expect(j.headerFor("a.b.example.com", "/", false, now)).toBe("d=1");
    expect(j.headerFor("badexample.com", "/", false, now)).toBe("");
  });

  test("a Domain that does not cover the request host is rejected", () => {
    const j = new CookieJar();
    j.setFromHeader("evil=1; Domain=other.com", "www.example.com", "/", now);
    expect(j.size).toBe(0);
  });

  test("default path and RFC 6265 path matching", () => {
    expect(defaultPath("/a/b/c")).toBe("/a/b");
    expect(defaultPath("/a")).toBe("/");
    expect(pathMatch("/docs/x", "/docs")).toBe(true);
    expect(pathMatch("/docsx", "/docs")).toBe(false);
    expect(pathMatch("/docs/", "/docs/")).toBe(true);
    const j = new CookieJar();
    j.setFromHeader("p=1", "h", "/shop/cart", now);
    expect(j.headerFor("h", "/shop/item", false, now)).toBe("p=1");
    expect(j.headerFor("h", "/other", false, now)).toBe("");
  });

  test("Max-Age and Expires: future kept, <= now deletes, Max-Age wins over Expires", () => {
    const j = new CookieJar();
    j.setFromHeader("m=1; Max-Age=10", "h", "/", now);
    j.setFromHeader("e=1; Expires=Wed, 21 Oct 2099 07:28:00 GMT", "h", "/", now);
    j.setFromHeader("both=1; Expires=Wed, 21 Oct 2000 07:28:00 GMT; Max-Age=10", "h", "/", now);
    expect(j.headerFor("h", "/", false, now)).toBe("m=1; e=1; both=1");
    expect(j.headerFor("h", "/", false, now + 11_000)).toBe("e=1");
    j.setFromHeader("e=gone; Max-Age=0", "h", "/", now);
    expect(j.headerFor("h", "/", false, now)).toBe("");
  });

  test("Secure cookies go only over https; same (name, domain, path) replaces in place", () => {
    const j = new CookieJar();
    j.setFromHeader("s=1; Secure", "h", "/", now);
    j.setFromHeader("x=1", "h", "/", now);
    j.setFromHeader("s=2; Secure", "h", "/", now);
    expect(j.headerFor("h", "/", false, now)).toBe("x=1");
    expect(j.headerFor("h", "/", true, now)).toBe("s=2; x=1");
  });
});

describe("cookie jar limits (a browser's: docs/plan.md \"Cookies\")", () => {
  const now = 1_000_000_000_000;
  const names = (j: CookieJar, domain?: string) => j.all().filter((c) => domain === undefined || c.domain === domain).map((c) => c.name);

  test("a cookie whose name and value pass 4 KiB is ignored; one at 4 KiB is kept", () => {
    const j = new CookieJar();
    j.setFromHeader(`big=${"b".repeat(MAX_COOKIE_BYTES - 3 + 1)}`, "h", "/", now);
    expect(j.size).toBe(0);
    j.setFromHeader(`fit=${"f".repeat(MAX_COOKIE_BYTES - 3)}`, "h", "/", now);
    expect(names(j)).toEqual(["fit"]);
    // an oversized value for a stored name leaves the stored cookie as it was
    j.setFromHeader(`fit=${"g".repeat(MAX_COOKIE_BYTES)}`, "h", "/", now);
    expect(j.all()[0]!.value[0]).toBe("f");
  });

  test("past 180 cookies for one domain the oldest of that domain goes; other domains keep theirs; replacing keeps a cookie's age", () => {
    expect(MAX_PER_DOMAIN).toBe(180);
    const j = new CookieJar();
    j.setFromHeader("other=1", "b.test", "/", now);
    for (let i = 0; i < MAX_PER_DOMAIN; i++) j.setFromHeader(`c${i}=1`, "a.test", "/", now);
    j.setFromHeader("c0=2", "a.test", "/", now); // replaced in place: still the oldest of a.test
    j.setFromHeader("new=1", "a.test", "/", now);
    const a = names(j, "a.test");
    expect(a.length).toBe(MAX_PER_DOMAIN);
    expect(a[0]).toBe("c1");
    expect(a.at(-1)).toBe("new");
    expect(names(j, "b.test")).toEqual(["other"]);
  });

  test("past 3,000 cookies in all the oldest goes, whatever its domain", () => {
    expect(MAX_COOKIES).toBe(3000);
    const j = new CookieJar();
    for (let d = 0; d < 20; d++) for (let i = 0; i < 150; i++) j.setFromHeader(`c${i}=1`, `d${d}.test`, "/", now);
    expect(j.size).toBe(3000);
    j.setFromHeader("late=1", "late.test", "/", now);
    expect(j.size).toBe(3000);
    expect(j.all()[0]).toMatchObject({ name: "c1", domain: "d0.test" });
    expect(j.all().at(-1)).toMatchObject({ name: "late", domain: "late.test" });
  });

  test("500 new cookies per response keep the Cookie header under 180 cookies' worth", () => {
    const j = new CookieJar();
    let serial = 0;
    for (let r = 0; r < 20; r++) for (let i = 0; i < 500; i++) j.setFromHeader(`c${serial++}=${"v".repeat(16)}`, "h", "/", now);
    const header = j.headerFor("h", "/", false, now);
    expect(header.split("; ").length).toBe(MAX_PER_DOMAIN);
    expect(header.length).toBeLessThan(MAX_PER_DOMAIN * 30);
    expect(header.startsWith(`c${serial - MAX_PER_DOMAIN}=`)).toBe(true);
  });
});

describe("round trip through a server", () => {
  let srv: ReturnType<typeof Bun.serve>;
  let base: string;
  beforeAll(() => {
    srv = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const u = new URL(req.url);
        if (u.pathname === "/login") {
          const h = new Headers();
          h.append("set-cookie", "session=abc; Path=/; HttpOnly");
          h.append("set-cookie", "theme=dark; Path=/");
          return new Response("ok", { headers: h });
        }
        if (u.pathname === "/redirect-login") {
          return new Response(null, { status: 302, headers: { location: "/whoami", "set-cookie": "via=redirect; Path=/" } });
        }
        return new Response(req.headers.get("cookie") ?? "");
      },
    });
    base = `http://127.0.0.1:${srv.port}`;
  });
  afterAll(() => srv.stop(true));

  test("cookies set by one response are sent on the next request", async () => {
    const c = new HttpClient(options());
    await c.request(get(`${base}/login`));
    const r = await c.request(get(`${base}/whoami`));
    expect(text(r.body)).toBe("session=abc; theme=dark");
    c.close();
  });

  test("jar cookies are appended to an explicit Cookie header with '; '", async () => {
    const c = new HttpClient(options());
    await c.request(get(`${base}/login`));
    const r = await c.request(get(`${base}/whoami`, { headers: [["Cookie", "mine=1"]] }));
    expect(text(r.body)).toBe("mine=1; session=abc; theme=dark");
    c.close();
  });

  test("a cookie set on a redirect hop is sent to the next hop", async () => {
    const c = new HttpClient(options());
    const r = await c.request(get(`${base}/redirect-login`));
    expect(text(r.body)).toBe("via=redirect");
    c.close();
  });

  test("cookies: false keeps no jar", async () => {
    const c = new HttpClient(options({ cookies: false }));
    await c.request(get(`${base}/login`));
    const r = await c.request(get(`${base}/whoami`));
    expect(text(r.body)).toBe("");
    c.close();
  });
});
