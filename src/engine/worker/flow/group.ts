/** `group` steps: samples inside carry the tag `group` = `::outer::inner` (reference §1.7). */
import { Outcome } from "../outcome.ts";
import type { Vu } from "../vu.ts";
import { runSteps, type CompiledStep } from "./step.ts";

export function compileGroup(name: string, steps: CompiledStep[]): CompiledStep {
  const segment = "::" + name;
  return {
    async run(vu: Vu): Promise<Outcome> {
      const outer = vu.group;
      vu.group = outer + segment;
      try {
        return await runSteps(steps, vu);
      } finally {
        vu.group = outer;
      }
    },
  };
}
