/**
 * Execution segments (k6's idea): the plan's load is partitioned so that the parts always sum
 * exactly to the whole, at two levels.
 *
 * - A **part** is one process's slice of the whole test (scale-out, docs/distributed.md): of
 *   every `den` consecutive units of anything countable — VUs, arrivals, shared iterations, rows
 *   of a shared data source, VU ids — it owns the units whose residue mod `den` is in
 *   `[from, to)`. `loadr run --segment i/N` is `{den: N, from: i-1, to: i}`; k6's
 *   `--execution-segment 1/4:3/4` is `{den: 4, from: 1, to: 3}`. Parts that tile `0..den` own
 *   every unit exactly once, and their units interleave (part i of N takes i, i+N, …).
 * - A **worker** is one thread of a part: worker `index` of `count` takes every `count`-th of
 *   its part's units, starting at its index.
 *
 * A process that is the whole test has no part (or `WHOLE`): its units are 0, 1, 2, …
 */

export interface Part {
  den: number;
  from: number;
  to: number;
}

export const WHOLE: Part = { den: 1, from: 0, to: 1 };

export interface Segment {
  index: number;
  count: number;
  /** this process's part of the whole test; absent: the process is the whole test */
  part?: Part;
}

/** How many of the units 0..n-1 a part owns. */
export function partCount(n: number, part: Part = WHOLE): number {
  const width = part.to - part.from;
  const r = n % part.den;
  return Math.floor(n / part.den) * width + Math.min(width, Math.max(0, r - part.from));
}

/** The whole-test number of a part's `m`-th unit (0-based): the unit a row, an arrival or a VU id maps to. */
export function partUnit(m: number, part: Part = WHOLE): number {
  const width = part.to - part.from;
  return Math.floor(m / width) * part.den + part.from + (m % width);
}

/** The part's share of the whole, as a fraction (rates, throttles). */
export function partShare(part: Part = WHOLE): number {
  return (part.to - part.from) / part.den;
}

/**
 * The share of an integer quantity `n` for worker `index` of `count` of its part: the part's
 * units split n/count each, plus one for the lowest indices.
 */
export function splitCount(n: number, seg: Segment): number {
  const own = partCount(n, seg.part);
  const base = Math.floor(own / seg.count);
  return base + (seg.index < own % seg.count ? 1 : 0);
}

/** The share of a fractional quantity (a rate): divided exactly. */
export function splitRate(rate: number, seg: Segment): number {
  return (rate * partShare(seg.part)) / seg.count;
}

/**
 * How many workers a run should use: never more than asked, never more than there are VUs to
 * place (an idle worker costs a thread and ~20 MB for nothing).
 */
export function workerCount(asked: number, maxConcurrentVus: number): number {
  return Math.max(1, Math.min(asked, Math.max(1, maxConcurrentVus)));
}
