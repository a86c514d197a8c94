/**
 * One scenario's life in a worker (reference §2.3 "Shared machinery"): wait `start_time`, run the
 * executor until its soft deadline, then give in-flight iterations `graceful_stop` before
 * cancelling them. A run-level stop enters the same graceful path. The deadline is on the
 * scenario's schedule clock, so time spent paused does not count.
 */
import type { Segment } from "../segments.ts";
import type { ScenarioRuntime } from "./scenario-runtime.ts";
import { planExecutor, type ExecutorSpec } from "./executors/index.ts";
import { scheduleMs } from "../../plan/scenario-bounds.ts";
import { setLongTimeout, type LongTimeout } from "../../util/long-timeout.ts";

export interface ScenarioTiming extends ExecutorSpec {
  start_time: number;
  graceful_stop: number;
}

export async function runScenario(rt: ScenarioRuntime, spec: ScenarioTiming, seg: Segment): Promise<void> {
  try {
    await runPhases(rt, spec, seg);
  } finally {
    rt.phase = "done";
  }
}

async function runPhases(rt: ScenarioRuntime, spec: ScenarioTiming, seg: Segment): Promise<void> {
  if (spec.start_time > 0) {
    let t: LongTimeout | undefined;
    await Promise.race([new Promise<void>((r) => (t = setLongTimeout(r, spec.start_time))), rt.whenSoftStopped()]);
    t?.clear();
    if (rt.softStopped) return; // stopped before it began: skip it
  }
  const ex = planExecutor({ rt, spec, seg });
  const softDeadlineMs = scheduleMs(spec);
  rt.startClock();
  rt.phase = "running";
  let finished = false;
  let grace: LongTimeout | undefined;
  let deadline: LongTimeout | undefined;
  // re-armed until the schedule clock (which stands still while paused) reaches the deadline
  const checkDeadline = () => {
    const left = softDeadlineMs - rt.elapsed();
    if (left <= 0) rt.softStop();
    else deadline = setLongTimeout(checkDeadline, left);
  };
  if (Number.isFinite(softDeadlineMs)) checkDeadline();
  void rt.whenSoftStopped().then(() => {
    if (!finished) grace = setLongTimeout(() => rt.cancel(), spec.graceful_stop);
  });
  try {
    await ex.run();
  } finally {
    finished = true;
    deadline?.clear();
    grace?.clear();
  }
}
