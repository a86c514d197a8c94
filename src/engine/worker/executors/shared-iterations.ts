/**
 * shared-iterations (reference §2.3): `vus` VUs share `iterations` iterations, within
 * `max_duration`. The budget is one counter for the whole run (SharedArrayBuffer), so totals are
 * exact whatever the number of workers; the VUs are what is split.
 */
import { splitCount } from "../../segments.ts";
import { registerExecutor } from "./registry.ts";
import { runVus } from "./vu-loop.ts";

registerExecutor("shared-iterations", ({ rt, spec, seg }) => {
  const vus = splitCount(spec.vus!, seg);
  rt.target = vus;
  return {
    // claimed only once the VU may start (after a pause), so a stop never strands a claim
    run: () => runVus(rt, vus, () => rt.run.shared.claimIteration(rt.index, spec.iterations!)),
  };
});
