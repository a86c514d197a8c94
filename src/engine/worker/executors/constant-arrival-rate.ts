/**
 * constant-arrival-rate (reference §2.3): `rate` iterations per `time_unit` for `duration`,
 * started on up to `max_vus` VUs (`pre_allocated_vus` made up front) by the arrival dispatcher.
 */
import { ArrivalDispatcher } from "./arrival-dispatcher.ts";
import { registerExecutor } from "./registry.ts";
import { Profile } from "./stages.ts";
import type { ExecutorSpec } from "./types.ts";

/** The arrival rate over time, in iterations per second. */
export function constantArrivalProfile(spec: ExecutorSpec): Profile {
  const r = spec.rate! * (1000 / spec.time_unit!);
  return new Profile(r, [{ duration: spec.duration!, target: r }]);
}

registerExecutor("constant-arrival-rate", (ctx) => new ArrivalDispatcher(ctx, constantArrivalProfile(ctx.spec)).plan());
