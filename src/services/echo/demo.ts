/**
 * `/demo/...`: the reference harness's demo application (reference §7, `demoapp`), so the
 * reference's example plans that need app-shaped answers (login → token, /me, HTML with a CSRF
 * field, orders, cart, inventory) run against the echo target unchanged but for `base_url`.
 * Routing follows the demo app's rules: by method, then by what the path contains.
 */
const ITEMS = [
  { id: 1, name: "alpha", price: 9 },
  { id: 2, name: "beta", price: 19 },
];
const COMMON = { "x-request-id": "req-123", etag: '"abc123"', "cache-control": "max-age=60" };
const CHECKOUT_HTML = `<!doctype html>
<html><body>
<form action="/checkout/submit" method="post">
  <input type="hidden" name="csrf" value="csrf-xyz">
  <div data-trace="trace-123">Checkout</div>
</form>
</body></html>
`;

const json = (v: unknown, status = 200, head = false) =>
  new Response(head ? null : JSON.stringify(v), { status, headers: { "content-type": "application/json", ...COMMON } });

const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");

export async function demo(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const path = url.pathname.replace(/^\/demo/, "") || "/";
  const method = req.method;
  if (method === "GET" || method === "HEAD") return demoGet(req, path, method === "HEAD");
  if (method === "DELETE") return json({ deleted: true });
  return demoPost(req, path);
}

function demoGet(req: Request, path: string, head: boolean): Response {
  if (path.includes("checkout/start"))
    return new Response(head ? null : CHECKOUT_HTML, { headers: { "content-type": "text/html; charset=utf-8", ...COMMON } });
  const order = /^\/orders\/([^/]+)$/.exec(path);
  if (order) return json({ order: { id: decodeURIComponent(order[1]!) }, status: "pending" }, 200, head);
  if (path === "/me") {
    const auth = req.headers.get("authorization") ?? "";
    const tok = /^Bearer tok-(.*)$/.exec(auth)?.[1];
    let username = "demo";
    if (tok) username = Buffer.from(tok, "base64url").toString("utf8");
    return json({ username, id: 1 }, 200, head);
  }
  if (path.includes("items") || path.includes("inventory") || path === "/feed" || path === "/")
    return json({ items: ITEMS, results: ITEMS, count: 2, status: "ok" }, 200, head);
  return json({ items: ITEMS, id: 1, token: "tok-demo", status: "ok", value: 42 }, 200, head);
}

async function demoPost(req: Request, path: string): Promise<Response> {
  const raw = await req.text();
  if (path.includes("checkout/submit")) return json({ order: { id: "ord-1" } });
  if (path === "/orders") return json({ order: { id: "ord-1" }, status: "PENDING" }, 201);
  if (path === "/cart") return json({ id: "cart-1", sku: "W-1" }, 201);
  if (path.includes("login")) {
    const user = userOf(req.headers.get("content-type") ?? "", raw);
    return json({ token: `tok-${b64url(user)}`, username: user });
  }
  if (path.includes("auth/token")) return json({ token: "tok-demo", access_token: "tok-demo" });
  if (path.includes("graphql") || raw.includes("query"))
    return json({ data: { products: { totalCount: 2, items: ITEMS }, items: ITEMS, user: { id: 1, username: "demo" } } });
  if (path.includes("export") || path.includes("auth/")) return json({ ok: true });
  return json({ id: "obj-1", data: { items: ITEMS } }, 201);
}

/** The user of a login: form `username`, or JSON `user`/`username`; `demo` when absent. */
function userOf(type: string, raw: string): string {
  if (type.includes("json") || raw.trimStart().startsWith("{")) {
    try {
      const v = JSON.parse(raw) as Record<string, unknown>;
      const u = v?.user ?? v?.username;
      if (typeof u === "string" && u) return u;
    } catch {
      // not JSON: fall through
    }
    return "demo";
  }
  return new URLSearchParams(raw).get("username") || "demo";
}
