/**
 * Bench `js` (issue 23): the JavaScript module API's costs, by loadr on one worker.
 *
 * - exec vs YAML: 50 VUs each iteration GET / + a status check, as a YAML plan and as a module
 *   `exec` written the k6 way (`http.get` + `check`); the module must keep ≥ 80 % of the YAML
 *   plan's requests/s (median of the alternated rounds' ratios).
 * - beforeRequest: the plain GET plan, and the same with a module whose `beforeRequest` adds a
 *   header to every request; the hook's cost is the difference of CPU µs per request (median of
 *   the rounds' differences), ≤ 3 µs.
 * - memory: 1,000 VUs (one worker), each with a module context reading one 5 MB SharedArray,
 *   a GET and 1 s of sleep per iteration; peak RSS < 600 MB.
 *
 * The four throughput plans run in one alternation, so each round's pairs ran side by side. Each
 * run is measured twice: whole (start-up to exit) and in its steady window, from WARM_SECONDS of
 * load to the load's end (lib/steady-window.ts), the same window for every plan. The targets are
 * judged on the steady window: each of the module plan's 50 VU contexts compiles and warms up its
 * own copy of the script, a start-up cost a 10 s run counts against it and a long test does not.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadrFigures, runLoadrPlan } from "./loadr-run.ts";
import { summarizeRuns, type RunFigures, type RunsSummary } from "./measure.ts";
import { beforeRequestPlan, checkedHttpPlan, httpPlan, jsExecPlan, sharedArrayData, sharedArrayPlan } from "./plans.ts";
import { alternate, median, pairedRatio, type PairedRatio } from "./stats.ts";
import { peakRss } from "./rss.ts";
import { pinning } from "./proc.ts";
import { sampleCpu, steadyFigures, WARM_SECONDS } from "./steady-window.ts";

export const JS_EXEC_TARGET_RATIO = 0.8;
export const JS_HOOK_TARGET_US = 3;
export const JS_RSS_TARGET_MB = 600;
const MEMORY_VUS = 1000;
const SHARED_MB = 5;

export interface JsBenchResult {
  status: "ok" | "failed";
  error?: string;
  seconds: number;
  vus: number;
  rounds: number;
  yaml?: RunsSummary;
  exec?: RunsSummary;
  plain?: RunsSummary;
  hook?: RunsSummary;
  /** check failures over the exec and YAML runs (must be 0) */
  checkFails?: number;
  /** the whole runs' comparison */
  whole?: JsComparison;
  /** the same runs from WARM_SECONDS of load to the load's end (what the targets are judged on) */
  warmSeconds?: number;
  steady?: JsComparison & { yaml: RunsSummary; exec: RunsSummary; plain: RunsSummary; hook: RunsSummary };
  memory?: { vus: number; sharedMB: number; seconds: number; peakRssMB?: number; hwmMB?: number; requests?: number; error?: string; ok?: boolean };
  execOk?: boolean;
  hookOk?: boolean;
}

/** The two comparisons of one set of runs (whole, or steady windows). */
export interface JsComparison {
  /** exec ÷ YAML requests/s, and YAML's CPU per request ÷ exec's; medians of the rounds */
  execRatio?: PairedRatio;
  execCpuRatio?: PairedRatio;
  /** hook − plain CPU µs per request, median of the rounds' differences, and the rounds' */
  hookUs?: number;
  hookUsRounds?: number[];
}

type Plan = "yaml" | "exec" | "plain" | "hook";

function compare(runs: Record<Plan, (RunFigures | undefined)[]>): JsComparison {
  const hookUsRounds = runs.hook.flatMap((h, i) => {
    const p = runs.plain[i];
    return h?.cpuUsPerReq !== undefined && p?.cpuUsPerReq !== undefined ? [h.cpuUsPerReq - p.cpuUsPerReq] : [];
  });
  return {
    execRatio: pairedRatio(runs.exec.map((r) => r?.rps), runs.yaml.map((r) => r?.rps)),
    execCpuRatio: pairedRatio(runs.yaml.map((r) => r?.cpuUsPerReq), runs.exec.map((r) => r?.cpuUsPerReq)),
    hookUs: hookUsRounds.length ? median(hookUsRounds) : undefined,
    hookUsRounds,
  };
}

