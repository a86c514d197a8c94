/**
 * Scale-out (docs/distributed.md), two figures:
 *
 * - **4 parts + aggregator vs one process on the same core**: the same 50-VU plan, run as
 *   `loadr aggregate --parts 4` with four `loadr run --segment i/4 --join … --workers 1`, and as
 *   one process with as many load threads (`loadr run --workers 4`), every process pinned to the
 *   load core (one shell, so its rusage covers them all), alternated rounds. The parts and the
 *   aggregator must reach ≥ 0.9 × that one process's requests/s: what scale-out costs on top of
 *   the load itself is small. Pods get a core each; this machine has one core for the load, so
 *   both sides time-slice four event loops on it — which by itself costs (per request, four event
 *   loops on one core pay about twice what one does: docs/benchmarks.md), and is not scale-out's
 *   cost. One process with one load thread (`--workers 1`) runs beside them as the figure of
 *   what that core does at best. Each side is read over the whole run and in its steady window
 *   (from WARM_SECONDS of load to its end: lib/steady-window.ts, the rate from the summary's
 *   timeline — the aggregator's merged one for the parts), the target judged on the latter, as
 *   the JavaScript bench does: nine JavaScriptCore VMs (four parts' main and worker threads and
 *   the aggregator) compile and warm up on one core at the start, once per test.
 * - **the aggregator's merge**: 100 simulated parts, each sending once a second a batch of 50
 *   tagged series (25 trends with their histograms, 25 counters and rates) as the wire carries
 *   it; per simulated second the aggregator parses the frames, decodes the deltas and merges them
 *   into its feed (src/distributed/protocol.ts, wire.ts, src/engine/coordinator/metrics-feed.ts)
 *   and ticks it. It must take < 100 ms per second of test on one core.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseFromPart } from "../../src/distributed/protocol.ts";
import { decodeDelta, encodeDelta } from "../../src/distributed/wire.ts";
import { MetricsFeed } from "../../src/engine/coordinator/metrics-feed.ts";
import { Sink } from "../../src/metrics/sink.ts";
import { measuredRun, runFigures, summarizeRuns, type RunFigures, type RunsSummary } from "./measure.ts";
import { summaryMetric, type Summary } from "./parse.ts";
import { httpPlan } from "./plans.ts";
import { alternate, median, pairedRatio, type PairedRatio } from "./stats.ts";
import { steadyFigures, type TimelineSummary, WARM_SECONDS } from "./steady-window.ts";

export const PARTS_TARGET_RATIO = 0.9;
export const MERGE_TARGET_MS = 100;
/**
 * The shortest run of the first figure. Over a 10 s run the parts' compilers took about a quarter
 * of the core (per-thread CPU from /proc/<pid>/task: JITWorker 2.4 s of 12 s for the four parts
 * against 1.4 s for one process with 4 workers), a start-up cost that levels off (3.7 s over a
 * 40 s run) and that a test of minutes hardly sees.
 */
export const SCALEOUT_MIN_SECONDS = 30;
const PARTS = 4;

export interface ScaleOutResult {
  status: "ok" | "failed";
  error?: string;
  seconds: number;
  vus: number;
  rounds: number;
  /** one process, --workers 1 */
  one?: Side;
  /** one process, --workers 4: as many load threads as the parts */
  threads?: Side;
  parts?: Side;
  /** 4 parts + aggregator ÷ one process with 4 workers, requests/s in the steady window (from WARM_SECONDS of load), median of the rounds (the target's) */
  ratio?: PairedRatio;
  /** 4 parts + aggregator ÷ one process with 1 worker, steady window */
  ratioOne?: PairedRatio;
  /** the same two over the whole runs (start-up and warm-up included) */
  wholeRatio?: PairedRatio;
  wholeRatioOne?: PairedRatio;
  merge?: MergeResult;
  ok?: boolean;
}

/** a side's runs; `steady_rps`: the median of their steady-window rates */
type Side = RunsSummary & { runs_rps: number[]; steady_rps: number };

