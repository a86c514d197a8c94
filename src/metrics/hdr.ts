/**
 * The coordinator's trend histograms (reference §2.7): 3 significant figures over integer
 * microseconds (round(ms × 1000), negatives clamped to 0), growing on demand.
 *
 * One layout everywhere (hdr-layout.ts): lowest discernible value 1, 3 digits, and growth only
 * appends slots at the top, so a slot's index and value range are the same in every histogram —
 * the workers' interval histograms (interval-histogram.ts), what the wire carries and these.
 * Merging is therefore adding counts slot by slot, exactly as hdr-histogram-js's `add()` does
 * for histograms of one layout (test/metrics-hdr.test.ts holds the two equal on random data);
 * this class keeps the counts in its own Float64Array (whole counts, exact to 2^53) so that the
 * aggregator adds a delta's buckets and reads quantiles without a method call per slot: with 100
 * parts × 25 trends once a second, those two were most of the aggregator's time
 * (docs/benchmarks.md "Scale-out").
 *
 * Beside the counts it keeps the sum of every BLOCK slots, so a quantile walks the blocks and
 * then at most one block's slots, not every slot below it.
 */
import { countsIndex, highestValueAtIndex, SUB_BUCKET_HALF_COUNT_MAGNITUDE } from "./hdr-layout.ts";

export const SIGNIFICANT_DIGITS = 3;
/** Trend values are stored ×1000 (ms → µs). */
export const TREND_SCALE = 1000;
/** slots per block sum (a power of two) */
const BLOCK_BITS = 6;
/** No slots until the first sample: the first delta sizes the counts to its highest slot. */
const NONE = new Float64Array(0);

export class TrendHistogram {
  private counts = NONE;
  private blocks = NONE;
  totalCount = 0;
  /** highest non-empty slot, -1 when empty */
  private top = -1;

  /** Add `count` samples of the integer value `v` (µs, ≥ 0). */
  record(v: number, count = 1): void {
    this.addAt(countsIndex(v), count);
  }

  /** Add a delta's interleaved [slot index, count] pairs (IntervalHistogram.encode(), delta.ts), ascending. */
  addBuckets(buckets: Float64Array): void {
    const n = buckets.length;
    if (n === 0) return;
    const last = buckets[n - 2]!;
    if (last >= this.counts.length) this.grow(last); // once, for the highest
    const counts = this.counts;
    const blocks = this.blocks;
    let total = 0;
    for (let j = 0; j < n; j += 2) {
      const i = buckets[j]!;
      const c = buckets[j + 1]!;
      counts[i]! += c;
      blocks[i >> BLOCK_BITS]! += c;
      total += c;
    }
    this.totalCount += total;
    if (last > this.top) this.top = last;
  }

  /** Add every slot of `from` (selector merges). */
  add(from: TrendHistogram): void {
    if (from.top < 0) return;
    if (from.top >= this.counts.length) this.grow(from.top);
    const src = from.counts;
    const dst = this.counts;
    for (let i = 0; i <= from.top; i++) dst[i]! += src[i]!;
    const sb = from.blocks;
    const db = this.blocks;
    for (let b = 0, end = from.top >> BLOCK_BITS; b <= end; b++) db[b]! += sb[b]!;
    this.totalCount += from.totalCount;
    if (from.top > this.top) this.top = from.top;
  }

  /** The count in slot `i` (tests). */
  countAtIndex(i: number): number {
    return i < this.counts.length ? this.counts[i]! : 0;
  }

  /**
   * Values (µs) at several quantiles, `qs` ascending, each in (0, 1]. Semantics of Rust
   * hdrhistogram's `value_at_quantile`, which the reference uses: the rank is
   * max(1, ceil(q × total)); the answer is the highest value equivalent to the slot that
   * reaches that rank. NaN for each quantile when the histogram is empty.
   */
  valuesAtQuantiles(qs: readonly number[]): number[] {
    const out = new Array<number>(qs.length).fill(Number.NaN);
    const total = this.totalCount;
    if (total === 0) return out;
    const counts = this.counts;
    const blocks = this.blocks;
    const lastBlock = this.top >> BLOCK_BITS;
    let b = 0;
    let below = 0; // samples in the blocks before b
    for (let qi = 0; qi < qs.length; qi++) {
      const rank = Math.max(1, Math.ceil(Math.min(qs[qi]!, 1) * total));
      while (b < lastBlock && below + blocks[b]! < rank) below += blocks[b++]!;
      // the slot that reaches `rank` is in block b
      let running = below;
      let i = b << BLOCK_BITS;
      for (; i < this.top; i++) {
        running += counts[i]!;
        if (running >= rank) break;
      }
      out[qi] = highestValueAtIndex(i);
    }
    return out;
  }

  private addAt(i: number, count: number): void {
    if (i >= this.counts.length) this.grow(i);
    this.counts[i]! += count;
    this.blocks[i >> BLOCK_BITS]! += count;
    this.totalCount += count;
    if (i > this.top && count !== 0) this.top = i;
  }

  /**
   * Make room up to index `i`, to the end of its bucket as the library does (not doubling: an
   * aggregator may hold thousands of these). Growth appends slots: indices keep their meaning.
   */
  private grow(i: number): void {
    const n = ((i >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
    const counts = new Float64Array(n);
    counts.set(this.counts);
    this.counts = counts;
    const blocks = new Float64Array(n >> BLOCK_BITS);
    blocks.set(this.blocks);
    this.blocks = blocks;
  }
}

/** ms → the integer µs value the histogram stores. */
export function toMicros(ms: number): number {
  return ms > 0 ? Math.round(ms * TREND_SCALE) : 0;
}
