/**
 * Timers for any delay a plan can write. setTimeout's delay is a signed 32-bit count of
 * milliseconds: Bun and Node fire a longer one (`30d` is 2,592,000,000 ms) after 1 ms. A plan's
 * durations are honoured past that by arming the timer in pieces of at most MAX_TIMER_MS.
 */

/** The longest delay setTimeout keeps (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LongTimeout {
  clear(): void;
}

/** setTimeout(fn, ms) for any finite `ms`; `clear()` cancels it. */
export function setLongTimeout(fn: () => void, ms: number): LongTimeout {
  let handle: ReturnType<typeof setTimeout>;
  const arm = (left: number) => {
    handle = left > MAX_TIMER_MS ? setTimeout(() => arm(left - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(fn, left);
  };
  arm(ms);
  return { clear: () => clearTimeout(handle) };
}
