/**
 * Incremental HTTP/1.x response parser, one per connection and reset per exchange.
 *
 * Hot path: the head is parsed from the socket chunk's bytes in one pass — the status line, then
 * each header line validated and the framing headers (content-length, transfer-encoding,
 * connection, content-encoding, set-cookie) read in place. No string is made of the head and no
 * `[name, value]` pair is built: most responses of a load test are never asked for their headers,
 * and decoding the head, splitting it and three allocations per header line were most of the
 * client's work per response. The head's bytes are kept (`headChunk`, `headersFrom`..`headersTo`)
 * and decoded and split only when someone reads the headers (header-block.ts). Body
 * bytes are kept as ranges of the socket chunks (never decoded, never copied unless the body spans
 * several chunks).
 */
import { isOws, latin1 } from "../header-block.ts";
import { ChunkedDecoder } from "./chunked.ts";
import { bodyTooLargeMessage } from "./errors.ts";
import { INVALID_RESPONSE } from "../types.ts";

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

/**
 * A response head larger than this is treated as garbage rather than buffered forever — however it
 * arrives, and counting the interim (1xx) heads before it: a server sending `100 Continue` forever
 * is refused as soon as it passes the bound.
 */
export const MAX_HEAD = 64 * 1024;
/** header lines whose ranges the parser keeps (ResponseParser.lines); a longer head is scanned again when read */
const LINES_MAX = 32;
const EMPTY = new Uint8Array(0);
/** a Buffer needle: with a string needle Buffer#indexOf re-encodes it on every call (5x slower) */
const CRLFCRLF = Buffer.from("\r\n\r\n");
/** parseHead's answers besides the index after the head */
const HEAD_MORE = -1;
const HEAD_ERROR = -2;
const CR = 13;
const LF = 10;
const COLON = 58;
/** the usual versions, kept as shared strings instead of a slice per response */
const HTTP11 = "HTTP/1.1";
const HTTP10 = "HTTP/1.0";
const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"
const HEAD_TOO_LARGE = INVALID_RESPONSE + "header section too large";

export class ResponseParser {
  isHead = false;
  headDone = false;
  /** bytes of this response seen so far: 0 means the peer sent nothing (stale keep-alive retry) */
  received = 0;
  status = 0;
  statusText = "";
  version = "";
  /** the bytes of the final head's header lines (each ending in CRLF): `headChunk[headersFrom, headersTo)` */
  headChunk: Buffer | null = null;
  headersFrom = 0;
  headersTo = 0;
  /**
   * Each header line's name and value as parseHead found them (HeaderBlock.lines); `lineCount` of
   * them, or -1 when the head had more than LINES_MAX lines or a byte past ASCII (readers then scan
   * it themselves, as they must to decode latin1). Overwritten by the next
   * head: `generation`, bumped whenever parseHead starts, tells a reader whether they are still
   * the head it took (a reset keeps them: it runs as soon as a response is taken).
   */
  readonly lines = new Int32Array(4 * LINES_MAX);
  lineCount = 0;
  generation = 0;
  headBytes = 0;
  rawBodyBytes = 0;
  keepAlive = true;
  contentEncoding = "";
  hasSetCookie = false;
  /** bytes after the end of the response: the connection is out of sync and must not be reused */
  trailing = false;
  error = "";
  /** the body bytes kept past which the response fails (max_body_size); Infinity when the body is not kept */
  private maxBody = Infinity;
  /** false: the body is counted, never kept (discard_response_bodies) */
  private keep = true;
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

