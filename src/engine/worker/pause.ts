/**
 * The run-wide pause of one worker (reference §2.2 "Pause"): while paused no VU starts an
 * iteration and no arrival is scheduled; in-flight iterations finish. Paused time is left out of
 * every schedule clock, so a resumed run continues its shape where it stopped instead of bursting
 * to catch up (arrival-rate accrues no credit while paused).
 */
export class PauseGate {
  paused = false;
  private since = 0;
  private total = 0;
  private waiters: (() => void)[] = [];

  pause(now = performance.now()): void {
    if (this.paused) return;
    this.paused = true;
    this.since = now;
  }

  resume(now = performance.now()): void {
    if (!this.paused) return;
    this.paused = false;
    this.total += now - this.since;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Milliseconds spent paused since the worker started, up to `now`. */
  pausedMs(now = performance.now()): number {
    return this.total + (this.paused ? now - this.since : 0);
  }

  /** Resolves at the next resume (immediately when not paused). */
  resumed(): Promise<void> {
    if (!this.paused) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }
}
