/**
 * Requests as every view shows them — the progress line, the dashboard's tiles, charts and table,
 * the report and the summary's `breakdown` — read from one place: the coordinator adds each
 * worker delta of the request metrics into these running merges as it arrives (aggregator.ts),
 * so a p95 is always the percentile of one merged HDR histogram, never an average of
 * percentiles, and the views cannot disagree.
 *
 * "Requests" are the `*_reqs` counters (HTTP and every protocol family), their latency the
 * matching `*_req_duration` trends, their failures the `http_req_failed` rate that every protocol
 * records (protocols/family-metrics.ts) — including its extra samples for failed extractions,
 * assertions and requests that could not be sent, exactly as the summary's `http_req_failed` counts.
 */
import type { SeriesDelta } from "./delta.ts";
import { SeriesState } from "./series.ts";
import type { Tags } from "./tags.ts";

export type RequestRole = "reqs" | "duration" | "failed";

/** Which part of a request a metric is, or null for every other metric. */
export function requestRole(metric: string): RequestRole | null {
  if (metric === "http_req_failed") return "failed";
  if (metric.endsWith("_reqs")) return "reqs";
  if (metric.endsWith("_req_duration")) return "duration";
  return null;
}

/** What the views show for a set of requests (all, one name, one group, one scenario). Times in ms. */
export interface RequestFigures {
  requests: number;
  /** failed `http_req_failed` samples */
  failures: number;
  /** failures ÷ `http_req_failed` samples; null without samples */
  failure_rate: number | null;
  /** requests per second over the run; null before any time passed */
  rps: number | null;
  avg: number | null;
  min: number | null;
  max: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
}

export class RequestStats {
  requests = 0;
  failures = 0;
  failSamples = 0;
  readonly duration = new SeriesState("trend");

  apply(role: RequestRole, d: SeriesDelta): void {
    if (role === "reqs" && d.kind === "counter") this.requests += d.value;
    else if (role === "failed" && d.kind === "rate") {
      this.failures += d.passes;
      this.failSamples += d.total;
    } else if (role === "duration" && d.kind === "trend") this.duration.applyDelta(d);
  }

  mergeFrom(o: RequestStats): void {
    this.requests += o.requests;
    this.failures += o.failures;
    this.failSamples += o.failSamples;
    this.duration.mergeFrom(o.duration);
  }

  figures(elapsedSecs: number): RequestFigures {
    const a = this.duration.aggValues(elapsedSecs);
    return {
      requests: this.requests,
      failures: this.failures,
      failure_rate: this.failSamples > 0 ? this.failures / this.failSamples : null,
      rps: elapsedSecs > 0 ? this.requests / elapsedSecs : null,
      avg: a.avg,
      min: a.min,
      max: a.max,
      p50: a.med,
      p90: a.p90,
      p95: a.p95,
      p99: a.p99,
    };
  }
}

/** The tags requests are broken down by, in the order the views list them. */
export const BREAKDOWN_DIMENSIONS = ["scenario", "group", "name"] as const;
export type BreakdownDimension = (typeof BREAKDOWN_DIMENSIONS)[number];

/**
 * The running merges of the coordinator: the whole run, the current interval (rolled at each
 * snapshot, for the timeline) and one per value of each breakdown tag (a missing tag is "").
 */
export class RequestRollup {
  readonly total = new RequestStats();
  private interval = new RequestStats();
  readonly by: Record<BreakdownDimension, Map<string, RequestStats>> = { scenario: new Map(), group: new Map(), name: new Map() };

  apply(role: RequestRole, d: SeriesDelta, tags: Tags): void {
    this.total.apply(role, d);
    this.interval.apply(role, d);
    for (const dim of BREAKDOWN_DIMENSIONS) {
      const key = tags[dim] ?? "";
      const map = this.by[dim];
      let s = map.get(key);
      if (s === undefined) map.set(key, (s = new RequestStats()));
      s.apply(role, d);
    }
  }

  /** The interval since the previous call, and a fresh one from now on. */
  rollInterval(): RequestStats {
    const done = this.interval;
    this.interval = new RequestStats();
    return done;
  }
}
