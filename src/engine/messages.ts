/** The messages between the coordinator (main thread) and its worker threads. Plain data only. */
import type { MetricsDelta } from "../metrics/sink.ts";
import type { Plan } from "../plan/schema.ts";
import type { LogLevel } from "./log.ts";
import type { Segment } from "./segments.ts";

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
}

export type ToWorker =
  | ({ type: "init"; segment: Segment; shared: SharedArrayBuffer; flowShared: SharedArrayBuffer } & RunInputs)
  | { type: "go" }
  | { type: "stop" };

export type FromWorker =
  | { type: "ready" }
  | { type: "error"; message: string }
  | { type: "metrics"; delta: MetricsDelta; vus: number }
  | { type: "abort"; reason: string }
  | { type: "done"; delta: MetricsDelta };
