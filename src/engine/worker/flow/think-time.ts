/** `think_time` steps and the scenario/default think time inserted after requests (reference §1.8). */
import { gaussian } from "../vu-random.ts";
import { Outcome } from "../outcome.ts";
import type { Vu } from "../vu.ts";
import type { CompiledStep } from "./step.ts";

export type ThinkTimeSpec =
  | { type: "constant"; duration: number }
  | { type: "uniform"; min: number; max: number }
  | { type: "gaussian"; mean: number; std_dev: number };

/** A sampler of pause lengths in ms. */
export function thinkTimeSampler(spec: ThinkTimeSpec): (random: () => number) => number {
  switch (spec.type) {
    case "constant":
      return () => spec.duration;
    case "uniform":
      // max <= min → min, as the reference does
      return spec.max <= spec.min ? () => spec.min : (r) => spec.min + r() * (spec.max - spec.min);
    case "gaussian":
      return (r) => Math.max(0, spec.mean + spec.std_dev * gaussian(r));
  }
}

export function compileThinkTime(spec: ThinkTimeSpec): CompiledStep {
  const sample = thinkTimeSampler(spec);
  return {
    async run(vu: Vu) {
      await vu.sleep(sample(vu.random));
      return vu.cancelled ? Outcome.Cancelled : Outcome.Continue;
    },
  };
}
