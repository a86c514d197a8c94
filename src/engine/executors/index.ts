/** Executor name → its schedule. Executors this build cannot run yet are named clearly. */
import type { Segment } from "../segments.ts";
import type { ScenarioRuntime } from "../scenario-runtime.ts";
import { constantVus, perVuIterations, sharedIterations, type ClosedModelSpec, type ExecutorPlan } from "./closed-model.ts";

export class UnsupportedExecutorError extends Error {}

export function planExecutor(rt: ScenarioRuntime, spec: ClosedModelSpec, seg: Segment): ExecutorPlan {
  switch (spec.executor) {
    case "constant-vus":
      return constantVus(rt, spec, seg);
    case "per-vu-iterations":
      return perVuIterations(rt, spec, seg);
    case "shared-iterations":
      return sharedIterations(rt, spec, seg);
    default:
      throw new UnsupportedExecutorError(
        `scenario \`${rt.name}\`: executor \`${spec.executor}\` is valid but this build of loadr cannot run it yet`,
      );
  }
}

/** The most VUs a scenario can have active at once (used to size workers). */
export function peakVus(spec: { executor: string; vus?: number; max_vus?: number }): number {
  return spec.vus ?? spec.max_vus ?? 1;
}
