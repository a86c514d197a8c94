/** What every executor gets and gives back. */
import type { ScenarioRuntime } from "../scenario-runtime.ts";
import type { Segment } from "../../segments.ts";
import type { StageSpec } from "./stages.ts";

/** The executor keys of a scenario (plan schema §1.6, defaults filled, durations in ms). */
export interface ExecutorSpec {
  executor: string;
  vus?: number;
  duration?: number;
  iterations?: number;
  max_duration?: number;
  stages?: StageSpec[];
  start_vus?: number;
  rate?: number;
  start_rate?: number;
  time_unit?: number;
  pre_allocated_vus?: number;
  max_vus?: number;
  graceful_ramp_down: number;
}

export interface ExecutorContext {
  rt: ScenarioRuntime;
  spec: ExecutorSpec;
  /** this worker's share of the scenario */
  seg: Segment;
}

/** An executor's run in this worker; when it ends (the schedule, src/plan/scenario-bounds.ts) is the scenario's business. */
export interface ExecutorPlan {
  /** runs the scenario's VUs; resolves when every VU of this segment is done */
  run(): Promise<void>;
  /** externally-controlled: this worker's share of the new VU target */
  scale?(vus: number): void;
}
