/**
 * Incremental HTTP/1.x response parser, one per connection and reset per exchange.
 *
 * Hot path: the head is found with one native `indexOf("\r\n\r\n")` on the socket chunk, decoded to
 * a latin1 string once, and scanned with indexOf; body bytes are kept as sub-arrays of the socket
 * chunks (never decoded, never copied unless the body spans several chunks).
 *
 * The scan validates every header line and reads the framing headers (content-length,
 * transfer-encoding, connection, content-encoding, set-cookie) in place, but builds no
 * `[name, value]` pairs: most responses of a load test are never asked for their headers, and three
 * allocations per header line were most of the client's allocations per request. `splitHeaders`
 * makes the pairs from the kept head text when someone does ask (exchange.ts).
 */
import { ChunkedDecoder } from "./chunked.ts";

export const enum Feed {
  More = 0,
  Done = 1,
  Error = -1,
}

const enum Mode {
  None,
  Length,
  Chunked,
  Close,
}

/** a response head larger than this is treated as garbage rather than buffered forever */
const MAX_HEAD = 64 * 1024;
const EMPTY = new Uint8Array(0);
/** Node's (and Bun's) undocumented Buffer#latin1Slice: ~1.5x faster than toString("latin1", a, b) */
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

const CRLFCRLF = Buffer.from("\r\n\r\n");
/** the usual version, kept as one string instead of a slice per response */
const HTTP11 = "HTTP/1.1";
const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

export class ResponseParser {
  isHead = false;
  headDone = false;
  /** bytes of this response seen so far: 0 means the peer sent nothing (stale keep-alive retry) */
  received = 0;
  status = 0;
  statusText = "";
  version = "";
  /** the final head as latin1 text, and where its header lines start: `splitHeaders(headText, headersFrom)` */
  headText = "";
  headersFrom = 0;
  headBytes = 0;
  rawBodyBytes = 0;
  keepAlive = true;
  contentEncoding = "";
  hasSetCookie = false;
  /** bytes after the end of the response: the connection is out of sync and must not be reused */
  trailing = false;
  error = "";
  private mode = Mode.None;
  private remaining = 0;
  /**
   * A body that arrived whole inside one socket chunk is kept as that chunk and a range, and sliced
   * only if someone reads it (exchange.ts): a subarray of Bun's receive buffer makes JSC give the
   * buffer an ArrayBuffer of its own, a cost per request that a load loop which never reads the body
   * need not pay. Bodies spread over several chunks (or chunked) collect in `parts` instead.
   */
  wholeChunk: Buffer | null = null;
  wholeStart = 0;
  wholeEnd = 0;
  private parts: Uint8Array[] | null = null;
  private pending: Buffer | null = null;
  private readonly chunked = new ChunkedDecoder();

  reset(isHead: boolean): void {
    this.isHead = isHead;
    this.headDone = false;
    this.received = 0;
    this.status = 0;
    this.statusText = "";
    this.version = "";
    this.headText = "";
    this.headersFrom = 0;
    this.headBytes = 0;
    this.rawBodyBytes = 0;
    this.keepAlive = true;
    this.contentEncoding = "";
    this.hasSetCookie = false;
    this.trailing = false;
    this.error = "";
    this.mode = Mode.None;
    this.remaining = 0;
    this.wholeChunk = null;
    this.parts = null;
    this.pending = null;
  }

  /** The decoded-transfer (still content-encoded) body, when it is not a `wholeChunk` range. */
  body(): Uint8Array {
    const p = this.parts;
    if (p === null || p.length === 0) return EMPTY;
    if (p.length === 1) return p[0]!;
    return Buffer.concat(p);
  }

