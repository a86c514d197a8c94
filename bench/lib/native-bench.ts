/**
 * Bench 4: native plugins (issue 6).
 *   a. echo-proto, non-blocking, called inline through the full request path (VU loop,
 *      templates, metrics) on one worker — target ≥ 100,000 requests/s — alternated with a plain
 *      GET run of the same plan shape against the HTTP target (the median ratio is recorded);
 *   b. a blocking plugin that sleeps 5 ms per call, 64 VUs, one worker — target ≥ 90 % of the
 *      ideal 12,800 calls/s with event-loop lag p99 < 5 ms (LOADR_LOOP_LAG_PROBE);
 *   c. the redis plugin against redis-server, GET and SET, alternated with `redis-benchmark` at
 *      the same connection count (no pipelining on either side).
 * Every generator run carries its CPU µs per request (lib/measure.ts).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { treeCpuSeconds } from "./cpu.ts";
import { loadrFigures, runLoadrPlan, type LoadrRun } from "./loadr-run.ts";
import { measuredRun, summarizeRuns, type RunsSummary } from "./measure.ts";
import { summaryMetric } from "./parse.ts";
import { findTool } from "./prereqs.ts";
import { pinning } from "./proc.ts";
import { alternate, cpuUsPerRequest, median, pairedRatio, type PairedRatio } from "./stats.ts";

export const ECHO_TARGET_RPS = 100_000;
export const BLOCKING_IDEAL = 12_800;
export const BLOCKING_MIN_RATIO = 0.9;
export const LAG_P99_TARGET_MS = 5;
const REDIS_CONNECTIONS = 50;

export interface NativeResult {
  echo?: {
    status: "ok" | "failed";
    error?: string;
    rounds?: number;
    /** medians over the rounds; the GET side runs only when an HTTP target is up */
    echo?: RunsSummary;
    get?: RunsSummary;
    rps?: number;
    plainGetRps?: number;
    /** echo-proto ÷ plain GET requests/s, and GET's CPU µs per request ÷ echo-proto's: medians of the rounds */
    ratioToGet?: PairedRatio;
    cpuRatioToGet?: PairedRatio;
    ok?: boolean;
  };
  blocking?: { status: "ok" | "failed"; error?: string; rps?: number; ratio?: number; cpuUsPerCall?: number; lagP99Ms?: number; lagMaxMs?: number; ok?: boolean };
  redis?: {
    status: "ok" | "failed";
    error?: string;
    connections: number;
    rounds?: number;
    rows?: {
      command: string;
      /** medians over the rounds */
      loadr?: number;
      redisBenchmark?: number;
      loadrCpuUs?: number;
      /** redis-benchmark's CPU over all its requests (it runs SET and GET in one process) */
      redisBenchmarkCpuUs?: number;
      /** loadr ÷ redis-benchmark requests/s, median of the rounds */
      ratio?: number;
      /** redis-benchmark's CPU µs per request ÷ loadr's, median of the rounds */
      cpuRatio?: number;
      loadrP99Ms?: number;
    }[];
  };
}

function buildBlocking(root: string, tmp: string): string {
  const out = join(tmp, "libecho_block.so");
  const r = Bun.spawnSync(["cc", "-O2", "-fPIC", "-shared", "-DECHO_PROTO_BLOCKING", "-o", out, join(root, "plugins/examples/native-protocol/echo_proto.c")], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`cc: ${r.stderr.toString().trim()}`);
  return out;
}

const agg = (r: LoadrRun, m: string) => summaryMetric(r.summary, m)?.agg;

