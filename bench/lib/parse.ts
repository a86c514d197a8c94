/**
 * Parsers of each load tool's output into one shape. Pure functions over the captured text, so
 * test/bench-parse.test.ts can check them on real output kept in test/fixtures/bench/.
 * Latencies are milliseconds; null where a tool does not report that percentile.
 */

export interface LoadFigures {
  /** completed requests per second over the run */
  rps: number;
  requests: number;
  /** failed requests (transport errors and non-2xx where the tool tells them apart) */
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** anything a reader needs to interpret the figures (resolution, substitutions) */
  note?: string;
}

export class ParseError extends Error {}

function num(s: string | undefined, what: string): number {
  const v = s === undefined ? NaN : Number(s);
  if (!Number.isFinite(v)) throw new ParseError(`cannot read ${what}`);
  return v;
}

const WRK_UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/**
 * wrk with `--latency -s bench/wrk-report.lua`: the Lua `done()` hook prints a `WRK_JSON {...}`
 * line with exact p50/p95/p99 in µs (the `--latency` table has no p95). Without that line we fall
 * back to the table (p50, p99) and leave p95 null.
 */
export function parseWrk(out: string): LoadFigures {
  const rps = num(out.match(/^Requests\/sec:\s+([\d.]+)/m)?.[1], "wrk Requests/sec");
  const json = out.match(/^WRK_JSON (\{.*\})$/m)?.[1];
  if (json) {
    const j = JSON.parse(json) as Record<string, number>;
    return {
      rps,
      requests: num(String(j.requests), "wrk requests"),
      errors: j.errors ?? 0,
      p50: num(String(j.p50_us), "wrk p50") / 1000,
      p95: num(String(j.p95_us), "wrk p95") / 1000,
      p99: num(String(j.p99_us), "wrk p99") / 1000,
    };
  }
  const pct = (p: string): number | null => {
    const m = out.match(new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m"));
    return m ? num(m[1], `wrk p${p}`) * WRK_UNIT_MS[m[2]!]! : null;
  };
  const requests = num(out.match(/^\s+(\d+) requests in/m)?.[1], "wrk request count");
  const errLine = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const errors = (errLine ? errLine.slice(1).reduce((a, b) => a + Number(b), 0) : 0) + non2xx;
  return { rps, requests, errors, p50: pct("50"), p95: null, p99: pct("99"), note: "p95 not in wrk's --latency table" };
}

/** hey's text summary. Its latency distribution is printed in seconds with 4 decimals (0.1 ms resolution). */
export function parseHey(out: string): LoadFigures {
  const rps = num(out.match(/^\s*Requests\/sec:\s+([\d.]+)/m)?.[1], "hey Requests/sec");
  const pct = (p: string): number | null => {
    const m = out.match(new RegExp(`^\\s+${p}% in ([\\d.]+) secs`, "m"));
    return m ? num(m[1], `hey p${p}`) * 1000 : null;
  };
  let requests = 0;
  let errors = 0;
  const statusBlock = out.split("Status code distribution:")[1]?.split("Error distribution:")[0] ?? "";
  for (const m of statusBlock.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)) {
    const n = Number(m[2]);
    requests += n;
    if (!m[1]!.startsWith("2")) errors += n;
  }
  const errorBlock = out.split("Error distribution:")[1] ?? "";
  for (const m of errorBlock.matchAll(/^\s+\[(\d+)\]/gm)) errors += Number(m[1]);
  return { rps, requests, errors, p50: pct("50"), p95: pct("95"), p99: pct("99"), note: "0.1 ms latency resolution" };
}

/**
 * autocannon `--json`. Its latency histogram is in whole milliseconds and has no p95 (it reports
 * p90 and p97.5), so p95 is null and p97.5 goes in the note rather than being passed off as p95.
 */
