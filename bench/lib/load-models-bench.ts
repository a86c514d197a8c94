/**
 * Benches of the load models (issue 3):
 *   arrival — constant-arrival-rate accuracy: asked vs achieved iterations/s and dropped
 *             iterations at 1k, 10k and 50k/s (loadr pinned to the load core, one worker);
 *   scaling — requests/s of loadr with 1, 2, … N workers beside wrk -t1, -t2, … -tN, same target,
 *             same connection count, the load generator not pinned (it may use every core).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { foreignCpuShare, machineBusySeconds } from "./cpu.ts";
import { parseLoadrSummary, parseWrk, summaryMetric, type Summary } from "./parse.ts";
import { arrivalPlan, httpPlan } from "./plans.ts";
import { findTool } from "./prereqs.ts";
import { pinning, run } from "./proc.ts";

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
  foreignCpu?: number | null;
  ok?: boolean;
}

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
    const argv = pinning.load([o.loadr, "run", plan, "--workers", "1", "-q", "--summary-export", out]);
    console.log(`  loadr       ${rate}/s × ${o.seconds} s: ${argv.join(" ")}`);
    const busy0 = machineBusySeconds();
    const t0 = o.targetCpu();
    const r = await run(argv, o.seconds * 1000 + SLACK_MS);
    const foreignCpu = foreignCpuShare({ busyBefore: busy0, busyAfter: machineBusySeconds(), targetBefore: t0, targetAfter: o.targetCpu(), toolSeconds: r.cpuSeconds, wallSeconds: r.ms / 1000 });
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
  loadr?: number;
  wrk?: number;
  /** loadr's requests/s over its own 1-worker figure */
  loadrScale?: number;
  wrkScale?: number;
  foreignCpu?: number | null;
  error?: string;
}

/** 1, 2, 4, … up to the core count (and the core count itself). */
export function threadSteps(n = cpus().length): number[] {
  const out: number[] = [];
  for (let k = 1; k < n; k *= 2) out.push(k);
  out.push(n);
  return [...new Set(out)];
}

export async function scalingBench(o: { loadr: string; url: string; tmp: string; seconds: number; connections: number; targetCpu: () => number }): Promise<ScalingRow[]> {
  const rows: ScalingRow[] = [];
  const wrk = findTool("wrk");
  const plan = join(o.tmp, "scaling.yaml");
  writeFileSync(plan, httpPlan(o.url, o.connections, o.seconds));
  for (const k of threadSteps()) {
    const row: ScalingRow = { threads: k };
    const busy0 = machineBusySeconds();
    const t0 = o.targetCpu();
    let ownCpu = 0;
    let wall = 0;
    const out = join(o.tmp, `scaling-${k}.json`);
    console.log(`  loadr       --workers ${k}, ${o.connections} VUs`);
    const r = await run([o.loadr, "run", plan, "--workers", String(k), "-q", "--summary-export", out], o.seconds * 1000 + SLACK_MS);
    ownCpu += r.cpuSeconds;
    wall += r.ms / 1000;
    try {
      row.loadr = parseLoadrSummary(readFileSync(out, "utf8")).rps;
    } catch (e) {
      row.error = `loadr: ${(e as Error).message}`;
    }
    if (wrk) {
      console.log(`  wrk         -t${k} -c${o.connections}`);
      const w = await run([wrk, `-t${k}`, `-c${o.connections}`, `-d${o.seconds}s`, o.url + "/"], o.seconds * 1000 + SLACK_MS);
      ownCpu += w.cpuSeconds;
      wall += w.ms / 1000;
      try {
        row.wrk = parseWrk(w.stdout).rps;
      } catch (e) {
        row.error = `${row.error ? row.error + "; " : ""}wrk: ${(e as Error).message}`;
      }
    }
    row.foreignCpu = foreignCpuShare({ busyBefore: busy0, busyAfter: machineBusySeconds(), targetBefore: t0, targetAfter: o.targetCpu(), toolSeconds: ownCpu, wallSeconds: wall });
    rows.push(row);
  }
  const base = rows[0];
  for (const r of rows) {
    if (base?.loadr && r.loadr) r.loadrScale = r.loadr / base.loadr;
    if (base?.wrk && r.wrk) r.wrkScale = r.wrk / base.wrk;
  }
  return rows;
}