export interface MergeResult {
  parts: number;
  seriesPerPart: number;
  samplesPerTrend: number;
  /** bytes of one part's batch frame */
  frameBytes: number;
  /** ms to parse, decode and merge every part's batch and tick, one per simulated second */
  msPerSecond: number[];
  medianMs: number;
  /** CPU time (user + system, this process) per simulated second, ms: what other work on the core cannot inflate */
  cpuMsPerSecond: number[];
  medianCpuMs: number;
  /** where a second's time went, medians in ms: JSON parse and frame checks, wire decode, merge, the tick (snapshot, thresholds) */
  phases: { parse: number; decode: number; merge: number; tick: number };
  ok: boolean;
}

const shell = (argv: string[]) => argv.map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");

export async function scaleOutBench(o: { loadr: string; url: string; tmp: string; seconds: number; vus: number; rounds: number; targetCpu: () => number }): Promise<ScaleOutResult> {
  const base = { seconds: o.seconds, vus: o.vus, rounds: o.rounds };
  const merge = mergeBench();
  console.log(`  merge: ${merge.parts} parts × ${merge.seriesPerPart} series, ${merge.medianMs.toFixed(1)} ms per second of test (median of ${merge.msPerSecond.length}; CPU ${merge.medianCpuMs.toFixed(1)} ms)`);
  if (!existsSync(o.loadr)) return { ...base, status: "failed", error: `${o.loadr} does not exist — run \`bun run build\` first`, merge };
  const plan = join(o.tmp, "scaleout.yaml");
  writeFileSync(plan, httpPlan(o.url, o.vus, o.seconds));
  const out = join(o.tmp, "scaleout-summary.json");
  try {
    const runs = await alternate(
      ["one", "threads", "parts"] as const,
      o.rounds,
      async (side, round) => {
        rmSync(out, { force: true });
        let argv: string[];
        if (side !== "parts") argv = [o.loadr, "run", plan, "--workers", side === "one" ? "1" : String(PARTS), "-q", "--summary-export", out];
        else {
          const port = 20000 + Math.floor(Math.random() * 20000);
          const agg = shell([o.loadr, "aggregate", plan, "--parts", String(PARTS), "--listen", `127.0.0.1:${port}`, "-q", "--summary-export", out]);
          const part = (i: number) => shell([o.loadr, "run", plan, "--segment", `${i}/${PARTS}`, "--join", `127.0.0.1:${port}`, "--workers", "1", "-q"]) + " >/dev/null &";
          const parts = Array.from({ length: PARTS }, (_, i) => part(i + 1)).join(" ");
          argv = ["/bin/sh", "-c", `${agg} & A=$!; ${parts} wait $A; c=$?; wait; exit $c`];
        }
        const m = await measuredRun(argv, { timeoutMs: (o.seconds + 90) * 1000, targetCpu: o.targetCpu });
        if (m.timedOut || (m.code !== 0 && m.code !== 99)) throw new Error(`${side}: exited ${m.code}${m.timedOut ? " (killed)" : ""}: ${m.stderr.trim().split("\n").pop() ?? ""}`);
        const summary = JSON.parse(readFileSync(out, "utf8")) as Summary;
        const agg = summaryMetric(summary, "http_reqs")?.agg;
        const f = runFigures(m, agg?.per_second ?? 0, agg?.count ?? 0);
        // requests only: the steady window's rate comes from the summary's timeline (the aggregator's merged one for the parts)
        const steady = steadyFigures(summary as TimelineSummary, [], WARM_SECONDS);
        console.log(`  round ${round + 1} ${{ one: "1 process, 1 worker ", threads: "1 process, 4 workers", parts: "4 parts + aggregator" }[side]} ${Math.round(f.rps).toLocaleString("en-US")} req/s (from ${WARM_SECONDS} s: ${steady ? Math.round(steady.rps).toLocaleString("en-US") : "—"}), ${f.cpuUsPerReq?.toFixed(2)} µs CPU/request, other work on its core ${f.contention?.loadCore?.toFixed(2) ?? "—"}`);
        return { ...f, steadyRps: steady?.rps };
      },
      () => Bun.sleep(500),
    );
    const side = (xs: (RunFigures & { steadyRps?: number })[]) => ({ ...summarizeRuns(xs), runs_rps: xs.map((x) => x.rps), steady_rps: median(xs.flatMap((x) => (x.steadyRps === undefined ? [] : [x.steadyRps]))) });
    const rps = (xs: RunFigures[]) => xs.map((r) => r.rps);
    const steadyRps = (xs: { steadyRps?: number }[]) => xs.map((r) => r.steadyRps);
    const ratio = pairedRatio(steadyRps(runs.parts), steadyRps(runs.threads));
    const ratioOne = pairedRatio(steadyRps(runs.parts), steadyRps(runs.one));
    const wholeRatio = pairedRatio(rps(runs.parts), rps(runs.threads));
    const wholeRatioOne = pairedRatio(rps(runs.parts), rps(runs.one));
    return { ...base, status: "ok", one: side(runs.one), threads: side(runs.threads), parts: side(runs.parts), ratio, ratioOne, wholeRatio, wholeRatioOne, merge, ok: (ratio?.median ?? 0) >= PARTS_TARGET_RATIO && merge.ok };
  } catch (e) {
    return { ...base, status: "failed", error: (e as Error).message, merge };
  }
}

