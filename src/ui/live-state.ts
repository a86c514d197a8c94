/**
 * What the live dashboard shows, built from the coordinator's once-a-second state: the timeline,
 * threshold statuses, VUs, the request figures and tables — and, once the run ended, the final
 * status with the summary's own figures. Plain JSON for SSE; numbers are formatted here, by
 * metrics/format.ts, so the page shows exactly what the console and the report show.
 */
import type { Breakdown, RequestFigures, ThresholdStatus, TimelinePoint } from "../metrics/index.ts";
import type { Summary } from "../metrics/summary.ts";
import { observedText } from "../metrics/console.ts";
import { fmtCount, fmtMs, fmtPercent } from "../metrics/format.ts";
import { headline, statusPill } from "../report/html.ts";
import { failuresTableHtml, requestTablesHtml } from "../report/tables.ts";

/** Rows of each live table before the rest is merged into "(N more)". */
export const LIVE_TABLE_ROWS = 50;

export interface LiveThreshold extends ThresholdStatus {
  observed_text: string;
}

/** The tiles and tables, from the run so far (a tick) or from the summary (the end). */
export interface LiveFigures {
  /** every request so far: p95 is the merged histogram's, as the summary and thresholds read it */
  total: { requests: number; failures: number; error_rate: number | null; p95: number | null };
  text: { requests: string; error_rate: string; p95: string };
  /** HTML of the breakdown tables (report/tables.ts); null before the first request */
  tables: { scenarios: string; groups: string; names: string; failures: string } | null;
}

export interface LiveTick extends LiveFigures {
  elapsed_secs: number;
  point: TimelinePoint | null;
  thresholds: readonly LiveThreshold[];
  vus: number;
  vus_max: number;
  /** active VUs per scenario */
  scenario_vus: Record<string, number>;
  requests: number;
  failed: number;
}

export interface LiveStatus {
  state: "running" | "finished";
  text: string;
  cls: string;
}

export interface LiveInit {
  name: string;
  scenarios: string[];
  control: boolean;
  status: LiveStatus;
  timeline: TimelinePoint[];
  last: LiveTick | null;
  checks: Summary["checks"];
}

export interface LiveDone {
  status: LiveStatus;
  timeline: TimelinePoint[];
  thresholds: LiveThreshold[];
  checks: Summary["checks"];
  final: LiveFigures;
}

export function finalStatus(s: Summary): LiveStatus {
  return { state: "finished", ...statusPill(s) };
}

export function liveThresholds(list: readonly ThresholdStatus[]): LiveThreshold[] {
  return list.map((t) => ({ ...t, observed_text: observedText(t) }));
}

export function liveFigures(t: { requests: number; failures: number; failure_rate: number | null; p95: number | null }, b: Breakdown | undefined): LiveFigures {
  return {
    total: { requests: t.requests, failures: t.failures, error_rate: t.failure_rate, p95: t.p95 },
    text: { requests: fmtCount(t.requests), error_rate: fmtPercent(t.failure_rate), p95: fmtMs(t.p95) },
    tables: b === undefined ? null : { ...requestTablesHtml(b), failures: failuresTableHtml("failures", b.failures) },
  };
}

/** The end of the run: the summary's own figures (schema 2 always, as this build writes it). */
export function finalFigures(s: Summary): LiveFigures {
  const h = headline(s);
  const failures = s.breakdown?.total.failures ?? 0;
  return liveFigures({ requests: h.requests, failures, failure_rate: h.errorRate, p95: h.p95 }, s.breakdown);
}

export type { RequestFigures };
