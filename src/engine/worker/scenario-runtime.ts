/**
 * Everything a worker knows about one scenario while it runs: its compiled flow, base tags, the
 * run-wide context, and the stop state that executors and VUs watch.
 */
import type { Sink, TagSet } from "../../metrics/sink.ts";
import type { Logger } from "../../util/logger.ts";
import type { PauseGate } from "./pause.ts";
import type { ScenarioPhase } from "../messages.ts";
import type { SharedState } from "../shared-state.ts";
import type { CompiledStep } from "./flow/step.ts";
import type { ExtractorRegistry } from "../../extract/registry.ts";
import type { ConditionRegistry } from "../../checks/registry.ts";
import type { ProtocolRouter } from "../../protocols/router.ts";
import type { RequestHooks } from "../../pipeline/hooks.ts";
import type { Vu } from "./vu.ts";
import type { FlowRuntime } from "./flow/runtime.ts";
import { LiveVus, type VuCount } from "./live-vus.ts";

/** Run-wide, per worker. */
export interface RunContext {
  env: Record<string, string | undefined>;
  variables: Record<string, unknown>;
  secrets: Record<string, string>;
  services: Record<string, Record<string, unknown>>;
  sink: Sink;
  shared: SharedState;
  log: Logger;
  baseDir: string;
  /** the extractor and condition kinds request steps compile with (built-ins + this thread's plugins) */
  extractors: ExtractorRegistry;
  conditions: ConditionRegistry;
  /** pause/resume from the control API */
  pause: PauseGate;
  /** flow-control, data feeds and JS state (issue 4) */
  flow: FlowRuntime;
  /** ask the coordinator to stop the whole test (abort_test, reported as `aborted`) */
  abortTest(reason: string): void;
  /** this thread's protocol handlers: the built-ins and the run's protocol plugins (src/protocols/builtins.ts) */
  protocols: ProtocolRouter;
  /** request hooks, registered before the flows compile (src/pipeline/hooks.ts); absent: none */
  hooks?: RequestHooks<Vu>;
}

export class ScenarioRuntime {
  steps: CompiledStep[] = [];
  /** defaults.tags ∪ scenario.tags ∪ {scenario} (reference §2.2) */
  readonly baseTags: Record<string, string>;
  readonly baseTagSet: TagSet;
  phase: ScenarioPhase = "waiting";
  /** no new iterations (schedule over, or a graceful stop was asked) */
  softStopped = false;
  /** graceful period over: in-flight iterations are dropped */
  cancelled = false;
  /** the scenario's live VUs in this worker; their count is the `vus` gauge */
  readonly vus: LiveVus;
  /** what the executor aims at right now: VUs (VU-based executors) or iterations/s (arrival rate); for status */
  target = 0;
  /** externally-controlled: the whole run's VU target from the last scale request, and its executor's hook */
  requestedVus = 0;
  onScale: ((vus: number) => void) | null = null;
  private startedAt = 0;
  private pausedAtStart = 0;
  private readonly softWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    readonly index: number,
    readonly run: RunContext,
    tags: Record<string, string>,
    /** the worker's VU count across its scenarios (peak for `vus_max`) */
    vuCount?: VuCount,
  ) {
    this.vus = new LiveVus(vuCount);
    this.baseTags = { ...tags, scenario: name };
    this.baseTagSet = run.sink.tags(this.baseTags);
  }

  /** The scenario's schedule starts now (after start_time). */
  startClock(): void {
    this.startedAt = performance.now();
    this.pausedAtStart = this.run.pause.pausedMs(this.startedAt);
  }

  /** Schedule time: ms since startClock(), paused time left out. */
  elapsed(now = performance.now()): number {
    return now - this.startedAt - (this.run.pause.pausedMs(now) - this.pausedAtStart);
  }

  /**
   * May a VU start another iteration? true/false at once when not paused (no promise on the hot
   * path); while paused, a promise that settles at resume or at a stop.
   */
  mayStart(): boolean | Promise<boolean> {
    if (this.softStopped) return false;
    if (!this.run.pause.paused) return true;
    return Promise.race([this.run.pause.resumed(), this.whenSoftStopped()]).then(() => !this.softStopped);
  }

  softStop(): void {
    if (this.softStopped) return;
    this.softStopped = true;
    if (this.phase === "running") this.phase = "stopping";
    for (const w of this.softWaiters.splice(0)) w();
  }

  /** Resolves when the scenario is soft-stopped (used by the graceful-stop timer). */
  whenSoftStopped(): Promise<void> {
    if (this.softStopped) return Promise.resolve();
    return new Promise((r) => this.softWaiters.push(r));
  }

  cancel(): void {
    if (this.cancelled) return;
    this.softStop();
    this.cancelled = true;
    for (const vu of this.vus) vu.cancel();
  }
}
