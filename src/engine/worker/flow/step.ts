/** The compiled form of a flow step: built once per worker, run by every VU of the scenario. */
import { Outcome } from "../outcome.ts";
import type { Vu } from "../vu.ts";

export interface CompiledStep {
  /** a plain Outcome when the step finished synchronously (saves a promise tick per step on the hot path) */
  run(vu: Vu): Outcome | Promise<Outcome>;
}

/** Run steps in order; any outcome but Continue ends the list and propagates (reference §1.7). */
export async function runSteps(steps: CompiledStep[], vu: Vu): Promise<Outcome> {
  for (let i = 0; i < steps.length; i++) {
    let o = steps[i]!.run(vu);
    if (typeof o !== "number") o = await o;
    if (o !== Outcome.Continue) return o;
    if (vu.cancelled) return Outcome.Cancelled;
  }
  return Outcome.Continue;
}
