/**
 * The coordinator (main thread): splits the plan into segments, runs one worker thread per
 * segment, merges their metric deltas once a second, evaluates thresholds (abort_on_fail), feeds
 * progress, and turns the end of the run into a Summary. It never loses measured results: a
 * stopped or aborted run still merges every delta the workers sent.
 *
 * It also owns when the run ends, whatever the workers do (docs/reliability.md): a stop ends it
 * within the longest graceful_stop + HARD_STOP_SLACK_MS, the schedule within its end + the same
 * slack (schedule-watch.ts); a worker still running then is abandoned with the metrics of its last
 * report, and a worker that exits or throws ends the run as a failure.
 */
import { MetricsFeed } from "./metrics-feed.ts";
import type { ThresholdSpec } from "../../plan/thresholds.ts";
import type { FromWorker, RunInputs, ScenarioLive, ToWorker } from "../messages.ts";
import { partCount, workerCount, type Part } from "../segments.ts";
import type { MetricsDelta } from "../../metrics/delta.ts";
import { SharedState } from "../shared-state.ts";
import { FlowSharedState } from "../flow-shared-state.ts";
import { peakVus } from "../../plan/scenario-bounds.ts";
import { openFileLimit } from "../../util/open-file-limit.ts";
import { openFilesShortfall } from "../../plan/open-files.ts";
import { abandonThread } from "../../util/abandoned-threads.ts";
import { Logger } from "../../util/logger.ts";
import { ScheduleWatch, scheduleEndMs } from "./schedule-watch.ts";
import { whyLine } from "./worker-failure.ts";
import { SampleDictionary, type SampleColumns } from "../../metrics/sample-columns.ts";
import { SampleSlots } from "../../metrics/sample-slots.ts";
import { ControlError, type RunState, type RunStatus, type ScenarioStatus } from "../../control/status.ts";
import { setLongTimeout, type LongTimeout } from "../../util/long-timeout.ts";

const TICK_MS = 1000;
/** how long after the workers' report cadence the coordinator ticks (see execute) */
const TICK_PHASE_MS = 200;
/**
 * extra wait past the longest graceful_stop after a stop, or past the schedule's end, before
 * workers still running are abandoned (what they measured since their last report is lost)
 */
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
  /** this process's part of a scale-out test (segments.ts); absent: the whole test */
  part?: Part;
  /**
   * a part's start barrier: once every worker is ready, the load starts when this resolves — with
   * the js module's setup() data when its aggregator ran setup() (the workers get it with `go`)
   */
  gate?(): Promise<string | undefined>;
  /** every worker delta as it is merged (a part forwards them to its aggregator) */
  onDelta?(delta: MetricsDelta): void;
}

export class RunError extends Error {}

