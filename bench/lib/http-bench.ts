/**
 * Bench 1: requests/s and latency of loadr beside wrk, autocannon and hey — one after another,
 * same target, same closed model (50 connections/VUs, no think time), each on the same single
 * core (core 1; the target has core 0).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { foreignCpuShare, machineBusySeconds } from "./cpu.ts";
import { parseAutocannon, parseHey, parseLoadrSummary, parseWrk, type LoadFigures } from "./parse.ts";
import { httpPlan } from "./plans.ts";
import { autocannonCommand, findTool } from "./prereqs.ts";
import { pinning, run, type RunResult } from "./proc.ts";

export interface ToolRow extends Partial<LoadFigures> {
  tool: string;
  status: "ok" | "not installed" | "failed";
  command?: string;
  /** why it failed */
  error?: string;
  /** CPU used by other work while the tool ran, in cores (0 = the run had the machine to itself) */
  foreignCpu?: number | null;
  /** CPU the target used while the tool ran, in cores (near 1 = the target's core is the limit) */
  targetCores?: number;
}

export interface HttpBenchContext {
  root: string;
  url: string;
  seconds: number;
  connections: number;
  tmp: string;
  loadr: string;
  rawDir?: string;
  /** the target's CPU seconds so far (to tell foreign CPU use from the target's) */
  targetCpu: () => number;
}

/** Grace beyond the nominal duration before a tool is killed. */
const SLACK_MS = 30_000;

function saveRaw(ctx: HttpBenchContext, name: string, r: RunResult) {
  if (ctx.rawDir) writeFileSync(join(ctx.rawDir, name), r.stdout + (r.stderr ? `\n--- stderr ---\n${r.stderr}` : ""));
}

async function measure(
  ctx: HttpBenchContext,
  tool: string,
  argv: string[],
  parse: (r: RunResult) => LoadFigures,
  rawName: string,
): Promise<ToolRow> {
  const pinned = pinning.load(argv);
  const command = pinned.join(" ").replace(ctx.root + "/", "");
  process.stdout.write(`  ${tool.padEnd(11)} ${command}\n`);
  const busyBefore = machineBusySeconds();
  const targetBefore = ctx.targetCpu();
  const r = await run(pinned, ctx.seconds * 1000 + SLACK_MS);
  const foreignCpu = foreignCpuShare({
    busyBefore,
    busyAfter: machineBusySeconds(),
    targetBefore,
    targetAfter: ctx.targetCpu(),
    toolSeconds: r.cpuSeconds,
    wallSeconds: r.ms / 1000,
  });
  const targetCores = (ctx.targetCpu() - targetBefore) / (r.ms / 1000);
  saveRaw(ctx, rawName, r);
  if (r.timedOut) return { tool, status: "failed", command, foreignCpu, error: `killed after ${Math.round(r.ms / 1000)} s` };
  try {
    return { tool, status: "ok", command, foreignCpu, targetCores, ...parse(r) };
  } catch (e) {
    const tail = (r.stderr || r.stdout).trim().split("\n").slice(-2).join(" / ");
    return { tool, status: "failed", command, error: `exit ${r.code}: ${(e as Error).message}${tail ? ` — ${tail}` : ""}` };
  }
}

export async function runLoadr(ctx: HttpBenchContext, tool = "loadr", extra: string[] = []): Promise<ToolRow> {
  if (!existsSync(ctx.loadr)) {
    return { tool, status: "failed", error: `${relative(process.cwd(), ctx.loadr)} does not exist — run \`bun run build\` first` };
  }
  const plan = join(ctx.tmp, "http.yaml");
  const out = join(ctx.tmp, "http-summary.json");
  writeFileSync(plan, httpPlan(ctx.url, ctx.connections, ctx.seconds));
  return measure(
    ctx,
    tool,
    [ctx.loadr, "run", plan, "--workers", "1", "-q", "--summary-export", out, ...extra],
    (r) => {
      // 0 = passed, 99 = a threshold failed (there are none here); anything else is an error
      if (r.code !== 0 && r.code !== 99) throw new Error(`loadr exited ${r.code}`);
      const text = readFileSync(out, "utf8");
      if (ctx.rawDir) writeFileSync(join(ctx.rawDir, "loadr-summary.json"), text);
      const { avg: _avg, durationSecs: _d, ...figures } = parseLoadrSummary(text);
      return figures;
    },
    "loadr.txt",
  );
}

/** The same run with the `json` output on (every raw sample written as NDJSON): the outputs' cost. */
export async function runLoadrJson(ctx: HttpBenchContext): Promise<ToolRow> {
  const points = join(ctx.tmp, "http-points.ndjson");
  const row = await runLoadr(ctx, "loadr + json output", ["--output", `json=${points}`]);
  rmSync(points, { force: true });
  return row;
}

export async function runWrk(ctx: HttpBenchContext): Promise<ToolRow> {
  const wrk = findTool("wrk");
  if (!wrk) return { tool: "wrk", status: "not installed" };
  const script = join(ctx.root, "bench", "wrk-report.lua");
  return measure(
    ctx,
    "wrk",
    [wrk, "-t1", `-c${ctx.connections}`, `-d${ctx.seconds}s`, "--latency", "-s", script, `${ctx.url}/`],
    (r) => parseWrk(r.stdout),
    "wrk.txt",
  );
}

export async function runAutocannon(ctx: HttpBenchContext): Promise<ToolRow> {
  const ac = autocannonCommand(ctx.root);
  if (!ac) return { tool: "autocannon", status: "not installed", error: "run `bun install` (pinned devDependency)" };
  return measure(
    ctx,
    "autocannon",
    [...ac, "-c", String(ctx.connections), "-d", String(ctx.seconds), "--json", `${ctx.url}/`],
    (r) => parseAutocannon(r.stdout),
    "autocannon.json",
  );
}

export async function runHey(ctx: HttpBenchContext): Promise<ToolRow> {
  const hey = findTool("hey");
  if (!hey) return { tool: "hey", status: "not installed" };
  return measure(
    ctx,
    "hey",
    [hey, "-c", String(ctx.connections), "-z", `${ctx.seconds}s`, `${ctx.url}/`],
    (r) => parseHey(r.stdout),
    "hey.txt",
  );
}

export async function httpBench(ctx: HttpBenchContext): Promise<ToolRow[]> {
  const rows: ToolRow[] = [];
  for (const step of [runLoadr, runLoadrJson, runWrk, runAutocannon, runHey]) {
    rows.push(await step(ctx));
    await Bun.sleep(1000); // let TIME_WAIT sockets and the target settle between tools
  }
  return rows;
}
