/** `repeat` (§1.7): the steps `times` times; the VU variable `counter` (default `index`) is the 0-based pass. */
import { Outcome } from "../outcome.ts";
import type { RepeatStep } from "../../../plan/schema.ts";
import { runSteps, type CompiledStep } from "./step.ts";
import { endPass } from "./loop-pass.ts";

export function compileRepeat(spec: RepeatStep, steps: CompiledStep[]): CompiledStep {
  const counter = spec.counter ?? "index";
  const times = spec.times;
  return {
    async run(vu) {
      for (let i = 0; i < times; i++) {
        vu.vars.set(counter, i);
        const o = await runSteps(steps, vu);
        if (o !== Outcome.Continue) return o;
        const y = endPass(vu, i);
        if (y !== undefined && (await y) !== Outcome.Continue) return Outcome.Cancelled;
      }
      return Outcome.Continue;
    },
  };
}
