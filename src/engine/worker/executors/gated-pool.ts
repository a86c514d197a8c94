/**
 * A pool of VU slots gated by a moving target (reference §2.3, ramping-vus and
 * externally-controlled): slot i runs iterations while `allowed > i` and parks otherwise. VUs
 * are created lazily, the first time their slot is allowed, and kept while parked (variables,
 * cookies and connections survive a ramp-down and come back on the next ramp-up).
 *
 * Ramp-down: a slot de-allocated in the middle of an iteration gets `graceful_ramp_down` to
 * finish it; if it is still de-allocated then, that iteration is interrupted (no metrics, §2.2).
 */
import type { ScenarioRuntime } from "../scenario-runtime.ts";
import type { Vu } from "../vu.ts";
import { endsVu, mayStart, newVu, runIteration, startInBatches } from "./vu-loop.ts";
import { setLongTimeout, type LongTimeout } from "../../../util/long-timeout.ts";

interface Slot {
  vu: Vu | null;
  busy: boolean;
  /** the slot's parked loop waits on this */
  wake: (() => void) | null;
  rampDown: LongTimeout | null;
}

export class GatedPool {
  private allowed = 0;
  private readonly slots: Slot[];
  /** run() waits on this for slots it has not started yet to be allowed */
  private moreAllowed: (() => void) | null = null;

  constructor(
    private readonly rt: ScenarioRuntime,
    size: number,
    private readonly gracefulRampDownMs: number,
  ) {
    this.slots = Array.from({ length: size }, () => ({ vu: null, busy: false, wake: null, rampDown: null }));
    // a stop wakes every parked slot so that its loop can end
    void rt.whenSoftStopped().then(() => {
      for (const s of this.slots) this.wakeSlot(s);
      this.wakeStarter();
    });
  }

  get size(): number {
    return this.slots.length;
  }

  /** Set how many slots may run (clamped to the pool). */
  setAllowed(n: number): void {
    const next = Math.max(0, Math.min(this.slots.length, n));
    const prev = this.allowed;
    if (next === prev) return;
    this.allowed = next;
    this.rt.target = next;
    if (next > prev) {
      this.wakeStarter();
      for (let i = prev; i < next; i++) {
        const s = this.slots[i]!;
        s.rampDown?.clear();
        s.rampDown = null;
        this.wakeSlot(s);
      }
    } else {
      for (let i = next; i < prev; i++) {
        const s = this.slots[i]!;
        if (s.busy && s.rampDown === null) s.rampDown = setLongTimeout(() => this.interruptIfDeallocated(i), this.gracefulRampDownMs);
      }
    }
  }

  /**
   * Run the slots' loops; resolves when all have ended (scenario stopped). A slot's loop starts
   * the first time the slot is allowed, in bounded batches (startInBatches): a ramp to 100,000
   * VUs in 0 s leaves the worker's deadline and a stop their turn.
   */
  async run(): Promise<void> {
    const loops: Promise<void>[] = [];
    let started = 0;
    for (;;) {
      started = await startInBatches(this.rt, started, () => this.allowed, (i) => loops.push(this.slotLoop(i)));
      if (this.rt.softStopped || started >= this.slots.length) break;
      await new Promise<void>((r) => (this.moreAllowed = r));
    }
    await Promise.all(loops);
  }

  private async slotLoop(i: number): Promise<void> {
    const { rt } = this;
    const s = this.slots[i]!;
    try {
      while (!rt.softStopped) {
        if (this.allowed <= i) {
          this.park(s);
          await new Promise<void>((r) => (s.wake = r));
          continue;
        }
        if (!(await mayStart(rt))) break;
        if (this.allowed <= i) continue; // de-allocated while paused
        const vu = (s.vu ??= newVu(rt));
        rt.vus.add(vu);
        s.busy = true;
        const o = await runIteration(rt, vu);
        s.busy = false;
        s.rampDown?.clear();
        s.rampDown = null;
        if (vu.interrupted) {
          vu.interrupted = false; // a ramp-down drop, not the VU's end: park and maybe come back
          continue;
        }
        if (endsVu(o)) break;
      }
    } catch (e) {
      rt.run.log.error(`VU slot ${i} of scenario \`${rt.name}\` stopped: ${(e as Error).message}`);
    } finally {
      s.rampDown?.clear();
      this.park(s);
      s.vu?.close();
    }
  }

  private park(s: Slot): void {
    if (s.vu) this.rt.vus.delete(s.vu);
  }

  private wakeStarter(): void {
    const w = this.moreAllowed;
    this.moreAllowed = null;
    w?.();
  }

  private wakeSlot(s: Slot): void {
    const w = s.wake;
    s.wake = null;
    w?.();
  }

  private interruptIfDeallocated(i: number): void {
    const s = this.slots[i]!;
    s.rampDown = null;
    if (this.allowed <= i && s.busy && s.vu) s.vu.interrupt();
  }
}
