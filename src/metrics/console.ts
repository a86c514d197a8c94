/**
 * The console summary: the reference's layout (reference §2.10) with k6's units — bytes in kB/MB
 * with their rate, counts as integers, durations in µs/ms/s, threshold values in the metric's unit
 * — and a failure table whenever a request failed. `full` mode (k6's `--summary-mode full`) adds
 * requests per scenario, group and name, and the checks per group and request.
 */
import type { Breakdown, BreakdownTable } from "./breakdown.ts";
import { failureDetail, failureLabel } from "./failure-text.ts";
import { fixed, fmtBytes, fmtCount, fmtMs, fmtNum, fmtPercent, fmtValue } from "./format.ts";
import { DATA_METRICS } from "./registry.ts";
import type { MetricSummary, Summary } from "./summary.ts";
import type { ThresholdStatus } from "./thresholds.ts";
import { DEFAULT_TREND_STATS, parseTrendStats, trendStatValue, type TrendStat } from "./trend-stats.ts";

export type SummaryMode = "compact" | "full";
export const SUMMARY_MODES: readonly SummaryMode[] = ["compact", "full"];

export interface ConsoleOptions {
  /** ANSI colours: green for lines starting with ✓, red for ✗ and ! (the CLI decides on a TTY) */
  color?: boolean;
  /** `full` adds the breakdown tables (default `compact`) */
  mode?: SummaryMode;
  /** the statistics of trend lines (default: DEFAULT_TREND_STATS) */
  trendStats?: readonly TrendStat[];
}

const GREEN = "\x1b[32m";
const RED = "\x1b[31m";
const RESET = "\x1b[0m";
const DEFAULT_STATS = parseTrendStats(DEFAULT_TREND_STATS);

/** `.` × max(2, 30 − len(name)) then `:` — the column the values line up on. */
export function dots(name: string): string {
  return ".".repeat(Math.max(2, 30 - utf8Length(name))) + ":";
}

/** Rust `str::len()` is bytes; match it so non-ASCII metric names align the same way. */
function utf8Length(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** k6 pads a line's first value to a column of its own. */
const first = (v: string) => v.padEnd(6);

/** The value part of a metric line, per kind. */
export function metricLine(m: MetricSummary, stats: readonly TrendStat[] = DEFAULT_STATS): string {
  const a = m.agg;
  switch (m.kind) {
    case "trend":
      return stats.map((s) => `${s.label}=${s.stat === "count" ? a.count : fmtMs(trendStatValue(s, a, m.percentiles))}`).join(" ");
    case "counter":
      if (DATA_METRICS.has(m.metric)) return `${first(fmtBytes(a.sum))} ${fmtBytes(a.per_second ?? 0)}/s`;
      return `${first(fmtNum(a.sum))} ${fixed(a.per_second ?? 0, 2)}/s`;
    case "rate":
      return `${fmtPercent(a.rate ?? 0)} ${Math.trunc(a.sum)} out of ${a.count}`;
    case "gauge":
      return `${first(fmtNum(a.last ?? 0))} min=${fmtNum(a.min ?? 0)} max=${fmtNum(a.max ?? 0)}`;
  }
}

/** A threshold's observed value in its unit; schema-1 summaries (no unit) keep two decimals. */
export function observedText(t: Pick<ThresholdStatus, "observed" | "unit">): string {
  if (t.observed === null) return "no samples";
  return t.unit === undefined ? fixed(t.observed, 2) : fmtValue(t.observed, t.unit);
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
    for (const c of s.checks) out += `    ${c.fails === 0 ? "✓" : "✗"} ${c.name} (${c.passes} / ${c.passes + c.fails})\n`;
    out += "\n";
  }

  for (const m of s.metrics) {
    if (m.metric === "checks") continue;
    out += `  ${m.metric}${dots(m.metric)} ${metricLine(m, opts.trendStats)}\n`;
  }

  if (opts.mode === "full" && s.breakdown !== undefined) out += fullSections(s.breakdown);
  if (s.breakdown !== undefined) out += failureSection(s.breakdown);

  if (s.thresholds.length > 0) {
    out += "\n  thresholds:\n";
    for (const t of s.thresholds) out += `    ${t.passed ? "✓" : "✗"} ${t.metric}: ${t.expression} (observed: ${observedText(t)})\n`;
  }
  out += "\n";
  return opts.color ? colorize(out) : out;
}

/** Printed whenever a request failed: how many, and what failed them, first message of each kind. */
function failureSection(b: Breakdown): string {
  if (b.failures.length === 0) return "";
  const total = b.failures.reduce((n, r) => n + r.count, 0);
  let out = `\n  ${fmtCount(total)} request${total === 1 ? "" : "s"} failed:\n`;
  for (const r of b.failures) out += `    ✗ ${fmtCount(r.count)} ${failureLabel(r)}: ${failureDetail(r)}\n`;
  return out;
}

function fullSections(b: Breakdown): string {
  let out = "";
  const sections: [string, string, BreakdownTable][] = [
    ["requests by scenario", "scenario", b.scenarios],
    ["requests by group", "group", b.groups],
    ["requests by name", "name", b.names],
  ];
  for (const [title, key, t] of sections) {
    if (t.rows.length === 0) continue;
    const rows = t.rows.map((r) => [r.key, ...figureCells(r)]);
    if (t.other !== null) rows.push([`(${t.other.keys} more)`, ...figureCells(t.other)]);
    out += `\n  ${title}:\n` + textTable([key, ...FIGURE_COLUMNS], rows);
  }
  if (b.checks.length > 0) {
    out += "\n  checks by group and request:\n";
    let at = "";
    for (const c of b.checks) {
      const where = `${c.group || "(no group)"} › ${c.name || "(unnamed request)"}`;
      if (where !== at) out += `    ${(at = where)}\n`;
      out += `      ${c.fails === 0 ? "✓" : "✗"} ${c.check} (${c.passes} / ${c.passes + c.fails})\n`;
    }
  }
  return out;
}

const FIGURE_COLUMNS = ["requests", "failed", "fail %", "req/s", "p50", "p90", "p95", "p99"];

function figureCells(f: Breakdown["total"]): string[] {
  return [String(f.requests), String(f.failures), fmtPercent(f.failure_rate), f.rps === null ? "-" : fixed(f.rps, 2), fmtMs(f.p50), fmtMs(f.p90), fmtMs(f.p95), fmtMs(f.p99)];
}

/** Columns padded to their widest cell: the first left-aligned, the rest right-aligned. */
function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => "    " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd() + "\n";
  return line(head) + rows.map(line).join("");
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
