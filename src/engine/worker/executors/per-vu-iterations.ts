/** per-vu-iterations (reference §2.3): each of `vus` VUs runs `iterations` iterations, within `max_duration`. */
import { splitCount } from "../../segments.ts";
import { registerExecutor } from "./registry.ts";
import { runVus } from "./vu-loop.ts";

registerExecutor("per-vu-iterations", ({ rt, spec, seg }) => {
  const vus = splitCount(spec.vus!, seg);
  rt.target = vus;
  return {
    // vu.iteration is the 0-based index of the last iteration (-1 before the first)
    run: () => runVus(rt, vus, (vu) => vu.iteration + 1 < spec.iterations!),
  };
});