  feed(d: Buffer): Feed {
    this.received += d.length;
    let buf = d;
    let start = 0;
    if (!this.headDone) {
      if (this.pending !== null) {
        buf = Buffer.concat([this.pending, d]);
        this.pending = null;
      }
      // each turn consumes one (interim 1xx) head, so this ends within buf.length turns
      for (;;) {
        if (!startsWithHttp(buf, start)) return this.fail(`invalid HTTP response: expected a status line, got ${preview(buf, start)}`);
        // a Buffer needle: with a string needle Buffer#indexOf re-encodes it on every call (5x slower)
        const end = buf.indexOf(CRLFCRLF, start);
        if (end < 0) {
          if (buf.length - start > MAX_HEAD) return this.fail("invalid HTTP response: header section too large");
          this.pending = start === 0 ? buf : buf.subarray(start);
          return Feed.More;
        }
        if (!this.parseHead((buf as unknown as Latin1Slicer).latin1Slice(start, end))) return Feed.Error;
        this.headBytes += end + 4 - start;
        start = end + 4;
        if (this.status >= 100 && this.status < 200 && this.status !== 101) {
          // interim response (100 Continue, 103 Early Hints): skip it, the real one follows
          this.hasSetCookie = false;
          this.contentEncoding = "";
          if (start === buf.length) return Feed.More;
          continue;
        }
        break;
      }
      this.headDone = true;
      if (this.mode === Mode.Length && this.remaining === 0) this.mode = Mode.None;
    }
    return this.feedBody(buf, start);
  }

  /** The peer closed the connection. */
  eof(): Feed {
    if (this.headDone && this.mode === Mode.Close) return Feed.Done;
    return Feed.Error;
  }

  private feedBody(buf: Buffer, start: number): Feed {
    const avail = buf.length - start;
    switch (this.mode) {
      case Mode.None:
        if (avail > 0) this.trailing = true;
        return Feed.Done;
      case Mode.Length: {
        const rem = this.remaining;
        if (avail >= rem) {
          if (rem > 0) {
            if (this.parts === null) {
              this.wholeChunk = buf;
              this.wholeStart = start;
              this.wholeEnd = start + rem;
            } else this.parts.push(buf.subarray(start, start + rem));
          }
          this.rawBodyBytes += rem;
          this.remaining = 0;
          if (avail > rem) this.trailing = true;
          return Feed.Done;
        }
        if (avail > 0) (this.parts ??= []).push(start === 0 ? buf : buf.subarray(start));
        this.rawBodyBytes += avail;
        this.remaining = rem - avail;
        return Feed.More;
      }
      case Mode.Chunked: {
        const c = this.chunked;
        const end = c.feed(buf, start, (this.parts ??= []));
        if (end < 0) return this.fail(c.error);
        this.rawBodyBytes += end - start;
        if (c.done) {
          if (end < buf.length) this.trailing = true;
          return Feed.Done;
        }
        return Feed.More;
      }
      case Mode.Close:
        if (avail > 0) (this.parts ??= []).push(start === 0 ? buf : buf.subarray(start));
        this.rawBodyBytes += avail;
        return Feed.More;
    }
  }

