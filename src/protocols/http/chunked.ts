/**
 * Incremental `Transfer-Encoding: chunked` decoder. It is fed socket chunks as they arrive and
 * pushes sub-arrays of them (no copies) into the caller's list. Trailer fields are read and
 * discarded: the reference exposes only the head's headers, so trailers never reach a response.
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

export class ChunkedDecoder {
  private s: S = S.Size;
  private size = 0;
  private digits = 0;
  error = "";

  reset(): void {
    this.s = S.Size;
    this.size = 0;
    this.digits = 0;
    this.error = "";
  }

  get done(): boolean {
    return this.s === S.Done;
  }

  /**
   * Decodes from `buf[start..]`. Returns the index just after the last byte consumed (the end of
   * the terminating CRLF once done), or -1 on a framing error (see `error`).
   */
  feed(buf: Uint8Array, start: number, out: Uint8Array[]): number {
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
          out.push(buf.subarray(i, i + take));
          i += take;
          this.size -= take;
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
            this.s = S.Trailer;
          }
          i++;
          break;
        case S.Trailer: {
          const lf = buf.indexOf(LF, i);
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
