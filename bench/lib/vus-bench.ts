/**
 * Bench 2: memory of loadr holding many VUs (default 10,000) that each GET once and think 1 s,
 * and whether it keeps up: achieved requests/s against the ideal VUs ÷ (think + latency).
 * RSS is sampled from /proc/<pid>/status while the run lasts.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseLoadrSummary } from "./parse.ts";
import { runSamplingRss } from "./rss.ts";
import { vusPlan, vusSpreadPlan } from "./plans.ts";
import { hardNofile, pinning, withNofile } from "./proc.ts";
import { cpuUsPerRequest } from "./stats.ts";

export const RSS_TARGET_MB = 300;
/** the many-VU target of the load-models issue */
export const RSS_TARGET_50K_MB = 1024;
/** file descriptors loadr needs beyond one socket per VU */
const FD_HEADROOM = 1000;
export const IDEAL_TOLERANCE = 0.05;
const THINK_S = 1;

export interface VusResult {
  status: "ok" | "failed";
  error?: string;
  vus: number;
  /** VUs asked for, when the open-file limit forced fewer (`vus` is what ran) */
  askedVus?: number;
  /** destination addresses the VUs were spread over */
  destinations?: number;
  rssTargetMB?: number;
  /** peak RSS ÷ VUs, KB (to extrapolate when the count was capped) */
  kbPerVu?: number;
  seconds: number;
  /** highest VmRSS seen while sampling, and the kernel's own high-water mark (VmHWM) */
  peakRssMB?: number;
  hwmMB?: number;
  samples?: number;
  /** requests ÷ scheduled seconds */
  achievedRps?: number;
  /** http_reqs.per_second as loadr reports it (over its whole run, stop grace included) */
  summaryPerSecond?: number;
  idealRps?: number;
  /** achieved ÷ ideal */
  ratio?: number;
  avgLatencyMs?: number | null;
  requests?: number;
  errors?: number;
  /** user + system CPU µs per request of the loadr process (start-up and the stop grace included) */
  cpuUsPerReq?: number;
  rssOk?: boolean;
  rateOk?: boolean;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

export async function vusBench(o: {
  loadr: string;
  url: string;
  /** several addresses of the same target: the VUs are spread over them */
  urls?: string[];
  tmp: string;
  vus: number;
  seconds: number;
  rawDir?: string;
  rssTargetMB?: number;
}): Promise<VusResult> {
  const rssTargetMB = o.rssTargetMB ?? RSS_TARGET_MB;
  // one socket per VU: a container's open-file hard limit may not allow the count asked for
  const fdCap = hardNofile() - FD_HEADROOM;
  const vus = Math.min(o.vus, fdCap);
  const urls = o.urls && o.urls.length > 1 ? o.urls : [o.url];
  const base: VusResult = { status: "failed", vus, seconds: o.seconds, rssTargetMB, destinations: urls.length, ...(vus < o.vus ? { askedVus: o.vus } : {}) };
  if (vus < 1) return { ...base, error: `the open-file hard limit (${fdCap + FD_HEADROOM}) leaves no room for VUs` };
  if (!existsSync(o.loadr)) return { ...base, error: `${relative(process.cwd(), o.loadr)} does not exist — run \`bun run build\` first` };
  const plan = join(o.tmp, `vus-${o.vus}.yaml`);
  const out = join(o.tmp, `vus-${o.vus}-summary.json`);
  writeFileSync(plan, urls.length > 1 ? vusSpreadPlan(urls, vus, o.seconds, THINK_S) : vusPlan(o.url, vus, o.seconds, THINK_S));

  const argv = withNofile(pinning.load([o.loadr, "run", plan, "--workers", "1", "-q", "--summary-export", out]), Math.max(65536, vus + FD_HEADROOM));
  console.log(`  loadr       ${vus} VUs${vus < o.vus ? ` (of ${o.vus} asked: open-file hard limit)` : ""} over ${urls.length} address(es) × ${o.seconds} s, think ${THINK_S} s`);
  const r = await runSamplingRss(argv, (o.seconds + 60) * 1000);
  const { peakRss, hwm, samples } = r;
  if (o.rawDir) writeFileSync(join(o.rawDir, "vus.txt"), r.stdout + r.stderr);
  if (r.timedOut) return { ...base, error: "loadr did not finish in time (killed)" };
  if (r.code !== 0 && r.code !== 99) return { ...base, error: `loadr exited ${r.code}: ${r.stderr.trim().split("\n").pop() ?? ""}` };
  let s: ReturnType<typeof parseLoadrSummary>;
  try {
    s = parseLoadrSummary(readFileSync(out, "utf8"));
  } catch (e) {
    return { ...base, error: `summary: ${(e as Error).message}` };
  }
  const latency = s.avg ?? s.p50 ?? 0;
  const idealRps = vus / (THINK_S + latency / 1000);
  // Over the scheduled duration, not the summary's duration_secs: the run ends with up to one
  // think time of graceful stop in which no request starts, which would bias the rate down.
  const achievedRps = s.requests / o.seconds;
  const ratio = achievedRps / idealRps;
  return {
    ...base,
    status: "ok",
    kbPerVu: Math.round((Math.max(peakRss, hwm) / 1024 / vus) * 10) / 10,
    peakRssMB: mb(peakRss),
    hwmMB: mb(hwm),
    samples,
    achievedRps,
    summaryPerSecond: s.rps,
    idealRps,
    ratio,
    avgLatencyMs: s.avg,
    requests: s.requests,
    errors: s.errors,
    cpuUsPerReq: cpuUsPerRequest(r.cpuSeconds, s.requests),
    rssOk: Math.max(peakRss, hwm) < rssTargetMB * 2 ** 20,
    rateOk: Math.abs(ratio - 1) <= IDEAL_TOLERANCE,
  };
}
