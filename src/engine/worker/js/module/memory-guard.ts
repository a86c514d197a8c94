/**
 * `js.memory_limit_mb` as a guard on the worker's JS heap, checked between calls (instance.ts
 * refuses to start a call while it is over). One heap has every VU's context, so the limit
 * scales with them: the heap may grow past its size when the module first loaded by at most
 * `memory_limit_mb` × the VUs with a module context. The heap is sampled every SAMPLE_MS (a
 * sample costs ~10 µs); before declaring it over, a full collection rules out garbage (at most
 * once per GC_EVERY_MS).
 */
const SAMPLE_MS = 250;
const GC_EVERY_MS = 2000;
const MB = 1024 * 1024;

export class MemoryGuard {
  /** the heap is over the limit: calls fail until it is back under */
  over = false;
  private baseline = 0;
  private instances = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastGc = -Infinity;
  private lastHeap = 0;

  constructor(private readonly limitMb: number) {}

  /** A VU's module context exists (the first starts the sampling). */
  added(): void {
    if (this.instances++ === 0) {
      this.baseline = process.memoryUsage().heapUsed;
      this.timer = setInterval(() => this.sample(), SAMPLE_MS);
      this.timer.unref?.();
    }
  }

  private limitBytes(): number {
    return this.limitMb * MB * Math.max(1, this.instances);
  }

  private sample(): void {
    let heap = process.memoryUsage().heapUsed;
    if (heap - this.baseline > this.limitBytes() && performance.now() - this.lastGc > GC_EVERY_MS) {
      this.lastGc = performance.now();
      Bun.gc(true);
      heap = process.memoryUsage().heapUsed;
    }
    this.lastHeap = heap;
    this.over = heap - this.baseline > this.limitBytes();
  }

  message(): string {
    const grown = Math.round((this.lastHeap - this.baseline) / MB);
    return `script exceeded memory limit (js.memory_limit_mb ${this.limitMb} MB per VU: the worker's JS heap grew ${grown} MB with ${this.instances} VU context(s))`;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
