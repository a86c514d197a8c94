/**
 * `retry` (§1.7): up to max(times, 1) attempts; each sets the VU variable `attempt` (0-based) and
 * clears "last request failed". An attempt succeeds when `until` (JS) is truthy, or, without
 * `until`, when the last request of the attempt did not fail. `backoff` is slept between attempts.
 */
import { Outcome } from "../outcome.ts";
import type { RetryStep } from "../../../plan/schema.ts";
import { compileJs } from "../js/scripts.ts";
import { evalCondition } from "../js/eval.ts";
import { runSteps, type CompiledStep } from "./step.ts";
import { endPass } from "./loop-pass.ts";

export function compileRetry(spec: RetryStep, steps: CompiledStep[]): CompiledStep {
  const until = spec.until !== undefined ? compileJs(spec.until, "retry.until") : undefined;
  const attempts = Math.max(spec.times, 1);
  const backoff = spec.backoff ?? 0;
  return {
    async run(vu) {
      for (let a = 0; a < attempts; a++) {
        if (a > 0 && backoff > 0) {
          await vu.sleep(backoff);
          if (vu.rt.cancelled) return Outcome.Cancelled;
        }
        vu.vars.set("attempt", a);
        vu.lastFailed = false;
        const o = await runSteps(steps, vu);
        if (o !== Outcome.Continue) return o;
        const ok = until !== undefined ? evalCondition(vu, until) : !vu.lastFailed;
        if (ok === undefined) return Outcome.StopVu;
        if (ok) break;
        const y = endPass(vu, a);
        if (y !== undefined && (await y) !== Outcome.Continue) return Outcome.Cancelled;
      }
      return Outcome.Continue;
    },
  };
}
