/**
 * The worker → coordinator wire shape: what a Sink aggregated since its last drain.
 * Plain data only (strings, numbers, Float64Array), so it survives postMessage's structured clone;
 * histograms travel as bucket counts, never as percentiles, so the coordinator can add them exactly.
 */
import type { Tags } from "./tags.ts";

export interface WireTagSet {
  /** canonicalTagKey(tags): the coordinator interns by it */
  key: string;
  tags: Tags;
}

interface SeriesBase {
  metric: string;
  /** index into MetricsDelta.tagSets */
  tagSet: number;
}

export interface CounterDelta extends SeriesBase {
  kind: "counter";
  /** increase since the previous drain */
  value: number;
}

export interface RateDelta extends SeriesBase {
  kind: "rate";
  passes: number;
  total: number;
}

export interface GaugeDelta extends SeriesBase {
  kind: "gauge";
  last: number;
  /** min/max over the values set since the previous drain */
  min: number;
  max: number;
  /** wall-clock ms (sub-ms precision) of `last`: the coordinator keeps the latest across workers */
  seq: number;
}

export interface TrendDelta extends SeriesBase {
  kind: "trend";
  count: number;
  /** exact ms sum/min/max of the samples since the previous drain */
  sum: number;
  min: number;
  max: number;
  /** IntervalHistogram.encode(): interleaved [slot index (metrics/hdr-layout.ts), count], ascending */
  buckets: Float64Array;
}

export type SeriesDelta = CounterDelta | RateDelta | GaugeDelta | TrendDelta;

/** The first message of a kind of failure this worker saw (Sink.noteError): the summary's failure table. */
export interface ErrorNote {
  /** an error_kind (`connection_refused`, `timeout`…) or `not_sent` */
  kind: string;
  message: string;
}

export interface MetricsDelta {
  tagSets: WireTagSet[];
  series: SeriesDelta[];
  /** kinds of failure first seen by this worker since its previous drain (absent: none) */
  errors?: ErrorNote[];
}

/** The ArrayBuffers of a delta, for `postMessage(delta, deltaTransferList(delta))` (no copy). */
export function deltaTransferList(delta: MetricsDelta): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const s of delta.series) if (s.kind === "trend") out.push(s.buckets.buffer as ArrayBuffer);
  return out;
}

/** Wall clock with sub-millisecond resolution; comparable across worker threads. */
export function gaugeClock(): number {
  return performance.timeOrigin + performance.now();
}
