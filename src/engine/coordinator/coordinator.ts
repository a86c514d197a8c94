/**
 * The coordinator (main thread): splits the plan into segments, runs one worker thread per
 * segment, merges their metric deltas once a second, evaluates thresholds (abort_on_fail), feeds
 * progress, and turns the end of the run into a Summary. It never loses measured results: a
 * stopped or aborted run still merges every delta the workers sent.
 */
import { MetricsFeed } from "./metrics-feed.ts";
import type { ThresholdSpec } from "../../plan/thresholds.ts";
import type { FromWorker, RunInputs, ScenarioLive, ToWorker } from "../messages.ts";
import { workerCount } from "../segments.ts";
import { SharedState } from "../shared-state.ts";
import { FlowSharedState } from "../flow-shared-state.ts";
import { peakVus } from "../worker/executors/index.ts";
import { SampleDictionary, type SampleColumns } from "../../metrics/sample-columns.ts";
import { SampleSlots } from "../../metrics/sample-slots.ts";
import { ControlError, type RunState, type RunStatus, type ScenarioStatus } from "../../control/status.ts";
import { setLongTimeout, type LongTimeout } from "../../util/long-timeout.ts";

const TICK_MS = 1000;
/** how long after the workers' report cadence the coordinator ticks (see execute) */
const TICK_PHASE_MS = 200;
/** extra wait past the longest graceful_stop before workers are terminated (their last second may be lost) */
const HARD_STOP_SLACK_MS = 5000;

export interface RunOptions extends RunInputs {
  /** the worker entry's module URL (the run session knows where it is: src/run/worker-url.ts) */
  workerUrl: string;
  workers: number;
  thresholds: ThresholdSpec[];
  /** called once a second with the merged state (progress line) */
  onTick?(feed: MetricsFeed): void;
  /** raw per-sample batches from the workers (only sent when `samples` is set) */
  onSamples?(batch: SampleColumns): void;
  /** workers' log lines (only sent when `logTo` is "main") */
  onLog?(line: string): void;
}

export class RunError extends Error {}

export class Run {
  readonly feed: MetricsFeed;
  private readonly workers: Worker[] = [];
  private aborted: string | undefined;
  private stopping = false;
  private state: RunState = "starting";
  private paused = false;
  private startedMs = 0;
  private vusMax = 0;
  /** per worker: its latest live view of each scenario */
  private live: ScenarioLive[][] = [];
  /** the last scale per scenario, replayed to workers created after it */
  private readonly scales = new Map<string, number>();
  private hardTimer: LongTimeout | undefined;
  private finish!: () => void;
  private readonly finished = new Promise<void>((r) => (this.finish = r));

  constructor(private readonly o: RunOptions) {
    this.feed = new MetricsFeed(o.scenarios, o.thresholds, o.plan.defaults.max_series);
  }

  /** Graceful stop of the whole run (Ctrl-C, SIGTERM, abort_on_fail, abort_test); the reason becomes `aborted`. */
  stop(reason: string): void {
    this.aborted ??= reason;
    if (this.stopping) return;
    this.stopping = true;
    if (this.state !== "finished") this.state = "stopping";
    for (const w of this.workers) w.postMessage({ type: "stop" } satisfies ToWorker);
    const grace = Math.max(0, ...this.o.scenarios.map((n) => this.o.plan.scenarios[n]!.graceful_stop));
    this.hardTimer = setLongTimeout(() => {
      for (const w of this.workers) w.terminate();
      this.finish();
    }, grace + HARD_STOP_SLACK_MS);
  }

  /** Active VUs per scenario as of the workers' latest status reports (live dashboard). */
  scenarioVus(): Record<string, number> {
    const out: Record<string, number> = {};
    this.o.scenarios.forEach((name, s) => (out[name] = this.live.reduce((n, w) => n + (w[s]?.active ?? 0), 0)));
    return out;
  }

  /** Hard stop: terminate the workers now (second Ctrl-C). */
  kill(): void {
    for (const w of this.workers) w.terminate();
    this.finish();
  }

  /** Hold the load: no new iterations or arrivals until resume(); in-flight iterations finish. */
  pause(): void {
    this.paused = true;
    for (const w of this.workers) w.postMessage({ type: "pause" } satisfies ToWorker);
  }

