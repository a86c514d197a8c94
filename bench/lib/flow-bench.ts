/**
 * Bench 4 (issue 4): a realistic flow against plain GET, both by loadr on one worker, alternated
 * on the same target and core. The flow (3 requests, a jsonpath extraction, a chain with
 * transform and check, a CSV feeder) must keep ≥ 80 % of plain GET's requests/s.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadrFigures, runLoadrPlan } from "./loadr-run.ts";
import { summarizeRuns, type RunFigures, type RunsSummary } from "./measure.ts";
import { FLOW_USERS_CSV, flowPlan, httpPlan } from "./plans.ts";
import { alternate, pairedRatio, type PairedRatio } from "./stats.ts";

export const FLOW_TARGET_RATIO = 0.8;

export interface FlowResult {
  status: "ok" | "failed";
  error?: string;
  seconds: number;
  vus: number;
  rounds?: number;
  plain?: RunsSummary & { runs_rps: number[] };
  flow?: RunsSummary & { runs_rps: number[] };
  /** checks failed over the flow runs (must be 0: the flow really extracted and checked) */
  flowCheckFails?: number;
  /** flow ÷ plain requests/s, median of the rounds */
  ratio?: PairedRatio;
  /** plain's CPU µs per request ÷ the flow's, median of the rounds: the share of per-request efficiency the flow keeps */
  cpuRatio?: PairedRatio;
  ok?: boolean;
}

export async function flowBench(o: { loadr: string; url: string; tmp: string; seconds: number; vus: number; rounds: number; targetCpu: () => number }): Promise<FlowResult> {
  const base = { seconds: o.seconds, vus: o.vus, rounds: o.rounds };
  if (!existsSync(o.loadr)) return { ...base, status: "failed", error: `${o.loadr} does not exist — run \`bun run build\` first` };
  const csv = join(o.tmp, "flow-users.csv");
  writeFileSync(csv, FLOW_USERS_CSV);
  const plans = { plain: httpPlan(o.url, o.vus, o.seconds), flow: flowPlan(o.url, o.vus, o.seconds, csv) };
  let checkFails = 0;
  try {
    const runs = await alternate(
      ["plain", "flow"] as const,
      o.rounds,
      async (name, round) => {
        const r = await runLoadrPlan({ loadr: o.loadr, tmp: o.tmp, name: `flow-${name}`, plan: plans[name], seconds: o.seconds, targetCpu: o.targetCpu });
        if (name === "flow") checkFails += (r.summary.checks ?? []).reduce((n, c) => n + c.fails, 0);
        const f = loadrFigures(r);
        console.log(`  round ${round + 1} ${name.padEnd(5)} ${Math.round(f.rps).toLocaleString("en-US")} req/s, ${f.cpuUsPerReq?.toFixed(2)} µs CPU/request, other work on its core ${f.contention?.loadCore?.toFixed(2) ?? "—"}`);
        return f;
      },
      () => Bun.sleep(500),
    );
    const side = (xs: RunFigures[]) => ({ ...summarizeRuns(xs), runs_rps: xs.map((x) => x.rps) });
    const ratio = pairedRatio(runs.flow.map((r) => r.rps), runs.plain.map((r) => r.rps));
    const cpuRatio = pairedRatio(runs.plain.map((r) => r.cpuUsPerReq), runs.flow.map((r) => r.cpuUsPerReq));
    return {
      ...base,
      status: "ok",
      plain: side(runs.plain),
      flow: side(runs.flow),
      flowCheckFails: checkFails,
      ratio,
      cpuRatio,
      ok: (ratio?.median ?? 0) >= FLOW_TARGET_RATIO && checkFails === 0,
    };
  } catch (e) {
    return { ...base, status: "failed", error: (e as Error).message };
  }
}
