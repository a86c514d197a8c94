/**
 * Flow steps (§1.7). A step is a single-key mapping; the key selects the kind. The object schema
 * lists every kind as an optional key (so unknown kinds get a did-you-mean), and a pre-check
 * enforces "exactly one key" with the reference's messages before the body is validated.
 */
import { z } from "zod";
import { checkTemplate, Count, Dur, KEY_PLACEHOLDER } from "./common.ts";
import { RequestStep as RequestSchema } from "./request.ts";
import { jsSyntaxError } from "../js-syntax.ts";

/** A JS snippet that does not compile is an error at its own line. */
function jsIssue(ctx: z.RefinementCtx, code: string | undefined, path: (string | number)[]): void {
  if (code === undefined || code.trim() === "") return;
  const err = jsSyntaxError(code);
  if (err !== undefined) ctx.addIssue({ code: "custom", message: `invalid JavaScript \`${code.length > 60 ? code.slice(0, 57) + "..." : code}\`: ${err}`, path });
}

export const STEP_KINDS = [
  "request", "think_time", "js", "group", "repeat", "while", "if", "random",
  "foreach", "switch", "during", "retry", "parallel", "rendezvous",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];
const KIND_LIST = STEP_KINDS.join(", ");

/** Think time, tagged by `type`, unknown keys ignored. */
export const ThinkTime = z.discriminatedUnion("type", [
  z.object({ type: z.literal("constant"), duration: Dur }),
  z.object({ type: z.literal("uniform"), min: Dur, max: Dur }).superRefine((t, ctx) => {
    if (t.min > t.max) ctx.addIssue({ code: "custom", message: "uniform think time: `min` cannot be greater than `max`", path: ["min"] });
  }),
  z.object({ type: z.literal("gaussian"), mean: Dur, std_dev: Dur }),
]);

/** `js:` step: inline code, or `{call?, script?}` (unknown keys ignored). */
export const JsStep = z.union([
  z.string().superRefine((code, ctx) => jsIssue(ctx, code, [])),
  z.object({ call: z.string().optional(), script: z.string().optional() }).superRefine((j, ctx) => {
    if (j.call === undefined && j.script === undefined)
      ctx.addIssue({ code: "custom", message: "js step needs `call` or `script`" });
    jsIssue(ctx, j.script, ["script"]);
  }),
]);

export type RequestStep = z.output<typeof RequestSchema>;
export type ThinkTime = z.output<typeof ThinkTime>;
export type JsStep = z.output<typeof JsStep>;

// The recursive step bodies are typed by hand (zod cannot infer recursive types); the
// annotations below make the compiler check that the schemas produce exactly these shapes.
export interface GroupStep { name: string; steps: Step[] }
export interface RepeatStep { times: number; steps: Step[]; counter?: string | undefined }
export interface WhileStep { condition: string; steps: Step[]; max_iterations: number }
export interface IfStep { condition: string; then: Step[]; else?: Step[] | undefined }
export interface RandomChoice { weight: number; name?: string | undefined; steps: Step[] }
export interface RandomStep { strategy: "weighted" | "uniform" | "round_robin"; choices: RandomChoice[] }
export interface ForeachStep { items: unknown; var: string; index: string; steps: Step[] }
export interface SwitchStep { value: string; cases: Record<string, Step[]>; default?: Step[] | undefined }
export interface DuringStep { duration: number; steps: Step[]; counter?: string | undefined }
export interface RetryStep { times: number; until?: string | undefined; backoff?: number | undefined; steps: Step[] }
export interface ParallelStep { branches: Step[][] }
export interface RendezvousStep { name: string; users: number; timeout: number }

export type Step =
  | { request: RequestStep }
  | { think_time: ThinkTime }
  | { js: JsStep }
  | { group: GroupStep }
  | { repeat: RepeatStep }
  | { while: WhileStep }
  | { if: IfStep }
  | { random: RandomStep }
  | { foreach: ForeachStep }
  | { switch: SwitchStep }
  | { during: DuringStep }
  | { retry: RetryStep }
  | { parallel: ParallelStep }
  | { rendezvous: RendezvousStep };

const Steps: z.ZodType<Step[]> = z.lazy(() => z.array(StepSchema));

/** A control-flow body: strict, with its own unknown-field hint. */
const body = <S extends z.ZodRawShape>(shape: S) => {
  const expected = Object.keys(shape).map((k) => `\`${k}\``).join(", ");
  return z.strictObject(shape, {
    error: (iss) => (iss.code === "unrecognized_keys" ? `unknown field \`${KEY_PLACEHOLDER}\`, expected one of ${expected}` : undefined),
  });
};

const nonEmptyCondition = (c: { condition: string }, ctx: z.RefinementCtx) => {
  if (c.condition.trim() === "") ctx.addIssue({ code: "custom", message: "`condition` cannot be empty", path: ["condition"] });
  else jsIssue(ctx, c.condition, ["condition"]);
};

