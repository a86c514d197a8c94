/**
 * What one attempt on a stream of the VU's HTTP/2 pool holds, for an HTTP/2 request
 * (h2-exchange.ts) and a gRPC call (../grpc/call.ts) alike: the promise it settles, the socket
 * being dialled for it (the deadline destroys it), the stream and the session slot it holds,
 * the dial's phase marks, and how a stream error or an early close ends it.
 */
import http2 from "node:http2";
import type { DialHandle, Dialled } from "./h2-dial.ts";
import type { H2Session } from "./h2-session.ts";

const { NGHTTP2_REFUSED_STREAM } = http2.constants;

/** The server never processed the stream (refused it, or it is above GOAWAY's last stream id): it may be sent again. */
export function unprocessed(st: http2.ClientHttp2Stream, session: H2Session): boolean {
  return st.rstCode === NGHTTP2_REFUSED_STREAM || (st.id !== undefined && st.id > session.lastStreamId);
}

export abstract class H2Attempt implements DialHandle {
  readonly promise: Promise<this>;
  private resolve!: (a: this) => void;
  done = false;
  /** the socket being dialled for this attempt (the deadline destroys it) */
  socket: import("node:net").Socket | null = null;
  protected stream: http2.ClientHttp2Stream | null = null;
  protected session: H2Session | null = null;
  /** the server never processed the stream (refused, or above GOAWAY's last stream id): safe to send again */
  retryable = false;

  tConnStart = 0;
  tConnected = 0;
  tTlsDone = 0;
  tEnd = 0;

  constructor(readonly tStart: number) {
    this.promise = new Promise<this>((r) => {
      this.resolve = r;
    });
  }

  /** Takes the dial's phase marks, when this attempt dialled the session it got (`d` null: a session already open). */
  dialled(d: Dialled | null): void {
    if (d === null) return;
    this.tConnStart = d.tConnectStart;
    this.tConnected = d.tConnected;
    this.tTlsDone = d.tTlsDone;
  }

  /** Ends the attempt with an error; the stream (if any) is cancelled. */
  abstract fail(message: string): void;

  /**
   * A stream error, or the stream closing before the attempt ended, ends it through fail() with
   * the session's failure, the error's message, the reset's or `closedEarly`; `retryable` when
   * the server never processed the stream.
   */
  protected failOnStreamLoss(st: http2.ClientHttp2Stream, session: H2Session, closedEarly: string): void {
    st.on("error", (e: Error) => {
      this.retryable = unprocessed(st, session);
      this.fail(session.failure ?? session.errorMessage(e));
    });
    st.on("close", () => {
      if (this.done) return;
      this.retryable = unprocessed(st, session);
      this.fail(session.failure ?? (st.rstCode ? `stream reset by the server (HTTP/2 error code ${st.rstCode})` : closedEarly));
    });
  }

  /** Ends the attempt: the session's stream slot given back, the promise resolved. */
  protected settle(): void {
    this.done = true;
    this.tEnd = performance.now();
    if (this.session !== null) {
      this.session.release();
      this.session = null;
    }
    this.resolve(this);
  }
}
