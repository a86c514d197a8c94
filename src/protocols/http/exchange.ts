/**
 * One request/response attempt on one connection. It carries the phase timestamps (k6's timing
 * phases are derived from them in timings.ts) and, once finished, either the parsed response or an
 * error. Exactly one promise per attempt; no per-chunk allocation.
 */
import type { Connection } from "./connection.ts";
import type { ResponseParser } from "./response-parser.ts";

const EMPTY = new Uint8Array(0);

export class Exchange {
  readonly promise: Promise<Exchange>;
  private resolve!: (ex: Exchange) => void;
  done = false;
  conn: Connection | null = null;
  /** sent on a pooled connection: a silent close before any response byte may be retried */
  reused = false;
  retryable = false;
  error: string | null = null;

  // performance.now() marks; 0 = not reached
  tConnStart = 0;
  tConnected = 0;
  tTlsDone = 0;
  tSendStart = 0;
  tSendEnd = 0;
  tFirst = 0;
  tEnd = 0;
  tls = false;

  // the response
  status = 0;
  statusText = "";
  version = "";
  headers: [string, string][] = [];
  rawBody: Uint8Array = EMPTY;
  receivedBytes = 0;
  contentEncoding = "";
  hasSetCookie = false;

  constructor(
    readonly head: string,
    readonly headBytes: number,
    readonly body: Uint8Array | null,
    readonly isHead: boolean,
    /** the request asked for `Connection: close` */
    readonly close: boolean,
    readonly tStart: number,
  ) {
    this.promise = new Promise<Exchange>((r) => {
      this.resolve = r;
    });
  }

  get bytesSent(): number {
    return this.tSendStart === 0 ? 0 : this.headBytes + (this.body === null ? 0 : this.body.length);
  }

  /** Copies the parsed response out of the connection's (reused) parser. */
  take(p: ResponseParser): void {
    this.status = p.status;
    this.statusText = p.statusText;
    this.version = p.version;
    this.headers = p.headers;
    this.rawBody = p.body();
    this.receivedBytes = p.headBytes + p.rawBodyBytes;
    this.contentEncoding = p.contentEncoding;
    this.hasSetCookie = p.hasSetCookie;
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.tEnd === 0) this.tEnd = performance.now();
    this.resolve(this);
  }

  /** Ends the attempt with a transport error (first call wins). */
  fail(message: string, retryable = false): void {
    if (this.done) return;
    this.error = message;
    this.retryable = retryable;
    this.finish();
  }
}
