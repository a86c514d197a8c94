/**
 * The memory raw samples travel in (sample-recorder.ts): per worker, up to SAMPLE_SLOTS batches'
 * columns in SharedArrayBuffers that both threads view. A batch crosses as its slot number in a
 * small message, and a slot's buffers cross once, with its first batch: transferring four column
 * buffers per batch through postMessage (and handing them back) cost the VU thread ~0.3 µs per
 * request. A slot's memory is made when the worker first needs it, so a run whose outputs keep up
 * uses two or three.
 *
 * Each slot's state word, shared, says whose it is: FREE (the recorder may take it) or HELD (being
 * filled, or shipped and not yet consumed). The coordinator frees a slot once its outputs are done
 * with the batch. With every slot held, the outputs are SAMPLE_SLOTS - 1 batches behind: the
 * recorder drops (and counts) rather than wait, so a slow output never slows the load.
 */

/** How many samples a batch holds before it is shipped (the reference's 8192). */
export const SAMPLE_BATCH = 8192;

/** batches per worker: one being filled, the rest in flight to the outputs */
export const SAMPLE_SLOTS = 33;

const FREE = 0;
const HELD = 1;

/** What the coordinator posts to a worker: the state words. */
export interface SampleSlotsInit {
  state: SharedArrayBuffer;
}

/** One slot's memory, as it crosses once to the coordinator. */
export interface SlotBuffers {
  metric: SharedArrayBuffer;
  tags: SharedArrayBuffer;
  value: SharedArrayBuffer;
  time: SharedArrayBuffer;
}

/** One slot's columns, SAMPLE_BATCH samples each. */
export interface SlotColumns {
  metric: Int32Array;
  tags: Int32Array;
  value: Float64Array;
  time: Float64Array;
}

export class SampleSlots {
  private readonly state: Int32Array;
  private readonly views: (SlotColumns | undefined)[] = [];

  static allocate(count = SAMPLE_SLOTS): SampleSlotsInit {
    return { state: new SharedArrayBuffer(4 * count) };
  }

  constructor(readonly init: SampleSlotsInit) {
    this.state = new Int32Array(init.state);
  }

  /** The worker: a free slot, now held by it (its memory made on first use); -1 when every slot is held. */
  acquire(): number {
    for (let s = 0; s < this.state.length; s++) {
      if (Atomics.compareExchange(this.state, s, FREE, HELD) !== FREE) continue;
      if (this.views[s] === undefined)
        this.adopt(s, {
          metric: new SharedArrayBuffer(4 * SAMPLE_BATCH),
          tags: new SharedArrayBuffer(4 * SAMPLE_BATCH),
          value: new SharedArrayBuffer(8 * SAMPLE_BATCH),
          time: new SharedArrayBuffer(8 * SAMPLE_BATCH),
        });
      return s;
    }
    return -1;
  }

  /** The coordinator: a slot's memory, as the worker sent it with the slot's first batch. */
  adopt(slot: number, b: SlotBuffers): void {
    this.views[slot] = { metric: new Int32Array(b.metric), tags: new Int32Array(b.tags), value: new Float64Array(b.value), time: new Float64Array(b.time) };
  }

  /** The memory under a slot's columns, to send to the coordinator once. */
  slotBuffers(slot: number): SlotBuffers {
    const c = this.views[slot]!;
    const buffer = (a: Int32Array | Float64Array) => a.buffer as SharedArrayBuffer;
    return { metric: buffer(c.metric), tags: buffer(c.tags), value: buffer(c.value), time: buffer(c.time) };
  }

  columns(slot: number): SlotColumns {
    return this.views[slot]!;
  }

  /** The coordinator: the outputs are done with this slot's batch. */
  release(slot: number): void {
    Atomics.store(this.state, slot, FREE);
  }
}
