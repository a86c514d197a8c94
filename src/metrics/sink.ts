/**
 * Per-worker, in-place aggregation (DESIGN "The run" step 5). A sample updates one cell found by
 * (metric id → index into the TagSet's cells): a Map lookup for the metric name and an array
 * index, no allocation. `drain()` ships what changed since the previous drain and resets it.
 *
 * A metric's series are bounded (series-limit.ts): past the bound a new tag set is recorded in
 * its overflow series, and the tag set points at that cell from then on, so the bound costs the
 * hot path nothing. The coordinator applies the same bound and says so (the sink is silent).
 */
import { toMicros } from "./hdr.ts";
import { IntervalHistogram } from "./interval-histogram.ts";
import { MetricRegistry, MetricRedefinitionError, type MetricDef, type MetricKind } from "./registry.ts";
import { TagInterner, type TagSet } from "./tags.ts";
import { DEFAULT_MAX_SERIES, SeriesLimit } from "./series-limit.ts";
import { gaugeClock, type ErrorNote, type MetricsDelta, type SeriesDelta, type WireTagSet } from "./delta.ts";
import type { SampleRecorder } from "./sample-recorder.ts";

// The engine imports the seam types from here (docs/dev/architecture.md "Seams between modules" names sink.ts for the Sink).
export type { MetricsDelta } from "./delta.ts";
export { TagSet } from "./tags.ts";

// One class per kind keeps each record method monomorphic.
class CounterCell {
  value = 0;
  dirty = false;
  constructor(readonly def: MetricDef, readonly tagSet: TagSet) {}
}
class RateCell {
  passes = 0;
  total = 0;
  dirty = false;
  constructor(readonly def: MetricDef, readonly tagSet: TagSet) {}
}
class GaugeCell {
  last = 0;
  min = Infinity;
  max = -Infinity;
  seq = 0;
  dirty = false;
  constructor(readonly def: MetricDef, readonly tagSet: TagSet) {}
}
class TrendCell {
  readonly hist = new IntervalHistogram();
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  dirty = false;
  constructor(readonly def: MetricDef, readonly tagSet: TagSet) {}
}
type Cell = CounterCell | RateCell | GaugeCell | TrendCell;

export class Sink {
  readonly registry: MetricRegistry;
  private readonly limit: SeriesLimit;
  private readonly interner: TagInterner;
  /** name → def for the kinds already seen; the one Map lookup per sample */
  private readonly defs = new Map<string, MetricDef>();
  /** cells touched since the last drain, so drain() never scans idle series */
  private dirty: Cell[] = [];
  /** raw per-sample points, only when an output wants them (sample-recorder.ts); null = none */
  samples: SampleRecorder | null = null;
  /** kinds of failure this sink has noted (each is shipped once, with its first message) */
  private readonly errorKinds = new Set<string>();
  private newErrors: ErrorNote[] = [];

  /** `registry` should already hold the plan's `metrics:`; unknown names register on first use. `maxSeries`: per metric (`defaults.max_series`). */
  constructor(registry: MetricRegistry = new MetricRegistry(), maxSeries: number = DEFAULT_MAX_SERIES) {
    this.registry = registry;
    this.limit = new SeriesLimit(maxSeries);
    this.interner = new TagInterner((t) => this.limit.overflowOf(t));
  }

  /** The interned TagSet for these tags (call once per distinct set, not per sample). */
  tags(t: Record<string, string>): TagSet {
    return this.interner.intern(t);
  }

  /** `base` plus one tag (e.g. `status`), cached on `base`: cheap enough to call per request. */
  withTag(base: TagSet, key: string, value: string): TagSet {
    return this.interner.extend(base, key, value);
  }

  /** The samples until endEvent() are one event (a request's eleven): raw outputs get one
   *  timestamp for all of them, one clock read instead of eleven. */
  beginEvent(): void {
    if (this.samples !== null) this.samples.hold();
  }

  endEvent(): void {
    if (this.samples !== null) this.samples.release();
  }

  counter(m: string, t: TagSet, v: number): void {
    let def = this.defs.get(m);
    if (def === undefined || def.kind !== "counter") def = this.resolve(m, "counter");
    let c = t.cells[def.id] as CounterCell | undefined;
    if (c === undefined) c = this.cellFor(def, t, CounterCell);
    c.value += v;
    if (!c.dirty) this.markDirty(c);
    if (this.samples !== null) this.samples.push(def, t, v);
  }

  rate(m: string, t: TagSet, pass: boolean): void {
    let def = this.defs.get(m);
    if (def === undefined || def.kind !== "rate") def = this.resolve(m, "rate");
    let c = t.cells[def.id] as RateCell | undefined;
    if (c === undefined) c = this.cellFor(def, t, RateCell);
    c.total++;
    if (pass) c.passes++;
    if (!c.dirty) this.markDirty(c);
    if (this.samples !== null) this.samples.push(def, t, pass ? 1 : 0);
  }

