/**
 * The one HDR layout every loadr histogram uses (hdr.ts): lowest discernible value 1, 3
 * significant digits — 2,048 sub-buckets, half-count magnitude 10, unit magnitude 0. A value's
 * slot in the counts array, and a slot's value range, exactly as hdr-histogram-js computes them
 * for this layout (test/metrics-hdr.test.ts holds them equal), with `Math.clz32` and a shift where
 * the library computes `log2`, `floor` and two `pow` per value.
 */

export const SUB_BUCKET_HALF_COUNT_MAGNITUDE = 10;
export const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
/** below 2^31 a value's top bit comes from clz32 and the shift stays in int32 range */
const FAST_LIMIT = 2 ** 31;

/** The counts-array index of an integer value ≥ 0. */
export function countsIndex(v: number): number {
  if (v < FAST_LIMIT) {
    const bucket = Math.max(31 - Math.clz32(v) - SUB_BUCKET_HALF_COUNT_MAGNITUDE, 0);
    return (bucket << SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (v >>> bucket);
  }
  // the library's own formula, for values past 35 minutes in µs
  const bucket = Math.max(Math.floor(Math.log2(v)) - SUB_BUCKET_HALF_COUNT_MAGNITUDE, 0);
  return bucket * SUB_BUCKET_HALF_COUNT + Math.floor(v / 2 ** bucket);
}

/** The power of two of the bucket holding index `i`: its slots are 2^bucket values wide. */
function bucketOf(i: number): number {
  return Math.max(Math.floor(i / SUB_BUCKET_HALF_COUNT) - 1, 0);
}

/** The lowest value of the slot at index `i` (the library's `valueFromIndex`). */
export function valueFromIndex(i: number): number {
  const bucket = bucketOf(i);
  const sub = i < 2 * SUB_BUCKET_HALF_COUNT ? i : (i % SUB_BUCKET_HALF_COUNT) + SUB_BUCKET_HALF_COUNT;
  return sub * 2 ** bucket;
}

/** The highest value of the slot at index `i` (the library's `highestEquivalentValue(valueFromIndex(i))`). */
export function highestValueAtIndex(i: number): number {
  return valueFromIndex(i) + 2 ** bucketOf(i) - 1;
}

/** The slot of the largest value a histogram can hold (2^53 − 1 µs): no delta may name a higher one. */
export const MAX_INDEX = countsIndex(Number.MAX_SAFE_INTEGER);
