/**
 * Threshold evaluation (reference §1.12 observed-value table, §2.7 abort_on_fail). The syntax
 * (parsing into ThresholdSpec) belongs to src/plan/thresholds.ts.
 */
import type { Aggregator } from "./aggregator.ts";
import type { ValueUnit } from "./format.ts";
import { DATA_METRICS, type MetricKind } from "./registry.ts";
import { SeriesState, type AggValues } from "./series.ts";
import { precomputedPercentile } from "./trend-stats.ts";
import type { ThresholdAgg, ThresholdOp, ThresholdSpec } from "../plan/thresholds.ts";

export type { ThresholdSpec };

/** One threshold's result; also its Summary JSON entry (§2.10). */
export interface ThresholdStatus {
  /** the selector's display string */
  metric: string;
  expression: string;
  observed: number | null;
  passed: boolean;
  abort_on_fail: boolean;
  /** what `observed` is (format.ts ValueUnit: `ms`, `fraction`, `per_second`, `count`…); `` when unknown (schema 2) */
  unit?: ValueUnit;
}

/** The abort reason the reference sends when an abort_on_fail threshold fails. */
export const THRESHOLD_ABORT_REASON = "threshold crossed (abort_on_fail)";

/**
 * The observed value of §1.12's table, from the merged AggValues of the selector. Null = "none"
 * (no samples, or an aggregation that does not apply to the kind) — and null passes.
 */
export function observedValue(
  spec: Pick<ThresholdSpec, "agg" | "p">,
  kind: MetricKind,
  agg: AggValues,
  percentile: (p: number) => number | null,
): number | null {
  switch (spec.agg) {
    case "avg":
      return agg.avg;
    case "min":
      return agg.min;
    case "max":
      return agg.max;
    case "med":
      return agg.med;
    case "p": {
      const p = spec.p ?? Number.NaN;
      const field = precomputedPercentile(p);
      if (field !== undefined) return agg[field];
      return kind === "trend" ? percentile(p) : null;
    }
    case "rate":
      // pass fraction for Rate metrics, events per second for everything else (gauges: none)
      return kind === "rate" ? agg.rate : agg.per_second;
    case "count":
      return kind === "counter" ? agg.sum : agg.count;
    case "value":
      return agg.last;
  }
}

/** The aggregations that have a value for each kind (§1.12's table); any other observes "none", and passes. */
export const AGGREGATIONS_BY_KIND: Readonly<Record<MetricKind, readonly ThresholdAgg[]>> = {
  counter: ["count", "rate"],
  gauge: ["min", "max", "count", "value"],
  rate: ["rate", "count"],
  trend: ["avg", "min", "max", "med", "p", "rate", "count"],
};

/** `observed <op> bound`; == and != use f64::EPSILON tolerance like the reference. */
export function compare(op: ThresholdOp, observed: number, bound: number): boolean {
  switch (op) {
    case "<":
      return observed < bound;
    case "<=":
      return observed <= bound;
    case ">":
      return observed > bound;
    case ">=":
      return observed >= bound;
    case "==":
      return Math.abs(observed - bound) < Number.EPSILON;
    case "!=":
      return Math.abs(observed - bound) >= Number.EPSILON;
  }
}

/** The unit of an observed value (§1.12's table): trends are durations in ms throughout loadr. */
export function observedUnit(spec: Pick<ThresholdSpec, "agg" | "metric">, kind: MetricKind): ValueUnit {
  const data = DATA_METRICS.has(spec.metric);
  switch (spec.agg) {
    case "rate":
      return kind === "rate" ? "fraction" : data ? "bytes_per_second" : "per_second";
    case "count":
      return data ? "bytes" : "count";
    case "value":
      return "";
    default:
      return kind === "trend" ? "ms" : "";
  }
}

/**
 * A series no sample reached, for a metric whose kind the run's catalogue knows: a counter that
 * counted nothing observes `count` 0, not "no samples" (gauges have no such zero: left out).
 */
const emptySeries = new Map<MetricKind, SeriesState>();
function emptyState(kind: MetricKind | undefined): { kind: MetricKind; state: SeriesState } | null {
  if (kind === undefined || kind === "gauge") return null;
  let state = emptySeries.get(kind);
  if (state === undefined) emptySeries.set(kind, (state = new SeriesState(kind)));
  return { kind, state };
}

export function evaluateThreshold(spec: ThresholdSpec, agg: Aggregator, nowMs: number = Date.now()): ThresholdStatus {
  const merged = agg.query(spec.metric, spec.tags) ?? emptyState(spec.kind);
  let observed: number | null = null;
  if (merged !== null) {
    const values = merged.state.aggValues(agg.elapsedSecs(nowMs));
    observed = observedValue(spec, merged.kind, values, (p) => merged.state.percentile(p));
  }
  return {
    metric: spec.selector,
    expression: spec.expression,
    observed,
    passed: observed === null ? true : compare(spec.op, observed, spec.bound),
    abort_on_fail: spec.abortOnFail,
    unit: merged === null ? "" : observedUnit(spec, merged.kind),
  };
}

export function evaluateThresholds(
  specs: readonly ThresholdSpec[],
  agg: Aggregator,
  nowMs: number = Date.now(),
): ThresholdStatus[] {
  return specs.map((s) => evaluateThreshold(s, agg, nowMs));
}

/** The first failing abort_on_fail threshold whose delay_abort_eval has elapsed, if any. */
export function abortingThreshold(
  specs: readonly ThresholdSpec[],
  statuses: readonly ThresholdStatus[],
  elapsedMs: number,
): ThresholdSpec | null {
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    if (spec.abortOnFail && !statuses[i]!.passed && elapsedMs >= spec.delayAbortEvalMs) return spec;
  }
  return null;
}

/**
 * The coordinator's per-tick evaluation: statuses every tick, and an abort decision at most once
 * per run (the reference sends the abort request once).
 */
export class ThresholdMonitor {
  private aborted = false;

  constructor(readonly specs: readonly ThresholdSpec[]) {}

  tick(
    agg: Aggregator,
    nowMs: number = Date.now(),
  ): { statuses: ThresholdStatus[]; abort: { reason: string; threshold: ThresholdSpec } | null } {
    const statuses = evaluateThresholds(this.specs, agg, nowMs);
    if (this.aborted) return { statuses, abort: null };
    const elapsedMs = Math.max(0, nowMs - agg.startedMs);
    const threshold = abortingThreshold(this.specs, statuses, elapsedMs);
    if (threshold === null) return { statuses, abort: null };
    this.aborted = true;
    return { statuses, abort: { reason: THRESHOLD_ABORT_REASON, threshold } };
  }
}
