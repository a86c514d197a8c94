/** The dashboard's once-a-second tick, from the coordinator's MetricsFeed. */
import type { MetricsFeed } from "../engine/coordinator/metrics-feed.ts";
import type { LiveTick } from "./live-state.ts";

export function liveTick(feed: MetricsFeed, scenarioVus: Record<string, number>): LiveTick | undefined {
  const snap = feed.lastSnapshot();
  if (snap === undefined) return undefined;
  let requests = 0;
  let failed = 0;
  let vus = 0;
  let vusMax = 0;
  for (const s of snap.series) {
    if (s.metric.endsWith("_reqs")) requests += s.agg.sum;
    else if (s.metric === "http_req_failed") failed += s.agg.sum;
    else if (s.metric === "vus") vus += s.agg.last ?? 0;
    else if (s.metric === "vus_max") vusMax = Math.max(vusMax, s.agg.last ?? 0);
  }
  const timeline = feed.timeline();
  return {
    elapsed_secs: snap.elapsed_secs,
    point: timeline[timeline.length - 1] ?? null,
    thresholds: feed.thresholdStatuses(),
    vus,
    vus_max: vusMax,
    scenario_vus: scenarioVus,
    requests,
    failed,
  };
}
