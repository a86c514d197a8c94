/**
 * A scenario's module functions (reference §2.2): `on_start` before a VU's first iteration,
 * `exec` after the flow's steps in every iteration that completed them, `on_stop` once per VU
 * that ran an iteration, when the scenario has ended in this worker. They are compiled into the
 * scenario's steps (a step before the flow, one after it), so the executors run them as any
 * step; a scenario without them has neither.
 *
 * `exec` gets `(data, {vu, iteration, scenario})`; the others `(data)` — `data` being what
 * `setup()` returned, the VU's own copy.
 */
import { Outcome } from "../../outcome.ts";
import type { ScenarioRuntime } from "../../scenario-runtime.ts";
import type { Vu } from "../../vu.ts";
import type { CompiledStep } from "../../flow/step.ts";
import { ExportCall, withData } from "./calls.ts";

export interface ScenarioFns {
  /** before the flow: marks the VU started, runs on_start on its first iteration */
  before?: CompiledStep;
  /** after the flow: exec */
  after?: CompiledStep;
  /** when the scenario has ended: on_stop for every VU that started */
  stop(): Promise<void>;
}

export function scenarioFns(rt: ScenarioRuntime, names: { exec?: string; on_start?: string; on_stop?: string }): ScenarioFns {
  const { exec, on_start: onStart, on_stop: onStop } = names;
  const started = new Set<Vu>();
  const startCall = onStart === undefined ? undefined : new ExportCall(onStart, "on_start", withData);
  const stopCall = onStop === undefined ? undefined : new ExportCall(onStop, "on_stop", withData);
  const before: CompiledStep | undefined =
    startCall !== undefined || stopCall !== undefined
      ? {
          run(vu) {
            if (started.has(vu)) return Outcome.Continue;
            started.add(vu);
            return startCall === undefined ? Outcome.Continue : startCall.run(vu);
          },
        }
      : undefined;
  const after: CompiledStep | undefined =
    exec === undefined ? undefined : new ExportCall(exec, "exec", (inst, f) => inst.call2(f, inst.setupData(), { vu: inst.vu.id, iteration: inst.vu.iteration, scenario: rt.name }));
  return {
    before,
    after,
    async stop() {
      if (stopCall === undefined || rt.cancelled) return;
      for (const vu of started) {
        await stopCall.run(vu);
        vu.close();
      }
      started.clear();
    },
  };
}