  gauge(m: string, t: TagSet, v: number): void {
    let def = this.defs.get(m);
    if (def === undefined || def.kind !== "gauge") def = this.resolve(m, "gauge");
    let c = t.cells[def.id] as GaugeCell | undefined;
    if (c === undefined) c = this.cellFor(def, t, GaugeCell);
    c.last = v;
    if (v < c.min) c.min = v;
    if (v > c.max) c.max = v;
    c.seq = gaugeClock();
    if (!c.dirty) this.markDirty(c);
    if (this.samples !== null) this.samples.push(def, t, v);
  }

  /** A duration sample in milliseconds (float). */
  trend(m: string, t: TagSet, ms: number): void {
    let def = this.defs.get(m);
    if (def === undefined || def.kind !== "trend") def = this.resolve(m, "trend");
    let c = t.cells[def.id] as TrendCell | undefined;
    if (c === undefined) c = this.cellFor(def, t, TrendCell);
    c.hist.record(toMicros(ms));
    c.count++;
    c.sum += ms;
    if (ms < c.min) c.min = ms;
    if (ms > c.max) c.max = ms;
    if (!c.dirty) this.markDirty(c);
    if (this.samples !== null) this.samples.push(def, t, ms);
  }

  /**
   * The message of a failed request, for the summary's failure table: only the first of each
   * kind (an error_kind, or `not_sent`) is kept and shipped, so a run of failures costs one Set
   * lookup each. Called on the failure path only.
   */
  noteError(kind: string, message: string): void {
    if (this.errorKinds.has(kind)) return;
    this.errorKinds.add(kind);
    this.newErrors.push({ kind, message });
  }

  /** Everything recorded since the previous drain (empty `series` when nothing was). */
  drain(): MetricsDelta {
    const tagSets: WireTagSet[] = [];
    const tagIndex = new Map<TagSet, number>();
    const series: SeriesDelta[] = [];
    for (const c of this.dirty) {
      let ti = tagIndex.get(c.tagSet);
      if (ti === undefined) {
        ti = tagSets.length;
        tagIndex.set(c.tagSet, ti);
        tagSets.push({ key: c.tagSet.key, tags: c.tagSet.tags });
      }
      series.push(takeDelta(c, ti));
      c.dirty = false;
    }
    this.dirty = [];
    if (this.newErrors.length === 0) return { tagSets, series };
    const errors = this.newErrors;
    this.newErrors = [];
    return { tagSets, series, errors };
  }

  /**
   * Slow path: the first sample of a tag set for a metric. Its series, or past the metric's bound
   * its overflow series; either way the tag set points at that cell from now on.
   */
  private cellFor<C extends Cell>(def: MetricDef, t: TagSet, make: new (def: MetricDef, t: TagSet) => C): C {
    const placed = this.limit.place(def.name, t.tags, () => this.seriesOf(def));
    const home = placed === t.tags ? t : this.interner.intern(placed);
    let c = home.cells[def.id] as C | undefined;
    if (c === undefined) {
      c = home.cells[def.id] = new make(def, home);
      this.limit.created(def.name);
    }
    t.cells[def.id] = c;
    return c;
  }

  /** The tag sets `def` has series of (their own cells, not ones pointing to an overflow series). */
  private *seriesOf(def: MetricDef): Iterable<TagSet["tags"]> {
    for (const t of this.interner.all()) if ((t.cells[def.id] as Cell | undefined)?.tagSet === t) yield t.tags;
  }

  private markDirty(c: Cell): void {
    c.dirty = true;
    this.dirty.push(c);
  }

  /** Slow path: first use of a name in this sink, or a kind mismatch (which is an error). */
  private resolve(m: string, kind: MetricKind): MetricDef {
    const def = this.registry.get(m) ?? this.registry.register(m, kind);
    if (def.kind !== kind) throw new MetricRedefinitionError(m, def.kind, kind);
    this.defs.set(m, def);
    return def;
  }
}

function takeDelta(c: Cell, tagSet: number): SeriesDelta {
  const metric = c.def.name;
  if (c instanceof CounterCell) {
    const d: SeriesDelta = { kind: "counter", metric, tagSet, value: c.value };
    c.value = 0;
    return d;
  }
  if (c instanceof RateCell) {
    const d: SeriesDelta = { kind: "rate", metric, tagSet, passes: c.passes, total: c.total };
    c.passes = c.total = 0;
    return d;
  }
  if (c instanceof GaugeCell) {
    const d: SeriesDelta = { kind: "gauge", metric, tagSet, last: c.last, min: c.min, max: c.max, seq: c.seq };
    c.min = Infinity;
    c.max = -Infinity;
    return d;
  }
  const d: SeriesDelta = {
    kind: "trend",
    metric,
    tagSet,
    count: c.count,
    sum: c.sum,
    min: c.min,
    max: c.max,
    buckets: c.hist.encode(),
  };
  c.hist.reset();
  c.count = c.sum = 0;
  c.min = Infinity;
  c.max = -Infinity;
  return d;
}
