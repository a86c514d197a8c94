/** Executor name → its schedule (reference §2.3). */
import { arrivalRate } from "./arrival-rate.ts";
import { constantVus, perVuIterations, sharedIterations } from "./closed-model.ts";
import { externallyControlled, rampingVus } from "./ramping.ts";
import type { ExecutorContext, ExecutorPlan, ExecutorSpec } from "./types.ts";

export type { ExecutorPlan, ExecutorSpec } from "./types.ts";

export class UnsupportedExecutorError extends Error {}

export function planExecutor(ctx: ExecutorContext): ExecutorPlan {
  switch (ctx.spec.executor) {
    case "constant-vus":
      return constantVus(ctx);
    case "per-vu-iterations":
      return perVuIterations(ctx);
    case "shared-iterations":
      return sharedIterations(ctx);
    case "ramping-vus":
      return rampingVus(ctx);
    case "externally-controlled":
      return externallyControlled(ctx);
    case "constant-arrival-rate":
    case "ramping-arrival-rate":
      return arrivalRate(ctx);
    default:
      throw new UnsupportedExecutorError(`scenario \`${ctx.rt.name}\`: unknown executor \`${ctx.spec.executor}\``);
  }
}

/** The most VUs a scenario can have active at once (sizes the worker count). */
export function peakVus(spec: Pick<ExecutorSpec, "executor" | "vus" | "max_vus" | "start_vus" | "stages">): number {
  switch (spec.executor) {
    case "ramping-vus":
      return Math.max(spec.start_vus ?? 0, ...(spec.stages ?? []).map((s) => s.target));
    case "constant-arrival-rate":
    case "ramping-arrival-rate":
    case "externally-controlled":
      return spec.max_vus ?? 1;
    default:
      return spec.vus ?? 1;
  }
}
