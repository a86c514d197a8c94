/**
 * Time limits of calls that wait (instance.ts): the loop guards cannot see a script that is
 * awaiting a request or a sleep, so the calls in flight are checked here every CHECK_MS. A call
 * past its deadline is rejected with `script timed out` and abandoned: the VU moves on at once,
 * and the abandoned call stops at its next wait. One interval per worker, only while calls wait.
 */
import type { ModuleInstance } from "./instance.ts";

const CHECK_MS = 25;

interface Watched {
  readonly inst: ModuleInstance;
  readonly deadline: number;
  readonly reject: (e: unknown) => void;
}

export class Watchdog {
  private readonly calls = new Set<Watched>();
  private timer: ReturnType<typeof setInterval> | undefined;

  watch<T>(inst: ModuleInstance, p: PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const w: Watched = { inst, deadline: inst.deadline, reject };
      this.calls.add(w);
      this.timer ??= setInterval(() => this.check(), CHECK_MS);
      p.then(
        (v) => {
          this.calls.delete(w);
          resolve(v);
        },
        (e) => {
          this.calls.delete(w);
          reject(e);
        },
      );
    });
  }

  private check(): void {
    if (this.calls.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = performance.now();
    for (const w of this.calls) {
      if (now <= w.deadline) continue;
      this.calls.delete(w);
      w.inst.abandon();
      w.reject(w.inst.timeoutError());
    }
  }
}
