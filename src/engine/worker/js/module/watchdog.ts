/**
 * Time limits of calls that wait (instance.ts): the loop guards cannot see a script that is
 * awaiting a request or a sleep, so the instances with a call in flight are checked here every
 * CHECK_MS. A call past its deadline is answered with `script timed out` and abandoned: the VU
 * moves on at once, and the abandoned call stops at its next wait. One interval per worker, only
 * while calls wait.
 *
 * An instance joins the list when a call of it first waits and leaves it at a check that finds it
 * idle, so back-to-back calls of a busy VU cost no list operation at all. A call's deadline starts
 * at its first clock read (instance.ts): for a call that only waits, this list's first check of it.
 */
import type { ModuleInstance } from "./instance.ts";

const CHECK_MS = 25;

export class Watchdog {
  private list: ModuleInstance[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  watch(inst: ModuleInstance): void {
    if (inst.watched) return;
    inst.watched = true;
    this.list.push(inst);
    this.timer ??= setInterval(() => this.check(), CHECK_MS);
  }

  private check(): void {
    const now = performance.now();
    const keep: ModuleInstance[] = [];
    for (const inst of this.list) {
      // a call that only waits has its deadline started by its first check here
      if (inst.pending !== null && now > inst.deadlineAt(now)) inst.timeOut();
      if (inst.pending === null) inst.watched = false;
      else keep.push(inst);
    }
    this.list = keep;
    if (keep.length === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
