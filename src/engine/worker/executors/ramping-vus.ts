/**
 * ramping-vus (reference §2.3): the VU count follows `start_vus` and `stages`, recomputed every
 * RAMP_TICK_MS. A GatedPool; each worker runs its exact share of the target (segments), so the
 * shares always sum to it.
 */
import { splitCount } from "../../segments.ts";
import { GatedPool } from "./gated-pool.ts";
import { registerExecutor } from "./registry.ts";
import { Profile } from "./stages.ts";

/** How often ramping-vus recomputes its VU target (the reference's controller period). */
const RAMP_TICK_MS = 100;

registerExecutor("ramping-vus", ({ rt, spec, seg }) => {
  const start = spec.start_vus ?? 0;
  const stages = spec.stages ?? [];
  const profile = new Profile(start, stages);
  const peak = Math.max(start, ...stages.map((s) => s.target));
  const pool = new GatedPool(rt, splitCount(peak, seg), spec.graceful_ramp_down);
  // rounded to nearest like the reference, then this worker's share of that whole
  const allowedAt = (ms: number) => splitCount(Math.round(profile.valueAt(ms)), seg);
  return {
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
});
