/**
 * Threads this process gave up on. A worker stuck in a native call that never returns cannot be
 * stopped — Worker.terminate() takes effect only when the thread runs JS again — and such a
 * thread keeps the process alive after the main thread is done (measured on Bun 1.4.4: neither
 * `beforeExit` nor unref() helps). The coordinator records each worker it abandons; the entry
 * point, once its work (summary, exports) is done, then exits explicitly.
 */
let abandoned = 0;

export function abandonThread(): void {
  abandoned++;
}

export function abandonedThreads(): number {
  return abandoned;
}
