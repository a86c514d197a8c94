/**
 * Raw per-sample points, recorded only when an output asks for them (reference §2.7: outputs'
 * `on_samples`). A Sink without a recorder pays one null check per sample. With one, a sample is
 * four column writes (metric id, tag-set id, value, time) into typed arrays — no object per
 * sample, no Map lookup: ids are the worker's own dense metric and tag-set ids, and each name or
 * tag set crosses to the coordinator once, in the first batch shipped after its first use
 * (sample-columns.ts keeps the coordinator's copy). The columns are a slot of shared memory
 * (sample-slots.ts): a shipped batch is its slot number, and the coordinator frees the slot once
 * its outputs are done, so a worker fills the same few slots for the whole run.
 */
import type { MetricDef, MetricKind } from "./registry.ts";
import { SAMPLE_BATCH, type SampleSlots, type SlotBuffers } from "./sample-slots.ts";
import type { TagSet, Tags } from "./tags.ts";

export interface MetricEntry {
  id: number;
  name: string;
  kind: MetricKind;
  /** values are durations in ms */
  isTime: boolean;
}

/** One batch as it crosses from a worker to the coordinator (plain data, no buffers). */
export interface SampleBatch {
  /** the slot holding its samples; -1 for a batch with none (it still carries `dropped`) */
  slot: number;
  /** the slot's memory, with the first batch shipped in it (sample-slots.ts) */
  buffers?: SlotBuffers;
  length: number;
  /** samples dropped by this worker since its previous batch (outputs fell behind) */
  dropped: number;
  /** metrics first used since this worker's previous shipped batch */
  newMetrics: MetricEntry[];
  /** tag sets first used since this worker's previous shipped batch */
  newTagSets: { id: number; tags: Tags }[];
}

/** The samples themselves, one column per field, as outputs read them (sample-columns.ts). */
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

export class SampleRecorder {
  private readonly knownMetric: boolean[] = [];
  private readonly knownTags: boolean[] = [];
  private newMetrics: MetricEntry[] = [];
  private newTagSets: { id: number; tags: Tags }[] = [];
  // the slot being filled, its columns as fields: push() is called ~2M times a second at full load
  private slot: number;
  private metric!: Int32Array;
  private tags!: Int32Array;
  private value!: Float64Array;
  private time!: Float64Array;
  private n = 0;
  private dropped = 0;
  /** by slot: its buffers went to the coordinator */
  private readonly sent: boolean[] = [];
  /** the time of the samples between hold() and release(); NaN = read the clock per sample */
  private stamp = NaN;

  /** `ship` posts each full batch (and what flush() finds); the slot is the coordinator's from then on. */
  constructor(
    private readonly slots: SampleSlots,
    private readonly ship: (b: SampleBatch) => void,
  ) {
    this.slot = slots.acquire();
    if (this.slot < 0) throw new Error("sample slots: none free for a new recorder");
    this.fill(this.slot);
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

  /**
   * Ship what is buffered (each metrics tick and when full). With no free slot to go on with, the
   * outputs are behind: the batch is dropped and counted instead, and the same slot fills again
   * (its dictionary entries ride on the next shipped batch).
   */
  flush(): void {
    if (this.n === 0) return;
    const next = this.slots.acquire();
    if (next < 0) {
      this.dropped += this.n;
      this.n = 0;
      return;
    }
    const slot = this.slot;
    const b = this.batch(slot, this.n);
    if (this.sent[slot] !== true) {
      b.buffers = this.slots.slotBuffers(slot);
      this.sent[slot] = true;
    }
    this.ship(b);
    this.fill(next);
  }

  /** The end of the run: flush, then report any drops no batch carried yet. */
  finish(): void {
    this.flush();
    if (this.dropped > 0) this.ship(this.batch(-1, 0));
  }

  /** A batch to ship, carrying what accrued since the last one (drops, dictionary entries). */
  private batch(slot: number, length: number): SampleBatch {
    const b: SampleBatch = { slot, length, dropped: this.dropped, newMetrics: this.newMetrics, newTagSets: this.newTagSets };
    this.dropped = 0;
    this.newMetrics = [];
    this.newTagSets = [];
    return b;
  }

  private fill(slot: number): void {
    const c = this.slots.columns(slot);
    this.slot = slot;
    this.metric = c.metric;
    this.tags = c.tags;
    this.value = c.value;
    this.time = c.time;
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
