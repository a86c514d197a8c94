/**
 * Runs a plan through dist/loadr and reads its summary export: per-series counts by metric and
 * tags (from the final snapshot), so tests can assert exactly how many requests a step sent.
 */
import { join } from "node:path";
import { loadr, readJsonIfThere, scratch } from "./cli.ts";

interface Series {
  metric: string;
  tags: Record<string, string>;
  agg: { count: number | null; sum: number | null; max: number | null; rate: number | null };
}

export interface PlanRun {
  code: number;
  stdout: string;
  stderr: string;
  dir: string;
  summary: any;
  /** sum of `agg.sum` over the series of `metric` whose tags include `tags` (counter totals, rate passes) */
  sum(metric: string, tags?: Record<string, string>): number;
  /** sum of `agg.count` over matching series (samples for rates and trends) */
  count(metric: string, tags?: Record<string, string>): number;
  /** the matching series themselves */
  series(metric: string, tags?: Record<string, string>): Series[];
}

export async function runPlan(plan: string, files: Record<string, string> = {}, args: string[] = [], env?: Record<string, string>): Promise<PlanRun> {
  const dir = scratch({ ...files, "plan.yaml": plan });
  const r = await loadr(["run", join(dir, "plan.yaml"), "--summary-export", join(dir, "s.json"), ...args], { cwd: dir, env });
  const summary = readJsonIfThere(join(dir, "s.json"));
  return { ...r, dir, summary, ...summaryQueries(summary) };
}

export type SummaryQueries = Pick<PlanRun, "sum" | "count" | "series">;

/** Per-series counts from a summary's final snapshot (also for in-process runs: test/support/in-process.ts). */
export function summaryQueries(summary: any): SummaryQueries {
  const series = (metric: string, tags: Record<string, string> = {}): Series[] =>
    ((summary?.snapshot?.series ?? []) as Series[]).filter(
      (s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v),
    );
  return {
    series,
    sum: (m, t) => series(m, t).reduce((n, s) => n + (s.agg.sum ?? 0), 0),
    count: (m, t) => series(m, t).reduce((n, s) => n + (s.agg.count ?? 0), 0),
  };
}

/** The plan header every flow test shares: the echo target as `base_url`. */
export const ECHO_HEADER = `
plugins: [{ name: echo }]
defaults:
  http:
    base_url: \${services.echo.url}
`;
