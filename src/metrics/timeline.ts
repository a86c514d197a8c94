/**
 * One timeline point per snapshot (reference §2.7 / §2.10 `Summary.timeline`). Throughput is per
 * interval; error rate and latency are taken from the cumulative aggregates, as the reference does.
 */
import type { AggValues } from "./series.ts";
import type { Snapshot } from "./snapshot.ts";

export interface TimelinePoint {
  elapsed_secs: number;
  /** interval count of every `*_reqs` metric ÷ interval seconds */
  rps: number;
  iterations_ps: number;
  /** sum of the `vus` gauges' last values */
  active_vus: number;
  /** passes ÷ samples over every `http_req_failed` series (cumulative) */
  error_rate: number;
  /** count-weighted over every `*_req_duration` series (cumulative); absent without samples */
  latency_avg?: number;
  latency_p50?: number;
  latency_p95?: number;
  latency_p99?: number;
}

export function timelinePoint(snap: Snapshot): TimelinePoint {
  const interval = snap.interval_secs > 0 ? snap.interval_secs : 1;
  let reqs = 0;
  let iterations = 0;
  let failPasses = 0;
  let failTotal = 0;
  let vus = 0;
  for (const s of snap.series) {
    if (s.metric.endsWith("_reqs")) reqs += s.interval_count;
    if (s.metric === "iterations") iterations += s.interval_count;
    if (s.metric === "http_req_failed") {
      failPasses += s.agg.sum;
      failTotal += s.agg.count;
    }
    if (s.metric === "vus" && s.agg.last !== null) vus += s.agg.last;
  }
  const p: TimelinePoint = {
    elapsed_secs: snap.elapsed_secs,
    rps: reqs / interval,
    iterations_ps: iterations / interval,
    active_vus: vus,
    error_rate: failTotal > 0 ? failPasses / failTotal : 0,
  };
  const durations = snap.series.filter((s) => s.metric.endsWith("_req_duration") && s.agg.count > 0);
  const weighted = (pick: (a: AggValues) => number | null): number | undefined => {
    let acc = 0;
    let total = 0;
    for (const s of durations) {
      const v = pick(s.agg);
      if (v !== null) {
        acc += v * s.agg.count;
        total += s.agg.count;
      }
    }
    return total > 0 ? acc / total : undefined;
  };
  // Only set the fields that have a value: the JSON omits absent latency fields.
  const fields = [
    ["latency_avg", weighted((a) => a.avg)],
    ["latency_p50", weighted((a) => a.med)],
    ["latency_p95", weighted((a) => a.p95)],
    ["latency_p99", weighted((a) => a.p99)],
  ] as const;
  for (const [k, v] of fields) if (v !== undefined) p[k] = v;
  return p;
}
