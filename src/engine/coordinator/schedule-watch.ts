/**
 * The coordinator's own clock on the plan's schedule. Workers end their scenarios by their own
 * timers, but a worker stuck in a native call that never returns runs none of them: once the
 * schedule is over — the latest start_time + schedule + graceful_stop over the scenarios
 * (src/plan/scenario-bounds.ts), paused time left out — and `slackMs` more have passed, the
 * coordinator stops waiting (docs/reliability.md).
 */
import type { Plan } from "../../plan/schema.ts";
import { scheduleMs } from "../../plan/scenario-bounds.ts";
import { PauseGate } from "../worker/pause.ts";
import { setLongTimeout, type LongTimeout } from "../../util/long-timeout.ts";

/** The schedule's end in ms after the load starts (Infinity: an externally-controlled scenario without a duration). */
export function scheduleEndMs(plan: Plan, scenarios: string[]): number {
  return Math.max(0, ...scenarios.map((n) => {
    const s = plan.scenarios[n]!;
    return s.start_time + scheduleMs(s) + s.graceful_stop;
  }));
}

export class ScheduleWatch {
  private readonly paused = new PauseGate();
  private startedAt = 0;
  private timer: LongTimeout | undefined;

  constructor(
    private readonly endMs: number,
    private readonly onOver: () => void,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    if (Number.isFinite(this.endMs)) this.check();
  }

  pause(): void {
    this.paused.pause();
  }

  resume(): void {
    this.paused.resume();
  }

  dispose(): void {
    this.timer?.clear();
  }

  // re-armed until the schedule clock (which stands still while paused) reaches the end
  private check = (): void => {
    const now = performance.now();
    const left = this.endMs - (now - this.startedAt - this.paused.pausedMs(now));
    if (left <= 0) this.onOver();
    else this.timer = setLongTimeout(this.check, left);
  };
}
