/** `during` (§1.7): repeat the steps while now < start + duration, checked between passes only. */
import { Outcome } from "../outcome.ts";
import type { DuringStep } from "../../../plan/schema.ts";
import { runSteps, type CompiledStep } from "./step.ts";
import { endPass } from "./loop-pass.ts";

export function compileDuring(spec: DuringStep, steps: CompiledStep[]): CompiledStep {
  const counter = spec.counter ?? "index";
  return {
    async run(vu) {
      const end = performance.now() + spec.duration;
      for (let i = 0; performance.now() < end; i++) {
        vu.vars.set(counter, i);
        const o = await runSteps(steps, vu);
        if (o !== Outcome.Continue) return o;
        // no steps: nothing to repeat but the wait (a cancel cuts the sleep short)
        if (steps.length === 0) {
          await vu.sleep(Math.min(10, end - performance.now()));
          if (vu.cancelled) return Outcome.Cancelled;
        }
        const y = endPass(vu, i);
        if (y !== undefined && (await y) !== Outcome.Continue) return Outcome.Cancelled;
      }
      return Outcome.Continue;
    },
  };
}
