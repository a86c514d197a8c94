/**
 * Shared machinery of every executor: make VUs, run iterations, and account for them
 * (reference §2.2): a returned iteration emits `iterations` and `iteration_duration`; a cancelled
 * one (graceful period over, or its VU interrupted at ramp-down) emits nothing.
 */
import { Outcome } from "../outcome.ts";
import type { ScenarioRuntime } from "../scenario-runtime.ts";
import { runSteps } from "../flow/step.ts";
import { Vu } from "../vu.ts";

/**
 * When the event loop last turned (a timer moves it). An iteration that completes without the
 * loop turning — a request that fails before any I/O, such as an unsupported URL scheme; a flow of
 * synchronous steps — only ever runs microtasks, so a VU looping on such iterations would keep
 * every timer (the scenario's deadline among them) from firing, and the run would spin forever.
 * Every executor's iterations pass through runIteration, which yields a macrotask turn once the
 * loop has not turned for STARVED_MS.
 */
let lastTurnMs = performance.now();
setInterval(() => (lastTurnMs = performance.now()), 10).unref();
const STARVED_MS = 50;

export async function runIteration(rt: ScenarioRuntime, vu: Vu): Promise<Outcome> {
  vu.iteration++;
  const t0 = performance.now();
  // a one-step flow (the common single request) runs its step without runSteps' async frame:
  // one promise hop fewer per iteration; the cancelled check below covers what runSteps checks
  const steps = rt.steps;
  let o = steps.length === 1 ? steps[0]!.run(vu) : runSteps(steps, vu);
  if (typeof o !== "number") o = await o;
  if (o === Outcome.Cancelled || vu.cancelled) return Outcome.Cancelled;
  const t1 = performance.now();
  const sink = rt.run.sink;
  sink.beginEvent();
  sink.counter("iterations", rt.baseTagSet, 1);
  sink.trend("iteration_duration", rt.baseTagSet, t1 - t0);
  sink.endEvent();
  if (o === Outcome.AbortScenario) rt.cancel(); // no grace for abort_scenario (§2.2)
  if (t1 - lastTurnMs > STARVED_MS) {
    lastTurnMs = t1;
    await new Promise<void>((r) => setImmediate(r));
  }
  return o;
}

/** Outcomes after which a VU runs no further iteration. */
export function endsVu(o: Outcome): boolean {
  return o === Outcome.StopVu || o === Outcome.Cancelled || o === Outcome.AbortScenario || o === Outcome.AbortTest;
}

/** A new VU of the scenario: the next global id (its protocol states open on its first requests). */
export function newVu(rt: ScenarioRuntime): Vu {
  return new Vu(rt.run.shared.nextVuId(), rt);
}

/** Wait out a pause; false when the scenario stopped (no further iteration may start). */
export async function mayStart(rt: ScenarioRuntime): Promise<boolean> {
  const ok = rt.mayStart();
  return ok === true || ok === false ? ok : await ok;
}

/**
 * Start `count` VUs; each runs iterations while the scenario may start one (not stopped, not
 * paused) and `another(vu)` agrees, until an outcome ends it. Resolves when all have finished;
 * a VU's connections are closed when it ends. One async frame per VU (this loop) rather than a
 * loop closure per executor: a waiting VU's suspended call chain is most of its heap.
 */
export async function runVus(rt: ScenarioRuntime, count: number, another: (vu: Vu) => boolean): Promise<void> {
  const one = async () => {
    const vu = newVu(rt);
    rt.vus.add(vu);
    try {
      for (;;) {
        // mayStart() inlined: an async call and an await per iteration only while paused
        const ok = rt.mayStart();
        if (ok === false || (ok !== true && !(await ok)) || !another(vu)) break;
        if (endsVu(await runIteration(rt, vu))) break;
      }
    } catch (e) {
      rt.run.log.error(`VU ${vu.id} of scenario \`${rt.name}\` stopped: ${(e as Error).message}`);
    } finally {
      rt.vus.delete(vu);
      vu.close();
    }
  };
  const all: Promise<void>[] = [];
  for (let i = 0; i < count; i++) all.push(one());
  await Promise.all(all);
}
