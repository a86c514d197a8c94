/**
 * How the benches turn repeated runs into figures. On a small shared machine other work comes and
 * goes within seconds, so one run per side measures whichever side ran while the machine was
 * busy. Every comparison therefore runs its sides alternated — round r starts at side r mod n, so
 * for two sides A B, B A, A B, … — and reports the median of the per-round ratios: a burst of
 * other work spoils one round, not the figure. Pure functions: test/bench-stats.test.ts.
 */

/** Median of the finite values; NaN when there are none. */
export function median(xs: readonly (number | undefined | null)[]): number {
  const s = xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The order of round `round`: the sides rotated so each round starts one further along. */
export function rotation<T>(sides: readonly T[], round: number): T[] {
  const n = sides.length;
  if (n === 0) return [];
  const k = ((round % n) + n) % n;
  return [...sides.slice(k), ...sides.slice(0, k)];
}

/**
 * a[i] ÷ b[i] for every round where both sides measured (a failed run leaves its round out; it
 * does not shift the other rounds' pairing).
 */
export function roundRatios(a: readonly (number | undefined)[], b: readonly (number | undefined)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y) && y > 0) out.push(x / y);
  }
  return out;
}

/** A compared pair of series: the per-round ratios and their median (undefined when no round had both). */
export interface PairedRatio {
  median: number;
  rounds: number[];
}

export function pairedRatio(a: readonly (number | undefined)[], b: readonly (number | undefined)[]): PairedRatio | undefined {
  const rounds = roundRatios(a, b);
  return rounds.length ? { median: median(rounds), rounds } : undefined;
}

/**
 * User + system CPU time per request in µs. Where the target sets the ceiling, requests/s
 * measures the target; the CPU a generator spends per request still measures the generator.
 */
export function cpuUsPerRequest(cpuSeconds: number, requests: number): number | undefined {
  return requests > 0 && cpuSeconds > 0 ? (cpuSeconds / requests) * 1e6 : undefined;
}

/**
 * Runs every side once per round, rounds × sides runs in all, in rotated order. Returns each
 * side's results indexed by round, so round i of A pairs with round i of B.
 */
export async function alternate<S extends string, R>(
  sides: readonly S[],
  rounds: number,
  once: (side: S, round: number) => Promise<R>,
  between?: () => Promise<unknown>,
): Promise<Record<S, R[]>> {
  const out = Object.fromEntries(sides.map((s) => [s, [] as R[]])) as Record<S, R[]>;
  for (let round = 0; round < rounds; round++) {
    for (const side of rotation(sides, round)) {
      out[side][round] = await once(side, round);
      await between?.();
    }
  }
  return out;
}
