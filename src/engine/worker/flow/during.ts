/** `during` (§1.7): repeat the steps while now < start + duration, checked between passes only. */
import { Outcome } from "../outcome.ts";
import type { DuringStep } from "../../../plan/schema.ts";
import { runSteps, type CompiledStep } from "./step.ts";

export function compileDuring(spec: DuringStep, steps: CompiledStep[]): CompiledStep {
  const counter = spec.counter ?? "index";
  return {
    async run(vu) {
      const end = performance.now() + spec.duration;
      let yielded = performance.now();
      for (let i = 0; performance.now() < end; i++) {
        vu.vars.set(counter, i);
        const o = await runSteps(steps, vu);
        if (o !== Outcome.Continue) return o;
        // Passes without real I/O (no steps, or only js steps) would otherwise spin the worker for
        // the whole duration: give timers, sockets and the other VUs a turn now and then.
        const now = performance.now();
        if (steps.length === 0) await vu.sleep(Math.min(10, end - now));
        else if (now - yielded > 20) {
          await new Promise<void>((r) => setImmediate(r));
          yielded = performance.now();
        }
      }
      return Outcome.Continue;
    },
  };
}
