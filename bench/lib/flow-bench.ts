/**
 * Bench 4 (issue 4): a realistic flow against plain GET, both by loadr on one worker, one after
 * the other on the same target and core. The flow (3 requests, a jsonpath extraction, a chain
 * with transform and check, a CSV feeder) must keep ≥ 80 % of plain GET's requests/s.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseLoadrSummary } from "./parse.ts";
import { FLOW_USERS_CSV, flowPlan, httpPlan } from "./plans.ts";
import { pinning, run } from "./proc.ts";

export const FLOW_TARGET_RATIO = 0.8;
/** plain/flow pairs run, interleaved; the best requests/s of each plan counts */
const ROUNDS = 3;

export interface FlowResult {
  status: "ok" | "failed";
  error?: string;
  seconds: number;
  vus: number;
  plainRps?: number;
  flowRps?: number;
  /** requests per CPU-second of the loadr process (less sensitive to other work on the machine) */
  plainPerCpu?: number;
  flowPerCpu?: number;
  /** checks failed in the flow run (must be 0: the flow really extracted and checked) */
  flowCheckFails?: number;
  ratio?: number;
  ok?: boolean;
}

export async function flowBench(o: { loadr: string; url: string; tmp: string; seconds: number; vus: number }): Promise<FlowResult> {
  const base = { seconds: o.seconds, vus: o.vus };
  if (!existsSync(o.loadr)) return { ...base, status: "failed", error: `${o.loadr} does not exist — run \`bun run build\` first` };
  const csv = join(o.tmp, "flow-users.csv");
  writeFileSync(csv, FLOW_USERS_CSV);
  const once = async (name: string, plan: string) => {
    const file = join(o.tmp, `${name}.yaml`);
    const out = join(o.tmp, `${name}-summary.json`);
    writeFileSync(file, plan);
    const argv = pinning.load([o.loadr, "run", file, "--workers", "1", "-q", "--summary-export", out]);
    process.stdout.write(`  ${name.padEnd(6)} ${argv.join(" ")}\n`);
    const r = await run(argv, o.seconds * 1000 + 30_000);
    if (r.code !== 0 && r.code !== 99) throw new Error(`${name}: loadr exited ${r.code}: ${r.stderr.trim().split("\n").pop()}`);
    const text = readFileSync(out, "utf8");
    const summary = JSON.parse(text) as { checks?: { fails: number }[]; metrics: { metric: string; agg: { sum: number } }[] };
    const requests = summary.metrics.find((m) => m.metric === "http_reqs")?.agg.sum ?? 0;
    const checkFails = (summary.checks ?? []).reduce((n, c) => n + c.fails, 0);
    return { rps: parseLoadrSummary(text).rps, perCpu: r.cpuSeconds > 0 ? requests / r.cpuSeconds : 0, checkFails };
  };
  try {
    // Interleaved rounds, best of each: on a shared machine a burst of other work during one
    // run would otherwise decide the ratio.
    let plain = { rps: 0, perCpu: 0, checkFails: 0 };
    let flow = { rps: 0, perCpu: 0, checkFails: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const p = await once("plain", httpPlan(o.url, o.vus, o.seconds));
      await Bun.sleep(500);
      const f = await once("flow", flowPlan(o.url, o.vus, o.seconds, csv));
      await Bun.sleep(500);
      plain = { rps: Math.max(plain.rps, p.rps), perCpu: Math.max(plain.perCpu, p.perCpu), checkFails: 0 };
      flow = { rps: Math.max(flow.rps, f.rps), perCpu: Math.max(flow.perCpu, f.perCpu), checkFails: Math.max(flow.checkFails, f.checkFails) };
    }
    const ratio = flow.rps / plain.rps;
    return { ...base, status: "ok", plainRps: plain.rps, flowRps: flow.rps, plainPerCpu: plain.perCpu, flowPerCpu: flow.perCpu, flowCheckFails: flow.checkFails, ratio, ok: ratio >= FLOW_TARGET_RATIO && flow.checkFails === 0 };
  } catch (e) {
    return { ...base, status: "failed", error: (e as Error).message };
  }
}
