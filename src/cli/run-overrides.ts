/**
 * `-u/--vus`, `-d/--duration`, `-i/--iterations` (or LOADR_VUS, LOADR_DURATION, LOADR_ITERATIONS):
 * set on every scenario whose executor has that field, as the reference sets them — never
 * silently ignored. A scenario that cannot take one is named in one line at start (what drives
 * it instead); an override no scenario of the plan can take is an error.
 */
import type { Executor } from "../plan/schema/scenario.ts";
import type { Plan } from "../plan/schema.ts";
import { UsageError } from "./errors.ts";

export type OverrideField = "vus" | "duration" | "iterations";

/** A value for a field, and how the user gave it (`--vus`, `LOADR_VUS`) for the messages. */
export interface Override {
  value: number;
  from: string;
}

/** The executors that have each field (src/plan/schema/scenario.ts's rules). */
export const OVERRIDABLE: Readonly<Record<OverrideField, readonly Executor[]>> = {
  vus: ["constant-vus", "per-vu-iterations", "shared-iterations"],
  duration: ["constant-vus", "constant-arrival-rate", "externally-controlled"],
  iterations: ["per-vu-iterations", "shared-iterations"],
};

/** What drives an executor instead of the fields it does not have. */
const DRIVEN_BY: Readonly<Record<Executor, string>> = {
  "constant-vus": "it loops its `vus` for `duration`",
  "ramping-vus": "its VUs and length come from `stages`",
  "constant-arrival-rate": "it starts `rate` iterations per `time_unit` for `duration`, on up to `max_vus` VUs",
  "ramping-arrival-rate": "its rate and length come from `stages`, its VUs from `pre_allocated_vus`/`max_vus`",
  "per-vu-iterations": "it runs its `iterations` (bounded by `max_duration`)",
  "shared-iterations": "it runs its `iterations` (bounded by `max_duration`)",
  "externally-controlled": "its VUs are set through the control API, up to `max_vus`",
};

export function applyOverrides(plan: Plan, o: Partial<Record<OverrideField, Override>>): { plan: Plan; notes: string[] } {
  const given = (Object.keys(OVERRIDABLE) as OverrideField[]).filter((f) => o[f] !== undefined);
  if (given.length === 0) return { plan, notes: [] };
  const notes: string[] = [];
  const scenarios: Plan["scenarios"] = {};
  for (const [name, sc] of Object.entries(plan.scenarios)) {
    const s = { ...sc };
    const refused: string[] = [];
    for (const f of given) {
      if (OVERRIDABLE[f].includes(s.executor)) s[f] = o[f]!.value;
      else refused.push(o[f]!.from);
    }
    if (refused.length > 0) notes.push(`${refused.join(", ")} ${refused.length > 1 ? "do" : "does"} not apply to scenario \`${name}\` (${s.executor}: ${DRIVEN_BY[s.executor]})`);
    scenarios[name] = s;
  }
  for (const f of given) {
    if (Object.values(plan.scenarios).some((s) => OVERRIDABLE[f].includes(s.executor))) continue;
    const have = Object.entries(plan.scenarios).map(([n, s]) => `\`${n}\` is ${s.executor}`).join(", ");
    throw new UsageError(`${o[f]!.from} applies to no scenario of this plan (${have}; only ${OVERRIDABLE[f].join(", ")} have \`${f}\`)`);
  }
  return { plan: { ...plan, scenarios }, notes };
}