  /**
   * Readies the parser for the next response. `maxBody`: the body bytes it may keep (past them the
   * response fails as too large and the connection is given up unread); `keep` false counts the
   * body's bytes without keeping any, whatever its size.
   */
  reset(isHead: boolean, maxBody = Infinity, keep = true): void {
    this.isHead = isHead;
    this.maxBody = keep ? maxBody : Infinity;
    this.keep = keep;
    this.headDone = false;
    this.received = 0;
    this.status = 0;
    this.statusText = "";
    this.version = "";
    this.headChunk = null;
    this.headersFrom = 0;
    this.headersTo = 0;
    this.lineCount = 0;
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
        // a head trickling in is parsed again from its start only once its end has come (a
        // native search), not at every chunk: byte by byte that would be quadratic in JS
        if (buf.indexOf(CRLFCRLF) < 0) {
          if (this.headBytes + buf.length > MAX_HEAD) return this.fail(HEAD_TOO_LARGE);
          this.pending = buf;
          return Feed.More;
        }
      }
      // each turn consumes one (interim 1xx) head, so this ends within buf.length turns
      for (;;) {
        if (!startsWithHttp(buf, start)) return this.fail(INVALID_RESPONSE + `expected a status line, got ${preview(buf, start)}`);
        const end = this.parseHead(buf, start);
        if (end === HEAD_ERROR) return Feed.Error;
        if (end === HEAD_MORE) {
          if (this.headBytes + buf.length - start > MAX_HEAD) return this.fail(HEAD_TOO_LARGE);
          this.pending = start === 0 ? buf : buf.subarray(start);
          return Feed.More;
        }
        this.headBytes += end - start;
        if (this.headBytes > MAX_HEAD) return this.fail(HEAD_TOO_LARGE);
        start = end;
        if (this.status >= 100 && this.status < 200 && this.status !== 101) {
          // interim response (100 Continue, 103 Early Hints): skip it, the real one follows (and
          // parseHead starts its header state afresh)
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
          if (rem > 0 && this.keep) {
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
        if (avail > 0 && this.keep) (this.parts ??= []).push(start === 0 ? buf : buf.subarray(start));
        this.rawBodyBytes += avail;
        this.remaining = rem - avail;
        return Feed.More;
      }
      case Mode.Chunked: {
        const c = this.chunked;
        const end = c.feed(buf, start, this.keep ? (this.parts ??= []) : null);
        if (end < 0) return this.fail(c.error);
        if (c.bodyBytes > this.maxBody) return this.fail(bodyTooLargeMessage("its chunks", this.maxBody));
        this.rawBodyBytes += end - start;
        if (c.done) {
          if (end < buf.length) this.trailing = true;
          return Feed.Done;
        }
        return Feed.More;
      }
      case Mode.Close:
        this.rawBodyBytes += avail;
        if (this.rawBodyBytes > this.maxBody) return this.fail(bodyTooLargeMessage("the bytes before the server closed", this.maxBody));
        if (avail > 0 && this.keep) (this.parts ??= []).push(start === 0 ? buf : buf.subarray(start));
        return Feed.More;
    }
  }

  /**
   * Parses the head at `b[start..]`: the index just after its blank line, HEAD_MORE when it has not
   * all arrived yet (it is parsed again from the start once more bytes came), HEAD_ERROR with
   * `error` set when it is malformed. Lines end in CRLF; a lone CR belongs to its line.
   */
  private parseHead(b: Buffer, start: number): number {
    this.generation++;
    const len = b.length;
    const lineEnd = lineEndAt(b, start, len);
    if (lineEnd < 0) return HEAD_MORE;
    // "HTTP/1.1 200 OK": version, one space, three digits, optional reason
    const n = lineEnd - start;
    const c0 = b[start + 9]! - 48;
    const c1 = b[start + 10]! - 48;
    const c2 = b[start + 11]! - 48;
    if (n < 12 || b[start + 8] !== 32 || !(c0 >= 1 && c0 <= 5) || !(c1 >= 0 && c1 <= 9) || !(c2 >= 0 && c2 <= 9) || (n > 12 && b[start + 12] !== 32)) {
      return this.invalidHead(`malformed status line ${quoted(b, start, lineEnd)}`);
    }
    const minor = b[start + 7]!;
    this.version = b[start + 5] === 49 && b[start + 6] === 46 && (minor === 49 || minor === 48) ? (minor === 49 ? HTTP11 : HTTP10) : latin1(b, start, start + 8);
    this.status = c0 * 100 + c1 * 10 + c2;
    this.statusText = n === 15 && b[start + 13] === 79 && b[start + 14] === 75 ? "OK" : n > 13 ? latin1(b, start + 13, lineEnd) : "";
    this.hasSetCookie = false;
    this.contentEncoding = "";
    let keepAlive = this.version === HTTP11;
    let contentLength = -1;
    let chunked = false;
    let otherTe = false;
    const from = lineEnd + 2;
    const lines = this.lines;
    let count = 0;
    let high = 0;
    let pos = from;
    for (;;) {
      if (pos + 1 >= len) return HEAD_MORE;
      if (b[pos] === CR && b[pos + 1] === LF) break; // the blank line
      // lineEndAt, also OR-ing the line's bytes: whether the head is ASCII comes free with the scan
      let e = pos;
      let bits = 0;
      for (; e + 1 < len; e++) {
        const c = b[e]!;
        if (c === CR && b[e + 1] === LF) break;
        bits |= c;
      }
      if (e + 1 >= len) return HEAD_MORE;
      high |= bits;
      // a name byte outside "!".."~" (space, tab, a control byte, DEL, non-ASCII) makes `bad` negative
      let colon = pos;
      let bad = 0;
      for (; colon < e; colon++) {
        const c = b[colon]!;
        if (c === COLON) break;
        bad |= (c - 33) | (126 - c);
      }
      if (colon === pos || colon === e) {
        return this.invalidHead(`malformed header line ${quoted(b, pos, e)}`);
      }
      // as Go's client (k6) does, in the cheap part of RFC 9110's token rule: a name with a space or
      // a control byte is refused, not read as another header (`Content-Length : 5` is no length)
      if (bad < 0) {
        return this.invalidHead(`malformed header name ${quoted(b, pos, colon)}`);
      }
      // values without surrounding whitespace, by index
      let vs = colon + 1;
      while (vs < e && isOws(b[vs]!)) vs++;
      let ve = e;
      while (ve > vs && isOws(b[ve - 1]!)) ve--;
      if (count < LINES_MAX) {
        const k = 4 * count;
        lines[k] = pos;
        lines[k + 1] = colon - pos;
        lines[k + 2] = vs;
        lines[k + 3] = ve - vs;
      }
      count++;
      // only names of the lengths we care about are compared, case-insensitively in place
      switch (colon - pos) {
        case 14:
          if (eqIgnoreCase(b, pos, "content-length")) {
            const v = parseLength(b, vs, ve);
            if (v < 0 || (contentLength >= 0 && v !== contentLength)) {
              return this.invalidHead(`bad content-length ${JSON.stringify(latin1(b, vs, ve))}`);
            }
            contentLength = v;
          }
          break;
        case 17:
          if (eqIgnoreCase(b, pos, "transfer-encoding")) {
            if (ve - vs >= 7 && eqIgnoreCase(b, ve - 7, "chunked")) chunked = true;
            else otherTe = true;
          }
          break;
        case 10:
          if (eqIgnoreCase(b, pos, "connection")) {
            if (ve - vs === 10 && eqIgnoreCase(b, vs, "keep-alive")) keepAlive = true;
            else if (ve - vs === 5 && eqIgnoreCase(b, vs, "close")) keepAlive = false;
            else {
              const v = latin1(b, vs, ve).toLowerCase();
              if (v.includes("close")) keepAlive = false;
              else if (v.includes("keep-alive")) keepAlive = true;
            }
          } else if (eqIgnoreCase(b, pos, "set-cookie")) {
            this.hasSetCookie = true;
          }
          break;
        case 16:
          if (eqIgnoreCase(b, pos, "content-encoding")) this.contentEncoding = latin1(b, vs, ve);
          break;
      }
      pos = e + 2;
    }
    this.headChunk = b;
    this.headersFrom = from;
    this.headersTo = pos;
    this.lineCount = count <= LINES_MAX && high < 0x80 ? count : -1;
    const s = this.status;
    if (this.isHead || s === 204 || s === 304 || (s >= 100 && s < 200)) {
      this.mode = Mode.None;
      if (s === 101) keepAlive = false;
    } else if (chunked) {
      this.mode = Mode.Chunked;
      this.chunked.reset();
    } else if (contentLength >= 0 && !otherTe) {
      // refused from the head: the connection is closed rather than read to the end
      if (contentLength > this.maxBody) return this.headError(bodyTooLargeMessage(`its Content-Length of ${contentLength} bytes`, this.maxBody));
      this.mode = Mode.Length;
      this.remaining = contentLength;
    } else {
      this.mode = Mode.Close;
      keepAlive = false;
    }
    this.keepAlive = keepAlive;
    return pos + 2;
  }

