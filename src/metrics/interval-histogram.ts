/**
 * A worker's per-interval trend histogram: what hdr-histogram-js would record for our one layout
 * (hdr-layout.ts: the slot from `Math.clz32` and a shift where the library computes `log2`,
 * `floor` and two `pow` per value; eight trends per request made that the sink's largest cost).
 *
 * Its only output is `encode()`: the sparse [slot index, count] pairs of every non-empty slot —
 * exactly the slots a library histogram fed the same values fills (a differential test holds the
 * two equal) — which the coordinator adds into its histograms of the same layout (hdr.ts
 * `TrendHistogram.addBuckets`). Values are integers ≥ 0 (hdr.ts `toMicros`).
 */

import { countsIndex, SUB_BUCKET_HALF_COUNT } from "./hdr-layout.ts";

export class IntervalHistogram {
  private counts = new Int32Array(4 * SUB_BUCKET_HALF_COUNT);
  /** the used index range, so encode() and reset() touch only that */
  private lo = Infinity;
  private hi = -1;

  record(v: number): void {
    const i = countsIndex(v);
    if (i >= this.counts.length) this.grow(i);
    this.counts[i]!++;
    if (i < this.lo) this.lo = i;
    if (i > this.hi) this.hi = i;
  }

  /** Interleaved [slot index, count] for every non-empty slot, in index (= value) order. */
  encode(): Float64Array {
    const c = this.counts;
    let n = 0;
    for (let i = this.lo; i <= this.hi; i++) if (c[i] !== 0) n++;
    const out = new Float64Array(n * 2);
    let j = 0;
    for (let i = this.lo; i <= this.hi; i++) {
      if (c[i] === 0) continue;
      out[j++] = i;
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
