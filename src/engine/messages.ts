/** The messages between the coordinator (main thread) and its worker threads. Plain data only. */
import type { MetricsDelta } from "../metrics/sink.ts";
import type { SampleBatch } from "../metrics/sample-recorder.ts";
import type { SampleSlotsInit } from "../metrics/sample-slots.ts";
import type { Plan } from "../plan/schema.ts";
import type { LogLevel } from "../util/logger.ts";
import type { Segment } from "./segments.ts";
import type { JsBundle } from "../js/bundle.ts";

export interface RunInputs {
  plan: Plan;
  baseDir: string;
  /** the scenarios to run, in order; a scenario's index here is its shared-counter slot */
  scenarios: string[];
  env: Record<string, string | undefined>;
  variables: Record<string, unknown>;
  secrets: Record<string, string>;
  services: Record<string, Record<string, unknown>>;
  logLevel: LogLevel;
  /** record raw per-sample points (only when an output wants them) */
  samples?: boolean;
  /**
   * `plugins:` entries resolved on the main thread, as plain data (src/plugins/host/resolve.ts
   * PluginSpec); each thread's set-up (src/run/worker-setup.ts) instantiates its own. Opaque here:
   * the engine carries them and never looks inside.
   */
  plugins?: readonly unknown[];
  /** where a worker's log lines and plugin output go: stderr (the CLI) or the main thread as `log` messages (the API) */
  logTo?: "stderr" | "main";
  /** bench/: sample the worker's event-loop lag as `loadr_event_loop_lag` (src/run/worker-thread.ts) */
  loopLagProbe?: boolean;
  /** `--http-debug`: print every request and response (src/pipeline/http-debug.ts) */
  httpDebug?: "headers" | "full";
  /** the plan's `js:` module, loaded and transformed on the main thread (src/js/), with setup()'s data once it ran */
  js?: JsBundle;
}

export type ToWorker =
  | ({
      type: "init";
      segment: Segment;
      shared: SharedArrayBuffer;
      /** flow-control state shared by every worker: round-robin, rendezvous, data cursors, throttle */
      flowShared: SharedArrayBuffer;
      /** this worker's raw-sample memory (sample-slots.ts), when `samples` is set */
      sampleSlots?: SampleSlotsInit;
    } & RunInputs)
  /** `setupData`: a scale-out part's setup() data, from its aggregator's start (src/run/scale-out.ts) */
  | { type: "go"; setupData?: string }
  | { type: "stop" }
  | { type: "pause" }
  | { type: "resume" }
  /** externally-controlled: the whole run's new VU target; each worker takes its share */
  | { type: "scale"; scenario: string; vus: number };

/** One scenario in one worker, for the live status (summed over workers by the coordinator). */
export interface ScenarioLive {
  phase: ScenarioPhase;
  /** live VUs (busy or idle) */
  active: number;
  /** this worker's share of the target: VUs, or iterations/s for arrival-rate */
  target: number;
}

export type ScenarioPhase = "waiting" | "running" | "stopping" | "done";

export type FromWorker =
  | { type: "ready" }
  | { type: "error"; message: string }
  | { type: "metrics"; delta: MetricsDelta; vus: number }
  | { type: "status"; vus: number; scenarios: ScenarioLive[] }
  | { type: "abort"; reason: string }
  /** vusPeak: the most VUs this worker had at once (vus_max for runs shorter than a gauge tick) */
  | { type: "done"; delta: MetricsDelta; vusPeak: number }
  | { type: "samples"; batch: SampleBatch }
  /** a log line, when `logTo` is "main" */
  | { type: "log"; line: string };
