/**
 * `parallel` (§2.8): branches run concurrently, each in a child context of the VU (copies of vars
 * and cookies, its own connections). Afterwards the variables a branch set are merged back (later
 * branches win); cookies are not. The VU's "last request failed" is any branch's. The strongest
 * abort wins (abort_test > abort_scenario > abort_iteration); a branch's data exhaustion does not
 * retire the VU.
 */
import { Outcome } from "../outcome.ts";
import { runSteps, type CompiledStep } from "./step.ts";

const RANK: Record<number, number> = {
  [Outcome.Continue]: 0,
  [Outcome.StopVu]: 0,
  [Outcome.AbortIteration]: 1,
  [Outcome.AbortScenario]: 2,
  [Outcome.AbortTest]: 3,
  [Outcome.Cancelled]: 4,
};

export function compileParallel(branches: CompiledStep[][]): CompiledStep {
  return {
    async run(vu) {
      const before = new Map(vu.vars);
      const children = branches.map((_, i) => vu.branch(i));
      let outcomes: Outcome[];
      try {
        outcomes = await Promise.all(branches.map((steps, i) => runSteps(steps, children[i]!)));
      } finally {
        for (const c of children) vu.endBranch(c);
      }
      let failed = false;
      for (const c of children) {
        failed ||= c.lastFailed;
        for (const [k, v] of c.vars) if (!before.has(k) || before.get(k) !== v) vu.vars.set(k, v);
      }
      vu.lastFailed = failed;
      let out = Outcome.Continue;
      for (const o of outcomes) if (RANK[o]! > RANK[out]!) out = o === Outcome.StopVu ? out : o;
      return vu.rt.cancelled ? Outcome.Cancelled : out;
    },
  };
}
