/**
 * The coordinator's aggregator (reference §2.7): merges worker deltas exactly (histograms added,
 * never percentiles averaged), keeps coordinator-level gauges, answers selector queries, rolls
 * snapshots and the timeline.
 *
 * Requests (their counts, failures and latency) are also added, as they arrive, into the running
 * merges of request-stats.ts, which every view reads.
 *
 * Time is passed in (`nowMs`, wall-clock ms) rather than read, so tests are deterministic;
 * every method defaults it to Date.now().
 *
 * A metric's series are bounded as in the workers (series-limit.ts): the workers' sinks keep
 * their own memory bounded, this keeps the merge of all of them bounded, and the request
 * breakdown is keyed by the series' tags, so it is bounded alike. Each tag capped is noted once
 * (takeOverflows()) for the run to warn about.
 */
import { gaugeClock, type MetricsDelta } from "./delta.ts";
import { RequestRollup, requestRole } from "./request-stats.ts";
import { DEFAULT_MAX_SERIES, SeriesLimit, type SeriesOverflow } from "./series-limit.ts";
import type { MetricKind } from "./registry.ts";
import { SeriesState, type AggValues } from "./series.ts";
import type { Snapshot, SeriesSnapshot } from "./snapshot.ts";
import { canonicalTagKey, cmp, compareTags, sortedTags, type Tags } from "./tags.ts";
import { timelinePoint, type TimelinePoint } from "./timeline.ts";

class AggSeries {
  readonly state: SeriesState;
  /** eventTotal() at the previous snapshot */
  snapTotal = 0;
  constructor(
    readonly metric: string,
    readonly tags: Tags,
    kind: MetricKind,
  ) {
    this.state = new SeriesState(kind);
  }
}

/** A selector's merged view: the kind of the first matching series and its merged state. */
export interface Merged {
  kind: MetricKind;
  state: SeriesState;
}

export class Aggregator {
  readonly startedMs: number;
  private lastSnapshotMs: number;
  private readonly series = new Map<string, AggSeries>();
  private readonly byMetric = new Map<string, AggSeries[]>();
  /** every series in snapshot order (metric, then tags); null after a series was added */
  private ordered: AggSeries[] | null = null;
  private readonly points: TimelinePoint[] = [];
  /** anything merged since the last snapshot (decides the trailing timeline point) */
  private recordedSinceSnapshot = false;
  /** requests merged per run, interval and breakdown tag (request-stats.ts) */
  readonly requests = new RequestRollup();
  /** the first message of each kind of failure, from whichever worker saw it first */
  private readonly errors = new Map<string, string>();
  private readonly limit: SeriesLimit;
  private overflows: SeriesOverflow[] = [];

  constructor(startedMs: number = Date.now(), maxSeries: number = DEFAULT_MAX_SERIES) {
    this.startedMs = startedMs;
    this.lastSnapshotMs = startedMs;
    this.limit = new SeriesLimit(maxSeries, (o) => this.overflows.push(o));
  }

  /** Tags capped since the previous call (one note per tag, and per metric that fell to the catch-all series). */
  takeOverflows(): SeriesOverflow[] {
    const out = this.overflows;
    if (out.length > 0) this.overflows = [];
    return out;
  }

  /** Add one worker's drained delta. */
  merge(delta: MetricsDelta): void {
    for (const d of delta.series) {
      const wire = delta.tagSets[d.tagSet];
      if (wire === undefined) continue; // malformed delta: nothing sensible to attribute it to
      const s = this.seriesFor(d.metric, wire.key, wire.tags, d.kind);
      s.state.applyDelta(d);
      const role = requestRole(d.metric);
      if (role !== null) this.requests.apply(role, d, s.tags);
      this.recordedSinceSnapshot = true;
    }
    if (delta.errors !== undefined) for (const e of delta.errors) if (!this.errors.has(e.kind)) this.errors.set(e.kind, e.message);
  }

  /** The first message of each kind of failure (Sink.noteError), by kind. */
  firstErrors(): ReadonlyMap<string, string> {
    return this.errors;
  }

  /** A coordinator-level gauge (e.g. `vus`, `vus_max`, empty tags by default). */
  setGauge(metric: string, value: number, tags: Record<string, string> = {}): void {
    const key = canonicalTagKey(tags);
    this.seriesFor(metric, key, tags, "gauge").state.setGauge(value, value, value, gaugeClock());
    this.recordedSinceSnapshot = true;
  }

  elapsedSecs(nowMs: number = Date.now()): number {
    return Math.max(0, nowMs - this.startedMs) / 1000;
  }

  /** Metric names with at least one series, sorted. */
  metricNames(): string[] {
    return [...this.byMetric.keys()].sort(cmp);
  }

