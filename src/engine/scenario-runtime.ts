/**
 * Everything a worker knows about one scenario while it runs: its compiled flow, base tags, the
 * run-wide context, and the stop state that executors and VUs watch.
 */
import type { Sink, TagSet } from "../metrics/sink.ts";
import type { Logger } from "./log.ts";
import type { SharedState } from "./shared-state.ts";
import type { CompiledStep } from "./flow/step.ts";
import type { Vu } from "./vu.ts";
import type { FlowRuntime } from "./flow/runtime.ts";

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
  /** flow-control, data feeds and JS state (issue 4) */
  flow: FlowRuntime;
  /** ask the coordinator to stop the whole test (abort_test, reported as `aborted`) */
  abortTest(reason: string): void;
}

export class ScenarioRuntime {
  steps: CompiledStep[] = [];
  /** defaults.tags ∪ scenario.tags ∪ {scenario} (reference §2.2) */
  readonly baseTags: Record<string, string>;
  readonly baseTagSet: TagSet;
  /** no new iterations (schedule over, or a graceful stop was asked) */
  softStopped = false;
  /** graceful period over: in-flight iterations are dropped */
  cancelled = false;
  /** the scenario's live VUs in this worker; their count is the `vus` gauge */
  readonly vus = new Set<Vu>();
  private readonly softWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    readonly index: number,
    readonly run: RunContext,
    tags: Record<string, string>,
  ) {
    this.baseTags = { ...tags, scenario: name };
    this.baseTagSet = run.sink.tags(this.baseTags);
  }

  softStop(): void {
    if (this.softStopped) return;
    this.softStopped = true;
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
