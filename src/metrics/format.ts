/**
 * Number formatting that reproduces Rust's `format!` output, so our console/JUnit/progress text
 * matches the reference byte for byte.
 */

/**
 * Rust `{:.N}`: fixed decimals from the exact binary value. JS toFixed does the same except on
 * exact ties (e.g. 0.125 → 2 digits), where it rounds away from zero and Rust rounds half to
 * even (core::fmt's dragon `format_exact`).
 */
export function fixed(v: number, digits: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  // v is an exact tie at `digits` decimals iff v × 2^(digits+1) is an odd integer
  // (a tie is odd/(2·10^d), and a double is dyadic, so 5^d must divide out).
  const scaled = Math.abs(v) * 2 ** (digits + 1);
  if (Number.isSafeInteger(scaled) && scaled % 2 === 1) {
    const twice = scaled * 5 ** digits; // = 2·|v|·10^digits, odd
    if (Number.isSafeInteger(twice)) {
      const down = (twice - 1) / 2;
      const n = down % 2 === 0 ? down : down + 1;
      let s = String(n);
      if (digits > 0) {
        s = s.padStart(digits + 1, "0");
        s = `${s.slice(0, -digits)}.${s.slice(-digits)}`;
      }
      return (v < 0 ? "-" : "") + s;
    }
  }
  return v.toFixed(digits);
}

/** Rust `{}` of an f64: shortest round-trip digits, whole numbers without ".0", never exponent. */
export function displayF64(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Object.is(v, -0)) return "-0";
  const s = String(v);
  if (!s.includes("e")) return s;
  // JS switches to exponent form outside [1e-7, 1e21); Rust never does.
  return v.toLocaleString("en-US", { useGrouping: false, maximumFractionDigits: 20 });
}

/** Summary numbers: integers when whole, else 2 decimals (reference `fmt_num`). */
export function fmtNum(v: number): string {
  if (Number.isFinite(v) && Number.isInteger(v) && Math.abs(v) < 1e15) return String(Math.trunc(v) || 0);
  return fixed(v, 2);
}

/** Trend values in ms: ≥ 1000 → `1.23s`, ≥ 1 → `12.34ms`, else `567µs`; missing → `-`. */
export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined) return "-";
  if (v >= 1000) return `${fixed(v / 1000, 2)}s`;
  if (v >= 1) return `${fixed(v, 2)}ms`;
  return `${fixed(v * 1000, 0)}µs`;
}

/** Byte counts as k6 prints them (go-humanize `Bytes`: SI units, one decimal below 10): `2.7 MB`, `532 kB`, `9 B`. */
export function fmtBytes(v: number): string {
  const n = Math.max(0, Math.trunc(v));
  if (n < 10) return `${n} B`;
  const e = Math.min(Math.floor(Math.log(n) / Math.log(1000)), BYTE_UNITS.length - 1);
  const val = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  return `${val < 10 ? fixed(val, 1) : fixed(val, 0)} ${BYTE_UNITS[e]}`;
}
const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];

/** A count with thousands separators, for prose (`2,310 requests failed`). */
export function fmtCount(v: number): string {
  return String(Math.trunc(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A fraction as a percentage with two decimals: `0.1` → `10.00%`. */
export function fmtPercent(v: number | null | undefined): string {
  return v === null || v === undefined ? "-" : `${fixed(v * 100, 2)}%`;
}

/**
 * What a value is, so every view formats it the same way (ThresholdStatus.unit): `ms` durations,
 * `fraction` a Rate's pass fraction, `per_second` events per second, `bytes` / `bytes_per_second`
 * for the data counters, `count` whole events, `` a plain number.
 */
export type ValueUnit = "ms" | "fraction" | "per_second" | "bytes" | "bytes_per_second" | "count" | "";

export function fmtValue(v: number | null | undefined, unit: ValueUnit): string {
  if (v === null || v === undefined) return "-";
  switch (unit) {
    case "ms":
      return fmtMs(v);
    case "fraction":
      return fmtPercent(v);
    case "per_second":
      return `${fixed(v, 2)}/s`;
    case "bytes":
      return fmtBytes(v);
    case "bytes_per_second":
      return `${fmtBytes(v)}/s`;
    case "count":
      return Number.isInteger(v) ? String(v) : fmtNum(v);
    case "":
      return fmtNum(v);
  }
}
