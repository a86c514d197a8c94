/**
 * Raw per-sample points, recorded only when an output asks for them (reference §2.7: outputs'
 * `on_samples`). A Sink without a recorder pays one null check per sample. With one, a sample is
 * four column writes (metric, tag set, value, time) into typed arrays — still no object per
 * sample; the batch crosses to the coordinator as transferable buffers and becomes SamplePoint
 * objects there, off the VUs' thread.
 */
import type { MetricDef, MetricKind } from "./registry.ts";
import type { TagSet, Tags } from "./tags.ts";

/** How many samples a batch holds before it is shipped (the reference's 8192). */
export const SAMPLE_BATCH = 8192;

export interface SampleBatch {
  metrics: string[];
  kinds: MetricKind[];
  tagSets: Tags[];
  /** per sample: index into `metrics` */
  metric: Int32Array;
  /** per sample: index into `tagSets` */
  tags: Int32Array;
  value: Float64Array;
  /** ms since the epoch */
  time: Float64Array;
  length: number;
  /** samples dropped by this worker since its previous batch (outputs fell behind) */
  dropped?: number;
}

export class SampleRecorder {
  private metricIdx = new Map<MetricDef, number>();
  private tagIdx = new Map<TagSet, number>();
  private batch = newBatch();

  /** `ship` receives each full batch (and what drain() finds); it owns the buffers afterwards. */
  constructor(private readonly ship: (b: SampleBatch) => void) {}

  push(def: MetricDef, t: TagSet, v: number): void {
    const b = this.batch;
    let mi = this.metricIdx.get(def);
    if (mi === undefined) {
      mi = b.metrics.length;
      b.metrics.push(def.name);
      b.kinds.push(def.kind);
      this.metricIdx.set(def, mi);
    }
    let ti = this.tagIdx.get(t);
    if (ti === undefined) {
      ti = b.tagSets.length;
      b.tagSets.push(t.tags);
      this.tagIdx.set(t, ti);
    }
    const i = b.length++;
    b.metric[i] = mi;
    b.tags[i] = ti;
    b.value[i] = v;
    b.time[i] = Date.now();
    if (b.length === SAMPLE_BATCH) this.flush();
  }

  /** Ship what is buffered (each metrics tick and at the end). */
  flush(): void {
    if (this.batch.length === 0) return;
    const b = this.batch;
    this.batch = newBatch();
    this.metricIdx = new Map();
    this.tagIdx = new Map();
    this.ship(b);
  }
}

/** A batch with no samples (it can still carry a `dropped` count). */
export function emptyBatch(): SampleBatch {
  return { metrics: [], kinds: [], tagSets: [], length: 0, metric: new Int32Array(0), tags: new Int32Array(0), value: new Float64Array(0), time: new Float64Array(0) };
}

function newBatch(): SampleBatch {
  return {
    metrics: [], kinds: [], tagSets: [], length: 0,
    metric: new Int32Array(SAMPLE_BATCH), tags: new Int32Array(SAMPLE_BATCH),
    value: new Float64Array(SAMPLE_BATCH), time: new Float64Array(SAMPLE_BATCH),
  };
}

/** The buffers of a batch, for a zero-copy postMessage. */
export function batchTransferList(b: SampleBatch): ArrayBuffer[] {
  return [b.metric.buffer, b.tags.buffer, b.value.buffer, b.time.buffer] as ArrayBuffer[];
}

/** Points for the outputs (coordinator side). Rates become 1/0 as in the reference's wire shape. */
export function batchPoints(b: SampleBatch): { metric: string; kind: MetricKind; time: number; value: number; tags: Tags }[] {
  const out = new Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const m = b.metric[i]!;
    out[i] = { metric: b.metrics[m]!, kind: b.kinds[m]!, time: b.time[i]!, value: b.value[i]!, tags: b.tagSets[b.tags[i]!]! };
  }
  return out;
}