  resume(): void {
    this.paused = false;
    for (const w of this.workers) w.postMessage({ type: "resume" } satisfies ToWorker);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Set an externally-controlled scenario's VU target; a ControlError says why not. */
  scale(scenario: string, vus: number): void {
    const { o } = this;
    if (!o.scenarios.includes(scenario))
      throw new ControlError(`no scenario \`${scenario}\` in this run (scenarios: ${o.scenarios.join(", ")})`, 404);
    const spec = o.plan.scenarios[scenario]!;
    if (spec.executor !== "externally-controlled") {
      const scalable = o.scenarios.filter((n) => o.plan.scenarios[n]!.executor === "externally-controlled");
      throw new ControlError(
        `scenario \`${scenario}\` uses \`${spec.executor}\`; only externally-controlled scenarios can be scaled (${scalable.length ? `here: ${scalable.join(", ")}` : "this run has none"})`,
        409,
      );
    }
    if (!Number.isInteger(vus) || vus < 0 || vus > spec.max_vus!)
      throw new ControlError(`\`vus\` must be a whole number from 0 to max_vus (${spec.max_vus}), got ${vus}`, 400);
    if (this.state === "stopping" || this.state === "finished") throw new ControlError(`the run is ${this.state}; it cannot be scaled`, 409);
    this.scales.set(scenario, vus);
    for (const w of this.workers) w.postMessage({ type: "scale", scenario, vus } satisfies ToWorker);
  }

  snapshot() {
    return this.feed.lastSnapshot() ?? null;
  }

  status(): RunStatus {
    const { o } = this;
    const vus = this.live.reduce((n, w) => n + w.reduce((m, s) => m + s.active, 0), 0);
    this.vusMax = Math.max(this.vusMax, vus);
    return {
      state: this.state,
      paused: this.paused,
      elapsed_secs: this.startedMs ? (Date.now() - this.startedMs) / 1000 : 0,
      aborted: this.aborted ?? null,
      workers: this.workers.length,
      vus,
      vus_max: this.vusMax,
      scenarios: o.scenarios.map((name, i) => {
        const spec = o.plan.scenarios[name]!;
        const parts = this.live.map((w) => w[i]).filter((p): p is ScenarioLive => p !== undefined);
        const target = parts.reduce((n, p) => n + p.target, 0);
        const arrival = spec.executor.endsWith("arrival-rate");
        const out: ScenarioStatus = {
          name,
          executor: spec.executor,
          phase: mergePhase(parts.map((p) => p.phase)),
          active_vus: parts.reduce((n, p) => n + p.active, 0),
        };
        if (arrival) out.target_rate = Math.round(target * 1e6) / 1e6;
        else out.target_vus = target;
        if (spec.max_vus !== undefined && (arrival || spec.executor === "externally-controlled")) out.max_vus = spec.max_vus;
        return out;
      }),
    };
  }

  /** Runs the plan. `error`: a worker failed after the load started; the metrics so far are
   *  complete up to that point and the run still ends normally, so the summary is not lost. */
  async execute(): Promise<{ aborted?: string; error?: string }> {
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
      const w = new Worker(o.workerUrl);
      const slots = o.samples ? new SampleSlots(SampleSlots.allocate()) : undefined;
      const samples = slots && new SampleDictionary(slots);
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
            if (this.startedMs !== 0) this.stop(`internal error: ${m.message}`);
            break;
          case "metrics":
            this.feed.merge(m.delta);
            vus[i] = m.vus;
            break;
          case "samples":
            try {
              o.onSamples?.(samples!.resolve(m.batch));
            } finally {
              // outputs consume a batch before returning: its slot goes back to be filled again
              if (m.batch.slot >= 0) slots!.release(m.batch.slot);
            }
            break;
          case "status":
            vus[i] = m.vus;
            this.live[i] = m.scenarios;
            break;
          case "abort":
            this.stop(m.reason);
            break;
          case "log":
            o.onLog?.(m.line);
            break;
          case "done":
            this.feed.merge(m.delta);
            this.feed.sawVus(m.vusPeak);
            vus[i] = 0;
            if (++done === count) this.finish();
            break;
        }
      };
      w.onerror = (e) => {
        failed ??= `worker ${i} crashed: ${e.message}`;
        onReady();
        if (this.startedMs !== 0) this.stop(`internal error: ${failed}`);
        if (++done === count) this.finish();
      };
      const { workerUrl: _u, workers: _w, thresholds: _t, onTick: _o, onSamples: _s, onLog: _l, ...inputs } = o;
      w.postMessage({
        type: "init",
        segment: { index: i, count },
        shared: shared.buffer,
        flowShared: flowShared.buffer,
        sampleSlots: slots?.init,
        ...inputs,
      } satisfies ToWorker);
      // control requests that came while the run was starting
      if (this.paused) w.postMessage({ type: "pause" } satisfies ToWorker);
      for (const [scenario, n] of this.scales) w.postMessage({ type: "scale", scenario, vus: n } satisfies ToWorker);
    }

    await allReady;
    if (failed !== undefined) {
      for (const w of this.workers) w.terminate();
      throw new RunError(failed);
    }
    this.feed.start();
    this.startedMs = Date.now();
    if (!this.stopping) this.state = "running";
    for (const w of this.workers) w.postMessage({ type: "go" } satisfies ToWorker);
    const tick = () => {
      this.feed.tick(vus.reduce((a, b) => a + b, 0));
      const abort = this.feed.abortReason();
      if (abort) this.stop(abort);
      o.onTick?.(this.feed);
    };
    // Workers report every second from "go"; ticking TICK_PHASE_MS later lets each tick see the
    // second the workers just reported, so a timeline point's rate covers its own interval (in
    // phase, a report landing just after a tick made one point ~0 and the last one a spike).
    let ticker: ReturnType<typeof setInterval> | undefined;
    const phase = setTimeout(() => (ticker = setInterval(tick, TICK_MS)), TICK_PHASE_MS);
    await this.finished;
    clearTimeout(phase);
    clearInterval(ticker);
    this.hardTimer?.clear();
    for (const w of this.workers) w.terminate();
    this.feed.end();
    this.state = "finished";
    return { aborted: this.aborted, error: failed };
  }
}

/** A scenario's phase over all workers: running if any worker runs it, done when all are done. */
function mergePhase(phases: ScenarioLive["phase"][]): ScenarioLive["phase"] {
  for (const p of ["running", "stopping", "waiting"] as const) if (phases.includes(p)) return p;
  return phases.length ? "done" : "waiting";
}
