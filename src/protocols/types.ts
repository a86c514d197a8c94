/**
 * The protocol seam: what every handler (built-in HTTP, later ws/tcp/plugins) returns to the engine.
 * The engine turns a ProtocolResponse into metric samples, extractions and checks; it never looks
 * at how the bytes travelled. All times are milliseconds as floats (performance.now() deltas).
 */
import type { ByteRange } from "./byte-range.ts";
import type { HeaderBlock } from "./header-block.ts";

/** k6's timing phases (reference §5.1 Timings). `duration` = sending + waiting + receiving. */
export interface Timings {
  /** time waiting for a free connection slot / DNS before connecting (http_req_blocked) */
  blocked: number;
  /** TCP connect (http_req_connecting); 0 on a reused keep-alive connection */
  connecting: number;
  /** TLS handshake (http_req_tls_handshaking); 0 on plain HTTP or reuse */
  tls: number;
  /** writing the request (http_req_sending) */
  sending: number;
  /** time to first response byte after the request was written (http_req_waiting) */
  waiting: number;
  /** reading the response after the first byte (http_req_receiving) */
  receiving: number;
  /** sending + waiting + receiving (http_req_duration) */
  duration: number;
}

/** error_kind tag values (reference §2.5) */
export type ErrorKind =
  | "timeout"
  | "dns"
  | "tls"
  | "connection_refused"
  | "connection_reset"
  | "connection"
  | "transport"
  /** a native plugin's isolated process crashed (isolation: process) */
  | "plugin_crash";

/** how every message about a response that is not valid HTTP starts (response-parser.ts) */
export const INVALID_RESPONSE = "invalid HTTP response: ";

export interface ProtocolResponse {
  /** protocol status (HTTP status; 0 when no response was received) */
  status: number;
  statusText: string;
  /** response headers in wire order, names as received */
  headers: [string, string][];
  /** the same headers as received, when the protocol kept them (HTTP): readers that want bytes skip the pairs */
  readonly headerBlock?: HeaderBlock | null;
  /** decoded (decompressed) body bytes */
  body: Uint8Array;
  /** the body's bytes as a range of a buffer the protocol holds, when it has one (HTTP): readers that copy skip `body` */
  bodyRange?(): ByteRange | null;
  /** the body as UTF-8 text, lossy with the BOM kept, when the protocol can make it without `body` (HTTP) */
  bodyText?(): string;
  timings: Timings;
  bytesSent: number;
  bytesReceived: number;
  /** "HTTP/1.1", "HTTP/1.0", or a plugin/protocol name */
  protocolVersion: string;
  /** set when the exchange failed at transport level (no usable response) */
  error?: string;
  errorKind?: ErrorKind;
  /** final URL after redirects */
  url: string;
  /** protocol-specific extra data (cache state, plugin extras...) */
  extras?: unknown;
}

/** Classify a transport error message into an error_kind, as reference §2.5 does — except that a
 *  response loadr cannot read is `transport` whatever the server's bytes quoted in the message say
 *  (`malformed header name "Connection "` is no connection error). */
export function classifyError(message: string): ErrorKind {
  if (message.startsWith(INVALID_RESPONSE)) return "transport";
  const m = message.toLowerCase();
  if (m.includes("timed out") || m.includes("timeout")) return "timeout";
  if (m.includes("dns") || m.includes("resolve") || m.includes("name or service")) return "dns";
  if (m.includes("tls") || m.includes("certificate") || m.includes("ssl")) return "tls";
  if (m.includes("refused")) return "connection_refused";
  if (m.includes("reset") || m.includes("broken pipe") || m.includes("closed")) return "connection_reset";
  if (m.includes("connect")) return "connection";
  return "transport";
}