export async function nativeBench(o: { root: string; loadr: string; tmp: string; seconds: number; rounds: number; httpUrl?: string; targetCpu?: () => number }): Promise<NativeResult> {
  const plugins = join(o.root, "dist/plugins");
  const res: NativeResult = {};
  if (!existsSync(o.loadr) || !existsSync(join(plugins, "echo-proto"))) {
    const error = "dist/loadr or dist/plugins is missing — run `bun run build` first";
    return { echo: { status: "failed", error }, blocking: { status: "failed", error }, redis: { status: "failed", error, connections: REDIS_CONNECTIONS } };
  }
  const echoLib = join(plugins, "echo-proto/libecho_proto.so");
  const plan = (url: string, extra: string, vus = 50) => `
plugins:
  - { name: echo-proto, path: ${echoLib} }
${extra}
scenarios:
  s:
    executor: constant-vus
    vus: ${vus}
    duration: ${o.seconds}s
    flow:
      - request: { url: "${url}" }
`;

  // a. inline echo vs plain GET, alternated
  try {
    const sides = o.httpUrl ? (["echo", "get"] as const) : (["echo"] as const);
    const runs = await alternate(sides, o.rounds, async (side, round) => {
      const isEcho = side === "echo";
      const r = await runLoadrPlan({ ...o, name: `native-${side}`, plan: plan(isEcho ? "echo-proto://bench/" : o.httpUrl!, ""), targetCpu: isEcho ? undefined : o.targetCpu });
      const f = loadrFigures(r, isEcho ? "echo_proto_reqs" : "http_reqs");
      console.log(`  round ${round + 1} ${isEcho ? "echo-proto" : "plain GET "} ${Math.round(f.rps).toLocaleString("en-US")} req/s, ${f.cpuUsPerReq?.toFixed(2)} µs CPU/request`);
      return f;
    });
    const echo = summarizeRuns(runs.echo);
    const get = "get" in runs ? summarizeRuns(runs.get) : undefined;
    res.echo = {
      status: "ok",
      rounds: o.rounds,
      echo,
      get,
      rps: echo.rps,
      plainGetRps: get?.rps,
      ratioToGet: "get" in runs ? pairedRatio(runs.echo.map((r) => r.rps), runs.get.map((r) => r.rps)) : undefined,
      cpuRatioToGet: "get" in runs ? pairedRatio(runs.get.map((r) => r.cpuUsPerReq), runs.echo.map((r) => r.cpuUsPerReq)) : undefined,
      ok: echo.rps >= ECHO_TARGET_RPS,
    };
  } catch (e) {
    res.echo = { status: "failed", error: (e as Error).message };
  }

  // b. blocking 5 ms × 64 VUs
  try {
    const lib = buildBlocking(o.root, o.tmp);
    const r = await runLoadrPlan({
      ...o,
      name: "native-blocking",
      env: { LOADR_LOOP_LAG_PROBE: "1" },
      // not pinned: the 64 pool threads only sleep; squeezing them and the JS thread onto one core
      // would measure the scheduler, not the shim (the spike measured on the whole machine too)
      pin: false,
      plan: `
plugins:
  - { name: eb, path: ${lib} }
scenarios:
  s:
    executor: constant-vus
    vus: 64
    duration: ${o.seconds}s
    flow:
      - request: { url: "echo-proto-blocking://bench/", plugin: { sleep_ms: 5 } }
`,
    });
    const f = loadrFigures(r, "echo_proto_blocking_reqs");
    const lag = agg(r, "loadr_event_loop_lag");
    const ratio = f.rps / BLOCKING_IDEAL;
    res.blocking = {
      status: "ok",
      rps: f.rps,
      ratio,
      cpuUsPerCall: f.cpuUsPerReq,
      lagP99Ms: lag?.p99 ?? undefined,
      lagMaxMs: lag?.max ?? undefined,
      ok: ratio >= BLOCKING_MIN_RATIO && (lag?.p99 ?? Infinity) < LAG_P99_TARGET_MS,
    };
  } catch (e) {
    res.blocking = { status: "failed", error: (e as Error).message };
  }

  res.redis = await redisBench(o, plugins);
  return res;
}

async function redisBench(o: { loadr: string; tmp: string; seconds: number; rounds: number }, plugins: string): Promise<NonNullable<NativeResult["redis"]>> {
  const server = findTool("redis-server");
  const bench = findTool("redis-benchmark");
  if (!server || !bench) return { status: "failed", error: "redis-server / redis-benchmark not installed (apt-get install redis-server redis-tools)", connections: REDIS_CONNECTIONS };
  const port = 20000 + Math.floor(Math.random() * 30000);
  const proc = Bun.spawn(pinning.target([server, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]), { stdout: "ignore", stderr: "ignore" });
  const targetCpu = () => treeCpuSeconds(proc.pid);
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } }).then((s) => (s.end(), true), () => false);
      if (ok) break;
      await Bun.sleep(20);
    }
    // redis-benchmark: the same connection count, a request count that takes about the same time
    const perCommand = 20_000 * o.seconds;
    const rbArgv = [bench, "-h", "127.0.0.1", "-p", String(port), "-c", String(REDIS_CONNECTIONS), "-n", String(perCommand), "-t", "set,get", "--csv"];
    type Side = "redis-benchmark" | "SET" | "GET";
    type Round = { rps: Record<string, number>; cpuUs?: number; p99?: number };
    const runs = await alternate(["redis-benchmark", "SET", "GET"] as const satisfies readonly Side[], o.rounds, async (side): Promise<Round> => {
      if (side === "redis-benchmark") {
        const m = await measuredRun(rbArgv, { timeoutMs: (o.seconds * 4 + 60) * 1000, targetCpu });
        const rps: Record<string, number> = {};
        for (const line of m.stdout.split("\n")) {
          const x = /^"(SET|GET)","([\d.]+)"/.exec(line);
          if (x) rps[x[1]!] = Number(x[2]);
        }
        if (Object.keys(rps).length === 0) throw new Error(`redis-benchmark exited ${m.code}${m.timedOut ? " (timed out)" : ""}: ${(m.stderr || m.stdout).trim().split("\n").pop()}`);
        return { rps, cpuUs: cpuUsPerRequest(m.cpuSeconds, perCommand * Object.keys(rps).length) };
      }
      const args = side === "SET" ? `["SET", "key:\${vu}", "xxx"]` : `["GET", "key:\${vu}"]`;
      const r = await runLoadrPlan({
        ...o,
        name: `native-redis-${side}`,
        targetCpu,
        plan: `
plugins:
  - { name: redis, path: ${join(plugins, "redis/libloadr_redis.so")} }
scenarios:
  s:
    executor: constant-vus
    vus: ${REDIS_CONNECTIONS}
    duration: ${o.seconds}s
    flow:
      - request: { name: ${side}, url: "redis://127.0.0.1:${port}", plugin: { command: ${args} } }
`,
      });
      const f = loadrFigures(r, "redis_reqs");
      return { rps: { [side]: f.rps }, cpuUs: f.cpuUsPerReq, p99: agg(r, "redis_req_duration")?.p99 ?? undefined };
    });
    const rows = (["SET", "GET"] as const).map((command) => {
      const loadr = runs[command].map((r) => r.rps[command]);
      const rb = runs["redis-benchmark"].map((r) => r.rps[command]);
      return {
        command,
        loadr: median(loadr),
        redisBenchmark: median(rb),
        loadrCpuUs: median(runs[command].map((r) => r.cpuUs)),
        redisBenchmarkCpuUs: median(runs["redis-benchmark"].map((r) => r.cpuUs)),
        ratio: pairedRatio(loadr, rb)?.median,
        cpuRatio: pairedRatio(runs["redis-benchmark"].map((r) => r.cpuUs), runs[command].map((r) => r.cpuUs))?.median,
        loadrP99Ms: median(runs[command].map((r) => r.p99)),
      };
    });
    return { status: "ok", connections: REDIS_CONNECTIONS, rounds: o.rounds, rows };
  } catch (e) {
    return { status: "failed", error: (e as Error).message, connections: REDIS_CONNECTIONS };
  } finally {
    proc.kill();
  }
}

