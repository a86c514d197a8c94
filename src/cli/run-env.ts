/**
 * `loadr run`'s options from environment variables, as k6's `K6_*` (docs/cli.md): a flag wins
 * over its variable, which wins over the plan. `LOADR_API` is not one of them: it keeps its
 * meaning, the address the control commands (`loadr status`, …) talk to.
 */
import { UsageError } from "./errors.ts";

/** flag → variable. A list flag (`--output`) takes several values separated by `;`. */
export const RUN_ENV_VARS = {
  vus: "LOADR_VUS",
  duration: "LOADR_DURATION",
  iterations: "LOADR_ITERATIONS",
  workers: "LOADR_WORKERS",
  output: "LOADR_OUTPUT",
  "summary-export": "LOADR_SUMMARY_EXPORT",
  "summary-mode": "LOADR_SUMMARY_MODE",
  "summary-trend-stats": "LOADR_SUMMARY_TREND_STATS",
  junit: "LOADR_JUNIT",
  report: "LOADR_REPORT",
  tags: "LOADR_TAGS",
  "exclude-tags": "LOADR_EXCLUDE_TAGS",
  "progress-interval": "LOADR_PROGRESS_INTERVAL",
  "http-debug": "LOADR_HTTP_DEBUG",
  "max-series": "LOADR_MAX_SERIES",
  "max-memory": "LOADR_MAX_MEMORY",
  "no-color": "LOADR_NO_COLOR",
  quiet: "LOADR_QUIET",
} as const;

type Flag = keyof typeof RUN_ENV_VARS;
type Kind = { type: "string" | "boolean"; multiple?: boolean };

const TRUE = new Set(["1", "true", "yes", "on"]);
const FALSE = new Set(["0", "false", "no", "off"]);

/**
 * Fill the flags not given from their variables. Returns the values and, per flag, how it was
 * given (`--vus` or `LOADR_VUS`) for messages that point at the right place.
 */
export function withRunEnv<V extends Record<string, unknown>>(
  values: V,
  options: Record<string, Kind>,
  env: Record<string, string | undefined>,
): { values: V; from: (flag: string) => string } {
  const out: Record<string, unknown> = { ...values };
  const fromEnv = new Set<string>();
  for (const [flag, name] of Object.entries(RUN_ENV_VARS) as [Flag, string][]) {
    const text = env[name];
    const kind = options[flag];
    if (text === undefined || text === "" || kind === undefined || values[flag] !== undefined) continue;
    if (kind.type === "boolean") {
      const v = text.toLowerCase();
      if (!TRUE.has(v) && !FALSE.has(v)) throw new UsageError(`${name} must be true or false (1/0, yes/no), got \`${text}\``);
      if (TRUE.has(v)) out[flag] = kind.multiple ? [true] : true;
    } else if (flag === "http-debug") {
      // the reference's LOADR_HTTP_DEBUG=1 means heads; `full` adds bodies
      out[flag] = TRUE.has(text.toLowerCase()) ? "headers" : text;
    } else out[flag] = kind.multiple ? text.split(";").map((s) => s.trim()).filter((s) => s !== "") : text;
    fromEnv.add(flag);
  }
  return { values: out as V, from: (flag) => (fromEnv.has(flag) ? RUN_ENV_VARS[flag as Flag] : `--${flag}`) };
}
