/**
 * Scenario `throttle: {requests_per_second}` (reference §2.4): a request-rate ceiling for the
 * whole scenario, across workers. Slots are exactly 1/rps apart with no burst; each request
 * reserves the next free slot (one BigInt64 in the flow SharedArrayBuffer, epoch microseconds,
 * advanced with compare-and-swap) and waits for it. The first request goes at once.
 */
import type { FlowSharedState } from "../../flow-shared-state.ts";
import type { Vu } from "../vu.ts";

const nowUs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));

export class Throttle {
  private readonly intervalUs: bigint;

  constructor(
    private readonly shared: FlowSharedState,
    private readonly slot: number,
    rps: number,
  ) {
    this.intervalUs = BigInt(Math.max(1, Math.round(1e6 / rps)));
  }

  /** Reserve the next slot and sleep until it. */
  async wait(vu: Vu): Promise<void> {
    const a = this.shared.i64;
    let mine: bigint;
    let now: bigint;
    for (;;) {
      const next = Atomics.load(a, this.slot);
      now = nowUs();
      mine = next > now ? next : now;
      if (Atomics.compareExchange(a, this.slot, next, mine + this.intervalUs) === next) break;
    }
    const waitMs = Number(mine - now) / 1000;
    if (waitMs > 0) await vu.sleep(waitMs);
  }
}
