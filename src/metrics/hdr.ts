/**
 * HDR histogram helpers for trends (reference §2.7): 3 significant figures over integer
 * microseconds (round(ms × 1000), negatives clamped to 0), auto-resizing.
 *
 * The coordinator uses hdr-histogram-js in its plain-JS mode (Float64 histograms), not its WASM
 * mode: the JS classes need no async init and work unchanged inside a `bun build --compile`
 * binary. Workers record into interval-histogram.ts, the same layout with a cheaper index.
 *
 * All our histograms share one layout (lowest discernible value 1, 3 digits), and resizing
 * only appends buckets at the top, so a bucket's index and its lowest value are the same in
 * every histogram. That is what makes the sparse bucket encoding exact.
 */
import { Float64Histogram, type JsHistogram } from "hdr-histogram-js";

export const SIGNIFICANT_DIGITS = 3;
/** Trend values are stored ×1000 (ms → µs). */
export const TREND_SCALE = 1000;
/** Initial range (µs); histograms grow on demand, so start small: a sink may hold many. */
const INITIAL_HIGHEST_US = 4096;

/** A coordinator histogram: a whole run, 64-bit float counts so no bucket can overflow. */
export function newCumulativeHistogram(): JsHistogram {
  const h = new Float64Histogram(1, INITIAL_HIGHEST_US, SIGNIFICANT_DIGITS);
  h.autoResize = true;
  return h;
}

/** ms → the integer µs value the histogram stores. */
export function toMicros(ms: number): number {
  return ms > 0 ? Math.round(ms * TREND_SCALE) : 0;
}

/** Number of counts-array slots that can hold data (everything up to the max value's bucket). */
function usedLength(h: JsHistogram): number {
  return h.totalCount === 0 ? 0 : h.countsArrayIndex(h.maxValue) + 1;
}

/**
 * Add an IntervalHistogram.encode() payload (interval-histogram.ts: the workers' trends) into `into` (exact: every value lands in its own bucket).
 * Highest bucket first: an auto-resizing histogram then grows once, not once per new maximum
 * (each growth reallocates the counts array; bottom-up merging of new series was ~10× slower).
 */
export function addBuckets(into: JsHistogram, buckets: Float64Array): void {
  for (let j = buckets.length - 2; j >= 0; j -= 2) into.recordValueWithCount(buckets[j]!, buckets[j + 1]!);
}

/** Add every bucket of `from` into `into` (works across Int32/Float64 count widths), top down. */
export function addHistogram(into: JsHistogram, from: JsHistogram): void {
  const len = usedLength(from);
  for (let i = len - 1; i >= 0; i--) {
    const c = from.getCountAtIndex(i);
    if (c !== 0) into.recordValueWithCount(from.valueFromIndex(i), c);
  }
}

/**
 * Values (µs) at several quantiles in one pass over the buckets. `qs` must be ascending, each in
 * (0, 1]. Semantics of Rust hdrhistogram's `value_at_quantile`, which the reference uses: the
 * rank is max(1, ceil(q × total)); the answer is the highest value equivalent to the bucket
 * that reaches that rank. Returns NaN for each quantile when the histogram is empty.
 */
export function valuesAtQuantiles(h: JsHistogram, qs: readonly number[]): number[] {
  const out = new Array<number>(qs.length).fill(Number.NaN);
  const total = h.totalCount;
  if (total === 0 || qs.length === 0) return out;
  const len = usedLength(h);
  let qi = 0;
  let target = rankAt(qs[0]!, total);
  let running = 0;
  for (let i = 0; i < len && qi < qs.length; i++) {
    running += h.getCountAtIndex(i);
    while (qi < qs.length && running >= target) {
      out[qi] = h.highestEquivalentValue(h.valueFromIndex(i));
      qi++;
      if (qi < qs.length) target = rankAt(qs[qi]!, total);
    }
  }
  return out;
}

function rankAt(q: number, total: number): number {
  return Math.max(1, Math.ceil(Math.min(q, 1) * total));
}