export function parseAutocannon(out: string): LoadFigures {
  const start = out.indexOf("{");
  if (start < 0) throw new ParseError("no JSON in autocannon output");
  const j = JSON.parse(out.slice(start)) as {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    latency: Record<string, number>;
    requests: { total: number; average: number };
  };
  const duration = num(String(j.duration), "autocannon duration");
  const requests = num(String(j.requests.total), "autocannon requests.total");
  return {
    rps: requests / duration,
    requests,
    errors: (j.errors ?? 0) + (j.timeouts ?? 0) + (j.non2xx ?? 0),
    p50: j.latency.p50 ?? null,
    p95: null,
    p99: j.latency.p99 ?? null,
    note: `1 ms latency resolution, no p95 (p90=${j.latency.p90}, p97.5=${j.latency.p97_5})`,
  };
}

/** The subset of loadr's Summary JSON (reference §2.10) the benches read. */
export interface SummaryMetric {
  metric: string;
  kind: string;
  agg: Partial<Record<"count" | "sum" | "avg" | "min" | "max" | "med" | "p90" | "p95" | "p99" | "p999" | "rate" | "last" | "per_second", number | null>>;
}
export interface Summary {
  duration_secs: number;
  metrics: SummaryMetric[];
}

export function summaryMetric(s: Summary, name: string): SummaryMetric | undefined {
  return s.metrics.find((m) => m.metric === name);
}

/**
 * loadr's `--summary-export` file, read the way the reference's benchmark report reads it:
 * `http_reqs` (else the first metric ending `_reqs`) → count and per_second; `http_req_duration`
 * (else the first ending `_req_duration`) → med/p95/p99; errors = http_req_failed.rate × count.
 */
export function parseLoadrSummary(text: string): LoadFigures & { avg: number | null; durationSecs: number } {
  const s = JSON.parse(text) as Summary;
  if (!Array.isArray(s.metrics)) throw new ParseError("summary has no metrics array");
  const reqs = summaryMetric(s, "http_reqs") ?? s.metrics.find((m) => m.metric.endsWith("_reqs"));
  if (!reqs) throw new ParseError("summary has no *_reqs metric (did any request run?)");
  const dur = summaryMetric(s, "http_req_duration") ?? s.metrics.find((m) => m.metric.endsWith("_req_duration"));
  const requests = reqs.agg.count ?? reqs.agg.sum ?? 0;
  const rps = reqs.agg.per_second ?? (s.duration_secs > 0 ? requests / s.duration_secs : 0);
  const failedRate = summaryMetric(s, "http_req_failed")?.agg.rate ?? 0;
  return {
    rps,
    requests,
    errors: Math.round(failedRate * requests),
    p50: dur?.agg.med ?? null,
    p95: dur?.agg.p95 ?? null,
    p99: dur?.agg.p99 ?? null,
    avg: dur?.agg.avg ?? null,
    durationSecs: s.duration_secs,
  };
}

export interface StartupFigures {
  meanMs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

/** hyperfine `--export-json` (times in seconds). */
export function parseHyperfine(text: string): StartupFigures {
  const j = JSON.parse(text) as { results: { mean: number; median: number; min: number; max: number; times: number[] }[] };
  const r = j.results[0];
  if (!r) throw new ParseError("hyperfine JSON has no results");
  return { meanMs: r.mean * 1000, medianMs: r.median * 1000, minMs: r.min * 1000, maxMs: r.max * 1000, runs: r.times.length };
}

/** Summary of our own timing loop (milliseconds per run). */
export function startupFromSamples(ms: number[]): StartupFigures {
  if (ms.length === 0) throw new ParseError("no startup samples");
  const sorted = [...ms].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
    medianMs: median,
    minMs: sorted[0]!,
    maxMs: sorted[sorted.length - 1]!,
    runs: ms.length,
  };
}

/** VmRSS / VmHWM of a /proc/<pid>/status text, in bytes; null when the line is absent. */
export function procStatusBytes(status: string, field: "VmRSS" | "VmHWM"): number | null {
  const m = status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  return m ? Number(m[1]) * 1024 : null;
}
