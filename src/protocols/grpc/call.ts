/**
 * One gRPC call: a stream on the VU's HTTP/2 session to the server (src/protocols/http/h2-session.ts),
 * the request messages framed (frames.ts) and half-closed, the answers read until the trailers
 * bring the status. Every shape is this one exchange: unary and server streaming send one message,
 * client streaming and bidi send theirs in order. The deadline is the request timeout, sent as
 * `grpc-timeout` and kept locally too.
 */
import http2 from "node:http2";
import { H2Attempt } from "../http/h2-attempt.ts";
import type { H2Session } from "../http/h2-session.ts";
import { USER_AGENT } from "../http/request-head.ts";
import { FrameReader } from "./frames.ts";
import { Code, codeForHttpStatus } from "./status.ts";

const { NGHTTP2_CANCEL } = http2.constants;

export class GrpcCall extends H2Attempt {
  private readonly reader: FrameReader;
  private encoding = "identity";

  /** the gRPC status; -1 until the trailers (or a failure) set it */
  code = -1;
  /** the status message (grpc-message, percent-decoded), or the failure's */
  message = "";
  /** set when the call failed below gRPC (connection, timeout, a malformed answer): error_kind comes from it */
  transportError: string | null = null;
  /** response headers and trailers, names lower-cased */
  headers: [string, string][] = [];
  /** the answers' protobuf bytes, in order */
  readonly answers: Uint8Array[] = [];
  bytesSent = 0;

  constructor(tStart: number, maxMessage: number) {
    super(tStart);
    this.reader = new FrameReader(maxMessage);
  }

  get bytesReceived(): number {
    return this.reader.bytes;
  }

  /** Opens the stream on `session` (whose slot this call holds) and sends the framed messages. */
  send(session: H2Session, headers: http2.OutgoingHttpHeaders, frames: readonly Buffer[]): void {
    if (this.done) {
      session.release();
      return;
    }
    this.session = session;
    let st: http2.ClientHttp2Stream;
    try {
      st = session.session.request(headers);
    } catch (e) {
      this.retryable = true;
      this.failTransport(session.failure ?? (e as Error).message);
      return;
    }
    this.stream = st;
    st.on("response", (h: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader) => this.onHeaders(h, true));
    st.on("trailers", (h: http2.IncomingHttpHeaders) => this.onHeaders(h, false));
    st.on("data", (chunk: Buffer) => {
      if (this.done) return;
      const err = this.reader.push(chunk, this.encoding, (m) => this.answers.push(m));
      if (err !== null) this.finish(Code.ResourceExhausted, err);
    });
    st.on("end", () => {
      if (this.done) return;
      if (this.code >= 0) this.finish(this.code, this.message);
      else if (this.reader.pending > 0) this.finish(Code.Internal, "the stream ended in the middle of a message");
      else this.finish(Code.Internal, "the server closed the stream without a gRPC status");
    });
    this.failOnStreamLoss(st, session, "connection closed before the call completed");
    for (const f of frames) {
      st.write(f);
      this.bytesSent += f.length;
    }
    st.end();
  }

  private onHeaders(h: http2.IncomingHttpHeaders, initial: boolean): void {
    for (const name in h) {
      if (name.charCodeAt(0) === 58) continue;
      const v = h[name];
      if (Array.isArray(v)) for (const one of v) this.headers.push([name, one]);
      else if (v !== undefined) this.headers.push([name, String(v)]);
    }
    if (initial) {
      const status = Number(h[":status"] ?? 0);
      const type = String(h["content-type"] ?? "");
      if (status !== 200 || !type.startsWith("application/grpc")) {
        // not a gRPC answer: its HTTP status, mapped as gRPC clients map it
        this.finish(codeForHttpStatus(status), `the server answered HTTP ${status}${type ? ` (${type})` : ""}, not gRPC`);
        return;
      }
      const enc = h["grpc-encoding"];
      if (typeof enc === "string") this.encoding = enc;
    }
    const s = h["grpc-status"];
    if (s !== undefined) {
      this.code = Number(s);
      const m = h["grpc-message"];
      this.message = typeof m === "string" ? safeDecode(m) : "";
    }
  }

  private finish(code: number, message: string): void {
    if (this.done) return;
    this.code = code;
    this.message = message;
    const st = this.stream;
    if (st !== null && !st.closed) st.close(NGHTTP2_CANCEL);
    this.settle();
  }

  /** A transport failure, status UNAVAILABLE (failTransport). */
  fail(message: string): void {
    this.failTransport(message);
  }

  /** Ends the call below gRPC (no status from the server); its status becomes `code`. */
  failTransport(message: string, code: number = Code.Unavailable): void {
    if (this.done) return;
    this.transportError = message;
    this.finish(code, message);
    if (this.socket !== null && this.stream === null) this.socket.destroy();
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The call's request headers: the gRPC ones, then the metadata (names lower-cased; reserved ones skipped). */
export function callHeaders(authority: string, secure: boolean, path: string, timeoutMs: number, gzip: boolean, metadata: readonly [string, string][]): http2.OutgoingHttpHeaders {
  const h: http2.OutgoingHttpHeaders = {
    ":method": "POST",
    ":scheme": secure ? "https" : "http",
    ":authority": authority,
    ":path": path,
    "content-type": "application/grpc",
    te: "trailers",
    "user-agent": `${USER_AGENT} grpc`,
    "grpc-timeout": `${Math.max(1, Math.ceil(timeoutMs))}m`,
    "grpc-accept-encoding": "identity,gzip",
  };
  if (gzip) h["grpc-encoding"] = "gzip";
  for (const [k, v] of metadata) {
    const n = k.toLowerCase();
    if (n === "user-agent") h[n] = v;
    if (n in h || RESERVED.has(n)) continue;
    const prev = h[n];
    h[n] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [String(prev), v];
  }
  return h;
}

/** metadata names the transport owns (HTTP/2 connection fields, or gRPC's own) */
const RESERVED = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host", "content-length", "grpc-status", "grpc-message"]);
