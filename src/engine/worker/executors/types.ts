/** What every executor gets and gives back. */
import type { ScenarioRuntime } from "../scenario-runtime.ts";
import type { Segment } from "../../segments.ts";
import type { Scenario } from "../../../plan/schema.ts";

/** The executor keys of a scenario, as the plan schema types them (defaults filled, durations in ms). */
export type ExecutorSpec = Pick<
  Scenario,
  "executor" | "vus" | "duration" | "iterations" | "max_duration" | "stages" | "start_vus" | "rate" | "start_rate" | "time_unit" | "pre_allocated_vus" | "max_vus" | "graceful_ramp_down"
>;

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
