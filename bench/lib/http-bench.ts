/**
 * Bench 1: requests/s, CPU per request and latency of loadr beside wrk, autocannon and hey —
 * same target, same closed model (50 connections/VUs, no think time), each on the same single
 * core (core 1; the target has core 0). The tools run in rounds, the order rotated each round
 * (lib/stats.ts), so a burst of other work on the shared machine spoils one round's pairs, not a
 * tool's only run; every figure is a median over the rounds.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { asRun, measuredRun, runFigures, summarizeRuns, type MeasuredRun, type RunFigures, type RunsSummary } from "./measure.ts";
import { parseAutocannon, parseHey, parseLoadrSummary, parseWrk, type LoadFigures } from "./parse.ts";
import { httpPlan } from "./plans.ts";
import { autocannonCommand, findTool } from "./prereqs.ts";
import { alternate, median, pairedRatio, type PairedRatio } from "./stats.ts";

/** One run of one tool. */
export interface ToolRun extends Partial<LoadFigures>, Partial<RunFigures> {
  status: "ok" | "failed";
  error?: string;
}

/** A tool's row: medians over its rounds (RunsSummary), its runs, and how it was run. */
export interface ToolRow extends Partial<RunsSummary> {
  tool: string;
  status: "ok" | "not installed" | "failed";
  command?: string;
  /** why it failed (every round failed) or is missing */
  error?: string;
  /** one per round, in round order */
  runs?: ToolRun[];
  /** medians of the runs' percentiles, ms */
  p50?: number | null;
  p95?: number | null;
  p99?: number | null;
  /** median requests per run */
  requests?: number;
  /** failed requests over all runs */
  errors?: number;
  note?: string;
}

/** loadr against one other row: median of the per-round ratios of requests/s and of CPU per request. */
export interface ToolRatio {
  /** loadr's requests/s ÷ the tool's (json row: its requests/s ÷ loadr's, the share it keeps) */
  rps?: PairedRatio;
  /** the tool's CPU µs per request ÷ loadr's (json row: loadr's ÷ its): > 1 = loadr does a request for less CPU */
  cpu?: PairedRatio;
}

export interface HttpBenchContext {
  root: string;
  url: string;
  seconds: number;
  connections: number;
  rounds: number;
  tmp: string;
  loadr: string;
  rawDir?: string;
  /** the target's CPU seconds so far (to tell foreign CPU use from the target's) */
  targetCpu: () => number;
}

/** Grace beyond the nominal duration before a tool is killed. */
const SLACK_MS = 30_000;
export const LOADR = "loadr";
export const LOADR_JSON = "loadr + json output";

/** How to run one tool, or why it cannot run here. */
interface ToolSetup {
  argv?: string[];
  /** why not (missing tool or binary) */
  missing?: { status: "not installed" | "failed"; error?: string };
  parse?: (m: MeasuredRun) => LoadFigures;
  /** file name of the raw output in --raw-dir (the round number is added) */
  raw?: string;
  /** after each run (the json output's file is large) */
  cleanup?: () => void;
}

function loadrSetup(ctx: HttpBenchContext, name: string, extra: string[], cleanup?: () => void): ToolSetup {
  if (!existsSync(ctx.loadr)) return { missing: { status: "failed", error: `${relative(process.cwd(), ctx.loadr)} does not exist — run \`bun run build\` first` } };
  const slug = name === LOADR ? "loadr" : "loadr-json";
  const plan = join(ctx.tmp, "http.yaml");
  const out = join(ctx.tmp, `${slug}-summary.json`);
  writeFileSync(plan, httpPlan(ctx.url, ctx.connections, ctx.seconds));
  return {
    argv: [ctx.loadr, "run", plan, "--workers", "1", "-q", "--summary-export", out, ...extra],
    raw: `${slug}.txt`,
    cleanup,
    parse: (r) => {
      // 0 = passed, 99 = a threshold failed (there are none here); anything else is an error
      if (r.code !== 0 && r.code !== 99) throw new Error(`loadr exited ${r.code}`);
      const text = readFileSync(out, "utf8");
      rmSync(out, { force: true }); // a later run that fails to write it must not read this one's
      if (ctx.rawDir) writeFileSync(join(ctx.rawDir, `${slug}-summary.json`), text);
      const { avg: _avg, durationSecs: _d, ...figures } = parseLoadrSummary(text);
      return figures;
    },
  };
}

const TOOLS: { name: string; setup: (ctx: HttpBenchContext) => ToolSetup }[] = [
  { name: LOADR, setup: (ctx) => loadrSetup(ctx, LOADR, []) },
  {
    // the same run with the `json` output on (every raw sample written as NDJSON): the outputs' cost
    name: LOADR_JSON,
    setup: (ctx) => {
      const points = join(ctx.tmp, "http-points.ndjson");
      return loadrSetup(ctx, LOADR_JSON, ["--output", `json=${points}`], () => rmSync(points, { force: true }));
    },
  },
  {
    name: "wrk",
    setup: (ctx) => {
      const wrk = findTool("wrk");
      if (!wrk) return { missing: { status: "not installed" } };
      const script = join(ctx.root, "bench", "wrk-report.lua");
      return { argv: [wrk, "-t1", `-c${ctx.connections}`, `-d${ctx.seconds}s`, "--latency", "-s", script, `${ctx.url}/`], raw: "wrk.txt", parse: (r) => parseWrk(r.stdout) };
    },
  },
  {
    name: "autocannon",
    setup: (ctx) => {
      const ac = autocannonCommand(ctx.root);
      if (!ac) return { missing: { status: "not installed", error: "run `bun install` (pinned devDependency)" } };
      return { argv: [...ac, "-c", String(ctx.connections), "-d", String(ctx.seconds), "--json", `${ctx.url}/`], raw: "autocannon.json", parse: (r) => parseAutocannon(r.stdout) };
    },
  },
  {
    name: "hey",
    setup: (ctx) => {
      const hey = findTool("hey");
      if (!hey) return { missing: { status: "not installed" } };
      return { argv: [hey, "-c", String(ctx.connections), "-z", `${ctx.seconds}s`, `${ctx.url}/`], raw: "hey.txt", parse: (r) => parseHey(r.stdout) };
    },
  },
];

