/**
 * The address part of a ws://, sse://, tcp:// or udp:// URL, parsed once per URL text (a load
 * test sends the same few URLs over and over).
 */
import type { Endpoint } from "./link.ts";

export interface SocketTarget extends Endpoint {
  readonly scheme: string;
  /** "host" or "host:port" when the port is not the scheme's default: the Host header */
  readonly authority: string;
  /** path + query, never empty */
  readonly path: string;
}

/** Default port and TLS of each scheme these handlers accept; `null` port: the URL must give one. */
const SCHEMES: Record<string, { port: number | null; secure: boolean }> = {
  ws: { port: 80, secure: false },
  wss: { port: 443, secure: true },
  http: { port: 80, secure: false },
  https: { port: 443, secure: true },
  sse: { port: 80, secure: false },
  sses: { port: 443, secure: true },
  tcp: { port: null, secure: false },
  udp: { port: null, secure: false },
};

const cache = new Map<string, SocketTarget>();
const CACHE_MAX = 4096;

/**
 * The target of `url` for a handler that accepts `schemes`; throws (an invalid request: the
 * pipeline records it as `invalid_request`) when the URL cannot name one.
 */
export function socketTarget(url: string, handler: string, schemes: readonly string[]): SocketTarget {
  const hit = cache.get(url);
  if (hit !== undefined && schemes.includes(hit.scheme)) return hit;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`invalid URL \`${url}\``);
  }
  const scheme = u.protocol.slice(0, -1).toLowerCase();
  if (!schemes.includes(scheme)) throw new Error(`the ${handler} handler cannot handle scheme \`${scheme}\` (${schemes.map((s) => `${s}://`).join(", ")})`);
  const d = SCHEMES[scheme]!;
  if (u.hostname === "") throw new Error(`\`${url}\` has no host`);
  if (d.port === null && u.port === "") throw new Error(`\`${url}\` must be ${scheme}://host:port`);
  const port = u.port === "" ? d.port! : Number(u.port);
  const host = u.hostname;
  const t: SocketTarget = {
    scheme,
    hostname: host.startsWith("[") ? host.slice(1, -1) : host,
    port,
    secure: d.secure,
    authority: u.port === "" ? host : `${host}:${port}`,
    // a non-special scheme (sse://, tcp://) keeps an empty path as ""
    path: (u.pathname === "" ? "/" : u.pathname) + u.search,
  };
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(url, t);
  return t;
}
