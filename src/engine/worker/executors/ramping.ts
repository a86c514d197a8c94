/**
 * The executors whose VU count moves (reference §2.3): ramping-vus follows its stages,
 * externally-controlled follows `scale` requests from the control API. Both are a GatedPool;
 * each worker runs its exact share of the target (segments), so the shares always sum to it.
 */
import { splitCount } from "../../segments.ts";
import { GatedPool } from "./gated-pool.ts";
import { Profile } from "./stages.ts";
import type { ExecutorContext, ExecutorPlan } from "./types.ts";

/** How often ramping-vus recomputes its VU target (the reference's controller period). */
const RAMP_TICK_MS = 100;

export function rampingVus({ rt, spec, seg }: ExecutorContext): ExecutorPlan {
  const start = spec.start_vus ?? 0;
  const stages = spec.stages ?? [];
  const profile = new Profile(start, stages);
  const peak = Math.max(start, ...stages.map((s) => s.target));
  const pool = new GatedPool(rt, splitCount(peak, seg), spec.graceful_ramp_down);
  // rounded to nearest like the reference, then this worker's share of that whole
  const allowedAt = (ms: number) => splitCount(Math.round(profile.valueAt(ms)), seg);
  return {
    softDeadlineMs: profile.totalMs,
    async run() {
      pool.setAllowed(allowedAt(0));
      const timer = setInterval(() => pool.setAllowed(allowedAt(rt.elapsed())), RAMP_TICK_MS);
      try {
        await pool.run();
      } finally {
        clearInterval(timer);
      }
    },
  };
}

export function externallyControlled({ rt, spec, seg }: ExecutorContext): ExecutorPlan {
  const pool = new GatedPool(rt, splitCount(spec.max_vus!, seg), spec.graceful_ramp_down);
  return {
    // without a duration it runs until the run is stopped (control API, Ctrl-C, abort)
    softDeadlineMs: spec.duration ?? Number.POSITIVE_INFINITY,
    async run() {
      // starts at 0 VUs unless a scale request came before the scenario started
      pool.setAllowed(splitCount(rt.requestedVus, seg));
      rt.onScale = (vus) => pool.setAllowed(splitCount(vus, seg));
      try {
        await pool.run();
      } finally {
        rt.onScale = null;
      }
    },
  };
}
