/**
 * Reading a Summary back (`loadr report`): a `--summary-export` file, or the NDJSON of the `json`
 * output (its last line is the summary). Anything else is refused with what is missing.
 */
import type { Summary } from "../metrics/summary.ts";

export class NotASummaryError extends Error {}

const REQUIRED: [string, (v: unknown) => boolean][] = [
  ["run_id", (v) => typeof v === "string"],
  ["started_ms", (v) => typeof v === "number"],
  ["duration_secs", (v) => typeof v === "number"],
  ["scenarios", Array.isArray],
  ["metrics", Array.isArray],
  ["checks", Array.isArray],
  ["thresholds", Array.isArray],
  ["thresholds_passed", (v) => typeof v === "boolean"],
  ["timeline", Array.isArray],
];

export function parseSummary(text: string, file: string): Summary {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    const last = text.trimEnd().split("\n").pop() ?? "";
    try {
      v = JSON.parse(last);
    } catch (e) {
      throw new NotASummaryError(`${file} is not a loadr summary export: not JSON (${(e as Error).message})`);
    }
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new NotASummaryError(`${file} is not a loadr summary export: expected a JSON object`);
  const o = v as Record<string, unknown>;
  for (const [key, ok] of REQUIRED) {
    if (!ok(o[key])) throw new NotASummaryError(`${file} is not a loadr summary export: \`${key}\` is ${key in o ? "of the wrong type" : "missing"} (write one with \`loadr run --summary-export\`)`);
  }
  return { name: null, aborted: null, ended_ms: o.started_ms, snapshot: { timestamp_ms: 0, elapsed_secs: 0, interval_secs: 0, series: [] }, ...o } as unknown as Summary;
}
