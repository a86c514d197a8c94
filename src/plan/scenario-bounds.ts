/**
 * What a scenario asks of the machine and of the clock, read from the plan alone: the most VUs it
 * can have at once, the highest arrival rate it asks for, and how long its schedule lasts. The
 * coordinator sizes its worker count by the VUs and bounds the run by the schedule; validation
 * checks the rate and the open-file limit against them (docs/reliability.md).
 */
import type { Scenario } from "./schema.ts";

/** The executor keys of a scenario (durations in ms), as the plan and the engine both hold them. */
type Spec = { executor: string } & Partial<Pick<Scenario, "vus" | "max_vus" | "start_vus" | "stages" | "duration" | "max_duration" | "rate" | "start_rate" | "time_unit">>;

/** The most VUs a scenario can have active at once. */
export function peakVus(spec: Spec): number {
  switch (spec.executor) {
    case "ramping-vus":
      return Math.max(spec.start_vus ?? 0, ...(spec.stages ?? []).map((s) => s.target));
    case "constant-arrival-rate":
    case "ramping-arrival-rate":
    case "externally-controlled":
      return spec.max_vus ?? 1;
    default:
      return spec.vus ?? 1;
  }
}

/**
 * Schedule ms after which the scenario starts no new iteration (paused time excluded; start_time
 * and graceful_stop not included); Infinity for externally-controlled without `duration`.
 */
export function scheduleMs(spec: Spec): number {
  const stages = () => (spec.stages ?? []).reduce((t, s) => t + s.duration, 0);
  switch (spec.executor) {
    case "ramping-vus":
    case "ramping-arrival-rate":
      return stages();
    case "per-vu-iterations":
    case "shared-iterations":
      return spec.max_duration ?? 600_000;
    case "externally-controlled":
      return spec.duration ?? Number.POSITIVE_INFINITY;
    default:
      return spec.duration ?? 0;
  }
}

/**
 * The most iterations per second one process can start: above it the arrival dispatcher spends
 * its whole time starting arrivals (a stalled timer catches up in one loop), so a plan asking
 * more is refused at validation.
 */
export const MAX_RATE_PER_PROCESS = 1_000_000;

/** The highest arrival rate the scenario asks for, in iterations per second (0 for VU-based executors). */
export function peakRate(spec: Spec): number {
  const perSecond = 1000 / (spec.time_unit ?? 1000);
  switch (spec.executor) {
    case "constant-arrival-rate":
      return (spec.rate ?? 0) * perSecond;
    case "ramping-arrival-rate":
      return Math.max(spec.start_rate ?? 0, ...(spec.stages ?? []).map((s) => s.target)) * perSecond;
    default:
      return 0;
  }
}

/**
 * The most VUs the scenarios have at once over the run: scenarios whose schedules cannot
 * overlap (start_time) do not add up. A scenario holds its VUs from start_time until its
 * schedule and graceful_stop are over.
 */
export function peakConcurrentVus(scenarios: (Spec & Pick<Scenario, "start_time" | "graceful_stop">)[]): number {
  const spans = scenarios.map((s) => ({ from: s.start_time, to: s.start_time + scheduleMs(s) + s.graceful_stop, vus: peakVus(s) }));
  let peak = 0;
  // the sum is highest at some scenario's start
  for (const at of spans) peak = Math.max(peak, spans.reduce((n, s) => (s.from <= at.from && (at.from < s.to || s === at) ? n + s.vus : n), 0));
  return peak;
}
