/**
 * Shared machinery of every executor: make VUs, run iterations, and account for them
 * (reference §2.2): a returned iteration emits `iterations` and `iteration_duration`; a cancelled
 * one (graceful period over, or its VU interrupted at ramp-down) emits nothing.
 */
import { Outcome } from "../outcome.ts";
import type { ScenarioRuntime } from "../scenario-runtime.ts";
import { runSteps } from "../flow/step.ts";
import { Vu } from "../vu.ts";
import { starved, yieldTurn } from "../turns.ts";

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
  // An iteration that did no I/O (a request that fails before any, a flow of js steps, a
  // `${js: ...}` that ran to its timeout) never let the event loop turn: yield one turn, in which
  // the deadline's timer fires, so the VU's next mayStart() sees it (src/engine/worker/turns.ts).
  if (starved(t1)) await yieldTurn();
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
  await startInBatches(rt, 0, () => count, () => all.push(one()));
  await Promise.all(all);
}

/** A batch of VU starts, with what the new VUs run before their first I/O, aims at this long before the event loop turns. */
const START_BATCH_MS = 10;
const MAX_START_BATCH = 4096;

/**
 * Start VU number `from` and on, while fewer than `upTo()` (re-read: a ramp may move it) are
 * started, with `start(i)`, in batches. Starting a VU runs its first iteration up to its first
 * I/O — partly in microtasks, after start() returns — so 100,000 of them in one go would hold the
 * worker for seconds, deaf to its deadline and to a stop. Between batches the event loop turns
 * (timers, messages) and a stopped scenario starts no more. A batch's size adapts to what the last
 * one cost, measured across the turn that ran its microtasks: doubled while under START_BATCH_MS,
 * halved above. Resolves to the number of the next VU to start.
 */
export async function startInBatches(rt: ScenarioRuntime, from: number, upTo: () => number, start: (i: number) => void): Promise<number> {
  let i = from;
  let batch = 16;
  for (;;) {
    const t0 = performance.now();
    for (let k = 0; k < batch && i < upTo() && !rt.softStopped; k++) start(i++);
    if (i >= upTo() || rt.softStopped) return i;
    await yieldTurn();
    batch = performance.now() - t0 > START_BATCH_MS ? Math.max(1, batch >> 1) : Math.min(MAX_START_BATCH, batch * 2);
  }
}
