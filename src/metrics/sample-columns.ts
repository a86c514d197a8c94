/**
 * The coordinator's side of raw samples: each worker's batches name metrics and tag sets by that
 * worker's ids, and announce each id once (sample-recorder.ts). A SampleDictionary per worker
 * keeps what was announced and turns a batch into SampleColumns over its slot's shared columns
 * (sample-slots.ts), which outputs read directly (json, csv) or as one object per point
 * (columnsPoints, for statsd and output plugins) — before they return: the slot is then freed
 * and filled again.
 */
import type { MetricKind } from "./registry.ts";
import type { SampleArrays, SampleBatch } from "./sample-recorder.ts";
import type { SampleSlots, SlotColumns } from "./sample-slots.ts";
import type { Tags } from "./tags.ts";

const NO_COLUMNS: SlotColumns = { metric: new Int32Array(0), tags: new Int32Array(0), value: new Float64Array(0), time: new Float64Array(0) };

/** A batch with its dictionary: `metrics[metric[i]]`, `tagSets[tags[i]]` name sample i. */
export interface SampleColumns extends SampleArrays {
  /** by metric id (the arrays are this worker's whole dictionary, kept across batches) */
  metrics: readonly string[];
  kinds: readonly MetricKind[];
  /** by metric id: values are durations in ms */
  isTime: readonly boolean[];
  /** by tag-set id */
  tagSets: readonly Tags[];
}

export class SampleDictionary {
  private readonly metrics: string[] = [];
  private readonly kinds: MetricKind[] = [];
  private readonly isTime: boolean[] = [];
  private readonly tagSets: Tags[] = [];

  constructor(private readonly slots: SampleSlots) {}

  resolve(b: SampleBatch): SampleColumns {
    for (const m of b.newMetrics) {
      this.metrics[m.id] = m.name;
      this.kinds[m.id] = m.kind;
      this.isTime[m.id] = m.isTime;
    }
    for (const t of b.newTagSets) this.tagSets[t.id] = t.tags;
    if (b.buffers !== undefined) this.slots.adopt(b.slot, b.buffers);
    const { metric, tags, value, time } = b.slot < 0 ? NO_COLUMNS : this.slots.columns(b.slot);
    const { length, dropped } = b;
    return { metrics: this.metrics, kinds: this.kinds, isTime: this.isTime, tagSets: this.tagSets, metric, tags, value, time, length, dropped };
  }
}

/** One object per sample, for outputs that take points. Rates are 1/0 as in the reference's wire shape. */
export function columnsPoints(b: SampleColumns): { metric: string; kind: MetricKind; time: number; value: number; tags: Tags }[] {
  const out = new Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const m = b.metric[i]!;
    out[i] = { metric: b.metrics[m]!, kind: b.kinds[m]!, time: b.time[i]!, value: b.value[i]!, tags: b.tagSets[b.tags[i]!]! };
  }
  return out;
}
