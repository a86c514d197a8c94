/**
 * The per-VU cookie jar (reference §2.8, RFC 6265 matching rules).
 * A jar belongs to one HttpClient; the engine copies or discards clients for parallel branches.
 *
 * It keeps a browser's limits (docs/plan.md "Cookies"), so that a server setting new cookies on
 * every response cannot grow every later request's Cookie header without end: a cookie whose name
 * and value pass MAX_COOKIE_BYTES is ignored; past MAX_PER_DOMAIN cookies for one domain, or
 * MAX_COOKIES in all, the oldest (the first stored; replacing a cookie keeps its place) goes.
 */

export interface Cookie {
  name: string;
  value: string;
  /** lower-cased, without a leading dot */
  domain: string;
  hostOnly: boolean;
  path: string;
  secure: boolean;
  /** ms since the epoch; Infinity for session cookies */
  expires: number;
}

/** name + value, in UTF-16 code units (bytes for the ASCII of nearly every cookie) */
export const MAX_COOKIE_BYTES = 4096;
export const MAX_PER_DOMAIN = 180;
export const MAX_COOKIES = 3000;

export class CookieJar {
  /** insertion order is the order cookies are sent in */
  private cookies: Cookie[] = [];

  get size(): number {
    return this.cookies.length;
  }

  clear(): void {
    this.cookies = [];
  }

  /** Replace the contents with copies of `cookies` (a parallel branch starts with its VU's jar). */
  load(cookies: readonly Cookie[]): void {
    this.cookies = cookies.map((c) => ({ ...c }));
  }

  all(): readonly Cookie[] {
    return this.cookies;
  }

  /** Stores one `Set-Cookie` header value received from `host` for a request to `requestPath`. */
  setFromHeader(header: string, host: string, requestPath: string, now = Date.now()): void {
    const parts = header.split(";");
    const first = parts[0]!;
    const eq = first.indexOf("=");
    if (eq <= 0) return; // a nameless cookie is ignored
    const name = first.slice(0, eq).trim();
    const value = stripQuotes(first.slice(eq + 1).trim());
    if (name === "" || name.length + value.length > MAX_COOKIE_BYTES) return;
    const reqHost = host.toLowerCase();
    let domain = reqHost;
    let hostOnly = true;
    let path = "";
    let secure = false;
    let expires = Infinity;
    let maxAgeSeen = false;
    for (let i = 1; i < parts.length; i++) {
      const attr = parts[i]!;
      const aeq = attr.indexOf("=");
      const key = (aeq < 0 ? attr : attr.slice(0, aeq)).trim().toLowerCase();
      const val = aeq < 0 ? "" : attr.slice(aeq + 1).trim();
      if (key === "domain") {
        const d = val.replace(/^\./, "").toLowerCase();
        if (d === "") continue;
        // a Domain that does not cover the request host would let one site set cookies for another
        if (!domainMatch(reqHost, d)) return;
        domain = d;
        hostOnly = false;
      } else if (key === "path") {
        path = val;
      } else if (key === "secure") {
        secure = true;
      } else if (key === "max-age") {
        if (!/^-?\d+$/.test(val)) continue;
        const secs = Number(val);
        expires = secs <= 0 ? 0 : now + secs * 1000;
        maxAgeSeen = true;
      } else if (key === "expires" && !maxAgeSeen) {
        const t = Date.parse(val);
        if (!Number.isNaN(t)) expires = t;
      }
    }
    if (path === "" || !path.startsWith("/")) path = defaultPath(requestPath);
    const idx = this.cookies.findIndex((c) => c.name === name && c.domain === domain && c.path === path);
    if (expires <= now) {
      // Max-Age<=0 or a past Expires is how a server deletes a cookie
      if (idx >= 0) this.cookies.splice(idx, 1);
      return;
    }
    const cookie: Cookie = { name, value, domain, hostOnly, path, secure, expires };
    if (idx >= 0) {
      this.cookies[idx] = cookie;
      return;
    }
    this.cookies.push(cookie);
    this.evict(domain);
  }

  /** After a cookie for `domain` was added: the oldest goes past the limits (one at most each). */
  private evict(domain: string): void {
    const list = this.cookies;
    let count = 0;
    let oldest = -1;
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.domain !== domain) continue;
      if (oldest < 0) oldest = i;
      count++;
    }
    if (count > MAX_PER_DOMAIN) list.splice(oldest, 1);
    if (list.length > MAX_COOKIES) list.shift();
  }

  /** The `Cookie` header value for a request ("" when nothing matches). Purges expired cookies. */
  headerFor(host: string, path: string, secure: boolean, now?: number): string {
    const list = this.cookies;
    // an empty jar (every request of a cookie-less test) answers before reading the clock
    if (list.length === 0) return "";
    now ??= Date.now();
    const h = host.toLowerCase();
    let out = "";
    let expired = false;
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      if (c.expires <= now) {
        expired = true;
        continue;
      }
      if (c.secure && !secure) continue;
      if (c.hostOnly ? c.domain !== h : !domainMatch(h, c.domain)) continue;
      if (!pathMatch(path, c.path)) continue;
      out = out === "" ? `${c.name}=${c.value}` : `${out}; ${c.name}=${c.value}`;
    }
    if (expired) this.cookies = list.filter((c) => c.expires > now);
    return out;
  }
}

/** RFC 6265 §5.1.3: equal, or a suffix on a dot boundary (never for IP addresses). */
export function domainMatch(host: string, domain: string): boolean {
  if (host === domain) return true;
  return host.endsWith(domain) && host.charCodeAt(host.length - domain.length - 1) === 46 && !/^[\d.]+$|:/.test(host);
}

/** RFC 6265 §5.1.4 */
export function pathMatch(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath.charCodeAt(cookiePath.length) === 47;
}

/** RFC 6265 §5.1.4 default-path: the request path up to (not including) its last "/", or "/". */
export function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith("/")) return "/";
  const last = requestPath.lastIndexOf("/");
  return last <= 0 ? "/" : requestPath.slice(0, last);
}

function stripQuotes(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}