const GroupBody: z.ZodType<GroupStep> = body({ name: z.string(), steps: Steps.default([]) });
const RepeatBody: z.ZodType<RepeatStep> = body({ times: Count, steps: Steps.default([]), counter: z.string().optional() });
const WhileBody: z.ZodType<WhileStep> = body({
  condition: z.string(), steps: Steps.default([]), max_iterations: Count.default(10000),
}).superRefine(nonEmptyCondition);
const IfBody: z.ZodType<IfStep> = body({ condition: z.string(), then: Steps.default([]), else: Steps.optional() }).superRefine(nonEmptyCondition);
const RandomBody: z.ZodType<RandomStep> = body({
  strategy: z.enum(["weighted", "uniform", "round_robin"]).default("weighted"),
  choices: z.array(body({ weight: z.number().default(1), name: z.string().optional(), steps: Steps.default([]) })).default([]),
}).superRefine((r, ctx) => {
  if (r.choices.length === 0) ctx.addIssue({ code: "custom", message: "`random` needs at least one entry in `choices`", path: ["choices"] });
  r.choices.forEach((c, i) => {
    if (c.weight < 0) ctx.addIssue({ code: "custom", message: "`weight` cannot be negative", path: ["choices", i, "weight"] });
  });
});
const ForeachBody: z.ZodType<ForeachStep> = body({
  items: z.unknown(), var: z.string().default("item"), index: z.string().default("index"), steps: Steps.default([]),
}).superRefine((f, ctx) => {
  if (typeof f.items === "string") checkTemplate(ctx, f.items, ["items"]);
});
const SwitchBody: z.ZodType<SwitchStep> = body({
  value: z.string(), cases: z.record(z.string(), Steps).default({}), default: Steps.optional(),
}).superRefine((s, ctx) => {
  if (Object.keys(s.cases).length === 0) ctx.addIssue({ code: "custom", message: "`switch` needs at least one entry in `cases`", path: ["cases"] });
  checkTemplate(ctx, s.value, ["value"]);
});
const DuringBody: z.ZodType<DuringStep> = body({ duration: Dur, steps: Steps.default([]), counter: z.string().optional() });
const RetryBody: z.ZodType<RetryStep> = body({
  times: Count.default(3), until: z.string().optional(), backoff: Dur.optional(), steps: Steps.default([]),
}).superRefine((r, ctx) => jsIssue(ctx, r.until, ["until"]));
const ParallelBody: z.ZodType<ParallelStep> = body({ branches: z.array(Steps).default([]) }).superRefine((p, ctx) => {
  if (p.branches.length === 0) ctx.addIssue({ code: "custom", message: "`parallel` needs at least one entry in `branches`", path: ["branches"] });
});
const RendezvousBody: z.ZodType<RendezvousStep> = body({
  name: z.string(), users: Count, timeout: Dur.prefault("30s"),
}).superRefine((r, ctx) => {
  if (r.users < 1) ctx.addIssue({ code: "custom", message: "`rendezvous.users` must be at least 1", path: ["users"] });
});

const StepObject = z.strictObject(
  {
    request: RequestSchema.optional(),
    think_time: ThinkTime.optional(),
    js: JsStep.optional(),
    group: GroupBody.optional(),
    repeat: RepeatBody.optional(),
    while: WhileBody.optional(),
    if: IfBody.optional(),
    random: RandomBody.optional(),
    foreach: ForeachBody.optional(),
    switch: SwitchBody.optional(),
    during: DuringBody.optional(),
    retry: RetryBody.optional(),
    parallel: ParallelBody.optional(),
    rendezvous: RendezvousBody.optional(),
  },
  {
    error: (iss) =>
      iss.code === "unrecognized_keys" ? `unknown step type \`${KEY_PLACEHOLDER}\`, expected one of ${KIND_LIST}` : undefined,
  },
);

const KNOWN = new Set<string>(STEP_KINDS);

/** The single-key rule, checked on the raw mapping so it runs before the body is validated. */
function singleKey(v: unknown, ctx: z.RefinementCtx): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  const keys = Object.keys(v);
  if (keys.length === 0) {
    ctx.addIssue({ code: "custom", message: `empty step; expected one of ${KIND_LIST}` });
    return v;
  }
  // Unknown keys are reported by the object schema (with a did-you-mean); here only extra known ones.
  const known = keys.filter((k) => KNOWN.has(k));
  for (const k of known.slice(1))
    ctx.addIssue({
      code: "custom",
      message: `step has extra key \`${k}\`; each step is a single-key mapping (check indentation)`,
      path: [k],
      params: { at: "key" },
    });
  return v;
}

export const StepSchema: z.ZodType<Step> = z.preprocess(singleKey, StepObject).transform((s) => s as Step);

/** The kind of a (validated) step. */
export function stepKind(s: Step): StepKind {
  return Object.keys(s)[0] as StepKind;
}