/** The aggregator's side of 100 parts' once-a-second batches, in this process (one core). */
export function mergeBench(parts = 100, seconds = 10, samplesPerTrend = 200): MergeResult {
  const trends = ["http_req_duration", "http_req_waiting", "http_req_connecting", "http_req_sending", "iteration_duration"];
  const names = ["home", "login", "search", "cart", "checkout"];
  let seed = 1;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const frames = Array.from({ length: parts }, (_, p) => {
    const sink = new Sink();
    for (const name of names) {
      const tags = sink.tags({ scenario: "s", name, instance: `${p + 1}/${parts}` });
      // 5 trends, 5 counters/rates per name: 50 series per part
      for (const t of trends) for (let i = 0; i < samplesPerTrend; i++) sink.trend(t, tags, 0.2 + random() * random() * 800);
      sink.counter("http_reqs", tags, samplesPerTrend);
      sink.counter("data_received", tags, samplesPerTrend * 1200);
      sink.counter("data_sent", tags, samplesPerTrend * 300);
      sink.counter("iterations", tags, samplesPerTrend);
      for (let i = 0; i < samplesPerTrend; i++) sink.rate("http_req_failed", tags, random() < 0.01);
    }
    const status = { vus: 10, vus_max: 10, workers: 1, scenarios: [] };
    return JSON.stringify({ t: "batch", seq: 1, deltas: [encodeDelta(sink.drain())], status });
  });
  const feed = new MetricsFeed(["s"], []);
  feed.start();
  const msPerSecond: number[] = [];
  const cpuMsPerSecond: number[] = [];
  const phases = { parse: [] as number[], decode: [] as number[], merge: [] as number[], tick: [] as number[] };
  for (let s = 0; s < seconds; s++) {
    let parse = 0;
    let decode = 0;
    let merge = 0;
    const cpu0 = process.cpuUsage();
    for (const text of frames) {
      const t0 = performance.now();
      const m = parseFromPart(text);
      if (m.t !== "batch") throw new Error("not a batch");
      const t1 = performance.now();
      const deltas = m.deltas.map(decodeDelta);
      const t2 = performance.now();
      for (const d of deltas) feed.merge(d);
      const t3 = performance.now();
      parse += t1 - t0;
      decode += t2 - t1;
      merge += t3 - t2;
    }
    const t4 = performance.now();
    feed.tick(parts * 10);
    const tick = performance.now() - t4;
    const cpu = process.cpuUsage(cpu0);
    cpuMsPerSecond.push((cpu.user + cpu.system) / 1000);
    for (const [k, v] of Object.entries({ parse, decode, merge, tick })) phases[k as keyof typeof phases].push(v);
    msPerSecond.push(parse + decode + merge + tick);
  }
  const medianMs = median(msPerSecond);
  return {
    parts,
    seriesPerPart: names.length * 10,
    samplesPerTrend,
    frameBytes: Buffer.byteLength(frames[0]!),
    msPerSecond,
    medianMs,
    cpuMsPerSecond,
    medianCpuMs: median(cpuMsPerSecond),
    phases: { parse: median(phases.parse), decode: median(phases.decode), merge: median(phases.merge), tick: median(phases.tick) },
    ok: medianMs < MERGE_TARGET_MS,
  };
}

