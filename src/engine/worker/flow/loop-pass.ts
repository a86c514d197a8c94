/**
 * The end of one pass of a flow loop (repeat, while, foreach, retry, during). A pass whose steps
 * do no I/O never lets the event loop turn (src/engine/worker/turns.ts), so a loop of 1e12 such
 * passes would hold its worker past its deadline, its graceful stop and any stop. Every
 * CHECK_EVERY passes the loop looks at the clock and, when the worker starves, yields a turn
 * (timers fire: deadline, graceful stop) and stops if its iteration was cancelled meanwhile.
 * Checking one pass in 64 keeps the clock read off loops of requests' common path.
 */
import { Outcome } from "../outcome.ts";
import { starved, yieldTurn } from "../turns.ts";
import type { Vu } from "../vu.ts";

const CHECK_MASK = 63;

/**
 * undefined: go straight on (no promise on the common path). Else a promise, resolving after a
 * macrotask turn, to Continue or to Cancelled (the graceful stop ran out during the turn).
 */
export function endPass(vu: Vu, pass: number): Promise<Outcome> | undefined {
  if ((pass & CHECK_MASK) !== CHECK_MASK || !starved()) return undefined;
  return yieldTurn().then(() => (vu.cancelled ? Outcome.Cancelled : Outcome.Continue));
}
