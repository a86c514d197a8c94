/**
 * Durations exactly as the reference plan format (§1.2): a number is seconds; a string is either a
 * number (seconds) or humantime spans like `300ms`, `1m30s`, `1m 30s`, `4.2s`. `m` is minutes and
 * `M` months. Everything inside loadr is milliseconds (float).
 */

const UNIT_MS: Record<string, number> = {};
function unit(ms: number, ...names: string[]) {
  for (const n of names) UNIT_MS[n] = ms;
}
unit(1e-6, "ns", "nsec");
unit(1e-3, "us", "usec", "µs");
unit(1, "ms", "msec");
unit(1000, "s", "sec", "secs", "second", "seconds");
unit(60_000, "m", "min", "mins", "minute", "minutes");
unit(3_600_000, "h", "hr", "hrs", "hour", "hours");
unit(86_400_000, "d", "day", "days");
unit(604_800_000, "w", "wk", "wks", "week", "weeks");
const MONTH_MS = 2_630_016_000; // 30.44 days, as humantime
const YEAR_MS = 31_557_600_000; // 365.25 days
unit(MONTH_MS, "M", "month", "months");
unit(YEAR_MS, "y", "yr", "yrs", "year", "years");

const SPAN = /\s*(\d+(?:\.\d+)?)\s*([a-zA-Zµ]+)\s*/y;

export class DurationError extends Error {}

/** Parse a duration value into milliseconds; throws DurationError with the reference's message. */
export function parseDuration(value: unknown): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new DurationError("duration must be a non-negative number");
    if (value < 0) throw new DurationError("duration cannot be negative");
    if (!Number.isFinite(value * 1000)) throw new DurationError("duration is too large");
    return value * 1000;
  }
  if (typeof value !== "string") throw new DurationError("duration must be a number of seconds or a string like `30s`");
  const s = value.trim();
  const fail = (why: string) =>
    new DurationError(`invalid duration \`${value}\`: ${why} (try e.g. \`500ms\`, \`30s\`, \`1m30s\`)`);
  if (s === "") throw fail("value was empty");
  // past a double's range a number reads as Infinity: refused as YAML's `.inf` is
  const finite = (ms: number) => {
    if (!Number.isFinite(ms)) throw fail("the number is too large");
    return ms;
  };
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(s)) {
    const n = Number(s);
    if (n < 0) throw new DurationError("duration cannot be negative");
    return finite(n * 1000);
  }
  let total = 0;
  SPAN.lastIndex = 0;
  while (SPAN.lastIndex < s.length) {
    const at = SPAN.lastIndex;
    const m = SPAN.exec(s);
    if (!m) {
      if (s[at] === "-") throw new DurationError("duration cannot be negative");
      throw fail(`expected a number followed by a unit at position ${at}`);
    }
    const mult = UNIT_MS[m[2]!];
    if (mult === undefined) throw fail(`unknown time unit \`${m[2]}\`, supported units: ns, us, ms, s, m, h, d, w, M, y`);
    total += Number(m[1]) * mult;
  }
  return finite(total);
}

/**
 * Format milliseconds the way humantime does (`90s` → `1m 30s`, `1.5s` → `1s 500ms`): the reference
 * shows this form in generated check names, so ours must match.
 */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  let ns = Math.round(ms * 1e6);
  const parts: string[] = [];
  const take = (unitNs: number, name: string) => {
    const n = Math.floor(ns / unitNs);
    if (n > 0) {
      parts.push(`${n}${name}`);
      ns -= n * unitNs;
    }
  };
  take(YEAR_MS * 1e6, "y");
  take(MONTH_MS * 1e6, "M");
  take(86_400_000 * 1e6, "d");
  take(3_600_000 * 1e6, "h");
  take(60_000 * 1e6, "m");
  take(1e9, "s");
  take(1e6, "ms");
  take(1e3, "us");
  take(1, "ns");
  return parts.join(" ");
}
