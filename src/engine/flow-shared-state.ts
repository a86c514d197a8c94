/**
 * Cross-worker state of flows, beside shared-state.ts and built the same way: one
 * SharedArrayBuffer made by the coordinator and posted to every worker, touched only with
 * Atomics. It holds what must be one thing per scenario whichever worker a VU lives on:
 * `random: round_robin` counters, `rendezvous` barriers, shared data cursors and `throttle`
 * limiters.
 *
 * The layout is a pure function of the plan, so the coordinator (to size the buffer) and each
 * worker (to find its slots) compute the same one from their own copy of the plan.
 */
import type { Plan, Step } from "../plan/schema.ts";
import { walkSteps } from "../plan/walk.ts";

export interface FlowLayout {
  /** `random` step (this worker's plan object) → its round-robin counter */
  roundRobin: Map<Step, number>;
  /** `<scenario>\0<name>` → first of two ints: waiting count, generation */
  rendezvous: Map<string, number>;
  /** data source name → its shared cursor */
  data: Map<string, number>;
  /** scenario name → its throttle's next free slot (a BigInt64 index) */
  throttle: Map<string, number>;
  ints: number;
  bigs: number;
}

export function flowLayout(plan: Plan, scenarios: readonly string[]): FlowLayout {
  const l: FlowLayout = { roundRobin: new Map(), rendezvous: new Map(), data: new Map(), throttle: new Map(), ints: 0, bigs: 0 };
  for (const name of Object.keys(plan.data ?? {})) l.data.set(name, l.ints++);
  for (const s of scenarios) {
    const sc = plan.scenarios[s]!;
    if (sc.throttle) l.throttle.set(s, l.bigs++);
    walkSteps(sc.flow ?? [], [], ({ step }) => {
      if ("random" in step && step.random.strategy === "round_robin") l.roundRobin.set(step, l.ints++);
      if ("rendezvous" in step) {
        const key = `${s}\0${step.rendezvous.name}`;
        if (!l.rendezvous.has(key)) {
          l.rendezvous.set(key, l.ints);
          l.ints += 2;
        }
      }
    });
  }
  return l;
}

export class FlowSharedState {
  readonly i32: Int32Array;
  readonly i64: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly layout: FlowLayout) {
    const intBytes = Math.ceil((layout.ints * 4) / 8) * 8;
    this.i32 = new Int32Array(buffer, 0, layout.ints);
    this.i64 = new BigInt64Array(buffer, intBytes, layout.bigs);
  }

  static create(plan: Plan, scenarios: readonly string[]): FlowSharedState {
    const layout = flowLayout(plan, scenarios);
    const bytes = Math.ceil((layout.ints * 4) / 8) * 8 + layout.bigs * 8;
    return new FlowSharedState(new SharedArrayBuffer(Math.max(8, bytes)), layout);
  }

  /** Next value of a counter (round_robin, shared data cursors); unsigned, wraps at 2^32. */
  next(slot: number): number {
    return Atomics.add(this.i32, slot, 1) >>> 0;
  }
}
