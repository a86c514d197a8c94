/**
 * Keeps a worker's heap near its live size. JavaScriptCore lets garbage pile up to a multiple of
 * the live heap before a full collection: with 10,000 VUs (≈45 MB live) a worker's heap was seen
 * climbing past 125 MB of mostly dead request objects, which is most of the RSS of a many-VU run.
 * Once a second the worker asks for a full collection when the heap has grown well past what
 * survived the previous one. A full collection costs about the live size to mark, so runs with
 * few VUs (small live heaps) pay next to nothing, and a many-VU run trades a few ms a second for
 * a bounded footprint (measured at 10,000 VUs: a 60–140 ms collection every ~4 s, 35 MB live,
 * heap peaks ~80 MB instead of 125+, RSS ~188 MB instead of 210–280 MB). Runs with few VUs are left alone: there a full collection every second
 * measured ~5–10 % more CPU per request on the throughput bench, and memory is not the issue.
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
