/**
 * `while` (§1.7): before each pass the JS condition is evaluated (truthiness §2.9); stops when it
 * is false, throws (counted in vu_exceptions) or after `max_iterations` passes.
 */
import { Outcome } from "../outcome.ts";
import type { WhileStep } from "../../../plan/schema.ts";
import { compileJs } from "../js/scripts.ts";
import { evalCondition } from "../js/eval.ts";
import { runSteps, type CompiledStep } from "./step.ts";
import { endPass } from "./loop-pass.ts";

export function compileWhile(spec: WhileStep, steps: CompiledStep[]): CompiledStep {
  const cond = compileJs(spec.condition, "while.condition");
  const max = spec.max_iterations;
  return {
    async run(vu) {
      for (let i = 0; i < max; i++) {
        const c = evalCondition(vu, cond);
        if (c === undefined) return Outcome.StopVu;
        if (!c) break;
        const o = await runSteps(steps, vu);
        if (o !== Outcome.Continue) return o;
        const y = endPass(vu, i);
        if (y !== undefined && (await y) !== Outcome.Continue) return Outcome.Cancelled;
      }
      return Outcome.Continue;
    },
  };
}
