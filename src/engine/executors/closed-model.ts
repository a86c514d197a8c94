/**
 * The closed-model executors of the foundation (reference §2.3): constant-vus, per-vu-iterations,
 * shared-iterations. Each returns its soft deadline and how many VUs this segment runs; the
 * VU loop only decides when a VU takes its next iteration.
 */
import { splitCount, type Segment } from "../segments.ts";
import type { ScenarioRuntime } from "../scenario-runtime.ts";
import { endsVu, runIteration } from "./vu-loop.ts";
import type { Vu } from "../vu.ts";

export interface ExecutorPlan {
  /** ms after the scenario's start at which no new iteration may begin */
  softDeadlineMs: number;
  /** VUs this segment runs */
  vus: number;
  loop(vu: Vu): Promise<void>;
}

export interface ClosedModelSpec {
  executor: string;
  vus?: number;
  duration?: number;
  iterations?: number;
  max_duration: number;
}

export function constantVus(rt: ScenarioRuntime, s: ClosedModelSpec, seg: Segment): ExecutorPlan {
  return {
    softDeadlineMs: s.duration!,
    vus: splitCount(s.vus!, seg),
    async loop(vu) {
      while (!rt.softStopped) if (endsVu(await runIteration(rt, vu))) return;
    },
  };
}

export function perVuIterations(rt: ScenarioRuntime, s: ClosedModelSpec, seg: Segment): ExecutorPlan {
  return {
    softDeadlineMs: s.max_duration,
    vus: splitCount(s.vus!, seg),
    async loop(vu) {
      for (let i = 0; i < s.iterations! && !rt.softStopped; i++) if (endsVu(await runIteration(rt, vu))) return;
    },
  };
}

export function sharedIterations(rt: ScenarioRuntime, s: ClosedModelSpec, seg: Segment): ExecutorPlan {
  // The iteration budget is one counter for the whole run (SharedArrayBuffer), so totals are exact
  // whatever the number of workers; the VUs are what is split.
  return {
    softDeadlineMs: s.max_duration,
    vus: splitCount(s.vus!, seg),
    async loop(vu) {
      while (!rt.softStopped && rt.run.shared.claimIteration(rt.index, s.iterations!))
        if (endsVu(await runIteration(rt, vu))) return;
    },
  };
}
