/**
 * The coordinator's TrendHistogram (src/metrics/hdr.ts) against hdr-histogram-js, the oracle:
 * adding a delta's buckets slot by slot must give exactly the counts the library's own `add()`
 * gives for histograms of the same layout, and the quantiles must be what a scan of the
 * library's merged histogram finds (Rust hdrhistogram's `value_at_quantile` rule).
 */
import { expect, test } from "bun:test";
import { TrendHistogram } from "../src/metrics/hdr.ts";
import { countsIndex, highestValueAtIndex, valueFromIndex } from "../src/metrics/hdr-layout.ts";
import { IntervalHistogram } from "../src/metrics/interval-histogram.ts";
import { libraryHistogram as library, libraryQuantiles } from "./support/hdr-oracle.ts";

let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
/** log-spread integer µs, 0 … ~e^k */
const value = (k: number) => Math.round(Math.exp(random() * k));

test("the layout: slot index, lowest and highest value as the library computes them, at every bucket edge", () => {
  const h = library();
  const values = [0, 1, 2, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097];
  for (let b = 11; b <= 45; b++) for (const d of [-1, 0, 1]) values.push(2 ** b + d);
  for (const v of values) {
    h.recordValue(v); // grows the library's histogram to hold v
    const i = h.countsArrayIndex(v);
    expect([countsIndex(v), valueFromIndex(i), highestValueAtIndex(i)]).toEqual([i, h.valueFromIndex(i), h.highestEquivalentValue(h.valueFromIndex(i))]);
  }
});

test("adding 300 random deltas' buckets gives the library add()'s counts and total, slot for slot", () => {
  const ours = new TrendHistogram();
  const oracle = library();
  for (let d = 0; d < 300; d++) {
    const interval = new IntervalHistogram();
    const part = library();
    const k = 5 + random() * 20; // some deltas reach hours, most stay in ms
    for (let n = Math.floor(random() * 400); n > 0; n--) {
      const v = value(k);
      interval.record(v);
      part.recordValue(v);
    }
    ours.addBuckets(interval.encode());
    oracle.add(part);
  }
  expect(ours.totalCount).toBe(oracle.totalCount);
  const len = oracle.countsArrayIndex(oracle.maxValue) + 1;
  const mismatches: number[] = [];
  for (let i = 0; i < len + 5000; i++) if (ours.countAtIndex(i) !== (i < oracle.countsArrayLength ? oracle.getCountAtIndex(i) : 0)) mismatches.push(i);
  expect(mismatches).toEqual([]);
  const qs = [0.0001, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 0.99999, 1];
  expect(ours.valuesAtQuantiles(qs)).toEqual(libraryQuantiles(oracle, qs));
});

test("merging histograms (selectors) equals recording everything into one; quantiles of 1 to 3 samples", () => {
  const all = new TrendHistogram();
  const merged = new TrendHistogram();
  for (let p = 0; p < 20; p++) {
    const h = new TrendHistogram();
    for (let n = 0; n < 500; n++) {
      const v = value(14);
      h.record(v);
      all.record(v);
    }
    merged.add(h);
  }
  const qs = [0.5, 0.9, 0.95, 0.99, 0.999];
  expect(merged.totalCount).toBe(all.totalCount);
  expect(merged.valuesAtQuantiles(qs)).toEqual(all.valuesAtQuantiles(qs));
  for (let i = 0; i < 40_000; i++) expect(merged.countAtIndex(i)).toBe(all.countAtIndex(i));

  const small = new TrendHistogram();
  expect(small.valuesAtQuantiles([0.5])).toEqual([NaN]);
  small.record(5000);
  expect(small.valuesAtQuantiles([0.001, 0.5, 1])).toEqual([5003, 5003, 5003]); // 5000 to 5003 share a slot
  small.record(0, 2);
  expect(small.valuesAtQuantiles([0.5, 0.66, 0.67, 1])).toEqual([0, 0, 5003, 5003]);
});
