/**
 * Execution segments (k6's idea): the plan's load is partitioned over N workers so that the parts
 * always sum exactly to the whole. The same split later lets several machines share one test.
 */

export interface Segment {
  index: number;
  count: number;
}

/** The share of an integer quantity `n` for segment `index` of `count`: n/count, plus one for the lowest n%count indices. */
export function splitCount(n: number, seg: Segment): number {
  const base = Math.floor(n / seg.count);
  return base + (seg.index < n % seg.count ? 1 : 0);
}

/** The share of a fractional quantity (a rate): divided exactly. */
export function splitRate(rate: number, seg: Segment): number {
  return rate / seg.count;
}

/**
 * How many workers a run should use: never more than asked, never more than there are VUs to
 * place (an idle worker costs a thread and ~20 MB for nothing).
 */
export function workerCount(asked: number, maxConcurrentVus: number): number {
  return Math.max(1, Math.min(asked, Math.max(1, maxConcurrentVus)));
}
