/**
 * Raw per-sample points, recorded only when an output asks for them (reference §2.7: outputs'
 * `on_samples`). A Sink without a recorder pays one null check per sample. With one, a sample is
 * four column writes (metric id, tag-set id, value, time) into typed arrays — no object per
 * sample, no Map lookup: ids are the worker's own dense metric and tag-set ids, and each name or
 * tag set crosses to the coordinator once, in the first batch shipped after its first use
 * (sample-columns.ts keeps the coordinator's copy). Batches cross as transferable buffers.
 */
import type { MetricDef, MetricKind } from "./registry.ts";
import type { TagSet, Tags } from "./tags.ts";

/** How many samples a batch holds before it is shipped (the reference's 8192). */
export const SAMPLE_BATCH = 8192;

export interface MetricEntry {
  id: number;
  name: string;
  kind: MetricKind;
  /** values are durations in ms */
  isTime: boolean;
}

/** One batch as it crosses from a worker to the coordinator. */
export interface SampleBatch {
  /** metrics first used since this worker's previous shipped batch */
  newMetrics: MetricEntry[];
  /** tag sets first used since this worker's previous shipped batch */
  newTagSets: { id: number; tags: Tags }[];
  /** per sample: metric id */
  metric: Int32Array;
  /** per sample: tag-set id */
  tags: Int32Array;
  value: Float64Array;
  /** ms since the epoch */
  time: Float64Array;
  length: number;
  /** samples dropped by this worker since its previous batch (outputs fell behind) */
  dropped?: number;
}

export class SampleRecorder {
  private readonly knownMetric: boolean[] = [];
  private readonly knownTags: boolean[] = [];
  private newMetrics: MetricEntry[] = [];
  private newTagSets: { id: number; tags: Tags }[] = [];
  private batch = newBatch();
  /** the time of the samples between hold() and release(); NaN = read the clock per sample */
  private stamp = NaN;

  /**
   * `ship` receives each full batch (and what flush() finds) and owns its buffers afterwards; it
   * returns false when it dropped the batch, so the dictionary entries ride on the next one.
   */
  constructor(private readonly ship: (b: SampleBatch) => boolean) {}

  /** The samples until release() are one event (a request's eleven): one clock read for all. */
  hold(): void {
    this.stamp = Date.now();
  }

  release(): void {
    this.stamp = NaN;
  }

  push(def: MetricDef, t: TagSet, v: number): void {
    if (this.knownMetric[def.id] !== true) this.learnMetric(def);
    if (this.knownTags[t.id] !== true) this.learnTags(t);
    const b = this.batch;
    const i = b.length++;
    b.metric[i] = def.id;
    b.tags[i] = t.id;
    b.value[i] = v;
    const s = this.stamp;
    b.time[i] = s === s ? s : Date.now();
    if (b.length === SAMPLE_BATCH) this.flush();
  }

  /** Ship what is buffered (each metrics tick and at the end). */
  flush(): void {
    if (this.batch.length === 0) return;
    const b = this.batch;
    this.batch = newBatch();
    b.newMetrics = this.newMetrics;
    b.newTagSets = this.newTagSets;
    if (this.ship(b)) {
      this.newMetrics = [];
      this.newTagSets = [];
    }
  }

  private learnMetric(def: MetricDef): void {
    this.knownMetric[def.id] = true;
    this.newMetrics.push({ id: def.id, name: def.name, kind: def.kind, isTime: def.isTime });
  }

  private learnTags(t: TagSet): void {
    this.knownTags[t.id] = true;
    this.newTagSets.push({ id: t.id, tags: t.tags });
  }
}

/** A batch with no samples (it can still carry a `dropped` count). */
export function emptyBatch(): SampleBatch {
  return { newMetrics: [], newTagSets: [], length: 0, metric: new Int32Array(0), tags: new Int32Array(0), value: new Float64Array(0), time: new Float64Array(0) };
}

function newBatch(): SampleBatch {
  return {
    newMetrics: [], newTagSets: [], length: 0,
    metric: new Int32Array(SAMPLE_BATCH), tags: new Int32Array(SAMPLE_BATCH),
    value: new Float64Array(SAMPLE_BATCH), time: new Float64Array(SAMPLE_BATCH),
  };
}

/** The buffers of a batch, for a zero-copy postMessage. */
export function batchTransferList(b: SampleBatch): ArrayBuffer[] {
  return [b.metric.buffer, b.tags.buffer, b.value.buffer, b.time.buffer] as ArrayBuffer[];
}
