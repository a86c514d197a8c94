/**
 * `--summary-trend-stats` (k6's flag): which statistics a trend line of the console summary shows,
 * e.g. `avg,min,med,max,p(90),p(95),p(99.9),count`. Percentiles the summary does not always carry
 * are computed from the merged histogram when the summary is built (MetricSummary.percentiles).
 */
import type { AggValues } from "./series.ts";

export interface TrendStat {
  /** as the console prints it: `avg`, `p(95)`, `p(99.9)` */
  label: string;
  stat: "avg" | "min" | "med" | "max" | "count" | "p";
  /** the percentile, for `p` */
  p?: number;
}

/** The reference's trend line: k6's default plus p(99). */
export const DEFAULT_TREND_STATS = "avg,min,med,max,p(90),p(95),p(99)";

export class TrendStatsError extends Error {}

const NAMED = new Set(["avg", "min", "med", "max", "count"]);

export function parseTrendStats(text: string): TrendStat[] {
  const out: TrendStat[] = [];
  for (const raw of text.split(",")) {
    const s = raw.trim();
    if (s === "") continue;
    if (NAMED.has(s)) {
      out.push({ label: s, stat: s as TrendStat["stat"] });
      continue;
    }
    const m = /^p\(\s*(\d+(?:\.\d+)?)\s*\)$/.exec(s);
    const p = m ? Number(m[1]) : NaN;
    if (!m || !(p >= 0 && p <= 100))
      throw new TrendStatsError(`--summary-trend-stats: \`${s}\` is not a trend statistic (use avg, min, med, max, count or p(N) with N from 0 to 100, e.g. avg,p(95),p(99.9))`);
    out.push({ label: `p(${p})`, stat: "p", p });
  }
  if (out.length === 0) throw new TrendStatsError(`--summary-trend-stats: give at least one statistic, e.g. ${DEFAULT_TREND_STATS}`);
  return out;
}

/** The AggValues field that already holds a percentile, if any. */
export function precomputedPercentile(p: number): keyof AggValues | undefined {
  return p === 50 ? "med" : p === 90 ? "p90" : p === 95 ? "p95" : p === 99 ? "p99" : p === 99.9 ? "p999" : undefined;
}

/** The value of one statistic, from AggValues and the extra percentiles built for it. */
export function trendStatValue(s: TrendStat, agg: AggValues, percentiles: Record<string, number | null> | undefined): number | null {
  switch (s.stat) {
    case "count":
      return agg.count;
    case "p": {
      const field = precomputedPercentile(s.p!);
      return field !== undefined ? agg[field] : (percentiles?.[s.label] ?? null);
    }
    default:
      return agg[s.stat];
  }
}
