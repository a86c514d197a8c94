/**
 * One scenario's life in a worker (reference §2.3 "Shared machinery"): wait `start_time`, run the
 * executor until its soft deadline, then give in-flight iterations `graceful_stop` before
 * cancelling them. A run-level stop enters the same graceful path.
 */
import type { HttpClientOptions } from "../protocols/http/client.ts";
import type { Segment } from "./segments.ts";
import type { ScenarioRuntime } from "./scenario-runtime.ts";
import { planExecutor } from "./executors/index.ts";
import type { ClosedModelSpec } from "./executors/closed-model.ts";
import { runVus } from "./executors/vu-loop.ts";

export interface ScenarioTiming extends ClosedModelSpec {
  start_time: number;
  graceful_stop: number;
}

export async function runScenario(rt: ScenarioRuntime, spec: ScenarioTiming, seg: Segment, http: HttpClientOptions): Promise<void> {
  if (spec.start_time > 0) {
    let t: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([new Promise<void>((r) => (t = setTimeout(r, spec.start_time))), rt.whenSoftStopped()]);
    clearTimeout(t);
    if (rt.softStopped) return; // stopped before it began: skip it
  }
  const ex = planExecutor(rt, spec, seg);
  let finished = false;
  let grace: ReturnType<typeof setTimeout> | undefined;
  const deadline = setTimeout(() => rt.softStop(), ex.softDeadlineMs);
  void rt.whenSoftStopped().then(() => {
    if (!finished) grace = setTimeout(() => rt.cancel(), spec.graceful_stop);
  });
  try {
    await runVus(rt, ex.vus, http, ex.loop);
  } finally {
    finished = true;
    clearTimeout(deadline);
    clearTimeout(grace);
  }
}
