/** The k6-style console summary (reference §2.10), byte-compatible with the reference. */
import { fixed, fmtMs, fmtNum } from "./format.ts";
import type { MetricSummary, Summary } from "./summary.ts";

export interface ConsoleOptions {
  /** ANSI colours: green for lines starting with ✓, red for ✗ and ! (the CLI decides on a TTY) */
  color?: boolean;
}

const GREEN = "\x1b[32m";
const RED = "\x1b[31m";
const RESET = "\x1b[0m";

/** `.` × max(2, 30 − len(name)) then `:` — the column the values line up on. */
export function dots(name: string): string {
  return ".".repeat(Math.max(2, 30 - utf8Length(name))) + ":";
}

/** Rust `str::len()` is bytes; match it so non-ASCII metric names align the same way. */
function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** The value part of a metric line, per kind. */
export function metricLine(m: MetricSummary): string {
  const a = m.agg;
  switch (m.kind) {
    case "trend":
      return (
        `avg=${fmtMs(a.avg)} min=${fmtMs(a.min)} med=${fmtMs(a.med)} max=${fmtMs(a.max)} ` +
        `p(90)=${fmtMs(a.p90)} p(95)=${fmtMs(a.p95)} p(99)=${fmtMs(a.p99)}`
      );
    case "counter":
      return `${fmtNum(a.sum)} (${fmtNum(a.per_second ?? 0)}/s)`;
    case "rate": {
      // ⚠ reference quirk kept: "✓" counts passes of the rate, i.e. *failures* for http_req_failed
      const passes = Math.trunc(a.sum);
      return `${fixed((a.rate ?? 0) * 100, 2)}% — ✓ ${passes} ✗ ${a.count - passes}`;
    }
    case "gauge":
      return `value=${fmtNum(a.last ?? 0)} min=${fmtNum(a.min ?? 0)} max=${fmtNum(a.max ?? 0)}`;
  }
}

export function renderConsole(s: Summary, opts: ConsoleOptions = {}): string {
  let out = `\n  ${s.name ?? "loadr test"} — ${s.scenarios.length} scenario(s), ${fixed(s.duration_secs, 1)}s\n\n`;
  if (s.aborted !== null) out += `  ! run aborted: ${s.aborted}\n\n`;

  if (s.checks.length > 0) {
    let pass = 0;
    let fail = 0;
    for (const c of s.checks) {
      pass += c.passes;
      fail += c.fails;
    }
    const pct = pass + fail > 0 ? (100 * pass) / (pass + fail) : 100;
    out += `  checks${dots("checks")} ${fixed(pct, 2).padStart(6)}% — ✓ ${pass} ✗ ${fail}\n`;
    for (const c of s.checks) {
      out += `    ${c.fails === 0 ? "✓" : "✗"} ${c.name} (${c.passes} / ${c.passes + c.fails})\n`;
    }
    out += "\n";
  }

  for (const m of s.metrics) {
    if (m.metric === "checks") continue;
    out += `  ${m.metric}${dots(m.metric)} ${metricLine(m)}\n`;
  }

  if (s.thresholds.length > 0) {
    out += "\n  thresholds:\n";
    for (const t of s.thresholds) {
      const observed = t.observed === null ? "no samples" : fixed(t.observed, 2);
      out += `    ${t.passed ? "✓" : "✗"} ${t.metric}: ${t.expression} (observed: ${observed})\n`;
    }
  }
  out += "\n";
  return opts.color ? colorize(out) : out;
}

/** Colour whole lines by their first visible character, as the CLI does. */
export function colorize(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const t = line.trimStart();
      if (t.startsWith("✓")) return GREEN + line + RESET;
      if (t.startsWith("✗") || t.startsWith("!")) return RED + line + RESET;
      return line;
    })
    .join("\n");
}
