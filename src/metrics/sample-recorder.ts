/**
 * Raw per-sample points, recorded only when an output asks for them (reference §2.7: outputs'
 * `on_samples`). A Sink without a recorder pays one null check per sample. With one, a sample is
 * four column writes (metric id, tag-set id, value, time) into typed arrays — no object per
 * sample, no Map lookup: ids are the worker's own dense metric and tag-set ids, and each name or
 * tag set crosses to the coordinator once, in the first batch shipped after its first use
 * (sample-columns.ts keeps the coordinator's copy). Batches cross as transferable buffers, and
 * the coordinator hands each batch's buffers back once its outputs are done, so a worker fills
 * the same few buffers for the whole run.
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
export interface SampleBatch extends SampleArrays {
  /** metrics first used since this worker's previous shipped batch */
  newMetrics: MetricEntry[];
  /** tag sets first used since this worker's previous shipped batch */
  newTagSets: { id: number; tags: Tags }[];
}

/** The samples themselves, one column per field: the batch and the coordinator's SampleColumns share them. */
export interface SampleArrays {
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

/** The four columns of a batch, as their buffers: what the coordinator hands back for reuse. */
export type ColumnBuffers = [metric: ArrayBuffer, tags: ArrayBuffer, value: ArrayBuffer, time: ArrayBuffer];

export class SampleRecorder {
  private readonly knownMetric: boolean[] = [];
  private readonly knownTags: boolean[] = [];
  private newMetrics: MetricEntry[] = [];
  private newTagSets: { id: number; tags: Tags }[] = [];
  // the batch being filled, as fields: push() is called ~900k times a second at full load
  private metric!: Int32Array;
  private tags!: Int32Array;
  private value!: Float64Array;
  private time!: Float64Array;
  private n = 0;
  /** column buffers the coordinator gave back (recycle()); a fresh 192 KiB set costs an
   *  allocation, its page faults and GC pressure on the VUs' thread every 8192 samples */
  private readonly spare: ColumnBuffers[] = [];
  /** the time of the samples between hold() and release(); NaN = read the clock per sample */
  private stamp = NaN;

  /**
   * `ship` receives each full batch (and what flush() finds) and owns its buffers afterwards; it
   * returns false when it dropped the batch (without keeping it): the dictionary entries then ride
   * on the next one, and the same columns are filled again.
   */
  constructor(private readonly ship: (b: SampleBatch) => boolean) {
    this.nextColumns();
  }

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
    const i = this.n;
    this.metric[i] = def.id;
    this.tags[i] = t.id;
    this.value[i] = v;
    const s = this.stamp;
    this.time[i] = s === s ? s : Date.now();
    this.n = i + 1;
    if (i + 1 === SAMPLE_BATCH) this.flush();
  }

  /** Ship what is buffered (each metrics tick and at the end). */
  flush(): void {
    if (this.n === 0) return;
    const b: SampleBatch = {
      newMetrics: this.newMetrics, newTagSets: this.newTagSets,
      metric: this.metric, tags: this.tags, value: this.value, time: this.time, length: this.n,
    };
    if (this.ship(b)) {
      this.newMetrics = [];
      this.newTagSets = [];
      this.nextColumns();
    } else {
      this.n = 0; // dropped: the same columns fill again
    }
  }

  /** Column buffers of a shipped batch, given back once the outputs are done with them. */
  recycle(buffers: ColumnBuffers): void {
    if (buffers[0].byteLength === SAMPLE_BATCH * 4) this.spare.push(buffers);
  }

  private nextColumns(): void {
    const c = this.spare.pop();
    this.metric = c ? new Int32Array(c[0]) : new Int32Array(SAMPLE_BATCH);
    this.tags = c ? new Int32Array(c[1]) : new Int32Array(SAMPLE_BATCH);
    this.value = c ? new Float64Array(c[2]) : new Float64Array(SAMPLE_BATCH);
    this.time = c ? new Float64Array(c[3]) : new Float64Array(SAMPLE_BATCH);
    this.n = 0;
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

/** The buffers of a batch, for a zero-copy postMessage (both ways). */
export function batchTransferList(b: SampleBatch): ColumnBuffers {
  return [b.metric.buffer, b.tags.buffer, b.value.buffer, b.time.buffer] as ColumnBuffers;
}