  /**
   * Merge every series of `metric` whose tags contain all of `filter` (reference §2.7 selector
   * aggregation). Null when nothing matches.
   */
  query(metric: string, filter: Record<string, string> = {}): Merged | null {
    const matched = this.matching(metric, filter);
    if (matched.length === 0) return null;
    const kind = matched[0]!.state.kind;
    if (matched.length === 1) return { kind, state: matched[0]!.state };
    const merged = new SeriesState(kind);
    for (const s of matched) merged.mergeFrom(s.state);
    return { kind, state: merged };
  }

  /** AggValues of a selector, or null when no series matches. */
  aggregate(
    metric: string,
    filter: Record<string, string> = {},
    nowMs: number = Date.now(),
  ): { kind: MetricKind; agg: AggValues } | null {
    const m = this.query(metric, filter);
    return m === null ? null : { kind: m.kind, agg: m.state.aggValues(this.elapsedSecs(nowMs)) };
  }

  /** An arbitrary percentile (0 < p ≤ 100, ms) over the trend series a selector matches. */
  percentile(metric: string, filter: Record<string, string>, p: number): number | null {
    const m = this.query(metric, filter);
    return m === null ? null : m.state.percentile(p);
  }

  /** Build a snapshot, roll the interval window and append a timeline point. */
  snapshot(nowMs: number = Date.now()): Snapshot {
    const snap = this.roll(nowMs);
    this.points.push(timelinePoint(snap, this.requests.total, this.requests.rollInterval()));
    return snap;
  }

  /**
   * The final snapshot at the end of the run: rolls the window like snapshot(), but appends a
   * timeline point only if anything was recorded since the previous snapshot.
   */
  finish(nowMs: number = Date.now()): Snapshot {
    const had = this.recordedSinceSnapshot;
    const snap = this.roll(nowMs);
    const interval = this.requests.rollInterval();
    if (had) this.points.push(timelinePoint(snap, this.requests.total, interval));
    return snap;
  }

  /** Timeline points so far (one per snapshot). */
  get timeline(): readonly TimelinePoint[] {
    return this.points;
  }

  private roll(nowMs: number): Snapshot {
    const elapsed = this.elapsedSecs(nowMs);
    const interval = Math.max(0, nowMs - this.lastSnapshotMs) / 1000;
    this.lastSnapshotMs = nowMs;
    this.recordedSinceSnapshot = false;
    // sorted once per new series, not once a second: thousands of series in a scale-out test
    this.ordered ??= [...this.series.values()].sort((a, b) => cmp(a.metric, b.metric) || compareTags(a.tags, b.tags));
    const out: SeriesSnapshot[] = [];
    for (const s of this.ordered) {
      const st = s.state;
      let intervalCount = 0;
      let intervalSum = 0;
      if (st.kind !== "gauge") {
        const total = st.eventTotal();
        const d = total - s.snapTotal;
        s.snapTotal = total;
        intervalCount = st.kind === "counter" ? Math.max(0, Math.trunc(d)) : d;
        intervalSum = d;
      }
      out.push({
        metric: s.metric,
        kind: st.kind,
        tags: s.tags,
        agg: st.aggValues(elapsed),
        interval_count: intervalCount,
        interval_sum: intervalSum,
      });
    }
    return { timestamp_ms: Math.floor(nowMs), elapsed_secs: elapsed, interval_secs: interval, series: out };
  }

  private matching(metric: string, filter: Record<string, string>): AggSeries[] {
    const all = this.byMetric.get(metric);
    if (all === undefined) return [];
    const keys = Object.keys(filter);
    if (keys.length === 0) return all;
    return all.filter((s) => keys.every((k) => s.tags[k] === filter[k]));
  }

  private seriesFor(metric: string, tagKey: string, tags: Tags, kind: MetricKind): AggSeries {
    const key = metric + "\u0001" + tagKey;
    const s = this.series.get(key);
    if (s !== undefined) return s;
    // a new tag set: its series, or past the metric's bound its overflow series
    const placed = this.limit.place(metric, tags, () => (this.byMetric.get(metric) ?? []).map((x) => x.tags));
    if (placed === tags) return this.newSeries(key, metric, tags, kind);
    const overflowKey = metric + "\u0001" + canonicalTagKey(placed);
    return this.series.get(overflowKey) ?? this.newSeries(overflowKey, metric, placed, kind);
  }

  private newSeries(key: string, metric: string, tags: Tags, kind: MetricKind): AggSeries {
    // Kind is fixed by the first delta of the series, as in the reference.
    const s = new AggSeries(metric, sortedTags(tags), kind);
    this.series.set(key, s);
    let list = this.byMetric.get(metric);
    if (list === undefined) this.byMetric.set(metric, (list = []));
    list.push(s);
    this.ordered = null;
    this.limit.created(metric);
    return s;
  }
}
