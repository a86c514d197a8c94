/**
 * HTTP/2 request header blocks: the same defaults and the same refusals as HTTP/1.1's heads
 * (request-head.ts), in HTTP/2's form — lower-case names, pseudo-headers for the request line,
 * `Host` folded into `:authority`, and no connection-specific fields (RFC 9113 §8.2.2), which
 * would make the stream malformed. The part that depends only on (headers array, method, URL) is
 * built once and reused, as HTTP/1.1's head template is.
 */
import type { OutgoingHttpHeaders } from "node:http2";
import { ACCEPT_ENCODING, BAD_VALUE, TOKEN, USER_AGENT } from "./request-head.ts";
import type { Target } from "./url.ts";

/** connection-specific fields HTTP/2 forbids; dropped rather than refused: HTTP/1.1 plans carry them */
const CONNECTION_FIELDS = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "content-length"]);

export interface H2Head {
  method: string;
  url: string;
  headers: OutgoingHttpHeaders;
  /** the header fields counted as `name: value\r\n` text, with a request line's worth for the pseudo-headers */
  bytes: number;
  /** the caller's own Cookie values joined with "; " ("" when none) */
  userCookie: string;
}

/** The reusable header block, or an error message for a header that cannot be sent. */
export function buildH2Head(method: string, url: string, target: Target, headers: readonly [string, string][], compression: boolean): H2Head | string {
  if (!TOKEN.test(method)) return `invalid HTTP method ${JSON.stringify(method)}`;
  const out: OutgoingHttpHeaders = { ":method": method, ":scheme": target.secure ? "https" : "http", ":authority": target.authority, ":path": target.path };
  let userCookie = "";
  for (const [name, value] of headers) {
    if (!TOKEN.test(name)) return `invalid header name ${JSON.stringify(name)}`;
    if (BAD_VALUE.test(value)) return `invalid value for header ${name}`;
    const n = name.toLowerCase();
    if (n === "host") out[":authority"] = value;
    else if (n === "cookie") userCookie = userCookie === "" ? value : `${userCookie}; ${value}`;
    else if (n === "te") {
      if (value.trim().toLowerCase() === "trailers") out.te = "trailers";
    } else if (!CONNECTION_FIELDS.has(n)) {
      const prev = out[n];
      out[n] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [String(prev), value];
    }
  }
  out["user-agent"] ??= USER_AGENT;
  if (compression) out["accept-encoding"] ??= ACCEPT_ENCODING;
  // `GET /path HTTP/1.1` + Host, as HTTP/1.1 counts its request line
  let bytes = method.length + target.path.length + 12 + 8 + String(out[":authority"]).length;
  for (const k in out) {
    if (k.charCodeAt(0) === 58) continue;
    const v = out[k]!;
    if (Array.isArray(v)) for (const one of v) bytes += k.length + one.length + 4;
    else bytes += k.length + String(v).length + 4;
  }
  return { method, url, headers: out, bytes, userCookie };
}

/** The block for one request: the reusable one, or a copy with its cookie and content-length. */
export function finishH2Head(h: H2Head, jarCookie: string, bodyLength: number): { headers: OutgoingHttpHeaders; bytes: number } {
  const cookie = h.userCookie === "" ? jarCookie : jarCookie === "" ? h.userCookie : `${h.userCookie}; ${jarCookie}`;
  if (cookie === "" && bodyLength < 0) return h;
  const headers = { ...h.headers };
  let bytes = h.bytes;
  if (cookie !== "") {
    headers.cookie = cookie;
    bytes += 10 + Buffer.byteLength(cookie);
  }
  if (bodyLength >= 0) {
    headers["content-length"] = bodyLength;
    bytes += 18 + String(bodyLength).length;
  }
  return { headers, bytes };
}
