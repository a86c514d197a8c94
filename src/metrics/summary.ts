/**
 * The end-of-run Summary (reference §2.10): what `--summary-export` writes, what `loadr report`
 * reads and what the console, JUnit and outputs render from. Field names and null-vs-missing are
 * part of the contract: AggValues keep their nulls, timeline points omit absent latency fields.
 *
 * Versions: schema 1 (no `schema_version` field) is the reference's shape; schema 2 adds
 * `schema_version`, `breakdown`, the timeline's `interval_*`/`requests`/`failed`/`latency_p90`
 * fields, thresholds' `unit` and trends' `percentiles`. Fields are only ever added: a reader of
 * schema 1 reads schema 2, and `loadr report` reads both.
 */
import type { Aggregator } from "./aggregator.ts";
import { buildBreakdown, type Breakdown } from "./breakdown.ts";
import { precomputedPercentile, type TrendStat } from "./trend-stats.ts";
import type { MetricKind } from "./registry.ts";
import type { AggValues } from "./series.ts";
import type { Snapshot } from "./snapshot.ts";
import type { ThresholdStatus } from "./thresholds.ts";
import type { TimelinePoint } from "./timeline.ts";
import { cmp } from "./tags.ts";

export interface MetricSummary {
  metric: string;
  kind: MetricKind;
  /** merged across all tag sets; trend values in ms */
  agg: AggValues;
  /** trends: percentiles asked for by `--summary-trend-stats` that `agg` does not carry, by label (`p(97.5)`) */
  percentiles?: Record<string, number | null>;
}

export interface CheckSummary {
  name: string;
  passes: number;
  fails: number;
}

export const SCHEMA_VERSION = 2;

export interface Summary {
  /** absent in exports of schema 1 */
  schema_version?: number;
  name: string | null;
  run_id: string;
  started_ms: number;
  ended_ms: number;
  /** aggregator elapsed at the final snapshot */
  duration_secs: number;
  scenarios: string[];
  /** one per metric name, alphabetical */
  metrics: MetricSummary[];
  /** grouped by the `check` tag (`unnamed` if missing), alphabetical */
  checks: CheckSummary[];
  thresholds: ThresholdStatus[];
  /** all thresholds passed (true when there are none) */
  thresholds_passed: boolean;
  /** abort reason, null when the run was not aborted */
  aborted: string | null;
  /** the final snapshot (per tag-set detail) */
  snapshot: Snapshot;
  timeline: TimelinePoint[];
  /** per scenario, group and request name; checks per request; failures (schema 2: absent before) */
  breakdown?: Breakdown;
}

export interface BuildSummaryInput {
  name: string | null;
  runId: string;
  startedMs: number;
  /** default Date.now() */
  endedMs?: number;
  scenarios: string[];
  aggregator: Aggregator;
  /** final evaluation over all data (evaluateThresholds at the end) */
  thresholds: ThresholdStatus[];
  aborted: string | null;
  /** the final snapshot; default `aggregator.finish(nowMs)` */
  snapshot?: Snapshot;
  /** the clock for the final snapshot and per-second values; default Date.now() */
  nowMs?: number;
  /** `--summary-trend-stats`: its percentiles are computed into MetricSummary.percentiles */
  trendStats?: readonly TrendStat[];
}

export function buildSummary(input: BuildSummaryInput): Summary {
  const nowMs = input.nowMs ?? Date.now();
  const agg = input.aggregator;
  const snapshot = input.snapshot ?? agg.finish(nowMs);
  const metrics: MetricSummary[] = [];
  const extra = (input.trendStats ?? []).filter((t) => t.stat === "p" && precomputedPercentile(t.p!) === undefined);
  for (const metric of agg.metricNames()) {
    const m = agg.aggregate(metric, {}, nowMs);
    if (m === null) continue;
    const entry: MetricSummary = { metric, kind: m.kind, agg: m.agg };
    if (m.kind === "trend" && extra.length > 0) entry.percentiles = Object.fromEntries(extra.map((t) => [t.label, agg.percentile(metric, {}, t.p!)]));
    metrics.push(entry);
  }
  return {
    schema_version: SCHEMA_VERSION,
    name: input.name,
    run_id: input.runId,
    started_ms: input.startedMs,
    ended_ms: input.endedMs ?? Date.now(),
    duration_secs: snapshot.elapsed_secs,
    scenarios: [...input.scenarios],
    metrics,
    checks: checkSummaries(snapshot),
    thresholds: input.thresholds,
    thresholds_passed: input.thresholds.every((t) => t.passed),
    aborted: input.aborted,
    snapshot,
    timeline: [...agg.timeline],
    breakdown: buildBreakdown(agg, snapshot, snapshot.elapsed_secs),
  };
}

function checkSummaries(snap: Snapshot): CheckSummary[] {
  const byName = new Map<string, CheckSummary>();
  for (const s of snap.series) {
    if (s.metric !== "checks") continue;
    const name = s.tags["check"] ?? "unnamed";
    let c = byName.get(name);
    if (c === undefined) byName.set(name, (c = { name, passes: 0, fails: 0 }));
    const passes = Math.trunc(s.agg.sum);
    c.passes += passes;
    c.fails += s.agg.count - passes;
  }
  return [...byName.values()].sort((a, b) => cmp(a.name, b.name));
}
