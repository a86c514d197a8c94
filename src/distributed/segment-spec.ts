/**
 * Which part of a scale-out test a process runs (docs/distributed.md): `--segment i/N` (part i of
 * N equal parts, 1-based) or k6's `--execution-segment a:b` with an optional
 * `--execution-segment-sequence 0,a,b,…,1`, turned into the units a part owns (engine/segments.ts
 * `Part`), and the check that a set of parts tiles the whole test exactly once.
 *
 * Fractions are exact (numerator/denominator integers): `1/3`, `0.25`, `25%`, `0`, `1`.
 */
import type { Part } from "../engine/segments.ts";

export interface PartSpec {
  /** as the user wrote it (normalised): `2/4`, `1/4:1/2`; the `instance` tag of its samples */
  label: string;
  part: Part;
  /** `--segment i/N`: N, the number of parts the test has */
  of?: number;
}

export class SegmentError extends Error {}

interface Fraction {
  n: number;
  d: number;
}

/** The largest denominator a segment may have: units are striped over it (engine/segments.ts). */
const MAX_DEN = 1_000_000;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;
const fmt = (f: Fraction) => (f.n === 0 ? "0" : f.n === f.d ? "1" : `${f.n}/${f.d}`);

function fraction(text: string, from: string): Fraction {
  const s = text.trim();
  let n: number;
  let d: number;
  let m: RegExpMatchArray | null;
  if ((m = s.match(/^(\d+)\/(\d+)$/))) [n, d] = [Number(m[1]), Number(m[2])];
  else if ((m = s.match(/^(\d+)(?:\.(\d+))?(%?)$/))) {
    const decimals = m[2] ?? "";
    d = 10 ** decimals.length * (m[3] ? 100 : 1);
    n = Number(m[1]! + decimals);
  } else throw new SegmentError(`${from}: \`${text}\` is not a fraction (write 1/4, 0.25 or 25%)`);
  if (d === 0) throw new SegmentError(`${from}: \`${text}\` divides by zero`);
  if (n > d) throw new SegmentError(`${from}: \`${text}\` is more than 1 (segments lie within 0..1)`);
  const g = gcd(n, d) || 1;
  return { n: n / g, d: d / g };
}

const less = (a: Fraction, b: Fraction) => a.n * b.d < b.n * a.d;
const same = (a: Fraction, b: Fraction) => a.n * b.d === b.n * a.d;

/** `--segment i/N`: part i (1-based) of N equal parts. */
export function segmentFlag(value: string, from = "--segment"): PartSpec {
  const m = value.trim().match(/^(\d+)\/(\d+)$/);
  if (!m) throw new SegmentError(`${from} must be i/N, part i of N (e.g. 2/4), got \`${value}\``);
  const [i, n] = [Number(m[1]), Number(m[2])];
  if (n < 1 || n > MAX_DEN) throw new SegmentError(`${from} ${value}: N must be from 1 to ${MAX_DEN}`);
  if (i < 1 || i > n) throw new SegmentError(`${from} ${value}: i must be from 1 to ${n} (parts are numbered from 1)`);
  return { label: `${i}/${n}`, part: { den: n, from: i - 1, to: i }, of: n };
}

/**
 * `--execution-segment a:b` (`b` alone means `0:b`), striped over the denominator of the
 * `--execution-segment-sequence` when one is given (every part of a test must give the same one),
 * else over the segment's own.
 */
export function executionSegmentFlag(value: string, sequence?: string): PartSpec {
  const from = "--execution-segment";
  const ends = value.split(":");
  if (ends.length > 2) throw new SegmentError(`${from} must be a:b (e.g. 1/4:1/2), got \`${value}\``);
  const [a, b] = ends.length === 1 ? [{ n: 0, d: 1 }, fraction(ends[0]!, from)] : [fraction(ends[0]!, from), fraction(ends[1]!, from)];
  if (!less(a, b)) throw new SegmentError(`${from} ${value}: the start must be below the end`);
  let den = lcm(a.d, b.d);
  if (sequence !== undefined) {
    const seqFrom = "--execution-segment-sequence";
    const points = sequence.split(",").map((p) => fraction(p, seqFrom));
    if (points.length < 2 || !same(points[0]!, { n: 0, d: 1 }) || !same(points.at(-1)!, { n: 1, d: 1 }))
      throw new SegmentError(`${seqFrom} must run from 0 to 1, e.g. 0,1/4,1/2,1 (got \`${sequence}\`)`);
    for (let i = 1; i < points.length; i++)
      if (!less(points[i - 1]!, points[i]!)) throw new SegmentError(`${seqFrom} must increase: ${fmt(points[i - 1]!)} then ${fmt(points[i]!)}`);
    if (!points.some((p) => same(p, a)) || !points.some((p) => same(p, b)))
      throw new SegmentError(`${from} ${fmt(a)}:${fmt(b)} is not a segment of the sequence ${points.map(fmt).join(",")}`);
    den = points.reduce((l, p) => lcm(l, p.d), 1);
  }
  if (den > MAX_DEN) throw new SegmentError(`${from} ${value}: the denominator ${den} is too large (at most ${MAX_DEN})`);
  return { label: `${fmt(a)}:${fmt(b)}`, part: { den, from: (a.n * den) / a.d, to: (b.n * den) / b.d } };
}

const unitLabel = (den: number, from: number, to: number) => {
  const f = (u: number) => fmt({ n: u / (gcd(u, den) || 1), d: den / (gcd(u, den) || 1) });
  return `${f(from)}:${f(to)}`;
};

/** Why `part` cannot join `others` (the parts already in the test), or undefined. */
export function overlapProblem(part: PartSpec, others: readonly PartSpec[]): string | undefined {
  for (const o of others) {
    if (o.part.den !== part.part.den)
      return `segment ${part.label} is striped over ${part.part.den} units and segment ${o.label} over ${o.part.den}: give every part the same --execution-segment-sequence (or use --segment i/N)`;
    if (part.part.from < o.part.to && o.part.from < part.part.to)
      return o.label === part.label ? `segment ${part.label} has already joined this test` : `segment ${part.label} overlaps segment ${o.label}, which has already joined`;
  }
  return undefined;
}

/** What the parts leave uncovered of the whole (they do not overlap: overlapProblem), or undefined when they tile it. */
export function tilingGap(parts: readonly PartSpec[]): string | undefined {
  if (parts.length === 0) return "0:1";
  const den = parts[0]!.part.den;
  const sorted = [...parts].sort((x, y) => x.part.from - y.part.from);
  const gaps: string[] = [];
  let at = 0;
  for (const p of sorted) {
    if (p.part.from > at) gaps.push(unitLabel(den, at, p.part.from));
    at = Math.max(at, p.part.to);
  }
  if (at < den) gaps.push(unitLabel(den, at, den));
  return gaps.length ? gaps.join(", ") : undefined;
}
