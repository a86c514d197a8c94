/**
 * The data that crosses the protocol seam (handler.ts): the rendered request a handler gets and
 * the response it gives back. The pipeline turns a ProtocolResponse into metric samples (through
 * the handler's own emission), extractions and checks; it never looks at how the bytes
 * travelled. All times are milliseconds as floats (performance.now() deltas).
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

/**
 * Every `error_kind` tag value, the one list every handler extends (docs/metrics.md "error_kind"
 * lists the same, in the same order; test/protocol-handlers.test.ts keeps the two in step).
 * The first seven are what classifyError() derives from a transport error message (reference §2.5).
 */
export const ERROR_KINDS = [
  "timeout",
  "dns",
  "tls",
  "connection_refused",
  "connection_reset",
  "connection",
  "transport",
  /** a native plugin's isolated process crashed (isolation: process) */
  "plugin_crash",
  /** the handler refused the request before sending it (it threw): zero timings, nothing sent */
  "invalid_request",
  /** a request hook failed (src/pipeline/hooks.ts) */
  "hook",
  /** the response body, as received or decoded, passed the request's max_body_size */
  "body_too_large",
  /** a socket could not be opened: the process (or the system) has no file descriptor left */
  "too_many_open_files",
  /** a gRPC call ended with a status that is not OK (src/protocols/grpc/) */
  "grpc_status",
  /** a WebSocket upgrade was refused (not 101) or answered wrongly (src/protocols/ws/) */
  "handshake",
  /** the server broke its protocol: an invalid WebSocket frame (src/protocols/ws/frames.ts) */
  "protocol",
  /** a WebSocket message, an SSE event or a TCP/UDP read passed its `max_message_size` */
  "message_too_large",
  /** an SSE stream ended before its first event, or the answer was no stream (src/protocols/sse/) */
  "no_events",
  /** a GraphQL answer with `errors` and no `data` (src/protocols/graphql/) */
  "graphql_errors",
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** One rendered request, as the pipeline hands it to a handler (src/protocols/handler.ts). */
export interface ProtocolRequest {
  /** the `name` tag of the request */
  name: string;
  method: string;
  url: string;
  /**
   * Passing the *same array object* again (with the same method and url) lets the HTTP client
   * reuse the request head it built last time: keep such arrays immutable.
   */
  headers: [string, string][];
  body?: Uint8Array;
  timeoutMs: number;
  followRedirects?: boolean;
  maxRedirects?: number;
  /** the step's `max_body_size` in bytes, when it sets one (else the handler's default: defaults.http) */
  maxBodySize?: number;
  /** the rendered protocol options (a plugin's `plugin:` or `sql:` block); undefined when the step has none */
  options?: unknown;
}

/** how every message about a response that is not valid HTTP starts (response-parser.ts) */
export const INVALID_RESPONSE = "invalid HTTP response: ";
/** how every message about a body past its max_body_size starts (error_kind body_too_large) */
export const BODY_TOO_LARGE = "response body too large: ";
/** how every message about a socket the file-descriptor limit refused starts (error_kind too_many_open_files) */
export const TOO_MANY_OPEN_FILES = "too many open files: ";

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

const NO_BYTES = new Uint8Array(0);

/**
 * A response for a request that got no answer: status 0, zero timings and bytes, `error` set.
 * The pipeline answers with it when a handler throws (kind `invalid_request`) or a hook fails
 * before send (kind `hook`).
 */
export function errorResponse(req: ProtocolRequest, protocolVersion: string, error: string, errorKind: ErrorKind): ProtocolResponse {
  return {
    status: 0,
    statusText: "",
    headers: [],
    body: NO_BYTES,
    timings: { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 },
    bytesSent: 0,
    bytesReceived: 0,
    protocolVersion,
    error,
    errorKind,
    url: req.url,
  };
}

/**
 * `res` with `error` set after the fact (an after-response hook failed): everything else — status,
 * timings, bytes, and the lazily read headers and body of an HTTP response — reads through to the
 * original, which the copy has as its prototype.
 */
export function withError(res: ProtocolResponse, error: string, errorKind: ErrorKind): ProtocolResponse {
  return Object.create(res, { error: { value: error, enumerable: true }, errorKind: { value: errorKind, enumerable: true } }) as ProtocolResponse;
}

/** Classify a transport error message into an error_kind, as reference §2.5 does — except that a
 *  response loadr cannot read is `transport` whatever the server's bytes quoted in the message say
 *  (`malformed header name "Connection "` is no connection error), and the bounds loadr keeps
 *  (body size, open files) have kinds of their own, told by how their messages start. */
export function classifyError(message: string): ErrorKind {
  if (message.startsWith(INVALID_RESPONSE)) return "transport";
  if (message.startsWith(BODY_TOO_LARGE)) return "body_too_large";
  if (message.startsWith(TOO_MANY_OPEN_FILES)) return "too_many_open_files";
  const m = message.toLowerCase();
  if (m.includes("timed out") || m.includes("timeout")) return "timeout";
  if (m.includes("dns") || m.includes("resolve") || m.includes("name or service")) return "dns";
  if (m.includes("tls") || m.includes("certificate") || m.includes("ssl")) return "tls";
  if (m.includes("refused")) return "connection_refused";
  if (m.includes("reset") || m.includes("broken pipe") || m.includes("closed")) return "connection_reset";
  if (m.includes("connect")) return "connection";
  return "transport";
}
