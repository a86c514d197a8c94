/**
 * One timeline point per snapshot (reference §2.7 / §2.10 `Summary.timeline`): what the charts of
 * the report and the dashboard draw, and what the progress line and the dashboard's tiles read.
 *
 * Latency and error rate come from the request merges of request-stats.ts: the `latency_*` and
 * `error_rate` fields over the run so far (the summary's and the thresholds' values at that
 * moment), the `interval_*` fields over this interval alone — the interval's histograms merged
 * across names, never an average of percentiles. (Summaries before schema 2 have no `interval_*`
 * fields, and their `latency_*` were a count-weighted average of each tag set's percentiles.)
 */
import type { RequestStats } from "./request-stats.ts";
import type { Snapshot } from "./snapshot.ts";

export interface TimelinePoint {
  elapsed_secs: number;
  /** requests (every `*_reqs` counter) in this interval ÷ interval seconds */
  rps: number;
  iterations_ps: number;
  /** sum of the `vus` gauges' last values */
  active_vus: number;
  /** failed ÷ samples of `http_req_failed`, over the run so far */
  error_rate: number;
  /** every `*_req_duration` merged, over the run so far; absent without samples */
  latency_avg?: number;
  latency_p50?: number;
  latency_p90?: number;
  latency_p95?: number;
  latency_p99?: number;
  /** requests so far (schema 2) */
  requests?: number;
  /** failed `http_req_failed` samples so far (schema 2) */
  failed?: number;
  /** error rate of this interval's samples alone; absent when it had none (schema 2) */
  interval_error_rate?: number;
  /** latency of this interval's requests alone; absent when it had none (schema 2) */
  interval_latency_avg?: number;
  interval_latency_p50?: number;
  interval_latency_p90?: number;
  interval_latency_p95?: number;
  interval_latency_p99?: number;
}

export function timelinePoint(snap: Snapshot, total: RequestStats, interval: RequestStats): TimelinePoint {
  const secs = snap.interval_secs > 0 ? snap.interval_secs : 1;
  let iterations = 0;
  let vus = 0;
  for (const s of snap.series) {
    if (s.metric === "iterations") iterations += s.interval_count;
    if (s.metric === "vus" && s.agg.last !== null) vus += s.agg.last;
  }
  const p: TimelinePoint = {
    elapsed_secs: snap.elapsed_secs,
    rps: interval.requests / secs,
    iterations_ps: iterations / secs,
    active_vus: vus,
    error_rate: total.failSamples > 0 ? total.failures / total.failSamples : 0,
  };
  // Only the fields that have a value: the JSON omits absent latency fields.
  const run = total.figures(snap.elapsed_secs);
  if (run.avg !== null) {
    p.latency_avg = run.avg;
    p.latency_p50 = run.p50!;
    p.latency_p90 = run.p90!;
    p.latency_p95 = run.p95!;
    p.latency_p99 = run.p99!;
  }
  p.requests = total.requests;
  p.failed = total.failures;
  if (interval.failSamples > 0) p.interval_error_rate = interval.failures / interval.failSamples;
  const now = interval.figures(secs);
  if (now.avg !== null) {
    p.interval_latency_avg = now.avg;
    p.interval_latency_p50 = now.p50!;
    p.interval_latency_p90 = now.p90!;
    p.interval_latency_p95 = now.p95!;
    p.interval_latency_p99 = now.p99!;
  }
  return p;
}
