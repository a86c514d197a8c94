/**
 * Bench 4: native plugins (issue 6).
 *   a. echo-proto, non-blocking, called inline through the full request path (VU loop,
 *      templates, metrics) on one worker — target ≥ 100,000 requests/s — beside a plain GET run
 *      of the same plan shape against the HTTP target (the ratio is recorded);
 *   b. a blocking plugin that sleeps 5 ms per call, 64 VUs, one worker — target ≥ 90 % of the
 *      ideal 12,800 calls/s with event-loop lag p99 < 5 ms (LOADR_LOOP_LAG_PROBE);
 *   c. the redis plugin against redis-server, GET and SET, beside `redis-benchmark` with the same
 *      connection count (no pipelining on either side).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findTool } from "./prereqs.ts";
import { pinning, run } from "./proc.ts";

export const ECHO_TARGET_RPS = 100_000;
export const BLOCKING_IDEAL = 12_800;
export const BLOCKING_MIN_RATIO = 0.9;
export const LAG_P99_TARGET_MS = 5;
const REDIS_CONNECTIONS = 50;

export interface NativeResult {
  echo?: { status: "ok" | "failed"; error?: string; rps?: number; plainGetRps?: number; ratioToGet?: number; ok?: boolean };
  blocking?: { status: "ok" | "failed"; error?: string; rps?: number; ratio?: number; lagP99Ms?: number; lagMaxMs?: number; ok?: boolean };
  redis?: {
    status: "ok" | "failed";
    error?: string;
    connections: number;
    rows?: { command: string; loadr?: number; redisBenchmark?: number; ratio?: number; loadrP99Ms?: number }[];
  };
}

interface Summary {
  metrics: { metric: string; agg: { count: number; per_second: number | null; p99: number | null; max: number | null } }[];
  snapshot: { series: { metric: string; tags: Record<string, string>; agg: { count: number; p99: number | null } }[] };
  duration_secs: number;
}

async function runPlan(o: { loadr: string; tmp: string; name: string; plan: string; seconds: number; env?: Record<string, string>; unpinned?: boolean }): Promise<Summary> {
  const planFile = join(o.tmp, `${o.name}.yaml`);
  const out = join(o.tmp, `${o.name}.json`);
  writeFileSync(planFile, o.plan);
  const cmd = [o.loadr, "run", planFile, "--workers", "1", "-q", "--summary-export", out];
  const argv = o.unpinned ? cmd : pinning.load(cmd);
  const env = o.env ? Object.entries(o.env).map(([k, v]) => `${k}=${v}`) : [];
  const r = await run(env.length ? ["env", ...env, ...argv] : argv, (o.seconds + 60) * 1000);
  if (r.code !== 0 && r.code !== 99) throw new Error(`loadr exited ${r.code}: ${r.stderr.trim().split("\n").pop()}`);
  return JSON.parse(readFileSync(out, "utf8"));
}

const agg = (s: Summary, m: string) => s.metrics.find((x) => x.metric === m)?.agg;
const perSecond = (s: Summary, m: string) => {
  const a = agg(s, m);
  return a ? a.count / Math.max(s.duration_secs, 1e-9) : undefined;
};

function buildBlocking(root: string, tmp: string): string {
  const out = join(tmp, "libecho_block.so");
  const r = Bun.spawnSync(["cc", "-O2", "-fPIC", "-shared", "-DECHO_PROTO_BLOCKING", "-o", out, join(root, "plugins/examples/native-protocol/echo_proto.c")], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`cc: ${r.stderr.toString().trim()}`);
  return out;
}

export async function nativeBench(o: { root: string; loadr: string; tmp: string; seconds: number; httpUrl?: string }): Promise<NativeResult> {
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

  // a. inline echo vs plain GET
  try {
    const s = await runPlan({ ...o, name: "native-echo", plan: plan("echo-proto://bench/", "") });
    const rps = perSecond(s, "echo_proto_reqs")!;
    let plainGetRps: number | undefined;
    if (o.httpUrl) plainGetRps = perSecond(await runPlan({ ...o, name: "native-get", plan: plan(o.httpUrl, "") }), "http_reqs");
    res.echo = { status: "ok", rps, plainGetRps, ratioToGet: plainGetRps ? rps / plainGetRps : undefined, ok: rps >= ECHO_TARGET_RPS };
  } catch (e) {
    res.echo = { status: "failed", error: (e as Error).message };
  }

  // b. blocking 5 ms × 64 VUs
  try {
    const lib = buildBlocking(o.root, o.tmp);
    const s = await runPlan({
      ...o,
      name: "native-blocking",
      env: { LOADR_LOOP_LAG_PROBE: "1" },
      // not pinned: the 64 pool threads only sleep; squeezing them and the JS thread onto one core
      // would measure the scheduler, not the shim (the spike measured on the whole machine too)
      unpinned: true,
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
    const rps = perSecond(s, "echo_proto_blocking_reqs")!;
    const lag = agg(s, "loadr_event_loop_lag");
    const ratio = rps / BLOCKING_IDEAL;
    res.blocking = { status: "ok", rps, ratio, lagP99Ms: lag?.p99 ?? undefined, lagMaxMs: lag?.max ?? undefined, ok: ratio >= BLOCKING_MIN_RATIO && (lag?.p99 ?? Infinity) < LAG_P99_TARGET_MS };
  } catch (e) {
    res.blocking = { status: "failed", error: (e as Error).message };
  }

  res.redis = await redisBench(o, plugins);
  return res;
}

async function redisBench(o: { loadr: string; tmp: string; seconds: number }, plugins: string): Promise<NonNullable<NativeResult["redis"]>> {
  const server = findTool("redis-server");
  const bench = findTool("redis-benchmark");
  if (!server || !bench) return { status: "failed", error: "redis-server / redis-benchmark not installed (apt-get install redis-server redis-tools)", connections: REDIS_CONNECTIONS };
  const port = 20000 + Math.floor(Math.random() * 30000);
  const proc = Bun.spawn(pinning.target([server, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]), { stdout: "ignore", stderr: "ignore" });
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } }).then((s) => (s.end(), true), () => false);
      if (ok) break;
      await Bun.sleep(20);
    }
    const rows: NonNullable<NativeResult["redis"]>["rows"] = [];
    // redis-benchmark: the same connection count, a request count that takes about the same time
    const rb = await run(pinning.load([bench, "-h", "127.0.0.1", "-p", String(port), "-c", String(REDIS_CONNECTIONS), "-n", String(20_000 * o.seconds), "-t", "set,get", "--csv"]), (o.seconds * 4 + 60) * 1000);
    const rbRps: Record<string, number> = {};
    for (const line of rb.stdout.split("\n")) {
      const m = /^"(SET|GET)","([\d.]+)"/.exec(line);
      if (m) rbRps[m[1]!] = Number(m[2]);
    }
    if (Object.keys(rbRps).length === 0) throw new Error(`redis-benchmark exited ${rb.code}${rb.timedOut ? " (timed out)" : ""}: ${(rb.stderr || rb.stdout).trim().split("\n").pop()}`);
    for (const command of ["SET", "GET"]) {
      const args = command === "SET" ? `["SET", "key:\${vu}", "xxx"]` : `["GET", "key:\${vu}"]`;
      const s = await runPlan({
        ...o,
        name: `native-redis-${command}`,
        plan: `
plugins:
  - { name: redis, path: ${join(plugins, "redis/libloadr_redis.so")} }
scenarios:
  s:
    executor: constant-vus
    vus: ${REDIS_CONNECTIONS}
    duration: ${o.seconds}s
    flow:
      - request: { name: ${command}, url: "redis://127.0.0.1:${port}", plugin: { command: ${args} } }
`,
      });
      const l = perSecond(s, "redis_reqs");
      rows.push({ command, loadr: l, redisBenchmark: rbRps[command], ratio: l && rbRps[command] ? l / rbRps[command]! : undefined, loadrP99Ms: agg(s, "redis_req_duration")?.p99 ?? undefined });
    }
    return { status: "ok", connections: REDIS_CONNECTIONS, rows };
  } catch (e) {
    return { status: "failed", error: (e as Error).message, connections: REDIS_CONNECTIONS };
  } finally {
    proc.kill();
  }
}

export function nativeTable(n: NativeResult): string {
  const f = (v: number | undefined, d = 0) => (v === undefined || !Number.isFinite(v) ? "—" : d === 0 ? Math.round(v).toLocaleString("en-US") : v.toFixed(d));
  const mark = (ok: boolean | undefined) => (ok ? "✓" : "✗");
  const lines = ["| figure | measured | target |", "|---|---:|---|"];
  const e = n.echo;
  if (e?.status === "ok") {
    lines.push(`| echo-proto inline, 50 VUs, 1 worker: requests/s | ${f(e.rps)} | ≥ ${f(ECHO_TARGET_RPS)} ${mark(e.ok)} |`);
    lines.push(`| same plan as plain GET on the HTTP target: requests/s (plugin ÷ GET) | ${f(e.plainGetRps)} (${f(e.ratioToGet, 2)}) | |`);
  } else lines.push(`| echo-proto inline | failed: ${e?.error} | |`);
  const b = n.blocking;
  if (b?.status === "ok") {
    lines.push(`| 5 ms blocking plugin, 64 VUs: calls/s (÷ ideal ${f(BLOCKING_IDEAL)}) | ${f(b.rps)} (${f((b.ratio ?? 0) * 100, 1)} %) | ≥ ${BLOCKING_MIN_RATIO * 100} % ${mark((b.ratio ?? 0) >= BLOCKING_MIN_RATIO)} |`);
    lines.push(`| event-loop lag p99 / max | ${f(b.lagP99Ms, 2)} / ${f(b.lagMaxMs, 2)} ms | p99 < ${LAG_P99_TARGET_MS} ms ${mark((b.lagP99Ms ?? Infinity) < LAG_P99_TARGET_MS)} |`);
  } else lines.push(`| 5 ms blocking plugin | failed: ${b?.error} | |`);
  const r = n.redis;
  if (r?.status === "ok") {
    lines.push("", `| redis, ${r.connections} connections | loadr requests/s | redis-benchmark requests/s | loadr ÷ redis-benchmark | loadr p99 ms |`, "|---|---:|---:|---:|---:|");
    for (const row of r.rows ?? []) lines.push(`| ${row.command} | ${f(row.loadr)} | ${f(row.redisBenchmark)} | ${f(row.ratio, 2)} | ${f(row.loadrP99Ms, 3)} |`);
  } else lines.push(`| redis vs redis-benchmark | failed: ${r?.error} | |`);
  return lines.join("\n");
}