export function nativeTable(n: NativeResult): string {
  const f = (v: number | undefined, d = 0) => (v === undefined || !Number.isFinite(v) ? "—" : d === 0 ? Math.round(v).toLocaleString("en-US") : v.toFixed(d));
  const mark = (ok: boolean | undefined) => (ok ? "✓" : "✗");
  const lines = ["| figure | measured | CPU µs/request | target |", "|---|---:|---:|---|"];
  const e = n.echo;
  if (e?.status === "ok") {
    const rounds = e.rounds ? `, median of ${e.rounds} alternated runs` : "";
    lines.push(`| echo-proto inline, 50 VUs, 1 worker: requests/s${rounds} | ${f(e.rps)} | ${f(e.echo?.cpuUsPerReq, 2)} | ≥ ${f(ECHO_TARGET_RPS)} ${mark(e.ok)} |`);
    lines.push(`| same plan as plain GET on the HTTP target: requests/s | ${f(e.plainGetRps)} | ${f(e.get?.cpuUsPerReq, 2)} | |`);
    const contended = (e.echo?.contendedRuns ?? 0) + (e.get?.contendedRuns ?? 0);
    const runs = (e.echo?.okRuns ?? 0) + (e.get?.okRuns ?? 0);
    lines.push(
      `| plugin ÷ GET: requests/s / CPU per request (GET's ÷ plugin's), medians of the rounds${contended ? ` (⚠ ${contended} of ${runs} runs contended: other work on the load or target core)` : ""} | ${f(e.ratioToGet?.median, 2)} | ${f(e.cpuRatioToGet?.median, 2)} | |`,
    );
  } else lines.push(`| echo-proto inline | failed: ${e?.error} | | |`);
  const b = n.blocking;
  if (b?.status === "ok") {
    lines.push(`| 5 ms blocking plugin, 64 VUs: calls/s (÷ ideal ${f(BLOCKING_IDEAL)}) | ${f(b.rps)} (${f((b.ratio ?? 0) * 100, 1)} %) | ${f(b.cpuUsPerCall, 2)} | ≥ ${BLOCKING_MIN_RATIO * 100} % ${mark((b.ratio ?? 0) >= BLOCKING_MIN_RATIO)} |`);
    lines.push(`| event-loop lag p99 / max | ${f(b.lagP99Ms, 2)} / ${f(b.lagMaxMs, 2)} ms | | p99 < ${LAG_P99_TARGET_MS} ms ${mark((b.lagP99Ms ?? Infinity) < LAG_P99_TARGET_MS)} |`);
  } else lines.push(`| 5 ms blocking plugin | failed: ${b?.error} | | |`);
  const r = n.redis;
  if (r?.status === "ok") {
    lines.push(
      "",
      `| redis, ${r.connections} connections${r.rounds ? `, medians of ${r.rounds} alternated rounds` : ""} | loadr requests/s | loadr CPU µs/request | redis-benchmark requests/s | redis-benchmark CPU µs/request | loadr ÷ redis-benchmark (requests/s) | (CPU per request) | loadr p99 ms |`,
      "|---|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const row of r.rows ?? [])
      lines.push(`| ${row.command} | ${f(row.loadr)} | ${f(row.loadrCpuUs, 2)} | ${f(row.redisBenchmark)} | ${f(row.redisBenchmarkCpuUs, 2)} | ${f(row.ratio, 2)} | ${f(row.cpuRatio, 2)} | ${f(row.loadrP99Ms, 3)} |`);
  } else lines.push(`| redis vs redis-benchmark | failed: ${r?.error} | | |`);
  return lines.join("\n");
}
