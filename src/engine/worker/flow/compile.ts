/** Compiles a scenario's flow (single-key step objects) into CompiledSteps, one file per step kind. */
import type { Step } from "../../../plan/schema.ts";
import type { CompiledStep } from "./step.ts";
import { compileGroup } from "./group.ts";
import { compileThinkTime, type ThinkTimeSpec } from "./think-time.ts";
import { compileRequest, type RequestCompileContext } from "./request.ts";
import { compileRepeat } from "./repeat.ts";
import { compileWhile } from "./while.ts";
import { compileIf } from "./if.ts";
import { compileRandom } from "./random.ts";
import { compileForeach } from "./foreach.ts";
import { compileSwitch } from "./switch.ts";
import { compileDuring } from "./during.ts";
import { compileRetry } from "./retry.ts";
import { compileParallel } from "./parallel.ts";
import { compileRendezvous } from "./rendezvous.ts";
import { compileJsStep } from "./js-step.ts";
import { UnsupportedStepError } from "./unsupported.ts";

export { UnsupportedStepError };

export function compileSteps(steps: Record<string, unknown>[], ctx: RequestCompileContext, path: string): CompiledStep[] {
  return steps.map((step, i) => compileStep(step as Step, ctx, `${path}[${i}]`));
}

function compileStep(step: Step, ctx: RequestCompileContext, at: string): CompiledStep {
  const sub = (list: Step[] | undefined, rel: string) => compileSteps((list ?? []) as Record<string, unknown>[], ctx, `${at}.${rel}`);
  const shared = ctx.rt.run.flow.shared;
  if ("request" in step) return compileRequest(step.request, ctx, at);
  if ("think_time" in step) return compileThinkTime(step.think_time as ThinkTimeSpec);
  if ("group" in step) return compileGroup(step.group.name, sub(step.group.steps, "group.steps"));
  if ("repeat" in step) return compileRepeat(step.repeat, sub(step.repeat.steps, "repeat.steps"));
  if ("while" in step) return compileWhile(step.while, sub(step.while.steps, "while.steps"));
  if ("if" in step) return compileIf(step.if, sub(step.if.then, "if.then"), sub(step.if.else, "if.else"));
  if ("random" in step) {
    const choices = step.random.choices.map((c, j) => sub(c.steps, `random.choices[${j}].steps`));
    return compileRandom(step.random, choices, shared, shared.layout.roundRobin.get(step));
  }
  if ("foreach" in step) return compileForeach(step.foreach, sub(step.foreach.steps, "foreach.steps"));
  if ("switch" in step) {
    const cases = new Map(Object.entries(step.switch.cases).map(([k, list]) => [k, sub(list, `switch.cases.${k}`)] as const));
    return compileSwitch(step.switch, cases, sub(step.switch.default, "switch.default"));
  }
  if ("during" in step) return compileDuring(step.during, sub(step.during.steps, "during.steps"));
  if ("retry" in step) return compileRetry(step.retry, sub(step.retry.steps, "retry.steps"));
  if ("parallel" in step) return compileParallel(step.parallel.branches.map((b, j) => sub(b, `parallel.branches[${j}]`)));
  if ("rendezvous" in step) {
    const slot = shared.layout.rendezvous.get(`${ctx.rt.name}\0${step.rendezvous.name}`);
    if (slot === undefined) throw new Error(`internal: ${at}: rendezvous without a shared slot`);
    return compileRendezvous(step.rendezvous, shared, slot, ctx.rt.run.flow.part);
  }
  if ("js" in step) return compileJsStep(step.js, `${at}.js`);
  const kind = Object.keys(step)[0];
  throw new UnsupportedStepError(`${at}: unknown step \`${kind}\``);
}
