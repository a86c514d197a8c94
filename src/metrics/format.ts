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
