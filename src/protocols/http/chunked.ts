/**
 * Incremental `Transfer-Encoding: chunked` decoder. It is fed socket chunks as they arrive and
 * pushes sub-arrays of them (no copies) into the caller's list. Trailer fields are read and
 * discarded: the reference exposes only the head's headers, so trailers never reach a response.
 * What is skipped — chunk extensions and trailers — is bounded as a head is (MAX_SKIPPED), so a
 * server cannot hold a request with an endless extension or trailer section.
 */

const enum S {
  Size,
  Ext,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  Trailer,
  TrailerEndLf,
  Done,
}

const CR = 13;
const LF = 10;
/** a chunk-size line longer than this many hex digits is hostile or garbage */
const MAX_SIZE_DIGITS = 12;
/** chunk extensions and trailers of one body, together: past this many bytes the body is refused */
export const MAX_SKIPPED = 64 * 1024;

export class ChunkedDecoder {
  private s: S = S.Size;
  private size = 0;
  private digits = 0;
  /** bytes of chunk extensions and trailers skipped so far */
  private skipped = 0;
  /** the body's data bytes so far */
  bodyBytes = 0;
  error = "";

  reset(): void {
    this.s = S.Size;
    this.size = 0;
    this.digits = 0;
    this.skipped = 0;
    this.bodyBytes = 0;
    this.error = "";
  }

  get done(): boolean {
    return this.s === S.Done;
  }

  /**
   * Decodes from `buf[start..]`, pushing the data into `out` (null: counted only). Returns the index
   * just after the last byte consumed (the end of the terminating CRLF once done), or -1 on a
   * framing error (see `error`).
   */
  feed(buf: Uint8Array, start: number, out: Uint8Array[] | null): number {
    let i = start;
    const n = buf.length;
    while (i < n) {
      switch (this.s) {
        case S.Size: {
          const b = buf[i]!;
          const v = hexValue(b);
          if (v >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) return this.fail("chunk size too large");
            this.size = this.size * 16 + v;
            i++;
          } else if (this.digits === 0) {
            return this.fail("invalid chunk size line");
          } else if (b === CR) {
            this.s = S.SizeLf;
            i++;
          } else if (b === 0x3b /* ; */ || b === 0x20 || b === 0x09) {
            this.s = S.Ext;
            i++;
          } else {
            return this.fail("invalid chunk size line");
          }
          break;
        }
        case S.Ext: {
          // chunk extensions are ignored; skip to the CR
          const cr = buf.indexOf(CR, i);
          if (!this.skip((cr < 0 ? n : cr) - i)) return -1;
          if (cr < 0) return n;
          this.s = S.SizeLf;
          i = cr + 1;
          break;
        }
        case S.SizeLf:
          if (buf[i] !== LF) return this.fail("invalid chunk size line");
          i++;
          this.s = this.size === 0 ? S.TrailerStart : S.Data;
          break;
        case S.Data: {
          const take = Math.min(this.size, n - i);
          if (out !== null) out.push(buf.subarray(i, i + take));
          i += take;
          this.size -= take;
          this.bodyBytes += take;
          if (this.size === 0) this.s = S.DataCr;
          break;
        }
        case S.DataCr:
          if (buf[i] !== CR) return this.fail("missing CRLF after chunk data");
          i++;
          this.s = S.DataLf;
          break;
        case S.DataLf:
          if (buf[i] !== LF) return this.fail("missing CRLF after chunk data");
          i++;
          this.s = S.Size;
          this.digits = 0;
          break;
        case S.TrailerStart:
          if (buf[i] === CR) {
            this.s = S.TrailerEndLf;
          } else {
            if (!this.skip(1)) return -1;
            this.s = S.Trailer;
          }
          i++;
          break;
        case S.Trailer: {
          const lf = buf.indexOf(LF, i);
          if (!this.skip((lf < 0 ? n : lf + 1) - i)) return -1;
          if (lf < 0) return n;
          i = lf + 1;
          this.s = S.TrailerStart;
          break;
        }
        case S.TrailerEndLf:
          if (buf[i] !== LF) return this.fail("invalid chunked trailer");
          this.s = S.Done;
          return i + 1;
        case S.Done:
          return i;
      }
    }
    return i;
  }

  /** Counts `n` skipped bytes; false (with `error` set) past MAX_SKIPPED. */
  private skip(n: number): boolean {
    this.skipped += n;
    if (this.skipped <= MAX_SKIPPED) return true;
    this.fail("chunk extensions and trailers too large");
    return false;
  }

  private fail(msg: string): number {
    this.error = `invalid chunked body: ${msg}`;
    return -1;
  }
}

function hexValue(b: number): number {
  if (b >= 48 && b <= 57) return b - 48;
  const l = b | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}