  private parseHead(text: string): boolean {
    let lineEnd = text.indexOf("\r\n");
    if (lineEnd < 0) lineEnd = text.length;
    // "HTTP/1.1 200 OK": version, one space, three digits, optional reason
    const version = text.startsWith(HTTP11) ? HTTP11 : text.slice(0, 8);
    const c0 = text.charCodeAt(9) - 48;
    const c1 = text.charCodeAt(10) - 48;
    const c2 = text.charCodeAt(11) - 48;
    if (
      text.charCodeAt(8) !== 32 ||
      !(c0 >= 1 && c0 <= 5) ||
      !(c1 >= 0 && c1 <= 9) ||
      !(c2 >= 0 && c2 <= 9) ||
      (lineEnd > 12 && text.charCodeAt(12) !== 32)
    ) {
      return this.failB(`invalid HTTP response: malformed status line ${JSON.stringify(text.slice(0, Math.min(lineEnd, 60)))}`);
    }
    this.version = version;
    this.status = c0 * 100 + c1 * 10 + c2;
    this.statusText = lineEnd === 15 && text.charCodeAt(13) === 79 && text.charCodeAt(14) === 75 ? "OK" : lineEnd > 13 ? text.slice(13, lineEnd) : "";
    let keepAlive = version === "HTTP/1.1";
    let contentLength = -1;
    let chunked = false;
    let otherTe = false;
    let pos = lineEnd + 2;
    this.headText = text;
    this.headersFrom = pos;
    const len = text.length;
    while (pos < len) {
      let e = text.indexOf("\r\n", pos);
      if (e < 0) e = len;
      const colon = text.indexOf(":", pos);
      if (colon <= pos || colon > e) return this.failB(`invalid HTTP response: malformed header line ${JSON.stringify(text.slice(pos, Math.min(e, pos + 60)))}`);
      // only names of the lengths we care about are compared, case-insensitively in place, and only
      // their values are sliced
      switch (colon - pos) {
        case 14:
          if (eqIgnoreCase(text, pos, "content-length")) {
            const value = headerValue(text, colon, e);
            const n = parseLength(value);
            if (n < 0 || (contentLength >= 0 && n !== contentLength)) return this.failB(`invalid HTTP response: bad content-length ${JSON.stringify(value)}`);
            contentLength = n;
          }
          break;
        case 17:
          if (eqIgnoreCase(text, pos, "transfer-encoding")) {
            if (headerValue(text, colon, e).toLowerCase().endsWith("chunked")) chunked = true;
            else otherTe = true;
          }
          break;
        case 10:
          if (eqIgnoreCase(text, pos, "connection")) {
            const value = headerValue(text, colon, e);
            if (value.length === 10 && eqIgnoreCase(value, 0, "keep-alive")) keepAlive = true;
            else if (value.length === 5 && eqIgnoreCase(value, 0, "close")) keepAlive = false;
            else {
              const v = value.toLowerCase();
              if (v.includes("close")) keepAlive = false;
              else if (v.includes("keep-alive")) keepAlive = true;
            }
          } else if (eqIgnoreCase(text, pos, "set-cookie")) {
            this.hasSetCookie = true;
          }
          break;
        case 16:
          if (eqIgnoreCase(text, pos, "content-encoding")) this.contentEncoding = headerValue(text, colon, e);
          break;
      }
      pos = e + 2;
    }
    const s = this.status;
    if (this.isHead || s === 204 || s === 304 || (s >= 100 && s < 200)) {
      this.mode = Mode.None;
      if (s === 101) keepAlive = false;
    } else if (chunked) {
      this.mode = Mode.Chunked;
      this.chunked.reset();
    } else if (contentLength >= 0 && !otherTe) {
      this.mode = Mode.Length;
      this.remaining = contentLength;
    } else {
      this.mode = Mode.Close;
      keepAlive = false;
    }
    this.keepAlive = keepAlive;
    return true;
  }

  private fail(msg: string): Feed {
    this.error = msg;
    return Feed.Error;
  }

  private failB(msg: string): boolean {
    this.error = msg;
    return false;
  }
}

/**
 * The header lines of a head that parseHead accepted, as `[name, value]` pairs in wire order (names
 * as received, values without surrounding whitespace).
 */
export function splitHeaders(text: string, from: number): [string, string][] {
  const out: [string, string][] = [];
  const len = text.length;
  let pos = from;
  while (pos < len) {
    let e = text.indexOf("\r\n", pos);
    if (e < 0) e = len;
    const colon = text.indexOf(":", pos);
    out.push([text.slice(pos, colon), headerValue(text, colon, e)]);
    pos = e + 2;
  }
  return out;
}

/** The value of the header line whose colon is at `colon` and which ends at `e`, OWS trimmed by index. */
function headerValue(text: string, colon: number, e: number): string {
  let vs = colon + 1;
  while (vs < e && isOws(text.charCodeAt(vs))) vs++;
  let ve = e;
  while (ve > vs && isOws(text.charCodeAt(ve - 1))) ve--;
  return text.slice(vs, ve);
}

function isOws(c: number): boolean {
  return c === 32 || c === 9;
}

/** `s[at..]` equals the lower-case ASCII `lower`, ignoring ASCII case (the caller checked the length). */
function eqIgnoreCase(s: string, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = s.charCodeAt(at + i);
    const l = lower.charCodeAt(i);
    if (c !== l && (c | 0x20) !== l) return false;
  }
  return true;
}

function startsWithHttp(buf: Uint8Array, start: number): boolean {
  const n = Math.min(5, buf.length - start);
  for (let i = 0; i < n; i++) if (buf[start + i] !== HTTP_SLASH[i]) return false;
  return true;
}

function parseLength(v: string): number {
  if (v.length === 0 || v.length > 15) return -1;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return Number(v);
}

function preview(buf: Buffer, start: number): string {
  return JSON.stringify(buf.toString("latin1", start, Math.min(buf.length, start + 40)));
}
