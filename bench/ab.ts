/**
 * `bun bench/ab.ts --baseline <old loadr> [--loadr dist/loadr] [--rounds 4] [--duration 5]` —
 * one binary against another on the same plans, the same target and the same core: the hot-path
 * regression check (a change to the request path must keep the plain HTTP, flow and WASM-plugin
 * plans within 3 % of the binary before it). Comparing a binary with itself is the comparison a
 * busy machine distorts least (bench/README.md "Alternated rounds"): the two sides run
 * alternately, round r starting with side r mod 2, and each figure is the median of the rounds'
 * own ratios. Writes bench/results/ab-<date>.json.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isContended } from "./lib/cpu.ts";
import { loadrFigures, runLoadrPlan } from "./lib/loadr-run.ts";
import type { RunFigures } from "./lib/measure.ts";
import { FLOW_USERS_CSV, flowPlan, httpPlan } from "./lib/plans.ts";
import { alternate, median, pairedRatio } from "./lib/stats.ts";
import { startTarget } from "./lib/target.ts";
import { EXTRACTORS, extractorPlan } from "./lib/wasm-bench.ts";

const USAGE = "usage: bun bench/ab.ts --baseline <loadr binary> [--loadr dist/loadr] [--rounds 4] [--duration 5] [--only http,flow,plugin]";
const root = resolve(import.meta.dir, "..");

function flags(argv: string[]): { baseline: string; loadr: string; rounds: number; seconds: number; only: string[] } {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const baseline = get("--baseline");
  if (!baseline) throw new Error(USAGE);
  return {
    baseline: resolve(baseline),
    loadr: resolve(root, get("--loadr") ?? "dist/loadr"),
    rounds: Number(get("--rounds") ?? 4),
    seconds: Number(get("--duration") ?? 5),
    only: (get("--only") ?? "http,flow,plugin").split(","),
  };
}

const o = flags(process.argv.slice(2));
for (const bin of [o.baseline, o.loadr]) if (!existsSync(bin)) throw new Error(`${bin} does not exist`);
const tmp = mkdtempSync(join(tmpdir(), "loadr-ab-"));
const target = await startTarget(root, "auto");
const csv = join(tmp, "flow-users.csv");
writeFileSync(csv, FLOW_USERS_CSV);
const plans: Record<string, string> = {
  http: httpPlan(target.url, 50, o.seconds),
  flow: flowPlan(target.url, 50, o.seconds, csv),
  plugin: extractorPlan(target.url, o.seconds, EXTRACTORS.plugin),
};
const sides = { before: o.baseline, after: o.loadr };
const out: Record<string, unknown> = { date: new Date().toISOString(), target: target.kind, baseline: o.baseline, loadr: o.loadr, rounds: o.rounds, seconds: o.seconds, plans: {} };
console.log(`target: ${target.kind} at ${target.url}; before = ${o.baseline}; after = ${o.loadr}; ${o.rounds} rounds of ${o.seconds} s`);
console.log("| plan | before req/s | after req/s | after ÷ before req/s | before CPU µs/req | after CPU µs/req | before ÷ after CPU/req | contended runs |");
console.log("|---|---|---|---|---|---|---|---|");
try {
  for (const name of o.only) {
    const plan = plans[name];
    if (!plan) throw new Error(`unknown plan ${name}\n${USAGE}`);
    const runs = await alternate(
      ["before", "after"] as const,
      o.rounds,
      async (side, round) => {
        const r = await runLoadrPlan({ loadr: sides[side], tmp, name: `ab-${name}-${side}`, plan, seconds: o.seconds, args: ["--plugins-dir", join(root, "dist/plugins")], targetCpu: () => target.cpuSeconds() });
        const f = loadrFigures(r);
        console.error(`  ${name} round ${round + 1} ${side}: ${Math.round(f.rps)} req/s, ${f.cpuUsPerReq?.toFixed(2)} µs CPU/request, other work on its core ${f.contention?.loadCore?.toFixed(2) ?? "—"}`);
        return f;
      },
      () => Bun.sleep(300),
    );
    const rps = (xs: RunFigures[]) => xs.map((x) => x.rps);
    const cpu = (xs: RunFigures[]) => xs.map((x) => x.cpuUsPerReq);
    const ratio = pairedRatio(rps(runs.after), rps(runs.before));
    const cpuRatio = pairedRatio(cpu(runs.before), cpu(runs.after));
    const contended = [...runs.before, ...runs.after].filter((r) => isContended(r.contention)).length;
    (out.plans as Record<string, unknown>)[name] = { before: runs.before, after: runs.after, ratio, cpuRatio, contended };
    const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "—");
    console.log(
      `| ${name} | ${f(median(rps(runs.before)))} | ${f(median(rps(runs.after)))} | ${f(ratio?.median ?? NaN, 3)} | ${f(median(cpu(runs.before)), 2)} | ${f(median(cpu(runs.after)), 2)} | ${f(cpuRatio?.median ?? NaN, 3)} | ${contended} of ${2 * o.rounds} |`,
    );
  }
  const file = join(root, "bench/results", `ab-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(file, JSON.stringify(out, null, 2) + "\n");
  console.log(`written: ${file}`);
} finally {
  await target.stop();
  rmSync(tmp, { recursive: true, force: true });
}
