/**
 * k6 timing phases from an exchange's marks (reference §5.1). For a failed
 * attempt the phase that was in progress runs until the failure.
 */
import type { Timings } from "../types.ts";
import type { Exchange } from "./exchange.ts";

/** The phase marks an attempt carries (an HTTP/1.1 Exchange, an HTTP/2 stream: h2-exchange.ts). */
export type TimingMarks = Pick<Exchange, "tStart" | "tConnStart" | "tConnected" | "tTlsDone" | "tls" | "tSendStart" | "tSendEnd" | "tFirst" | "tEnd">;

export function emptyTimings(): Timings {
  return { blocked: 0, connecting: 0, tls: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 };
}

/** Adds `ex`'s phases to `t` (redirect hops and retried attempts accumulate). */
export function addTimings(t: Timings, ex: TimingMarks): void {
  const end = ex.tEnd;
  if (ex.tConnStart > 0) {
    t.blocked += ex.tConnStart - ex.tStart;
    const connected = ex.tConnected > 0 ? ex.tConnected : end;
    t.connecting += connected - ex.tConnStart;
    if (ex.tls && ex.tConnected > 0) t.tls += (ex.tTlsDone > 0 ? ex.tTlsDone : end) - ex.tConnected;
  } else {
    t.blocked += (ex.tSendStart > 0 ? ex.tSendStart : end) - ex.tStart;
  }
  if (ex.tSendStart > 0) {
    const sent = ex.tSendEnd > 0 ? ex.tSendEnd : end;
    t.sending += sent - ex.tSendStart;
    if (ex.tSendEnd > 0) {
      const first = ex.tFirst > 0 ? ex.tFirst : end;
      t.waiting += first - ex.tSendEnd;
      if (ex.tFirst > 0) t.receiving += end - ex.tFirst;
    }
  }
  t.duration = t.sending + t.waiting + t.receiving;
}

/** A failed attempt that is retried transparently: all of its time counts as blocked. */
export function addRetriedAttempt(t: Timings, ex: TimingMarks): void {
  t.blocked += ex.tEnd - ex.tStart;
}
