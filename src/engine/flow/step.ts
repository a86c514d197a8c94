/** The compiled form of a flow step: built once per worker, run by every VU of the scenario. */
import { Outcome } from "../outcome.ts";
import type { Vu } from "../vu.ts";

export interface CompiledStep {
  run(vu: Vu): Promise<Outcome>;
}

/** Run steps in order; any outcome but Continue ends the list and propagates (reference §1.7). */
export async function runSteps(steps: CompiledStep[], vu: Vu): Promise<Outcome> {
  for (let i = 0; i < steps.length; i++) {
    const o = await steps[i]!.run(vu);
    if (o !== Outcome.Continue) return o;
    if (vu.rt.cancelled) return Outcome.Cancelled;
  }
  return Outcome.Continue;
}
