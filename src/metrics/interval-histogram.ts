/**
 * A worker's per-interval trend histogram: what hdr-histogram-js would record for our one layout
 * (lowest discernible value 1, 3 significant digits: 2,048 sub-buckets, half-count magnitude 10,
 * unit magnitude 0 — hdr.ts), with the bucket index from `Math.clz32` and a shift where the
 * library computes `log2`, `floor` and two `pow` per value. Eight trends per request made that
 * the sink's largest cost.
 *
 * Its only output is `encode()`: the sparse [bucket lowest value, count] pairs of every non-empty
 * bucket — exactly the buckets a library histogram fed the same values has (a differential test
 * holds the two equal) — which the coordinator adds into its library histograms (hdr.ts
 * `addBuckets`). Values are integers
 * ≥ 0 (hdr.ts `toMicros`).
 */

const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
/** below 2^31 a value's top bit comes from clz32 and the shift stays in int32 range */
const FAST_LIMIT = 2 ** 31;

export class IntervalHistogram {
  private counts = new Int32Array(4 * SUB_BUCKET_HALF_COUNT);
  /** the used index range, so encode() and reset() touch only that */
  private lo = Infinity;
  private hi = -1;

  record(v: number): void {
    let i: number;
    if (v < FAST_LIMIT) {
      const bucket = Math.max(31 - Math.clz32(v) - SUB_BUCKET_HALF_COUNT_MAGNITUDE, 0);
      i = (bucket << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (v >>> bucket);
    } else {
      // the library's own formula, for values past 35 minutes in µs
      const bucket = Math.max(Math.floor(Math.log2(v)) - SUB_BUCKET_HALF_COUNT_MAGNITUDE, 0);
      i = bucket * SUB_BUCKET_HALF_COUNT + Math.floor(v / 2 ** bucket);
    }
    if (i >= this.counts.length) this.grow(i);
    this.counts[i]!++;
    if (i < this.lo) this.lo = i;
    if (i > this.hi) this.hi = i;
  }

  /** Interleaved [bucket lowest value, count] for every non-empty bucket, in value order. */
  encode(): Float64Array {
    const c = this.counts;
    let n = 0;
    for (let i = this.lo; i <= this.hi; i++) if (c[i] !== 0) n++;
    const out = new Float64Array(n * 2);
    let j = 0;
    for (let i = this.lo; i <= this.hi; i++) {
      if (c[i] === 0) continue;
      out[j++] = valueFromIndex(i);
      out[j++] = c[i]!;
    }
    return out;
  }

  reset(): void {
    if (this.hi >= 0) this.counts.fill(0, this.lo, this.hi + 1);
    this.lo = Infinity;
    this.hi = -1;
  }

  private grow(i: number): void {
    let n = this.counts.length;
    while (n <= i) n *= 2;
    const next = new Int32Array(n);
    next.set(this.counts);
    this.counts = next;
  }
}

/** The lowest value of the bucket at index `i` (hdr-histogram-js `valueFromIndex` for our layout). */
function valueFromIndex(i: number): number {
  let bucket = Math.floor(i / SUB_BUCKET_HALF_COUNT) - 1;
  let sub = (i % SUB_BUCKET_HALF_COUNT) + SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}
