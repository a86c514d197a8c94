/** constant-vus (reference §2.3): `vus` VUs loop over the flow for `duration`. */
import { splitCount } from "../../segments.ts";
import { registerExecutor } from "./registry.ts";
import { runVus } from "./vu-loop.ts";

registerExecutor("constant-vus", ({ rt, spec, seg }) => {
  const vus = splitCount(spec.vus!, seg);
  rt.target = vus;
  return {
    run: () => runVus(rt, vus, () => true),
  };
});