async function runTool(ctx: HttpBenchContext, name: string, s: ToolSetup, round: number): Promise<ToolRun> {
  const m = await measuredRun(s.argv!, { timeoutMs: ctx.seconds * 1000 + SLACK_MS, targetCpu: ctx.targetCpu });
  s.cleanup?.();
  if (ctx.rawDir && s.raw) writeFileSync(join(ctx.rawDir, `r${round + 1}-${s.raw}`), m.stdout + (m.stderr ? `\n--- stderr ---\n${m.stderr}` : ""));
  let run: ToolRun;
  if (m.timedOut) run = { status: "failed", error: `killed after ${Math.round(m.ms / 1000)} s` };
  else {
    try {
      const f = s.parse!(m);
      run = { status: "ok", ...f, ...runFigures(m, f.rps, f.requests) };
    } catch (e) {
      const tail = (m.stderr || m.stdout).trim().split("\n").slice(-2).join(" / ");
      run = { status: "failed", error: `exit ${m.code}: ${(e as Error).message}${tail ? ` — ${tail}` : ""}` };
    }
  }
  const cpu = run.cpuUsPerReq === undefined ? "" : `, ${run.cpuUsPerReq.toFixed(2)} µs CPU/request`;
  const other = m.contention.loadCore ?? m.contention.machine;
  console.log(`    ${name.padEnd(20)} ${run.status === "ok" ? `${Math.round(run.rps!).toLocaleString("en-US")} req/s${cpu}${other === null || other === undefined ? "" : `, other work on its core ${other.toFixed(2)}`}` : `failed: ${run.error}`}`);
  return run;
}

/** A tool's row from its rounds. */
export function toolRow(tool: string, command: string | undefined, runs: ToolRun[]): ToolRow {
  const ok = runs.map((r) => (r?.status === "ok" ? r : undefined));
  const good = ok.filter((r): r is ToolRun => r !== undefined);
  if (good.length === 0) return { tool, status: "failed", command, runs, error: runs.find((r) => r?.error)?.error ?? "no run" };
  return {
    tool,
    status: "ok",
    command,
    runs,
    ...summarizeRuns(ok as (RunFigures | undefined)[]),
    p50: nullableMedian(good.map((r) => r.p50)),
    p95: nullableMedian(good.map((r) => r.p95)),
    p99: nullableMedian(good.map((r) => r.p99)),
    requests: median(good.map((r) => r.requests)),
    errors: good.reduce((n, r) => n + (r.errors ?? 0), 0),
    note: good.find((r) => r.note)?.note,
  };
}

function nullableMedian(xs: (number | null | undefined)[]): number | null {
  const m = median(xs);
  return Number.isFinite(m) ? m : null;
}

/** Per-round series of a row (undefined where that round failed), to pair rounds across rows. */
const series = (row: ToolRow | undefined, f: (r: ToolRun) => number | undefined) => (row?.runs ?? []).map((r) => (r?.status === "ok" ? f(r) : undefined));

/**
 * loadr against every other row that ran: medians of per-round ratios. For peers, loadr ÷ tool;
 * for the json-output row, the share of loadr's plain run it keeps.
 */
export function httpRatios(rows: ToolRow[]): Record<string, ToolRatio> {
  const loadr = rows.find((r) => r.tool === LOADR && r.status === "ok");
  const out: Record<string, ToolRatio> = {};
  if (!loadr) return out;
  const rps = (row: ToolRow | undefined) => series(row, (r) => r.rps);
  const cpu = (row: ToolRow | undefined) => series(row, (r) => r.cpuUsPerReq);
  for (const row of rows) {
    if (row === loadr || row.status !== "ok") continue;
    out[row.tool] =
      row.tool === LOADR_JSON
        ? { rps: pairedRatio(rps(row), rps(loadr)), cpu: pairedRatio(cpu(loadr), cpu(row)) }
        : { rps: pairedRatio(rps(loadr), rps(row)), cpu: pairedRatio(cpu(row), cpu(loadr)) };
  }
  return out;
}

export async function httpBench(ctx: HttpBenchContext): Promise<{ rows: ToolRow[]; ratios: Record<string, ToolRatio> }> {
  const setups = new Map(TOOLS.map((t) => [t.name, t.setup(ctx)]));
  const runnable = TOOLS.map((t) => t.name).filter((n) => setups.get(n)!.argv);
  const command = (argv: string[]) => asRun(argv).join(" ").replace(ctx.root + "/", "");
  for (const n of runnable) console.log(`  ${n.padEnd(20)} ${command(setups.get(n)!.argv!)}`);
  let round = -1;
  const runs = await alternate(
    runnable,
    ctx.rounds,
    (name, r) => {
      if (r !== round) console.log(`  round ${(round = r) + 1} of ${ctx.rounds}`);
      return runTool(ctx, name, setups.get(name)!, r);
    },
    () => Bun.sleep(1000), // let TIME_WAIT sockets and the target settle between tools
  );
  const rows = TOOLS.map(({ name }): ToolRow => {
    const s = setups.get(name)!;
    if (!s.argv) return { tool: name, ...s.missing! };
    return toolRow(name, command(s.argv), runs[name]!);
  });
  return { rows, ratios: httpRatios(rows) };
}
