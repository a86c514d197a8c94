/** Snapshot JSON (reference §2.7): every series with its cumulative AggValues and interval counts. */
import type { MetricKind } from "./registry.ts";
import type { AggValues } from "./series.ts";
import type { Tags } from "./tags.ts";

export interface SeriesSnapshot {
  metric: string;
  kind: MetricKind;
  tags: Tags;
  agg: AggValues;
  /** events since the previous snapshot: counter increase truncated; rate/trend new samples; gauge 0 */
  interval_count: number;
  /** counter increase (rate/trend: same as interval_count; gauge 0) */
  interval_sum: number;
}

export interface Snapshot {
  timestamp_ms: number;
  elapsed_secs: number;
  interval_secs: number;
  /** sorted by metric, then tags */
  series: SeriesSnapshot[];
}
