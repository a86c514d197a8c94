/**
 * The live progress line of reference §3.1, from the latest timeline point — the numbers the
 * dashboard's tiles show: requests/s of the last interval, and the p95 of every request so far
 * from the merged histogram (the value a `p(95)` threshold on the request durations observes),
 * sub-millisecond values in µs. The CLI writes it to stderr once a second.
 */
import { displayF64, fixed, fmtMs } from "./format.ts";
import type { TimelinePoint } from "./timeline.ts";

export interface ProgressInfo {
  /** seconds since the progress display started (floored to whole seconds for HH:MM:SS) */
  elapsedSecs: number;
  paused?: boolean;
}

export function progressLine(point: TimelinePoint | undefined, info: ProgressInfo): string {
  const secs = Math.max(0, Math.floor(info.elapsedSecs));
  const hh = String(Math.floor(secs / 3600)).padStart(2, "0");
  const mm = String(Math.floor(secs / 60) % 60).padStart(2, "0");
  const ss = String(secs % 60).padStart(2, "0");
  const p95Text = point?.latency_p95 === undefined ? "-" : fmtMs(point.latency_p95);
  return (
    `  running ${hh}:${mm}:${ss}  vus ${displayF64(point?.active_vus ?? 0).padStart(4)}  rps ${fixed(point?.rps ?? 0, 1).padStart(7)}` +
    `  p95 ${p95Text.padStart(8)}  failed ${point?.failed ?? 0}${info.paused ? " [paused]" : ""}   `
  );
}
