/**
 * One `dist/loadr run` of a plan the bench wrote, measured (lib/measure.ts), its summary read
 * back: what the flow, WASM and native benches compare in alternated rounds.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { measuredRun, runFigures, type MeasuredRun, type RunFigures } from "./measure.ts";
import { summaryMetric, type Summary } from "./parse.ts";

export interface LoadrRun {
  summary: Summary & { checks?: { fails: number }[] };
  measured: MeasuredRun;
}

export async function runLoadrPlan(o: {
  loadr: string;
  tmp: string;
  /** file names in tmp: <name>.yaml, <name>-summary.json */
  name: string;
  plan: string;
  seconds: number;
  args?: string[];
  env?: Record<string, string>;
  /** false: not pinned to the load core */
  pin?: boolean;
  targetCpu?: () => number;
  /** the loadr process's pid once started (e.g. to sample its CPU: lib/steady-window.ts) */
  onStart?: (pid: number) => void;
}): Promise<LoadrRun> {
  const file = join(o.tmp, `${o.name}.yaml`);
  const out = join(o.tmp, `${o.name}-summary.json`);
  writeFileSync(file, o.plan);
  rmSync(out, { force: true });
  const argv = [o.loadr, "run", file, "--workers", "1", "-q", "--summary-export", out, ...(o.args ?? [])];
  const env = o.env ? ["env", ...Object.entries(o.env).map(([k, v]) => `${k}=${v}`)] : [];
  const m = await measuredRun([...env, ...argv], { timeoutMs: (o.seconds + 60) * 1000, pin: o.pin, targetCpu: o.targetCpu, onStart: o.onStart });
  // 0 = passed, 99 = a threshold failed; anything else is an error
  if (m.timedOut) throw new Error(`${o.name}: loadr killed after ${Math.round(m.ms / 1000)} s`);
  if (m.code !== 0 && m.code !== 99) throw new Error(`${o.name}: loadr exited ${m.code}: ${m.stderr.trim().split("\n").pop() ?? ""}`);
  return { summary: JSON.parse(readFileSync(out, "utf8")), measured: m };
}

/** Requests/s (count ÷ the run's duration), requests and CPU per request of one `*_reqs` metric. */
export function loadrFigures(r: LoadrRun, metric = "http_reqs"): RunFigures {
  const agg = summaryMetric(r.summary, metric)?.agg;
  const requests = agg?.count ?? 0;
  const rps = agg?.per_second ?? (r.summary.duration_secs > 0 ? requests / r.summary.duration_secs : 0);
  return runFigures(r.measured, rps, requests);
}
