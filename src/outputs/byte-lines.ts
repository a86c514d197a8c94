/**
 * The line buffer of the raw-point outputs (json, csv). A run can produce close to a million
 * points a second, all formatted on the coordinator thread, which shares its core with the VUs
 * in a pinned run: a point is therefore written as bytes into one growing buffer — fragments
 * encoded once per metric and per tag set are copied, numbers are written digit by digit — and
 * each batch leaves in a single write. Building one string per point and encoding it cost about
 * four times as much (measured in the json output's bench row, docs/benchmarks.md).
 */
const NULL = new TextEncoder().encode("null");

export class ByteLines {
  private buf = new Uint8Array(1 << 21);
  private len = 0;
  /** time(): the last epoch-ms value and its digits, reused by the points of one event */
  private lastTime = -1;
  private readonly timeDigits = new Uint8Array(24);
  private timeLen = 0;

  /** Room for `n` more bytes. */
  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  bytes(a: Uint8Array): void {
    this.buf.set(a, this.len);
    this.len += a.length;
  }

  byte(c: number): void {
    this.buf[this.len++] = c;
  }

  /** A sample value: integers exactly; durations (ms) rounded to the nanosecond, which is finer
   *  than any clock behind them and skips the 17-digit float noise; other values as JS prints
   *  them; NaN and infinities as `nonFinite` (JSON has no token for them). */
  num(v: number, isTime: boolean, nonFinite: Uint8Array = NULL): void {
    if (v !== v || v === Infinity || v === -Infinity) return this.bytes(nonFinite);
    if (v < 0) {
      this.byte(45);
      v = -v;
    }
    if (Number.isInteger(v) && v <= Number.MAX_SAFE_INTEGER) return this.uint(v);
    if (isTime && v < 1e9) return this.fixed6(Math.round(v * 1e6));
    const s = String(v);
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
  }

  /** An epoch-ms timestamp (the points of one request share it, so its digits are kept). */
  time(ms: number): void {
    if (ms !== this.lastTime) {
      this.lastTime = ms;
      this.timeLen = writeUint(this.timeDigits, 0, Math.round(ms));
    }
    const d = this.timeDigits;
    const b = this.buf;
    let p = this.len;
    for (let i = 0; i < this.timeLen; i++) b[p++] = d[i]!;
    this.len = p;
  }

  /** A non-negative integer below 2^53. */
  uint(n: number): void {
    this.len = writeUint(this.buf, this.len, n);
  }

  /** The bytes written since the last take(); valid until the next write. */
  take(): Uint8Array {
    const out = this.buf.subarray(0, this.len);
    this.len = 0;
    return out;
  }

  /** `n` millionths (an integer ≥ 0) as a decimal with at most six places, trailing zeros cut. */
  private fixed6(n: number): void {
    const ip = Math.floor(n / 1e6);
    let fr = n - ip * 1e6;
    this.uint(ip);
    if (fr === 0) return;
    const b = this.buf;
    const p = this.len;
    b[p] = 46;
    let end = 0;
    for (let k = 6; k >= 1; k--) {
      const q = (fr / 10) | 0;
      const d = fr - q * 10;
      b[p + k] = 48 + d;
      if (end === 0 && d !== 0) end = k;
      fr = q;
    }
    this.len = p + end + 1;
  }
}

function writeUint(b: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    b[p] = 48 + n;
    return p + 1;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  let q = p + digits;
  let x = n;
  if (x < 0x7fffffff) {
    while (x >= 10) {
      const y = (x / 10) | 0;
      b[--q] = 48 + (x - y * 10);
      x = y;
    }
  } else {
    while (x >= 10) {
      const y = Math.floor(x / 10);
      b[--q] = 48 + (x - y * 10);
      x = y;
    }
  }
  b[--q] = 48 + x;
  return p + digits;
}
