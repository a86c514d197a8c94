/** `switch` (§1.7): render `value` (a render error gives "") and run the case whose key equals it, else `default`. */
import { Outcome } from "../outcome.ts";
import type { SwitchStep } from "../../../plan/schema.ts";
import { compileTemplate } from "../../../plan/template.ts";
import { compileRender } from "../render.ts";
import { DataExhaustedError } from "../data/feed.ts";
import { runSteps, type CompiledStep } from "./step.ts";

export function compileSwitch(spec: SwitchStep, cases: Map<string, CompiledStep[]>, otherwise: CompiledStep[]): CompiledStep {
  const value = compileRender(compileTemplate(spec.value));
  return {
    run(vu) {
      let key = "";
      try {
        key = value(vu);
      } catch (e) {
        if (e instanceof DataExhaustedError) return Outcome.StopVu;
        vu.rt.run.log.warn(`switch value \`${spec.value}\` could not be rendered (${(e as Error).message}); using ""`);
      }
      const steps = cases.get(key) ?? otherwise;
      return steps.length === 0 ? Outcome.Continue : runSteps(steps, vu);
    },
  };
}
