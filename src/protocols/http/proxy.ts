/**
 * Proxy support: plain-HTTP targets go through the proxy as absolute-form requests
 * (`GET http://host/path HTTP/1.1`); HTTPS targets get a CONNECT tunnel, then TLS inside it.
 */

export interface Proxy {
  host: string;
  port: number;
  /** "Basic <base64>" from the URL's userinfo, or null */
  authorization: string | null;
}

/** Parses `http://[user:pass@]host:port`; returns an error message for anything else. */
export function parseProxy(url: string): Proxy | string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `invalid proxy URL: ${url}`;
  }
  if (u.protocol !== "http:") return `unsupported proxy scheme \`${u.protocol.slice(0, -1)}\` (only http:// proxies are supported)`;
  const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port === "" ? 80 : Number(u.port);
  let authorization: string | null = null;
  if (u.username !== "" || u.password !== "") {
    const creds = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    authorization = `Basic ${Buffer.from(creds).toString("base64")}`;
  }
  return { host, port, authorization };
}

/** The CONNECT request that opens a tunnel to `authority` (host:port, always with the port). */
export function connectRequest(authority: string, authorization: string | null): string {
  let head = `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n`;
  if (authorization !== null) head += `Proxy-Authorization: ${authorization}\r\n`;
  return `${head}\r\n`;
}
