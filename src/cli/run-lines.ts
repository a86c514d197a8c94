/**
 * What `loadr run` says around the load, for a terminal and for a CI log alike: the start banner
 * (plan, scenarios and their executors, the most VUs and the longest it can take, outputs) and
 * the final verdict line (the report's status words, the thresholds, requests and failures, the
 * exit code).
 */
import { shortDuration, type RunOutline } from "../run/outline.ts";
import type { Summary } from "../metrics/summary.ts";
import { fixed, fmtCount } from "../metrics/format.ts";
import { observedText } from "../metrics/console.ts";
import { statusPill } from "../report/html.ts";

export function bannerLines(outline: RunOutline, version: string): string[] {
  const what = outline.name !== undefined ? `${outline.name}${outline.file !== undefined ? ` (${outline.file})` : ""}` : outline.file;
  const head = `loadr ${version}${what !== undefined ? ` — ${what}` : ""}`;
  const n = outline.scenarios.length;
  const longest = outline.maxDurationMs === null ? "until stopped" : `at most ${shortDuration(outline.maxDurationMs)} (graceful stops included)`;
  return [
    head,
    `  scenarios: ${n} scenario${n === 1 ? "" : "s"}, up to ${outline.maxVus} VUs, ${longest}`,
    ...outline.scenarios.map((s) => `    * ${s.name}: ${s.text} (${s.executor})`),
    `  outputs:   ${[...outline.outputs, ...outline.files].join(", ") || "none (the summary is printed at the end)"}`,
  ];
}

export function verdictLine(s: Summary, exitCode: number): string {
  const pill = statusPill(s);
  const failed = s.thresholds.filter((t) => !t.passed);
  const thresholds =
    s.thresholds.length === 0
      ? "no thresholds"
      : failed.length === 0
        ? `${s.thresholds.length} of ${s.thresholds.length} thresholds passed`
        : `${failed.length} of ${s.thresholds.length} thresholds failed: ${failed.map((t) => `${t.metric} ${t.expression} (observed ${observedText(t)})`).join(", ")}`;
  const total = s.breakdown?.total;
  const requests = total === undefined ? "" : `; ${fmtCount(total.requests)} requests, ${fmtCount(total.failures)} failed`;
  return `${exitCode === 0 ? "✓" : "✗"} ${pill.text} — ${thresholds}${requests}, ${fixed(s.duration_secs, 1)}s (exit code ${exitCode})`;
}
