/** Scenarios (§1.6, strict): common keys, every executor's keys, and the executor rules. */
import { z } from "zod";
import { Count, Dur, StrMap, strict } from "./common.ts";
import { StepSchema, ThinkTime } from "./steps.ts";

export const EXECUTORS = [
  "constant-vus", "ramping-vus", "constant-arrival-rate", "ramping-arrival-rate",
  "per-vu-iterations", "shared-iterations", "externally-controlled",
] as const;
export type Executor = (typeof EXECUTORS)[number];

export const Stage = strict({ duration: Dur, target: z.number() });

const ScenarioObject = strict({
  executor: z.enum(EXECUTORS).default("constant-vus"),
  start_time: Dur.prefault(0),
  graceful_stop: Dur.prefault("30s"),
  graceful_ramp_down: Dur.prefault("30s"),
  exec: z.string().optional(),
  on_start: z.string().optional(),
  on_stop: z.string().optional(),
  flow: z.array(StepSchema).optional(),
  /** Validated and stored; the reference never applies it either (§1.6). */
  pacing: strict({ iterations_per_second: z.number() }).optional(),
  /** Falls back to `defaults.think_time` (filled by normalisation). */
  think_time: ThinkTime.optional(),
  throttle: strict({ requests_per_second: z.number() }).optional(),
  tags: StrMap.default({}),
  /** the hook plugins (`plugins:` entry names) this scenario's requests run, replacing the plan-wide list */
  plugins: z.array(z.string()).optional(),
  // executor-specific
  vus: Count.optional(),
  duration: Dur.optional(),
  stages: z.array(Stage).optional(),
  start_vus: Count.optional(),
  rate: z.number().optional(),
  time_unit: Dur.optional(),
  pre_allocated_vus: Count.optional(),
  max_vus: Count.optional(),
  iterations: Count.optional(),
  max_duration: Dur.optional(),
  start_rate: z.number().optional(),
});
type ScenarioObject = z.output<typeof ScenarioObject>;

type Issue = { message: string; path?: string[] };

/** The reference's `Scenario::executor_spec` rules, message for message. */
export function executorIssues(s: ScenarioObject): Issue[] {
  const out: Issue[] = [];
  const ex = s.executor;
  const requires = (key: keyof ScenarioObject) => {
    if (s[key] === undefined) {
      out.push({ message: `\`${ex}\` requires \`${key}\`` });
      return false;
    }
    return true;
  };
  const atLeastOne = (key: "vus" | "iterations" | "max_vus" | "pre_allocated_vus") => {
    if (requires(key) && (s[key] as number) < 1) out.push({ message: `\`${key}\` must be at least 1`, path: [key] });
  };
  const positiveDuration = () => {
    if (requires("duration") && s.duration! <= 0) out.push({ message: "`duration` must be greater than zero", path: ["duration"] });
  };
  const stages = () => {
    if (!s.stages || s.stages.length === 0) {
      out.push({ message: `\`${ex}\` requires at least one entry in \`stages\``, path: s.stages ? ["stages"] : undefined });
      return;
    }
    s.stages.forEach((st, i) => {
      const ok = ex === "ramping-vus" ? Number.isInteger(st.target) && st.target >= 0 : st.target >= 0;
      if (!ok)
        out.push({
          message:
            ex === "ramping-vus"
              ? `\`ramping-vus\` stage targets must be non-negative integers, got ${st.target}`
              : `\`${ex}\` stage targets must be non-negative, got ${st.target}`,
          path: ["stages", String(i), "target"],
        });
    });
  };
  const arrival = () => {
    if (s.time_unit !== undefined && s.time_unit <= 0) out.push({ message: "`time_unit` must be greater than zero", path: ["time_unit"] });
    if (requires("pre_allocated_vus") && s.max_vus !== undefined && s.max_vus < s.pre_allocated_vus!)
      out.push({ message: "`max_vus` cannot be less than `pre_allocated_vus`", path: ["max_vus"] });
  };
  switch (ex) {
    case "constant-vus":
      atLeastOne("vus");
      positiveDuration();
      break;
    case "ramping-vus":
      stages();
      break;
    case "constant-arrival-rate":
      if (requires("rate") && s.rate! <= 0) out.push({ message: "`rate` must be greater than zero", path: ["rate"] });
      positiveDuration();
      arrival();
      break;
    case "ramping-arrival-rate":
      stages();
      arrival();
      if (s.start_rate !== undefined && s.start_rate < 0) out.push({ message: "`start_rate` cannot be negative", path: ["start_rate"] });
      break;
    case "per-vu-iterations":
    case "shared-iterations":
      atLeastOne("vus");
      atLeastOne("iterations");
      break;
    case "externally-controlled":
      atLeastOne("max_vus");
      break;
  }
  return out;
}

// Keys the scenario-level rules read. The rules also run when other parts of the scenario (its
// flow, say) have errors, so one broken request does not hide a missing `vus`; they are skipped
// only when a key they read is itself invalid, or the scenario is not an object at all (an issue
// at its own path).
const RULE_KEYS = new Set<PropertyKey>([
  "executor", "vus", "duration", "stages", "rate", "time_unit", "pre_allocated_vus", "max_vus",
  "iterations", "start_rate", "pacing", "throttle",
]);

export const ScenarioSchema = ScenarioObject.superRefine((s, ctx) => {
  for (const i of executorIssues(s)) ctx.addIssue({ code: "custom", message: i.message, path: i.path?.map((p) => (/^\d+$/.test(p) ? Number(p) : p)) ?? [] });
  if (s.flow === undefined && s.exec === undefined)
    ctx.addIssue({ code: "custom", message: "a scenario needs a `flow` and/or an `exec` function" });
  if (s.pacing && !(s.pacing.iterations_per_second > 0))
    ctx.addIssue({ code: "custom", message: "`pacing.iterations_per_second` must be greater than zero", path: ["pacing", "iterations_per_second"] });
  if (s.throttle && !(s.throttle.requests_per_second > 0))
    ctx.addIssue({ code: "custom", message: "`throttle.requests_per_second` must be greater than zero", path: ["throttle", "requests_per_second"] });
}, { when: (payload) => !payload.issues.some((i) => i.path === undefined || i.path.length === 0 || RULE_KEYS.has(i.path[0]!)) }).transform((s) => {
  // Fill the per-executor defaults of §1.6 so the engine reads one value, never a fallback chain.
  const out = { ...s, flow: s.flow ?? [] };
  const arrival = s.executor === "constant-arrival-rate" || s.executor === "ramping-arrival-rate";
  if (arrival) {
    out.time_unit ??= 1000;
    out.max_vus ??= s.pre_allocated_vus;
  }
  if (s.executor === "ramping-vus") out.start_vus ??= 0;
  if (s.executor === "ramping-arrival-rate") out.start_rate ??= 0;
  if (s.executor === "per-vu-iterations" || s.executor === "shared-iterations") out.max_duration ??= 600_000;
  return out;
});
