/** Parsed request targets, cached by URL string: a load test requests the same few URLs millions of times. */

export interface Target {
  readonly href: string;
  readonly secure: boolean;
  /** lower-cased host as in the URL ("[::1]" keeps its brackets) */
  readonly host: string;
  /** host without IPv6 brackets: what DNS, SNI and the cookie jar see */
  readonly hostname: string;
  readonly port: number;
  /** "host" or "host:port" when the port is not the scheme's default: the Host header */
  readonly authority: string;
  /** "scheme://host:port": the pool key */
  readonly origin: string;
  /** path + query, never empty: the origin-form request target */
  readonly path: string;
  /** path without the query: cookie path matching */
  readonly pathname: string;
}

const cache = new Map<string, Target>();
const CACHE_MAX = 4096;

/** Returns the target or an error message (never throws). */
export function parseTarget(url: string): Target | string {
  const hit = cache.get(url);
  if (hit !== undefined) return hit;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `invalid URL: ${url}`;
  }
  const scheme = u.protocol.slice(0, -1);
  if (scheme !== "http" && scheme !== "https") return `http handler cannot handle scheme \`${scheme}\``;
  if (u.hostname === "") return `invalid URL (no host): ${url}`;
  const secure = scheme === "https";
  const port = u.port === "" ? (secure ? 443 : 80) : Number(u.port);
  const host = u.hostname;
  const hostname = host.startsWith("[") ? host.slice(1, -1) : host;
  const path = (u.pathname === "" ? "/" : u.pathname) + u.search;
  const t: Target = {
    href: u.href,
    secure,
    host,
    hostname,
    port,
    authority: u.port === "" ? host : `${host}:${port}`,
    origin: `${scheme}://${host}:${port}`,
    path,
    pathname: u.pathname === "" ? "/" : u.pathname,
  };
  // a simple bound instead of LRU bookkeeping: plans with unbounded distinct URLs just refill it
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(url, t);
  return t;
}
