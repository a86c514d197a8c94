/**
 * Keeps a many-VU worker's heap near its live size. JavaScriptCore lets garbage pile up to a
 * multiple of the live heap before a full collection: with 10,000 VUs (~35 MB live) a worker's
 * heap climbed past 125 MB of dead request objects, most of the run's RSS. Once a second the
 * worker asks for a full collection when the heap has doubled since the last one survived.
 * Measured at 10,000 VUs: a 60–140 ms collection every ~4 s, heap peaks ~80 MB, RSS ~188 MB
 * instead of 210–280 MB. Workers with few VUs are left to the engine's own pacing: there a
 * forced collection every second cost ~5–10 % more CPU per request, and memory is no issue.
 */

/** collect when the heap exceeds this multiple of the last post-collection size… */
const GROWTH = 2;
/** …and this floor (small heaps are left to the engine's own pacing) */
const FLOOR_BYTES = 64 * 2 ** 20;
/** pace only workers holding at least this many VUs */
export const PACED_VUS = 1000;

export class GcPacer {
  private live = 0;

  /** Call periodically (the worker does it once a second) with the worker's live VU count. */
  check(vus: number): void {
    if (vus < PACED_VUS) return;
    const used = process.memoryUsage().heapUsed;
    if (used < FLOOR_BYTES || used < this.live * GROWTH) return;
    Bun.gc(true);
    this.live = process.memoryUsage().heapUsed;
  }
}
