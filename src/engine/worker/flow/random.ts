/**
 * `random` (§1.7): picks one choice — `weighted` (default; weight default 1, negative counts as 0,
 * a total ≤ 0 falls back to uniform), `uniform`, or `round_robin` (one counter per step shared by
 * every VU of the scenario, across workers). The choice's label (`name`, else `branch-<i>`) is
 * pushed on the group stack, as the reference does, so it shows in the `group` tag.
 */
import { Outcome } from "../outcome.ts";
import type { RandomStep } from "../../../plan/schema.ts";
import type { FlowSharedState } from "../../flow-shared-state.ts";
import type { Vu } from "../vu.ts";
import type { CompiledStep } from "./step.ts";
import { compileGroup } from "./group.ts";

export function compileRandom(
  spec: RandomStep,
  choices: CompiledStep[][],
  shared: FlowSharedState,
  roundRobinSlot: number | undefined,
): CompiledStep {
  const n = choices.length;
  const labelled = choices.map((steps, i) => compileGroup(spec.choices[i]!.name ?? `branch-${i}`, steps));
  let pick: (vu: Vu) => number;
  if (spec.strategy === "round_robin") {
    if (roundRobinSlot === undefined) throw new Error("internal: round_robin step without a shared counter");
    pick = () => shared.next(roundRobinSlot) % n;
  } else {
    const weights = spec.choices.map((c) => (spec.strategy === "weighted" ? Math.max(0, c.weight) : 1));
    const total = weights.reduce((a, b) => a + b, 0);
    if (total <= 0) pick = (vu) => Math.min(n - 1, Math.floor(vu.random() * n));
    else {
      // cumulative bounds, so a pick is one random number and a short scan
      const bounds: number[] = [];
      let acc = 0;
      for (const w of weights) bounds.push((acc += w));
      pick = (vu) => {
        const x = vu.random() * total;
        for (let i = 0; i < n; i++) if (x < bounds[i]! && weights[i]! > 0) return i;
        return bounds.findLastIndex((_, i) => weights[i]! > 0);
      };
    }
  }
  return {
    run(vu) {
      return n === 0 ? Outcome.Continue : labelled[pick(vu)]!.run(vu);
    },
  };
}
