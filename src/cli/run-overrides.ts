/**
 * `--vus` / `--duration` (reference §3.1): only for single-scenario plans; set even if the
 * executor ignores them. `--max-series` replaces `defaults.max_series`.
 */
import { parseDuration, DurationError } from "../plan/duration.ts";
import type { Plan } from "../plan/schema.ts";
import { UsageError } from "./errors.ts";

export function applyOverrides(plan: Plan, o: { vus?: number; duration?: string; maxSeries?: number }): Plan {
  if (o.maxSeries !== undefined) plan = { ...plan, defaults: { ...plan.defaults, max_series: o.maxSeries } };
  if (o.vus === undefined && o.duration === undefined) return plan;
  const names = Object.keys(plan.scenarios);
  if (names.length !== 1) throw new UsageError(`--vus/--duration require a single-scenario test (this plan has ${names.length})`);
  const name = names[0]!;
  const s = { ...plan.scenarios[name]! };
  if (o.vus !== undefined) s.vus = o.vus;
  if (o.duration !== undefined) {
    try {
      s.duration = parseDuration(o.duration);
    } catch (e) {
      if (e instanceof DurationError) throw new UsageError(`--duration: ${e.message}`);
      throw e;
    }
  }
  return { ...plan, scenarios: { [name]: s } };
}
