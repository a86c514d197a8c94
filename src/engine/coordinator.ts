/**
 * The coordinator (main thread): splits the plan into segments, runs one worker thread per
 * segment, merges their metric deltas once a second, evaluates thresholds (abort_on_fail), feeds
 * progress, and turns the end of the run into a Summary. It never loses measured results: a
 * stopped or aborted run still merges every delta the workers sent.
 */
import { MetricsFeed } from "./metrics-feed.ts";
import type { ThresholdSpec } from "../plan/thresholds.ts";
import type { FromWorker, RunInputs, ToWorker } from "./messages.ts";
import { workerCount } from "./segments.ts";
import { SharedState } from "./shared-state.ts";
import { FlowSharedState } from "./flow-shared-state.ts";
import { peakVus } from "./executors/index.ts";

const TICK_MS = 1000;
/** extra wait past the longest graceful_stop before workers are terminated (their last second may be lost) */
const HARD_STOP_SLACK_MS = 5000;

export interface RunOptions extends RunInputs {
  workers: number;
  thresholds: ThresholdSpec[];
  /** called once a second with the merged state (progress line) */
  onTick?(feed: MetricsFeed): void;
}

export class RunError extends Error {}

/**
 * Where the worker entry is. From sources it sits beside this file. Inside the compiled binary
 * (built with bytecode, where import.meta.url is the build machine's source path) the embedded
 * entrypoints live under the binary's virtual root by their path below src/, so the worker is
 * `<root>/engine/worker.ts` (build.ts lists it as an entrypoint).
 */
function workerUrl(): string {
  if (Bun.main.includes("$bunfs") || Bun.main.includes("~BUN")) {
    return Bun.main.slice(0, Bun.main.lastIndexOf("/") + 1) + "engine/worker.ts";
  }
  return new URL("./worker.ts", import.meta.url).href;
}

export class Run {
  readonly feed: MetricsFeed;
  private readonly workers: Worker[] = [];
  private aborted: string | undefined;
  private stopping = false;
  private hardTimer: ReturnType<typeof setTimeout> | undefined;
  private finish!: () => void;
  private readonly finished = new Promise<void>((r) => (this.finish = r));

  constructor(private readonly o: RunOptions) {
    this.feed = new MetricsFeed(o.scenarios, o.thresholds);
  }

  /** Graceful stop of the whole run (Ctrl-C, SIGTERM, abort_on_fail, abort_test); the reason becomes `aborted`. */
  stop(reason: string): void {
    this.aborted ??= reason;
    if (this.stopping) return;
    this.stopping = true;
    for (const w of this.workers) w.postMessage({ type: "stop" } satisfies ToWorker);
    const grace = Math.max(0, ...this.o.scenarios.map((n) => this.o.plan.scenarios[n]!.graceful_stop));
    this.hardTimer = setTimeout(() => {
      for (const w of this.workers) w.terminate();
      this.finish();
    }, grace + HARD_STOP_SLACK_MS);
  }

  /** Hard stop: terminate the workers now (second Ctrl-C). */
  kill(): void {
    for (const w of this.workers) w.terminate();
    this.finish();
  }

  async execute(): Promise<{ aborted?: string }> {
    const { o } = this;
    const totalVus = o.scenarios.reduce((n, s) => n + peakVus(o.plan.scenarios[s]!), 0);
    const count = workerCount(o.workers, totalVus);
    const shared = SharedState.create(o.scenarios.length);
    const flowShared = FlowSharedState.create(o.plan, o.scenarios);
    const vus = new Array<number>(count).fill(0);
    let ready = 0;
    let done = 0;
    let failed: string | undefined;
    let onReady!: () => void;
    const allReady = new Promise<void>((r) => (onReady = r));

    for (let i = 0; i < count; i++) {
      const w = new Worker(workerUrl());
      this.workers.push(w);
      w.onmessage = (e: MessageEvent<FromWorker>) => {
        const m = e.data;
        switch (m.type) {
          case "ready":
            if (++ready === count) onReady();
            break;
          case "error":
            failed ??= m.message;
            onReady();
            break;
          case "metrics":
            this.feed.merge(m.delta);
            vus[i] = m.vus;
            break;
          case "abort":
            this.stop(m.reason);
            break;
          case "done":
            this.feed.merge(m.delta);
            vus[i] = 0;
            if (++done === count) this.finish();
            break;
        }
      };
      w.onerror = (e) => {
        failed ??= `worker ${i} crashed: ${e.message}`;
        onReady();
        if (++done === count) this.finish();
      };
      const { workers: _w, thresholds: _t, onTick: _o, ...inputs } = o;
      w.postMessage({ type: "init", segment: { index: i, count }, shared: shared.buffer, flowShared: flowShared.buffer, ...inputs } satisfies ToWorker);
    }

    await allReady;
    if (failed !== undefined) {
      for (const w of this.workers) w.terminate();
      throw new RunError(failed);
    }
    this.feed.start();
    for (const w of this.workers) w.postMessage({ type: "go" } satisfies ToWorker);
    const ticker = setInterval(() => {
      this.feed.tick(vus.reduce((a, b) => a + b, 0));
      const abort = this.feed.abortReason();
      if (abort) this.stop(abort);
      o.onTick?.(this.feed);
    }, TICK_MS);
    await this.finished;
    clearInterval(ticker);
    clearTimeout(this.hardTimer);
    for (const w of this.workers) w.terminate();
    this.feed.end();
    return { aborted: this.aborted };
  }
}
