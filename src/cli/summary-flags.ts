/** `--summary-mode` and `--summary-trend-stats` (k6's flags), checked before anything starts. */
import { DEFAULT_TREND_STATS, parseTrendStats, SUMMARY_MODES, TrendStatsError, type SummaryMode, type TrendStat } from "../metrics/index.ts";
import { UsageError } from "./errors.ts";

export const SUMMARY_FLAGS_HELP = `  --summary-mode <mode>       compact (default) or full: full adds requests per scenario, group
                              and name, and the checks per group and request
  --summary-trend-stats <s>   the statistics of trend lines, e.g. avg,med,p(95),p(99.9),max,count
                              (default ${DEFAULT_TREND_STATS})`;

export const SUMMARY_FLAG_OPTIONS = {
  "summary-mode": { type: "string" },
  "summary-trend-stats": { type: "string" },
} as const;

/** `from`: how each flag was given, for the messages (`--summary-mode`, or its LOADR_ variable). */
export function summaryFlags(
  values: { "summary-mode"?: string; "summary-trend-stats"?: string },
  from: (flag: string) => string = (f) => `--${f}`,
): { mode: SummaryMode; trendStats?: TrendStat[] } {
  const mode = values["summary-mode"] ?? "compact";
  if (!(SUMMARY_MODES as readonly string[]).includes(mode))
    throw new UsageError(`${from("summary-mode")} must be ${SUMMARY_MODES.join(" or ")}, got \`${mode}\``);
  try {
    const text = values["summary-trend-stats"];
    return { mode: mode as SummaryMode, trendStats: text === undefined ? undefined : parseTrendStats(text) };
  } catch (e) {
    if (e instanceof TrendStatsError) throw new UsageError(e.message.replace("--summary-trend-stats", from("summary-trend-stats")));
    throw e;
  }
}
