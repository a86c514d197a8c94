/** The metrics module's public surface (docs/dev/architecture.md "Seams between modules"). */
export { BUILTIN_METRICS, MetricRedefinitionError, MetricRegistry, type MetricDef, type MetricKind } from "./registry.ts";
export { TagInterner, TagSet, canonicalTagKey, type Tags } from "./tags.ts";
export { Sink } from "./sink.ts";
export { deltaTransferList, type MetricsDelta, type SeriesDelta, type WireTagSet } from "./delta.ts";
export { Aggregator, type Merged } from "./aggregator.ts";
export type { AggValues } from "./series.ts";
export type { Snapshot, SeriesSnapshot } from "./snapshot.ts";
export { timelinePoint, type TimelinePoint } from "./timeline.ts";
export {
  THRESHOLD_ABORT_REASON, ThresholdMonitor, abortingThreshold, compare, evaluateThreshold, evaluateThresholds,
  observedValue, type ThresholdSpec, type ThresholdStatus,
} from "./thresholds.ts";
export { buildSummary, SCHEMA_VERSION, type BuildSummaryInput, type CheckSummary, type MetricSummary, type Summary } from "./summary.ts";
export { buildBreakdown, type Breakdown, type BreakdownRow, type BreakdownTable, type CheckRow, type FailureRow } from "./breakdown.ts";
export type { RequestFigures } from "./request-stats.ts";
export { renderConsole, colorize, SUMMARY_MODES, type SummaryMode } from "./console.ts";
export { DEFAULT_TREND_STATS, parseTrendStats, TrendStatsError, type TrendStat } from "./trend-stats.ts";
export { renderJunit, xmlEscape } from "./junit.ts";
export { progressLine, type ProgressInfo } from "./progress.ts";
