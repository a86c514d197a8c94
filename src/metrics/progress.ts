/**
 * The live progress line of reference §3.1, from the latest snapshot. The CLI writes it to stderr
 * as `"\r" + line` once a second and a newline when the run ends.
 */
import { displayF64, fixed } from "./format.ts";
import type { Snapshot } from "./snapshot.ts";

export interface ProgressInfo {
  /** seconds since the progress display started (floored to whole seconds for HH:MM:SS) */
  elapsedSecs: number;
  paused?: boolean;
}

export function progressLine(snap: Snapshot, info: ProgressInfo): string {
  const interval = Math.max(snap.interval_secs, 0.001);
  let reqs = 0;
  let vus: number | null = null;
  let p95 = Number.NaN;
  let failed = 0;
  for (const s of snap.series) {
    if (s.metric.endsWith("_reqs")) reqs += s.interval_count;
    if (s.metric === "vus" && vus === null) vus = s.agg.last ?? 0; // the first vus series, like the reference
    if (s.metric.endsWith("_req_duration") && s.agg.p95 !== null) p95 = Number.isNaN(p95) ? s.agg.p95 : Math.max(p95, s.agg.p95);
    if (s.metric === "http_req_failed") failed += Math.trunc(s.agg.sum);
  }
  const secs = Math.max(0, Math.floor(info.elapsedSecs));
  const hh = String(Math.floor(secs / 3600)).padStart(2, "0");
  const mm = String(Math.floor(secs / 60) % 60).padStart(2, "0");
  const ss = String(secs % 60).padStart(2, "0");
  const p95Text = Number.isNaN(p95) ? "-" : `${fixed(p95, 0)}ms`;
  return (
    `  running ${hh}:${mm}:${ss}  vus ${displayF64(vus ?? 0).padStart(4)}  rps ${fixed(reqs / interval, 1).padStart(7)}` +
    `  p95 ${p95Text.padStart(8)}  failed ${failed}${info.paused ? " [paused]" : ""}   `
  );
}
