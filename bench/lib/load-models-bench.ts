/**
 * Benches of the load models (issue 3):
 *   arrival — constant-arrival-rate accuracy: asked vs achieved iterations/s and dropped
 *             iterations at 1k, 10k and 50k/s (loadr pinned to the load core, one worker);
 *   scaling — requests/s of loadr with 1, 2, … N workers beside wrk -t1, -t2, … -tN, same target,
 *             same connection count, alternated in rounds, the load generator not pinned (it
 *             may use every core).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { asRun, measuredRun, runFigures, summarizeRuns, type RunFigures } from "./measure.ts";
import { parseLoadrSummary, parseWrk, summaryMetric, type Summary } from "./parse.ts";
import { arrivalPlan, httpPlan } from "./plans.ts";
import { findTool } from "./prereqs.ts";
import { alternate, cpuUsPerRequest, median, pairedRatio } from "./stats.ts";

export const ARRIVAL_TOLERANCE = 0.01;
export const SCALING_TARGET = 1.7;
const SLACK_MS = 30_000;

export interface ArrivalRow {
  rate: number;
  status: "ok" | "failed";
  error?: string;
  achieved?: number;
  /** achieved ÷ asked */
  ratio?: number;
  iterations?: number;
  dropped?: number;
  vusMax?: number;
  p99?: number | null;
  /** CPU µs per iteration (one request each) of the loadr process */
  cpuUsPerReq?: number;
  /** other work in cores: on the load core beside loadr (machine-wide when not pinned) */
  foreignCpu?: number | null;
  ok?: boolean;
}

/**
 * One run per rate: achieved ÷ asked compares loadr with its own schedule, not with another run,
 * so there is nothing to alternate.
 */
export async function arrivalBench(o: { loadr: string; url: string; tmp: string; seconds: number; rates: number[]; targetCpu: () => number }): Promise<ArrivalRow[]> {
  const rows: ArrivalRow[] = [];
  for (const rate of o.rates) {
    if (!existsSync(o.loadr)) {
      rows.push({ rate, status: "failed", error: "dist/loadr is missing: run `bun run build`" });
      continue;
    }
    const plan = join(o.tmp, `arrival-${rate}.yaml`);
    const out = join(o.tmp, `arrival-${rate}.json`);
    // enough VUs for iterations of up to 100 ms at this rate (a shortfall then means the generator
    // could not start them, not that VUs ran out); 10 ms worth pre-allocated
    const maxVus = Math.max(100, Math.ceil(rate * 0.1));
    writeFileSync(plan, arrivalPlan(o.url, rate, o.seconds, Math.ceil(rate * 0.01) + 10, maxVus));
    const argv = [o.loadr, "run", plan, "--workers", "1", "-q", "--summary-export", out];
    console.log(`  loadr       ${rate}/s × ${o.seconds} s: ${asRun(argv).join(" ")}`);
    const r = await measuredRun(argv, { timeoutMs: o.seconds * 1000 + SLACK_MS, targetCpu: o.targetCpu });
    const foreignCpu = r.contention.loadCore ?? r.contention.machine;
    try {
      const s = JSON.parse(readFileSync(out, "utf8")) as Summary;
      const iterations = summaryMetric(s, "iterations")?.agg.count ?? 0;
      const dropped = summaryMetric(s, "dropped_iterations")?.agg.count ?? 0;
      // over the scheduled duration: the schedule fixes when arrivals start, the stop grace adds none
      const achieved = iterations / o.seconds;
      const ratio = achieved / rate;
      rows.push({
        rate,
        status: "ok",
        achieved,
        ratio,
        iterations,
        dropped,
        vusMax: summaryMetric(s, "vus_max")?.agg.max ?? undefined,
        p99: summaryMetric(s, "http_req_duration")?.agg.p99 ?? null,
        cpuUsPerReq: cpuUsPerRequest(r.cpuSeconds, summaryMetric(s, "http_reqs")?.agg.count ?? 0),
        foreignCpu,
        ok: Math.abs(ratio - 1) <= ARRIVAL_TOLERANCE,
      });
    } catch (e) {
      rows.push({ rate, status: "failed", error: `exit ${r.code}: ${(e as Error).message} ${r.stderr.trim().split("\n").pop() ?? ""}` });
    }
  }
  return rows;
}

