/**
 * The control API's types (docs/control-api.md): a run's live status as `GET /v1/status` answers
 * it, and the error a control request the run refuses carries. The coordinator
 * (src/engine/coordinator/coordinator.ts) produces them; the handler, the CLI clients and the
 * dashboard read them.
 */
import type { ScenarioPhase } from "../engine/messages.ts";

export type RunState = "starting" | "running" | "stopping" | "finished";

/** The live status of a run (the control API's `GET /v1/status`). */
export interface RunStatus {
  state: RunState;
  paused: boolean;
  /** seconds since the load started (0 while starting) */
  elapsed_secs: number;
  /** why the run is stopping or stopped early, else null */
  aborted: string | null;
  workers: number;
  vus: number;
  vus_max: number;
  scenarios: ScenarioStatus[];
  /** `loadr aggregate`: the parts of the scale-out test (docs/distributed.md) */
  parts?: PartView[];
}

export interface PartView {
  /** `2/4`, `1/4:1/2` */
  segment: string;
  instance: string;
  host: string;
  /** joined, ready (at the start barrier), running, done, lost */
  state: string;
  /** requests it has reported so far */
  requests: number;
}

export interface ScenarioStatus {
  name: string;
  executor: string;
  phase: ScenarioPhase;
  active_vus: number;
  /** VU-based executors: the VU count aimed at now */
  target_vus?: number;
  /** arrival-rate executors: iterations per second asked now */
  target_rate?: number;
  /** externally-controlled and arrival-rate: the cap */
  max_vus?: number;
}

/** A control request the run refuses (the client's mistake): `status` is the HTTP status to answer with. */
export class ControlError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}
