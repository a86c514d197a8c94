/**
 * One HTTP/2 request/response attempt: a stream on a session of the VU's pool (h2-session.ts).
 * It carries the same phase marks as an HTTP/1.1 Exchange (timings.ts turns them into k6's
 * phases): blocked = waiting for a session (another stream's dial included) and a stream slot;
 * connecting and tls = this attempt's own dial; sending = from opening the stream until the
 * request's last frame is handed to the session; waiting = until the response HEADERS;
 * receiving = until the stream ends.
 *
 * Byte counts are approximations as HTTP/1.1's (reference §5.1): the header fields counted as
 * `name: value\r\n` text (before HPACK) plus the body as it travelled (before decoding).
 */
import http2 from "node:http2";
import { STATUS_CODES } from "node:http";
import { bodyTooLargeMessage, CLOSED_EARLY } from "./errors.ts";
import { H2Attempt } from "./h2-attempt.ts";
import type { H2Session } from "./h2-session.ts";
import type { TimingMarks } from "./timings.ts";

const EMPTY = new Uint8Array(0);
const { NGHTTP2_CANCEL } = http2.constants;

export class H2Exchange extends H2Attempt implements TimingMarks {
  /** ALPN chose HTTP/1.1 (under `auto`): the request goes to the HTTP/1.1 client instead */
  http1 = false;
  error: string | null = null;

  tSendStart = 0;
  tSendEnd = 0;
  tFirst = 0;
  tls = false;

  status = 0;
  statusText = "";
  headers: [string, string][] = [];
  contentEncoding = "";
  hasSetCookie = false;
  rawBody: Uint8Array = EMPTY;
  bytesSent = 0;
  receivedBytes = 0;
  private chunks: Buffer[] = [];
  private bodyBytes = 0;

  /** `maxBody`: the body bytes kept (max_body_size); `keep` false counts them without keeping (discard_response_bodies), so no cap applies */
  constructor(tStart: number, private readonly maxBody = Infinity, private readonly keep = true) {
    super(tStart);
  }

  /** Sends the request on `session`, whose stream slot this exchange holds (and gives back when it ends). */
  send(session: H2Session, headers: http2.OutgoingHttpHeaders, headBytes: number, body: Uint8Array | null): void {
    if (this.done) {
      session.release();
      return;
    }
    this.session = session;
    this.tSendStart = performance.now();
    let st: http2.ClientHttp2Stream;
    try {
      st = session.session.request(headers, { endStream: body === null });
    } catch (e) {
      // the session went away between the slot and the stream (GOAWAY, a reset)
      this.retryable = true;
      this.fail(session.failure ?? (e as Error).message);
      return;
    }
    this.stream = st;
    this.bytesSent = headBytes + (body?.length ?? 0);
    st.on("response", (h: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader) => this.onResponse(h));
    st.on("data", (c: Buffer) => {
      this.receivedBytes += c.length;
      if (!this.keep) return;
      this.bodyBytes += c.length;
      // past the cap the stream is cancelled (fail), not read to its end, as HTTP/1.1 closes its connection
      if (this.bodyBytes > this.maxBody) this.fail(bodyTooLargeMessage("its DATA frames", this.maxBody));
      else this.chunks.push(c);
    });
    st.on("end", () => this.finish());
    this.failOnStreamLoss(st, session, CLOSED_EARLY);
    if (body !== null) st.end(body);
    this.tSendEnd = performance.now();
  }

  private onResponse(h: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader): void {
    if (this.tFirst === 0) this.tFirst = performance.now();
    const status = Number(h[":status"] ?? 0);
    if (status >= 100 && status < 200) return; // an interim response: the final one follows
    this.status = status;
    this.statusText = STATUS_CODES[status] ?? "";
    const out: [string, string][] = [];
    let bytes = 15; // "HTTP/2 NNN \r\n" and the blank line, as HTTP/1.1 counts its status line
    for (const name in h) {
      if (name.charCodeAt(0) === 58) continue; // pseudo-headers
      const v = h[name];
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const one of v) out.push([name, one]);
      else out.push([name, String(v)]);
      if (name === "set-cookie") this.hasSetCookie = true;
      else if (name === "content-encoding") this.contentEncoding = String(v);
    }
    for (const [k, v] of out) bytes += k.length + v.length + 4;
    this.headers = out;
    this.receivedBytes += bytes;
    const length = Number(h["content-length"] ?? -1);
    if (this.keep && length > this.maxBody) this.fail(bodyTooLargeMessage(`its Content-Length of ${length} bytes`, this.maxBody));
  }

  private finish(): void {
    if (this.done) return;
    if (this.status === 0) {
      this.fail(CLOSED_EARLY);
      return;
    }
    const c = this.chunks;
    this.rawBody = c.length === 0 ? EMPTY : c.length === 1 ? c[0]! : Buffer.concat(c);
    this.chunks = [];
    this.settle();
  }

  /** Ends the attempt unsent: the origin speaks HTTP/1.1. */
  fallBack(): void {
    if (this.done) return;
    this.http1 = true;
    this.settle();
  }

  /** Ends the attempt with an error; the stream (if any) is cancelled. */
  fail(message: string): void {
    if (this.done) return;
    this.error = message;
    this.chunks = [];
    const st = this.stream;
    if (st !== null && !st.closed) st.close(NGHTTP2_CANCEL);
    if (this.socket !== null && this.session === null) this.socket.destroy();
    this.settle();
  }
}
