/**
 * What a plan asks of the machine, read from the plan alone: the most VUs a scenario can have at
 * once. The coordinator sizes its worker count by it.
 */
import type { Scenario } from "./schema.ts";

/** The most VUs a scenario can have active at once. */
export function peakVus(spec: Pick<Scenario, "executor" | "vus" | "max_vus" | "start_vus" | "stages">): number {
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