export interface ScalingRow {
  threads: number;
  /** medians over the rounds */
  loadr?: number;
  wrk?: number;
  loadrCpuUs?: number;
  wrkCpuUs?: number;
  /** loadr ÷ wrk requests/s at this count, median of the rounds */
  ratio?: number;
  /** loadr's requests/s over its own 1-worker figure, median of the rounds */
  loadrScale?: number;
  wrkScale?: number;
  /** median other work on the machine, cores */
  foreignCpu?: number | null;
  /** runs (loadr and wrk) marked contended (lib/cpu.ts) */
  contendedRuns?: number;
  okRuns?: number;
  error?: string;
}

/** 1, 2, 4, … up to the core count (and the core count itself). */
export function threadSteps(n = cpus().length): number[] {
  const out: number[] = [];
  for (let k = 1; k < n; k *= 2) out.push(k);
  out.push(n);
  return [...new Set(out)];
}

/**
 * loadr --workers k and wrk -tk for every k, all 2 × steps runs alternated in rounds (rotated
 * order); the load generator is not pinned.
 */
export async function scalingBench(o: { loadr: string; url: string; tmp: string; seconds: number; connections: number; rounds: number; targetCpu: () => number }): Promise<ScalingRow[]> {
  const wrk = findTool("wrk");
  const plan = join(o.tmp, "scaling.yaml");
  writeFileSync(plan, httpPlan(o.url, o.connections, o.seconds));
  const steps = threadSteps();
  const sides = steps.flatMap((k) => (wrk ? [`loadr ${k}`, `wrk ${k}`] : [`loadr ${k}`]));
  const errors: Record<string, string> = {};
  const runs = await alternate(sides, o.rounds, async (side, round): Promise<RunFigures | undefined> => {
    const [tool, k] = side.split(" ") as ["loadr" | "wrk", string];
    const out = join(o.tmp, `scaling-${k}.json`);
    const argv = tool === "loadr" ? [o.loadr, "run", plan, "--workers", k, "-q", "--summary-export", out] : [wrk!, `-t${k}`, `-c${o.connections}`, `-d${o.seconds}s`, o.url + "/"];
    rmSync(out, { force: true }); // a run that fails to write it must not read an earlier one's
    const m = await measuredRun(argv, { timeoutMs: o.seconds * 1000 + SLACK_MS, targetCpu: o.targetCpu, pin: false });
    try {
      const f = tool === "loadr" ? parseLoadrSummary(readFileSync(out, "utf8")) : parseWrk(m.stdout);
      const r = runFigures(m, f.rps, f.requests);
      console.log(`  round ${round + 1} ${side.padEnd(8)} ${Math.round(r.rps).toLocaleString("en-US")} req/s, ${r.cpuUsPerReq?.toFixed(2)} µs CPU/request`);
      return r;
    } catch (e) {
      errors[tool] = `${tool}: ${(e as Error).message}`;
      return undefined;
    }
  });
  const rps = (side: string) => (runs[side] ?? []).map((r) => r?.rps);
  return steps.map((k) => {
    const l = runs[`loadr ${k}`] ?? [];
    const w = runs[`wrk ${k}`] ?? [];
    const lSum = summarizeRuns(l);
    const wSum = wrk ? summarizeRuns(w) : undefined;
    const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : undefined);
    return {
      threads: k,
      loadr: finite(lSum.rps),
      wrk: finite(wSum?.rps),
      loadrCpuUs: finite(lSum.cpuUsPerReq),
      wrkCpuUs: finite(wSum?.cpuUsPerReq),
      ratio: pairedRatio(rps(`loadr ${k}`), rps(`wrk ${k}`))?.median,
      loadrScale: pairedRatio(rps(`loadr ${k}`), rps(`loadr ${steps[0]}`))?.median,
      wrkScale: wrk ? pairedRatio(rps(`wrk ${k}`), rps(`wrk ${steps[0]}`))?.median : undefined,
      foreignCpu: finite(median([...l, ...w].map((r) => r?.contention?.machine))) ?? null,
      contendedRuns: lSum.contendedRuns + (wSum?.contendedRuns ?? 0),
      okRuns: lSum.okRuns + (wSum?.okRuns ?? 0),
      ...(Object.keys(errors).length ? { error: Object.values(errors).join("; ") } : {}),
    };
  });
}
