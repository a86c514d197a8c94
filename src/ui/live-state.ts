/**
 * What the live dashboard shows, built from the coordinator's once-a-second state: the timeline,
 * threshold statuses, VUs — and, once the run ended, the final status. Plain JSON for SSE.
 */
import type { ThresholdStatus, TimelinePoint } from "../metrics/index.ts";
import type { Summary } from "../metrics/summary.ts";
import { statusPill } from "../report/html.ts";

export interface LiveTick {
  elapsed_secs: number;
  point: TimelinePoint | null;
  thresholds: readonly ThresholdStatus[];
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

export function finalStatus(s: Summary): LiveStatus {
  return { state: "finished", ...statusPill(s) };
}