const f = (v: number | undefined, d = 0) => (v === undefined || !Number.isFinite(v) ? "—" : v.toFixed(d));

export function scaleOutTable(r: ScaleOutResult): string {
  const rows = [
    `| | requests/s (median) | from ${WARM_SECONDS} s of load (median) | min–max | CPU µs/request | target |`,
    "|---|---|---|---|---|---|",
  ];
  const n = (v: number) => Math.round(v).toLocaleString("en-US");
  const side = (label: string, s: ScaleOutResult["one"]) =>
    rows.push(`| ${label} | ${s ? n(s.rps) : "—"} | ${s && Number.isFinite(s.steady_rps) ? n(s.steady_rps) : "—"} | ${s ? `${n(s.rpsMin)}–${n(s.rpsMax)}` : "—"} | ${f(s?.cpuUsPerReq, 2)} | |`);
  side(`one process, ${r.vus} VUs, --workers 1`, r.one);
  side(`one process, ${r.vus} VUs, --workers ${PARTS} (as many load threads as the parts)`, r.threads);
  side(`${PARTS} parts + aggregator (--workers 1 each)`, r.parts);
  const pct = (p: PairedRatio | undefined) => (p === undefined ? "—" : `${(p.median * 100).toFixed(1)} % (rounds: ${p.rounds.map((x) => `${(x * 100).toFixed(0)} %`).join(", ")})`);
  const ratio = r.ratio?.median;
  rows.push(`| ${PARTS} parts + aggregator ÷ one process with ${PARTS} workers | ${pct(r.wholeRatio)} | ${pct(r.ratio)} | | | ≥ ${PARTS_TARGET_RATIO * 100} % (from ${WARM_SECONDS} s) ${ratio === undefined ? "" : ratio >= PARTS_TARGET_RATIO ? "✓" : "✗"} |`);
  rows.push(`| ${PARTS} parts + aggregator ÷ one process with 1 worker (four event loops against one on the core) | ${pct(r.wholeRatioOne)} | ${pct(r.ratioOne)} | | | |`);
  if (r.merge)
    rows.push(
      `| aggregator merge: ${r.merge.parts} parts × ${r.merge.seriesPerPart} series (${r.merge.samplesPerTrend} samples per trend, ${(r.merge.frameBytes / 1024).toFixed(0)} KiB per part's batch), one core | ${r.merge.medianMs.toFixed(1)} ms per second of test${r.merge.medianCpuMs !== undefined ? `, ${r.merge.medianCpuMs.toFixed(1)} ms of CPU` : ""}${r.merge.phases ? ` (parse ${f(r.merge.phases.parse)}, decode ${f(r.merge.phases.decode)}, merge ${f(r.merge.phases.merge)}, tick ${f(r.merge.phases.tick)})` : ""} | | ${f(Math.min(...r.merge.msPerSecond), 1)}–${f(Math.max(...r.merge.msPerSecond), 1)} ms | | < ${MERGE_TARGET_MS} ms ${r.merge.ok ? "✓" : "✗"} |`,
    );
  if (r.error) rows.push("", `failed: ${r.error}`);
  return rows.join("\n");
}