  /** parseHead's error: `invalid HTTP response: <what>` */
  private invalidHead(what: string): number {
    return this.headError(INVALID_RESPONSE + what);
  }

  /** parseHead's error, with `message` as it is */
  private headError(message: string): number {
    this.error = message;
    return HEAD_ERROR;
  }

  private fail(msg: string): Feed {
    this.error = msg;
    return Feed.Error;
  }
}

/** The index of the CR of the first CRLF at or after `from`, or -1. */
/** Up to 60 bytes of the head from `from`, quoted, for an error message. */
function quoted(b: Buffer, from: number, to: number): string {
  return JSON.stringify(latin1(b, from, Math.min(to, from + 60)));
}

function lineEndAt(b: Buffer, from: number, len: number): number {
  for (let i = from; i + 1 < len; i++) if (b[i] === CR && b[i + 1] === LF) return i;
  return -1;
}

/** `b[at..]` equals the lower-case ASCII `lower`, ignoring the case of letters (the caller checked
 *  the length). `| 0x20` lower-cases a letter only: for any other byte of `lower` (`-`) the
 *  match must be exact, or CR (0x0d) would pass for `-` (0x2d). */
function eqIgnoreCase(b: Buffer, at: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    const c = b[at + i]!;
    const l = lower.charCodeAt(i);
    if (c !== l && ((c | 0x20) !== l || l < 0x61 || l > 0x7a)) return false;
  }
  return true;
}

function startsWithHttp(buf: Uint8Array, start: number): boolean {
  const n = Math.min(5, buf.length - start);
  for (let i = 0; i < n; i++) if (buf[start + i] !== HTTP_SLASH[i]) return false;
  return true;
}

/** The decimal value of `b[s, e)`, or -1 unless it is 1–15 digits. */
function parseLength(b: Buffer, s: number, e: number): number {
  if (e <= s || e - s > 15) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function preview(buf: Buffer, start: number): string {
  return JSON.stringify(buf.toString("latin1", start, Math.min(buf.length, start + 40)));
}