export async function jsBench(o: { loadr: string; url: string; tmp: string; seconds: number; vus: number; rounds: number; vusSeconds: number; targetCpu: () => number }): Promise<JsBenchResult> {
  const base = { seconds: o.seconds, vus: o.vus, rounds: o.rounds };
  if (!existsSync(o.loadr)) return { ...base, status: "failed", error: `${o.loadr} does not exist — run \`bun run build\` first` };
  const plans = {
    yaml: checkedHttpPlan(o.url, o.vus, o.seconds),
    exec: jsExecPlan(o.url, o.vus, o.seconds),
    plain: httpPlan(o.url, o.vus, o.seconds),
    hook: beforeRequestPlan(o.url, o.vus, o.seconds),
  };
  let checkFails = 0;
  let runs: Record<Plan, { whole: RunFigures; steady?: RunFigures }[]>;
  try {
    runs = await alternate(
      ["yaml", "exec", "plain", "hook"] as const,
      o.rounds,
      async (name, round) => {
        let cpu: ReturnType<typeof sampleCpu> | undefined;
        const r = await runLoadrPlan({ loadr: o.loadr, tmp: o.tmp, name: `js-${name}`, plan: plans[name], seconds: o.seconds, targetCpu: o.targetCpu, onStart: (pid) => (cpu = sampleCpu(pid)) });
        cpu?.exited(r.measured.cpuSeconds);
        checkFails += (r.summary.checks ?? []).reduce((n, c) => n + c.fails, 0);
        const whole = loadrFigures(r);
        const w = cpu && steadyFigures(r.summary, cpu.samples, WARM_SECONDS);
        const steady = w && { ...whole, rps: w.rps, requests: w.requests, cpuUsPerReq: w.cpuUsPerReq };
        const us = (x: number | undefined) => x?.toFixed(2) ?? "—";
        console.log(
          `  round ${round + 1} ${name.padEnd(5)} ${Math.round(whole.rps).toLocaleString("en-US")} req/s, ${us(whole.cpuUsPerReq)} µs CPU/request` +
            ` (from ${WARM_SECONDS} s: ${steady ? Math.round(steady.rps).toLocaleString("en-US") : "—"} req/s, ${us(steady?.cpuUsPerReq)} µs), other work on its core ${whole.contention?.loadCore?.toFixed(2) ?? "—"}`,
        );
        return { whole, steady };
      },
      () => Bun.sleep(500),
    );
  } catch (e) {
    return { ...base, status: "failed", error: (e as Error).message };
  }
  const pick = (k: "whole" | "steady") => ({
    yaml: runs.yaml.map((r) => r[k]),
    exec: runs.exec.map((r) => r[k]),
    plain: runs.plain.map((r) => r[k]),
    hook: runs.hook.map((r) => r[k]),
  });
  const whole = pick("whole");
  const steadyRuns = pick("steady");
  const steady = { ...compare(steadyRuns), yaml: summarizeRuns(steadyRuns.yaml), exec: summarizeRuns(steadyRuns.exec), plain: summarizeRuns(steadyRuns.plain), hook: summarizeRuns(steadyRuns.hook) };
  const memory = await memoryRun(o);
  return {
    ...base,
    status: "ok",
    yaml: summarizeRuns(whole.yaml),
    exec: summarizeRuns(whole.exec),
    plain: summarizeRuns(whole.plain),
    hook: summarizeRuns(whole.hook),
    checkFails,
    whole: compare(whole),
    warmSeconds: WARM_SECONDS,
    steady,
    memory,
    execOk: (steady.execRatio?.median ?? 0) >= JS_EXEC_TARGET_RATIO && checkFails === 0,
    hookOk: steady.hookUs !== undefined && steady.hookUs <= JS_HOOK_TARGET_US,
  };
}

async function memoryRun(o: { loadr: string; url: string; tmp: string; vusSeconds: number }): Promise<NonNullable<JsBenchResult["memory"]>> {
  const data = join(o.tmp, "shared-users.json");
  writeFileSync(data, sharedArrayData(SHARED_MB));
  const plan = join(o.tmp, "js-shared-array.yaml");
  const out = join(o.tmp, "js-shared-array-summary.json");
  writeFileSync(plan, sharedArrayPlan(o.url, MEMORY_VUS, o.vusSeconds, data));
  const m = { vus: MEMORY_VUS, sharedMB: SHARED_MB, seconds: o.vusSeconds };
  console.log(`  memory: ${MEMORY_VUS} VUs with a module context and a ${SHARED_MB} MB SharedArray, ${o.vusSeconds} s`);
  const r = await peakRss(pinning.load([o.loadr, "run", plan, "--workers", "1", "-q", "--summary-export", out]), (o.vusSeconds + 60) * 1000, out);
  if (r.error !== undefined) return { ...m, error: r.error };
  return { ...m, peakRssMB: r.peakRssMB, hwmMB: r.hwmMB, requests: r.requests, ok: Math.max(r.peakRssMB ?? Infinity, r.hwmMB ?? 0) < JS_RSS_TARGET_MB };
}
