/**
 * The line buffer of the raw-point outputs (json, csv). A run can produce close to a million
 * points a second, all formatted on the coordinator thread, which shares its core with the VUs
 * in a pinned run: a point is therefore written as bytes into one growing buffer — fragments
 * encoded once per metric and per tag set are copied, numbers are written digit by digit — and
 * it leaves in few large writes (line-file.ts). Building one string per point and encoding
 * it cost about four times as much (measured in the json output's bench row, docs/benchmarks.md).
 * The buffer starts on a block boundary so that the file can take it with O_DIRECT.
 */
import { alignedBytes } from "./aligned-bytes.ts";

const NULL = new TextEncoder().encode("null");
/** "00" to "99": decimal digits two at a time */
const PAIRS = new TextEncoder().encode(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0")).join(""));
/** 10^i, exact (i ≤ 15) */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);
const encoder = new TextEncoder();

export class ByteLines {
  /** line-file.ts writes it out every MiB; a longer line grows it */
  private buf = alignedBytes(1 << 21);
  private len = 0;
  /** time(): the last epoch-ms value and its digits, reused by the points of one event */
  private lastTime = -1;
  private readonly timeDigits = new Uint8Array(24);
  private timeLen = 0;

  /** Bytes held. */
  get length(): number {
    return this.len;
  }

  /** Room for `n` more bytes. */
  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = alignedBytes(Math.max(this.buf.length * 2, this.len + n));
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
    if (v - v !== 0) return this.bytes(nonFinite); // NaN or ±Infinity
    // a whole duration prints the same either way (no fraction to cut)
    if (isTime && v < 1e9 && v > -1e9) {
      const n = Math.round(Math.abs(v) * 1e6);
      // the sign only when something is left: -0.0000004 ms is 0, not -0 (JSON.stringify(-0) is 0)
      if (v < 0 && n !== 0) this.byte(45);
      return this.fixed6(n);
    }
    if (v < 0) {
      this.byte(45);
      v = -v;
    }
    if (Number.isInteger(v) && v <= Number.MAX_SAFE_INTEGER) return this.uint(v);
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

  /** A whole string, UTF-8 (snapshot and summary lines, headers). */
  text(s: string): void {
    this.reserve(s.length * 3);
    this.len += encoder.encodeInto(s, this.buf.subarray(this.len)).written;
  }

  /** The bytes held, from the (aligned) start; valid until the next write. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** Forget the first `n` bytes (they were written); the rest moves to the start. */
  consume(n: number): void {
    if (n < this.len) this.buf.copyWithin(0, n, this.len);
    this.len -= n;
  }

  /** The bytes written since the last take(); valid until the next write. */
  take(): Uint8Array {
    const out = this.view();
    this.len = 0;
    return out;
  }

  /** `n` millionths (an integer ≥ 0) as a decimal with at most six places, trailing zeros cut.
   *  Most values of a run are durations, so this is the hottest number path: the six places
   *  are three digit pairs from a table (two divisions instead of six). */
  private fixed6(n: number): void {
    const ip = Math.floor(n / 1e6);
    const fr = n - ip * 1e6;
    const b = this.buf;
    const p = writeUint(b, this.len, ip);
    if (fr === 0) {
      this.len = p;
      return;
    }
    const hi = (fr / 10000) | 0;
    const rest = fr - hi * 10000;
    const mid = (rest / 100) | 0;
    const lo = rest - mid * 100;
    b[p] = 46;
    b[p + 1] = PAIRS[2 * hi]!;
    b[p + 2] = PAIRS[2 * hi + 1]!;
    b[p + 3] = PAIRS[2 * mid]!;
    b[p + 4] = PAIRS[2 * mid + 1]!;
    b[p + 5] = PAIRS[2 * lo]!;
    b[p + 6] = PAIRS[2 * lo + 1]!;
    const places = lo !== 0 ? (lo % 10 !== 0 ? 6 : 5) : mid !== 0 ? (mid % 10 !== 0 ? 4 : 3) : hi % 10 !== 0 ? 2 : 1;
    this.len = p + 1 + places;
  }
}

/** How many decimal digits `n` (an integer, 0 ≤ n < 2^53) has. */
export function decimalDigits(n: number): number {
  let d = 1;
  while (d < 16 && n >= POW10[d]!) d++;
  return d;
}

/** `n` (an integer, 0 ≤ n < 2^53) in decimal at `b[p]`; returns the end. */
export function writeUint(b: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    b[p] = 48 + n;
    return p + 1;
  }
  if (n < 100) {
    b[p] = PAIRS[2 * n]!;
    b[p + 1] = PAIRS[2 * n + 1]!;
    return p + 2;
  }
  const digits = decimalDigits(n);
  let q = p + digits;
  let x = n;
  // two digits per step; int32 arithmetic while it fits (epoch-ms times do not)
  while (x >= 0x7fffffff) {
    const y = Math.floor(x / 100);
    const r = 2 * (x - y * 100);
    b[--q] = PAIRS[r + 1]!;
    b[--q] = PAIRS[r]!;
    x = y;
  }
  while (x >= 100) {
    const y = (x / 100) | 0;
    const r = 2 * (x - y * 100);
    b[--q] = PAIRS[r + 1]!;
    b[--q] = PAIRS[r]!;
    x = y;
  }
  if (x < 10) b[--q] = 48 + x;
  else {
    b[--q] = PAIRS[2 * x + 1]!;
    b[--q] = PAIRS[2 * x]!;
  }
  return p + digits;
}
