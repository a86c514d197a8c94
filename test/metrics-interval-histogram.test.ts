import { expect, test } from "bun:test";
import { Int32Histogram } from "hdr-histogram-js";
import { IntervalHistogram } from "../src/metrics/interval-histogram.ts";
import { SIGNIFICANT_DIGITS } from "../src/metrics/hdr.ts";
import { valueFromIndex } from "../src/metrics/hdr-layout.ts";

/** The oracle: the library histogram of the same layout, its non-empty buckets as [lowest value, count]. */
function libraryBuckets(values: number[]): number[] {
  const h = new Int32Histogram(1, 4096, SIGNIFICANT_DIGITS);
  h.autoResize = true;
  for (const v of values) h.recordValue(v);
  const out: number[] = [];
  const len = h.countsArrayIndex(h.maxValue) + 1;
  for (let i = 0; i < len; i++) {
    const c = h.getCountAtIndex(i);
    if (c !== 0) out.push(h.valueFromIndex(i), c);
  }
  return out;
}

function ours(values: number[]): number[] {
  const h = new IntervalHistogram();
  for (const v of values) h.record(v);
  // [slot index, count] → [slot lowest value, count], as the oracle lists them
  return [...h.encode()].map((x, j) => (j % 2 === 0 ? valueFromIndex(x) : x));
}

test("same buckets as hdr-histogram-js at every bucket edge, 0 and past 2^31", () => {
  const values: number[] = [0, 1, 2, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097];
  for (let b = 11; b <= 40; b++) for (const d of [-1, 0, 1]) values.push(2 ** b + d);
  expect(ours(values)).toEqual(libraryBuckets(values));
});

test("same buckets as hdr-histogram-js on 200,000 log-spread values", () => {
  let seed = 42;
  const values: number[] = [];
  for (let i = 0; i < 200_000; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    values.push(Math.round(Math.exp((seed / 2 ** 32) * 25))); // 1 µs … ~20 hours
  }
  expect(ours(values)).toEqual(libraryBuckets(values));
});

test("reset empties it, and it records again from scratch", () => {
  const h = new IntervalHistogram();
  for (const v of [5, 5000, 5_000_000]) h.record(v);
  h.reset();
  expect([...h.encode()]).toEqual([]);
  h.record(7);
  expect([...h.encode()]).toEqual([7, 1]); // slot 7 holds the value 7
});
