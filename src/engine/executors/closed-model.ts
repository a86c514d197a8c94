/**
 * The closed-model executors with a fixed VU count (reference §2.3): constant-vus,
 * per-vu-iterations, shared-iterations. Each VU loops until its rule says stop; a pause holds
 * it before its next iteration.
 */
import { splitCount } from "../segments.ts";
import { endsVu, mayStart, runIteration, runVus } from "./vu-loop.ts";
import type { ExecutorContext, ExecutorPlan } from "./types.ts";

export function constantVus({ rt, spec, seg, http }: ExecutorContext): ExecutorPlan {
  const vus = splitCount(spec.vus!, seg);
  rt.target = vus;
  return {
    softDeadlineMs: spec.duration!,
    run: () =>
      runVus(rt, vus, http, async (vu) => {
        while (await mayStart(rt)) if (endsVu(await runIteration(rt, vu))) return;
      }),
  };
}

export function perVuIterations({ rt, spec, seg, http }: ExecutorContext): ExecutorPlan {
  const vus = splitCount(spec.vus!, seg);
  rt.target = vus;
  return {
    softDeadlineMs: spec.max_duration!,
    run: () =>
      runVus(rt, vus, http, async (vu) => {
        for (let i = 0; i < spec.iterations! && (await mayStart(rt)); i++) if (endsVu(await runIteration(rt, vu))) return;
      }),
  };
}

export function sharedIterations({ rt, spec, seg, http }: ExecutorContext): ExecutorPlan {
  // The iteration budget is one counter for the whole run (SharedArrayBuffer), so totals are exact
  // whatever the number of workers; the VUs are what is split.
  const vus = splitCount(spec.vus!, seg);
  rt.target = vus;
  return {
    softDeadlineMs: spec.max_duration!,
    run: () =>
      runVus(rt, vus, http, async (vu) => {
        while ((await mayStart(rt)) && rt.run.shared.claimIteration(rt.index, spec.iterations!))
          if (endsVu(await runIteration(rt, vu))) return;
      }),
  };
}
