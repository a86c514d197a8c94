/**
 * shared-iterations (reference §2.3): `vus` VUs share `iterations` iterations, within
 * `max_duration`. The budget is one counter for the whole process (SharedArrayBuffer), so totals
 * are exact whatever the number of workers; the VUs are what is split. A part of a scale-out test
 * has its own share of the budget (segments.ts), so the parts' budgets sum to the whole.
 */
import { partCount, splitCount } from "../../segments.ts";
import { registerExecutor } from "./registry.ts";
import { runVus } from "./vu-loop.ts";

registerExecutor("shared-iterations", ({ rt, spec, seg }) => {
  const vus = splitCount(spec.vus!, seg);
  const budget = partCount(spec.iterations!, seg.part);
  rt.target = vus;
  return {
    // claimed only once the VU may start (after a pause), so a stop never strands a claim
    run: () => runVus(rt, vus, () => rt.run.shared.claimIteration(rt.index, budget)),
  };
});
