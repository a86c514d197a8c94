/**
 * One request/response attempt on one connection. It carries the phase timestamps (k6's timing
 * phases are derived from them in timings.ts) and, once finished, either the parsed response or an
 * error. Exactly one promise per attempt; no per-chunk allocation.
 */
import type { ByteRange } from "../byte-range.ts";
import type { Connection } from "./connection.ts";
import { type HeaderBlock, splitHeaderBlock } from "../header-block.ts";
import { lossyText } from "../lossy-text.ts";
import type { ResponseParser } from "./response-parser.ts";

const EMPTY = new Uint8Array(0);
/** bodies up to this size are copied out of their socket chunk rather than viewed (rawBody) */
const COPY_MAX = 16 * 1024;

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
  private headChunk: Buffer | null = null;
  private headersFrom = 0;
  private headersTo = 0;
  /** the parser that read the head, and its generation then: its `lines` are this head's while it matches */
  private parser: ResponseParser | null = null;
  private parserGeneration = 0;
  private lineCount = 0;
  private headerPairs: [string, string][] | null = null;
  /** the body as the parser left it: a range of one socket chunk, sliced on first read (response-parser.ts) */
  private chunk: Buffer | null = null;
  private chunkStart = 0;
  private chunkEnd = 0;
  private body_: Uint8Array = EMPTY;
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
    /** the body bytes the response may keep (max_body_size) */
    readonly maxBody: number,
    /** false: the body is counted, not kept (discard_response_bodies) */
    readonly keepBody: boolean,
  ) {
    this.promise = new Promise<Exchange>((r) => {
      this.resolve = r;
    });
  }

  /** response headers in wire order, decoded and split from the head's bytes on first use (response-parser.ts) */
  get headers(): [string, string][] {
    if (this.headerPairs === null) this.headerPairs = this.headChunk === null ? [] : splitHeaderBlock(this.headerBlock!);
    return this.headerPairs;
  }

  /** the header lines as received; null before a response (made on request: plugin calls read it) */
  get headerBlock(): HeaderBlock | null {
    if (this.headChunk === null) return null;
    const p = this.parser;
    const current = p !== null && p.generation === this.parserGeneration && this.lineCount >= 0;
    return { bytes: this.headChunk, from: this.headersFrom, to: this.headersTo, lines: current ? p.lines : null, count: current ? this.lineCount : 0 };
  }

  /** the transfer-decoded (still content-encoded) body */
  get rawBody(): Uint8Array {
    const c = this.chunk;
    if (c !== null) {
      const a = this.chunkStart;
      const n = this.chunkEnd - a;
      if (a === 0 && n === c.length) this.body_ = c;
      else if (n <= COPY_MAX) {
        // a copy of a small body is cheaper than a view of it: a subarray of a fresh socket chunk
        // makes JSC give the chunk an ArrayBuffer of its own (~150 ns), a copy ~30 ns
        const b = new Uint8Array(n);
        c.copy(b, 0, a, this.chunkEnd);
        this.body_ = b;
      } else this.body_ = c.subarray(a, this.chunkEnd);
      this.chunk = null;
    }
    return this.body_;
  }

  /** The raw body as a range of its socket chunk while it is still unsliced, else null (read rawBody). */
  rawBodyRange(): ByteRange | null {
    const c = this.chunk;
    return c === null ? null : { bytes: c, from: this.chunkStart, to: this.chunkEnd };
  }

  /** The raw body as text (lossy-text.ts), straight from the
   *  socket chunk when it is still unsliced: no ArrayBuffer is made for a body only read as text. */
  rawBodyText(): string {
    const c = this.chunk;
    if (c !== null) return c.toString("utf8", this.chunkStart, this.chunkEnd);
    return lossyText(this.body_);
  }

  get bytesSent(): number {
    return this.tSendStart === 0 ? 0 : this.headBytes + (this.body === null ? 0 : this.body.length);
  }

  /** Copies the parsed response out of the connection's (reused) parser. */
  take(p: ResponseParser): void {
    this.status = p.status;
    this.statusText = p.statusText;
    this.version = p.version;
    this.headChunk = p.headChunk;
    this.headersFrom = p.headersFrom;
    this.headersTo = p.headersTo;
    this.parser = p;
    this.parserGeneration = p.generation;
    this.lineCount = p.lineCount;
    const c = p.wholeChunk;
    if (c !== null) {
      this.chunk = c;
      this.chunkStart = p.wholeStart;
      this.chunkEnd = p.wholeEnd;
    } else this.body_ = p.body();
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
