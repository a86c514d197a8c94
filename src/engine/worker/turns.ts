/**
 * Keeping a worker's event loop turning. VUs run as promise chains on one thread: a flow whose
 * steps finish without I/O (js steps, a request that fails before any I/O, a loop over a long
 * list, a `${js: ...}` that runs to its timeout) only ever runs microtasks, and then no timer
 * fires — not the scenario's deadline, not its graceful stop — and no message of the
 * coordinator (stop) is read. The iteration loop and the flow loops ask `starved()` now and then;
 * when the event loop has not turned for STARVED_MS they `yieldTurn()`.
 */

/** When the event loop last turned: an interval moves it, so it lags while microtasks hog the thread. */
let lastTurnMs = performance.now();
setInterval(() => (lastTurnMs = performance.now()), 10).unref();
/** 20 ms: a VU that waits on I/O beside one that spins still gets ~50 turns a second */
const STARVED_MS = 20;

/** The event loop has not turned for STARVED_MS (reads the clock: callers ask only every so often). */
export function starved(now = performance.now()): boolean {
  return now - lastTurnMs > STARVED_MS;
}

/**
 * One macrotask turn in which every timer already due fires (timers run in due order, and this
 * one is due last) and pending messages are read. Not setImmediate: in Bun 1.4.4 a due timer does
 * not fire during the first immediate turn after a busy stretch (measured), so the deadline could
 * be missed by the next iteration. A setTimeout(0) turn takes ~1.2 ms (Bun's 1 ms floor, time the
 * other VUs' I/O gets); one per STARVED_MS of starved work is ~6 % of it, and flows doing I/O
 * never pay it.
 *
 * It leaves lastTurnMs alone: the event loop turns only once every VU of the worker has left the
 * microtask queue, so every VU must see the worker starved until the interval moves lastTurnMs.
 * (Resetting it here let the other VUs spin on, one of them yielding every STARVED_MS: with 20
 * VUs the deadline fired a second late at 50 ms, measured with bench/flow-driver.ts stub.)
 */
export function yieldTurn(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}
