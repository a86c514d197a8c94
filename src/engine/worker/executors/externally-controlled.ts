/**
 * externally-controlled (reference §2.3): up to `max_vus` VUs, as many as the last `scale`
 * request of the control API asks (this worker's share of it), for `duration` or until a stop.
 */
import { splitCount } from "../../segments.ts";
import { GatedPool } from "./gated-pool.ts";
import { registerExecutor } from "./registry.ts";

registerExecutor("externally-controlled", ({ rt, spec, seg }) => {
  const pool = new GatedPool(rt, splitCount(spec.max_vus!, seg), spec.graceful_ramp_down);
  return {
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
});