export class Run {
  readonly feed: MetricsFeed;
  private readonly workers: Worker[] = [];
  /** per worker: it sent `done`, exited, or was abandoned — nothing more will come from it */
  private ended: boolean[] = [];
  /** why the run failed (a worker threw, exited or was abandoned): the CLI exits 1 with it */
  private failed: string | undefined;
  private watch: ScheduleWatch | undefined;
  private readonly log: Logger;
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
    this.log = new Logger(o.logLevel);
  }

  /** Graceful stop of the whole run (Ctrl-C, SIGTERM, abort_on_fail, abort_test); the reason becomes `aborted`. */
  stop(reason: string): void {
    this.aborted ??= reason;
    if (this.stopping) return;
    this.stopping = true;
    if (this.state !== "finished") this.state = "stopping";
    for (const w of this.workers) w.postMessage({ type: "stop" } satisfies ToWorker);
    const grace = Math.max(0, ...this.o.scenarios.map((n) => this.o.plan.scenarios[n]!.graceful_stop));
    this.hardTimer = setLongTimeout(() => this.abandon(`within graceful_stop + ${HARD_STOP_SLACK_MS / 1000} s of the stop`), grace + HARD_STOP_SLACK_MS);
  }

  /** Active VUs per scenario as of the workers' latest status reports (live dashboard). */
  scenarioVus(): Record<string, number> {
    const out: Record<string, number> = {};
    this.o.scenarios.forEach((name, s) => (out[name] = this.live.reduce((n, w) => n + (w[s]?.active ?? 0), 0)));
    return out;
  }

  /** Hard stop: terminate the workers now (second Ctrl-C; the caller then exits the process itself). */
  kill(): void {
    for (const w of this.workers) w.terminate();
    this.ended.fill(true);
    this.finish();
  }

  /**
   * The run ends now: workers that have not ended are terminated and given up on (one stuck in a
   * native call cannot be stopped; the process exits without it). What they reported so far is
   * kept; the run fails, naming them.
   */
  private abandon(when: string): void {
    const stuck = this.workers.flatMap((_, i) => (this.ended[i] ? [] : [i]));
    for (const i of stuck) {
      this.workers[i]!.terminate();
      this.ended[i] = true;
      abandonThread();
    }
    if (stuck.length > 0)
      this.fail(
        `${stuck.length === 1 ? "worker" : "workers"} ${stuck.map((i) => i + 1).join(", ")} of ${this.workers.length} did not finish ${when} ` +
          `(stuck in a plugin call that never returns?) and ${stuck.length === 1 ? "was abandoned; its" : "were abandoned; their"} last second of metrics is lost`,
      );
    this.finish();
  }

  /** A worker failed: the run fails with the first reason and, once started, stops gracefully. */
  private fail(why: string): void {
    this.failed ??= why;
    if (this.startedMs !== 0) this.stop(`internal error: ${why}`);
  }

  /** Hold the load: no new iterations or arrivals until resume(); in-flight iterations finish. */
  pause(): void {
    this.paused = true;
    this.watch?.pause();
    for (const w of this.workers) w.postMessage({ type: "pause" } satisfies ToWorker);
  }

  resume(): void {
    this.paused = false;
    this.watch?.resume();
    for (const w of this.workers) w.postMessage({ type: "resume" } satisfies ToWorker);
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Set an externally-controlled scenario's VU target; a ControlError says why not. */
  scale(scenario: string, vus: number): void {
    checkScale(this.o, scenario, vus, this.state);
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
      scenarios: o.scenarios.map((name, i) => scenarioStatus(name, o.plan, this.live.map((w) => w[i]).filter((p): p is ScenarioLive => p !== undefined))),
    };
  }

  /**
   * Runs the plan. `error`: a worker failed (threw, exited, or was abandoned) after the load
   * started; the metrics so far are kept and the run still ends normally, so the summary is not
   * lost. Throws RunError when the run cannot start (a worker failed to set up, too few open files).
   */
  async execute(): Promise<{ aborted?: string; error?: string }> {
    const { o } = this;
    // a part of a scale-out test needs descriptors for its own share of the VUs only
    const shortfall = openFilesShortfall(o.plan, o.scenarios, openFileLimit(), o.part && ((n) => partCount(n, o.part)));
    if (shortfall !== undefined) throw new RunError(shortfall);
    const totalVus = o.scenarios.reduce((n, s) => n + partCount(peakVus(o.plan.scenarios[s]!), o.part), 0);
    const count = workerCount(o.workers, totalVus);
    const shared = SharedState.create(o.scenarios.length);
    const flowShared = FlowSharedState.create(o.plan, o.scenarios);
    const vus = new Array<number>(count).fill(0);
    this.ended = new Array<boolean>(count).fill(false);
    let ready = 0;
    let onReady!: () => void;
    const allReady = new Promise<void>((r) => (onReady = r));
    const ended = (i: number) => {
      this.ended[i] = true;
      if (this.ended.every(Boolean)) this.finish();
    };

    for (let i = 0; i < count; i++) {
      const w = new Worker(o.workerUrl);
      const slots = o.samples ? new SampleSlots(SampleSlots.allocate()) : undefined;
      const samples = slots && new SampleDictionary(slots);
      const who = `worker ${i + 1} of ${count}`;
      this.workers.push(w);
      w.onmessage = (e: MessageEvent<FromWorker>) => {
        const m = e.data;
        switch (m.type) {
          case "ready":
            if (++ready === count) onReady();
            break;
          case "error":
            this.fail(m.message);
            onReady();
            break;
          case "metrics":
            this.feed.merge(m.delta);
            o.onDelta?.(m.delta);
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
            o.onDelta?.(m.delta);
            this.feed.sawVus(m.vusPeak);
            vus[i] = 0;
            ended(i);
            break;
        }
      };
      // an uncaught exception or rejection in the worker: Bun then closes it (the close below)
      w.onerror = (e) => {
        this.log.info(`${who}: ${e.message}`);
        this.fail(`${who} failed: ${whyLine(e.message)}`);
        onReady();
      };
      // the thread is gone: after `done` that is the end of the run; before, a failure
      w.addEventListener("close", (e) => {
        if (this.ended[i]) return;
        vus[i] = 0;
        this.fail(`${who} exited (code ${(e as Event & { code?: number }).code ?? "unknown"}) before the run ended`);
        onReady();
        ended(i);
      });
      const { workerUrl: _u, workers: _w, thresholds: _t, onTick: _o, onSamples: _s, onLog: _l, part, gate: _g, onDelta: _d, ...inputs } = o;
      w.postMessage({
        type: "init",
        segment: { index: i, count, part },
        shared: shared.buffer,
        flowShared: flowShared.buffer,
        sampleSlots: slots?.init,
        ...inputs,
      } satisfies ToWorker);
      // control requests that came while the run was starting
      if (this.paused) w.postMessage({ type: "pause" } satisfies ToWorker);
      for (const [scenario, n] of this.scales) w.postMessage({ type: "scale", scenario, vus: n } satisfies ToWorker);
    }

    // a stop while the workers set up ends the run there (its hard deadline still holds)
    await Promise.race([allReady, this.finished]);
    // a part of a scale-out test waits for its aggregator's start (a stop meanwhile ends the wait;
    // a refusal is a run that could not start)
    let setupData: string | undefined;
    if (this.failed === undefined && !this.stopping && o.gate)
      await Promise.race([o.gate().then((d) => void (setupData = d)), this.finished]).catch((e: Error) => void (this.failed ??= e.message));
    if (this.failed !== undefined || this.stopping) {
      this.hardTimer?.clear();
      for (const w of this.workers) w.terminate();
      if (this.failed !== undefined) throw new RunError(this.failed);
      this.feed.start();
      this.feed.end();
      this.state = "finished";
      return { aborted: this.aborted };
    }
    this.feed.start();
    this.startedMs = Date.now();
    this.state = "running";
    this.watch = new ScheduleWatch(scheduleEndMs(o.plan, o.scenarios) + HARD_STOP_SLACK_MS, () => this.abandon(`by the end of the schedule + ${HARD_STOP_SLACK_MS / 1000} s`));
    if (this.paused) this.watch.pause();
    this.watch.start();
    const go: ToWorker = setupData === undefined ? { type: "go" } : { type: "go", setupData };
    for (const w of this.workers) w.postMessage(go);
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
    this.watch.dispose();
    for (const w of this.workers) w.terminate();
    this.feed.end();
    this.state = "finished";
    return { aborted: this.aborted, error: this.failed };
  }
}

/** One scenario's live status over the workers (or a scale-out test's parts) that run it. */
export function scenarioStatus(name: string, plan: RunOptions["plan"], parts: readonly ScenarioLive[]): ScenarioStatus {
  const spec = plan.scenarios[name]!;
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
}

/** Why a scale request cannot be applied (a ControlError), for a run of `o.scenarios` in `state`. */
export function checkScale(o: Pick<RunOptions, "plan" | "scenarios">, scenario: string, vus: number, state: RunState): void {
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
  if (state === "stopping" || state === "finished") throw new ControlError(`the run is ${state}; it cannot be scaled`, 409);
}

/** A scenario's phase over all workers (or parts): running if any runs it, done when all are done. */
function mergePhase(phases: ScenarioLive["phase"][]): ScenarioLive["phase"] {
  for (const p of ["running", "stopping", "waiting"] as const) if (phases.includes(p)) return p;
  return phases.length ? "done" : "waiting";
}
