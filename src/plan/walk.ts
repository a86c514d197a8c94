/** Depth-first walk over a flow, with each step's dotted-path segments (shared by validation and normalisation). */
import type { Step } from "./schema/steps.ts";
import type { Segment } from "./locate.ts";

export interface StepVisit {
  step: Step;
  path: Segment[];
  /** Variables declared by enclosing `foreach` steps. */
  scopeVars: ReadonlySet<string>;
}

export function walkSteps(
  steps: readonly Step[],
  path: Segment[],
  visit: (v: StepVisit) => void,
  scopeVars: ReadonlySet<string> = new Set(),
): void {
  steps.forEach((step, i) => {
    const p = [...path, i];
    visit({ step, path: p, scopeVars });
    const sub = (list: readonly Step[] | undefined, rel: Segment[], vars = scopeVars) => {
      if (list) walkSteps(list, [...p, ...rel], visit, vars);
    };
    if ("group" in step) sub(step.group.steps, ["group", "steps"]);
    else if ("repeat" in step) sub(step.repeat.steps, ["repeat", "steps"]);
    else if ("while" in step) sub(step.while.steps, ["while", "steps"]);
    else if ("if" in step) {
      sub(step.if.then, ["if", "then"]);
      sub(step.if.else, ["if", "else"]);
    } else if ("random" in step) step.random.choices.forEach((c, j) => sub(c.steps, ["random", "choices", j, "steps"]));
    else if ("foreach" in step) sub(step.foreach.steps, ["foreach", "steps"], new Set([...scopeVars, step.foreach.var, step.foreach.index]));
    else if ("switch" in step) {
      for (const [k, list] of Object.entries(step.switch.cases)) sub(list, ["switch", "cases", k]);
      sub(step.switch.default, ["switch", "default"]);
    } else if ("during" in step) sub(step.during.steps, ["during", "steps"]);
    else if ("retry" in step) sub(step.retry.steps, ["retry", "steps"]);
    else if ("parallel" in step) step.parallel.branches.forEach((b, j) => sub(b, ["parallel", "branches", j]));
  });
}

/** Number of request steps, counting every branch (what `loadr validate` reports). */
export function countRequestSteps(steps: readonly Step[]): number {
  let n = 0;
  walkSteps(steps, [], ({ step }) => {
    if ("request" in step) n++;
  });
  return n;
}
