/**
 * ramping-arrival-rate (reference §2.3): the arrival rate moves from `start_rate` through
 * `stages` (per `time_unit`), started on up to `max_vus` VUs by the arrival dispatcher.
 */
import { ArrivalDispatcher } from "./arrival-dispatcher.ts";
import { registerExecutor } from "./registry.ts";
import { Profile } from "./stages.ts";
import type { ExecutorSpec } from "./types.ts";

/** The arrival rate over time, in iterations per second. */
export function rampingArrivalProfile(spec: ExecutorSpec): Profile {
  const perSecond = 1000 / spec.time_unit!;
  return new Profile(
    (spec.start_rate ?? 0) * perSecond,
    (spec.stages ?? []).map((s) => ({ duration: s.duration, target: s.target * perSecond })),
  );
}

registerExecutor("ramping-arrival-rate", (ctx) => new ArrivalDispatcher(ctx, rampingArrivalProfile(ctx.spec)).plan());
