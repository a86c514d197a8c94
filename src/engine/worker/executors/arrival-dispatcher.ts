/**
 * The schedule of the open-model executors (reference §2.3; constant-arrival-rate.ts and
 * ramping-arrival-rate.ts give it their rate profile).
 *
 * Arrivals are numbered over the whole run: arrival k is due at the schedule time where the
 * rate's integral reaches k (k = 0 at t = 0, so `rate: 10` for 2 s is exactly 20 iterations).
 * Worker i of n takes the arrivals k ≡ i (mod n): each gets exactly its share of any rate, even
 * 0.5/s over 3 workers, and the union is the single-worker schedule. In a part of a scale-out
 * test the same holds over the part's own arrivals (segments.ts partUnit).
 *
 * A due arrival starts on the idle VU that has waited longest (FIFO), else on a new VU while
 * fewer than max_vus exist, else it is counted in `dropped_iterations` — never delayed, so slow responses cannot lower the load
 * (no coordinated omission).
 *
 * Timers: one per worker and scenario, armed for the next due arrival (at least 1 ms away);
 * each wake starts every arrival due by then, so at 50,000/s a wake starts a batch, and a late
 * timer is caught up from the clock rather than drifting.
 */
import { partUnit, splitCount, splitRate, type Part } from "../../segments.ts";
import type { Vu } from "../vu.ts";
import { endsVu, newVu, runIteration, startInBatches } from "./vu-loop.ts";
import type { Profile } from "./stages.ts";
import type { ExecutorContext, ExecutorPlan } from "./types.ts";
import type { Outcome } from "../outcome.ts";
import { MAX_TIMER_MS } from "../../../util/long-timeout.ts";

/** A due arrival is one whose time is within this many arrivals of the clock (float rounding). */
const EPS = 1e-9;
const MIN_SLEEP_MS = 1;

/** First-in first-out queue of idle VUs (array + head index: no O(n) shift). */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(v: T): void {
    this.items.push(v);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const v = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }
}

export class ArrivalDispatcher {
  /** arrivals k < total belong to the schedule */
  private readonly total: number;
  /** the next arrival this worker owns (whole-test numbering), and its index among the part's arrivals */
  private next: number;
  private partIndex: number;
  private readonly step: number;
  private readonly part: Part | undefined;
  private readonly maxVus: number;
  private readonly preAllocated: number;
  private readonly idle = new Fifo<Vu>();
  private readonly all = new Set<Vu>();
  private busy = 0;
  private wakeLoop: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private drained: (() => void) | null = null;

  constructor(
    private readonly ctx: ExecutorContext,
    /** the arrival rate over time, in iterations per second */
    private readonly profile: Profile,
  ) {
    const { spec, seg } = ctx;
    this.total = this.profile.integral(this.profile.totalMs);
    this.part = seg.part;
    this.partIndex = seg.index;
    this.next = partUnit(seg.index, seg.part);
    this.step = seg.count;
    // VU caps are split like the reference's partition: never below 1 when the whole is above 0
    // (a worker holding arrivals must be able to run them)
    this.maxVus = Math.max(1, splitCount(spec.max_vus!, seg));
    this.preAllocated = Math.min(this.maxVus, Math.max(spec.pre_allocated_vus! > 0 ? 1 : 0, splitCount(spec.pre_allocated_vus!, seg)));
  }

  plan(): ExecutorPlan {
    return { run: () => this.run() };
  }

  private async run(): Promise<void> {
    const { rt } = this.ctx;
    void rt.whenSoftStopped().then(() => this.wake());
    try {
      await startInBatches(rt, 0, () => this.preAllocated, () => this.idle.push(this.allocate()));
      await this.loop();
      if (this.busy > 0) await new Promise<void>((r) => (this.drained = r));
    } finally {
      for (const vu of this.all) {
        rt.vus.delete(vu);
        vu.close();
      }
    }
  }

  private allocate(): Vu {
    const vu = newVu(this.ctx.rt);
    this.all.add(vu);
    this.ctx.rt.vus.add(vu);
    return vu;
  }

  private async loop(): Promise<void> {
    const { rt } = this.ctx;
    const pause = rt.run.pause;
    const end = this.profile.totalMs;
    for (;;) {
      if (pause.paused && !rt.softStopped) {
        await new Promise<void>((r) => {
          this.wakeLoop = r;
          void pause.resumed().then(() => this.wake());
        });
        continue;
      }
      const now = rt.elapsed();
      // a stop ends the schedule: arrivals due before it still start, later ones never do
      const horizon = rt.softStopped ? Math.min(now, end) : now;
      rt.target = splitRate(this.profile.valueAt(Math.min(horizon, end)), this.ctx.seg);
      this.dispatchDue(this.profile.integral(horizon) + EPS);
      if (rt.softStopped || this.next >= this.total - EPS) return;
      const due = this.profile.timeOf(this.next);
      // the loop re-reads the clock when it wakes: a far arrival is waited for in timer-sized pieces
      await this.sleep(Math.min(MAX_TIMER_MS, Math.max(MIN_SLEEP_MS, due - rt.elapsed())));
    }
  }

  /** Start every arrival of the schedule numbered ≤ `upTo` that this worker owns. */
  private dispatchDue(upTo: number): void {
    let dropped = 0;
    const limit = this.total - EPS;
    for (; this.next <= upTo && this.next < limit; this.next = partUnit((this.partIndex += this.step), this.part)) {
      let vu = this.idle.shift();
      if (vu === undefined && this.all.size < this.maxVus) vu = this.allocate();
      if (vu === undefined) dropped++;
      else this.start(vu);
    }
    if (dropped > 0) this.ctx.rt.run.sink.counter("dropped_iterations", this.ctx.rt.baseTagSet, dropped);
  }

  private start(vu: Vu): void {
    this.busy++;
    runIteration(this.ctx.rt, vu).then(
      (o) => this.finished(vu, o),
      (e: Error) => {
        this.ctx.rt.run.log.error(`VU ${vu.id} of scenario \`${this.ctx.rt.name}\` stopped: ${e.message}`);
        this.finished(vu, null);
      },
    );
  }

  private finished(vu: Vu, o: Outcome | null): void {
    this.busy--;
    // a VU whose flow ended it (data exhausted, abort) is not replaced; its slot still counts toward max_vus
    if (o === null || endsVu(o)) {
      this.ctx.rt.vus.delete(vu);
      vu.close();
    } else this.idle.push(vu);
    if (this.busy === 0 && this.drained) this.drained();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      this.wakeLoop = r;
      this.timer = setTimeout(() => this.wake(), ms);
    });
  }

  private wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const w = this.wakeLoop;
    this.wakeLoop = null;
    w?.();
  }
}
