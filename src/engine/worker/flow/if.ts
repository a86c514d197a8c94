/** `if` (§1.7): the JS condition picks `then` or `else`; a throwing condition counts as false. */
import { Outcome } from "../outcome.ts";
import type { IfStep } from "../../../plan/schema.ts";
import { compileJs } from "../js/scripts.ts";
import { evalCondition } from "../js/eval.ts";
import { runSteps, type CompiledStep } from "./step.ts";

export function compileIf(spec: IfStep, then: CompiledStep[], otherwise: CompiledStep[]): CompiledStep {
  const cond = compileJs(spec.condition, "if.condition");
  return {
    run(vu) {
      const c = evalCondition(vu, cond);
      if (c === undefined) return Outcome.StopVu;
      const steps = c ? then : otherwise;
      return steps.length === 0 ? Outcome.Continue : runSteps(steps, vu);
    },
  };
}
