/**
 * A scenario's live VUs in one worker, counted together with the other scenarios of that worker:
 * `peak` is the most VUs the worker ever had at once. The `vus`/`vus_max` gauges sample the
 * live count once a second (reference §2.4), which a run shorter than a second never reaches —
 * a 30-iteration smoke test reported `vus_max=0`. Counting at each add sees every peak.
 */
import type { Vu } from "./vu.ts";

/** One per worker, shared by its scenarios' sets. */
export class VuCount {
  live = 0;
  peak = 0;
}

export class LiveVus extends Set<Vu> {
  constructor(private readonly count: VuCount = new VuCount()) {
    super();
  }

  override add(vu: Vu): this {
    if (!this.has(vu)) {
      const c = this.count;
      if (++c.live > c.peak) c.peak = c.live;
    }
    return super.add(vu);
  }

  override delete(vu: Vu): boolean {
    const had = super.delete(vu);
    if (had) this.count.live--;
    return had;
  }
}
