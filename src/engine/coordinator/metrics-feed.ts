/**
 * The coordinator's view of the metrics: merges worker deltas into one Aggregator, sets the
 * run-level `vus`/`vus_max` gauges, snapshots once a second (timeline), watches abort_on_fail
 * thresholds, and builds the final Summary. Everything the CLI shows comes from here.
 */
import { randomUUID } from "node:crypto";
import { Aggregator } from "../../metrics/aggregator.ts";
import type { MetricsDelta } from "../../metrics/delta.ts";
import { progressLine } from "../../metrics/progress.ts";
import { buildBreakdown, type Breakdown } from "../../metrics/breakdown.ts";
import type { TrendStat } from "../../metrics/trend-stats.ts";
import type { Snapshot } from "../../metrics/snapshot.ts";
import type { TimelinePoint } from "../../metrics/timeline.ts";
import { buildSummary, type Summary } from "../../metrics/summary.ts";
import { evaluateThresholds, ThresholdMonitor, type ThresholdStatus } from "../../metrics/thresholds.ts";
import type { ThresholdSpec } from "../../plan/thresholds.ts";
import { overflowWarning } from "../../metrics/series-limit.ts";

export class MetricsFeed {
  private agg: Aggregator;
  private readonly monitor: ThresholdMonitor;
  private readonly runId = randomUUID();
  private last: Snapshot | undefined;
  private vusMax = 0;
  /** the peaks of the workers done so far, added up */
  private peakSum = 0;
  private abort: string | null = null;
  private endedMs: number | undefined;
  private statuses: ThresholdStatus[] = [];

  constructor(
    private readonly scenarios: string[],
    private readonly thresholds: ThresholdSpec[],
    /** series per metric (`defaults.max_series`) */
    private readonly maxSeries?: number,
  ) {
    this.monitor = new ThresholdMonitor(thresholds);
    this.agg = new Aggregator(Date.now(), maxSeries);
  }

  /** The run starts now (workers are ready): elapsed time and per-second rates count from here. */
  start(): void {
    this.agg = new Aggregator(Date.now(), this.maxSeries);
  }

  /** Warnings about metrics that reached their series bound, since the previous call. */
  takeWarnings(): string[] {
    return this.agg.takeOverflows().map(overflowWarning);
  }

  merge(delta: MetricsDelta): void {
    this.agg.merge(delta);
  }

  /** Once a second: gauges, a snapshot (timeline point), threshold watch. */
  tick(activeVus: number): void {
    this.setVus(activeVus);
    const now = Date.now();
    this.last = this.agg.snapshot(now);
    const { abort, statuses } = this.monitor.tick(this.agg, now);
    this.statuses = statuses;
    if (abort && this.abort === null) this.abort = abort.reason;
  }

  /**
   * A worker's peak VU count, from its last message: `vus_max` is at least the workers' peaks
   * added up. Workers run proportional slices of the same schedules, so their peaks coincide
   * and the sum is the run's peak; a run shorter than the first tick has no other sample of it.
   */
  sawVus(workerPeak: number): void {
    this.peakSum += workerPeak;
    this.vusMax = Math.max(this.vusMax, this.peakSum); // the gauge takes it at the next tick or at end()
  }

  private setVus(activeVus: number): void {
    this.vusMax = Math.max(this.vusMax, activeVus);
    this.agg.setGauge("vus", activeVus);
    this.agg.setGauge("vus_max", this.vusMax);
  }

  /** The most VUs seen at once so far (the `vus_max` gauge). */
  get vusPeak(): number {
    return this.vusMax;
  }

  /** The reason to abort the run, once an abort_on_fail threshold has failed past its delay. */
  abortReason(): string | null {
    return this.abort;
  }

  /** The latest once-a-second snapshot (outputs, live dashboard); undefined before the first tick. */
  lastSnapshot(): Snapshot | undefined {
    return this.last;
  }

  /** Threshold statuses as of the latest tick (live dashboard). */
  thresholdStatuses(): readonly ThresholdStatus[] {
    return this.statuses;
  }

  /** Requests per scenario, group and name so far, at the latest tick (live dashboard). */
  breakdown(limit: number): Breakdown | undefined {
    return this.last && buildBreakdown(this.agg, this.last, this.last.elapsed_secs, limit);
  }

  /** The timeline so far (live dashboard). */
  timeline(): readonly TimelinePoint[] {
    return this.agg.timeline;
  }

  progress(paused = false): string {
    return this.last ? progressLine(this.agg.timeline.at(-1), { elapsedSecs: this.agg.elapsedSecs(), paused }) : "";
  }

  /** All workers are done (or were stopped): fix the end time. */
  end(): void {
    this.endedMs = Date.now();
    this.setVus(0);
  }

  summary(name: string | undefined, aborted: string | undefined, trendStats?: readonly TrendStat[]): Summary {
    const nowMs = this.endedMs ?? Date.now();
    return buildSummary({
      name: name ?? null,
      runId: this.runId,
      startedMs: this.agg.startedMs,
      endedMs: nowMs,
      nowMs,
      scenarios: this.scenarios,
      aggregator: this.agg,
      thresholds: evaluateThresholds(this.thresholds, this.agg, nowMs),
      aborted: aborted ?? null,
      trendStats,
    });
  }
}
