/**
 * Coordinator-side cumulative state of one series (or of a merge of several, for selectors),
 * and its AggValues (reference §2.7).
 */
import { TREND_SCALE, TrendHistogram } from "./hdr.ts";
import type { SeriesDelta } from "./delta.ts";
import type { MetricKind } from "./registry.ts";

/**
 * `count` and `sum` are always numbers (the reference's AggValues has them as u64/f64, 0 for a
 * gauge's sum); every other field is null when it does not apply to the kind.
 */
export interface AggValues {
  count: number;
  sum: number;
  avg: number | null;
  min: number | null;
  max: number | null;
  med: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  p999: number | null;
  rate: number | null;
  last: number | null;
  per_second: number | null;
}

/** The quantiles every trend AggValues carries, ascending: med, p90, p95, p99, p999. */
const FIXED_QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999] as const;

export class SeriesState {
  // counter
  total = 0;
  // rate
  passes = 0;
  samples = 0;
  // gauge
  last = 0;
  gaugeMin = Infinity;
  gaugeMax = -Infinity;
  seq = -Infinity;
  // trend
  hist: TrendHistogram | undefined;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** fixed quantiles (µs) cached for `cachedAt` samples: idle series cost nothing per snapshot */
  private qCache: number[] | undefined;
  private cachedAt = -1;

  constructor(readonly kind: MetricKind) {
    if (kind === "trend") this.hist = new TrendHistogram();
  }

  /** Add a worker delta. A delta of another kind than the series' first one is ignored. */
  applyDelta(d: SeriesDelta): void {
    if (d.kind !== this.kind) return;
    switch (d.kind) {
      case "counter":
        this.total += d.value;
        return;
      case "rate":
        this.passes += d.passes;
        this.samples += d.total;
        return;
      case "gauge":
        this.setGauge(d.last, d.min, d.max, d.seq);
        return;
      case "trend":
        this.hist!.addBuckets(d.buckets);
        this.count += d.count;
        this.sum += d.sum;
        if (d.min < this.min) this.min = d.min;
        if (d.max > this.max) this.max = d.max;
        return;
    }
  }

  /** A gauge value with its clock; the latest `seq` wins `last`, min/max always combine. */
  setGauge(last: number, min: number, max: number, seq: number): void {
    if (seq >= this.seq) {
      this.last = last;
      this.seq = seq;
    }
    if (min < this.gaugeMin) this.gaugeMin = min;
    if (max > this.gaugeMax) this.gaugeMax = max;
  }

  /** Merge another series of the same kind into this one (selector aggregation). */
  mergeFrom(o: SeriesState): void {
    if (o.kind !== this.kind) return;
    this.total += o.total;
    this.passes += o.passes;
    this.samples += o.samples;
    if (o.kind === "gauge") this.setGauge(o.last, o.gaugeMin, o.gaugeMax, o.seq);
    if (o.kind === "trend") {
      this.hist!.add(o.hist!);
      this.count += o.count;
      this.sum += o.sum;
      if (o.min < this.min) this.min = o.min;
      if (o.max > this.max) this.max = o.max;
    }
  }

  /** Events so far, as the interval counters see them (counter: the total; rate/trend: samples). */
  eventTotal(): number {
    return this.kind === "counter" ? this.total : this.kind === "rate" ? this.samples : this.count;
  }

  /** A percentile (0 < p ≤ 100) in ms from the histogram; null when not a trend or empty. */
  percentile(p: number): number | null {
    if (this.kind !== "trend" || this.count === 0) return null;
    const v = this.hist!.valuesAtQuantiles([p / 100])[0]!;
    return Number.isNaN(v) ? null : v / TREND_SCALE;
  }

  aggValues(elapsedSecs: number): AggValues {
    const a: AggValues = {
      count: 0, sum: 0, avg: null, min: null, max: null, med: null, p90: null, p95: null,
      p99: null, p999: null, rate: null, last: null, per_second: null,
    };
    const perSecond = (n: number): number | null => (elapsedSecs > 0 ? n / elapsedSecs : null);
    switch (this.kind) {
      case "counter":
        a.sum = this.total;
        a.count = Math.max(0, Math.trunc(this.total));
        a.per_second = perSecond(this.total);
        break;
      case "gauge":
        a.last = this.last;
        a.min = Number.isFinite(this.gaugeMin) ? this.gaugeMin : null;
        a.max = Number.isFinite(this.gaugeMax) ? this.gaugeMax : null;
        a.count = 1;
        break;
      case "rate":
        a.count = this.samples;
        a.sum = this.passes;
        a.rate = this.samples > 0 ? this.passes / this.samples : null;
        a.per_second = perSecond(this.samples);
        break;
      case "trend": {
        a.count = this.count;
        a.sum = this.sum;
        if (this.count > 0) {
          a.avg = this.sum / this.count;
          a.min = this.min;
          a.max = this.max;
          const q = this.fixedQuantiles();
          a.med = q[0]! / TREND_SCALE;
          a.p90 = q[1]! / TREND_SCALE;
          a.p95 = q[2]! / TREND_SCALE;
          a.p99 = q[3]! / TREND_SCALE;
          a.p999 = q[4]! / TREND_SCALE;
        }
        a.per_second = perSecond(this.count);
        break;
      }
    }
    return a;
  }

  private fixedQuantiles(): number[] {
    if (this.qCache === undefined || this.cachedAt !== this.count) {
      this.qCache = this.hist!.valuesAtQuantiles(FIXED_QUANTILES);
      this.cachedAt = this.count;
    }
    return this.qCache;
  }
}
