/**
 * The closed-model executors with a fixed VU count (reference §2.3): constant-vus,
 * per-vu-iterations, shared-iterations. Each VU loops until its rule says stop; a pause holds
 * it before its next iteration.
 */
import { partCount, splitCount } from "../../segments.ts";
import { runVus } from "./vu-loop.ts";
import type { ExecutorContext, ExecutorPlan } from "./types.ts";

export function constantVus({ rt, spec, seg }: ExecutorContext): ExecutorPlan {
  const vus = splitCount(spec.vus!, seg);
  rt.target = vus;
  return {
    softDeadlineMs: spec.duration!,
    run: () => runVus(rt, vus, () => true),
  };
}

export function perVuIterations({ rt, spec, seg }: ExecutorContext): ExecutorPlan {
  const vus = splitCount(spec.vus!, seg);
  rt.target = vus;
  return {
    softDeadlineMs: spec.max_duration!,
    // vu.iteration is the 0-based index of the last iteration (-1 before the first)
    run: () => runVus(rt, vus, (vu) => vu.iteration + 1 < spec.iterations!),
  };
}

export function sharedIterations({ rt, spec, seg }: ExecutorContext): ExecutorPlan {
  // The iteration budget is one counter for the whole process (SharedArrayBuffer), so totals are
  // exact whatever the number of workers; the VUs are what is split. A part of a scale-out test
  // has its own share of the budget (segments.ts), so the parts' budgets sum to the whole.
  const vus = splitCount(spec.vus!, seg);
  const budget = partCount(spec.iterations!, seg.part);
  rt.target = vus;
  return {
    softDeadlineMs: spec.max_duration!,
    // claimed only once the VU may start (after a pause), so a stop never strands a claim
    run: () => runVus(rt, vus, () => rt.run.shared.claimIteration(rt.index, budget)),
  };
}
