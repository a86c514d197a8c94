/** The dashboard's once-a-second tick, from the coordinator's MetricsFeed. */
import type { MetricsFeed } from "../engine/coordinator/metrics-feed.ts";
import { LIVE_TABLE_ROWS, liveFigures, liveThresholds, type LiveTick } from "./live-state.ts";

export function liveTick(feed: MetricsFeed, scenarioVus: Record<string, number>): LiveTick | undefined {
  const snap = feed.lastSnapshot();
  const breakdown = feed.breakdown(LIVE_TABLE_ROWS);
  if (snap === undefined || breakdown === undefined) return undefined;
  let vus = 0;
  let vusMax = 0;
  for (const s of snap.series) {
    if (s.metric === "vus") vus += s.agg.last ?? 0;
    else if (s.metric === "vus_max") vusMax = Math.max(vusMax, s.agg.last ?? 0);
  }
  const timeline = feed.timeline();
  const total = breakdown.total;
  return {
    elapsed_secs: snap.elapsed_secs,
    point: timeline[timeline.length - 1] ?? null,
    thresholds: liveThresholds(feed.thresholdStatuses()),
    vus,
    vus_max: vusMax,
    scenario_vus: scenarioVus,
    requests: total.requests,
    failed: total.failures,
    ...liveFigures(total, total.requests > 0 || total.failures > 0 ? breakdown : undefined),
  };
}
