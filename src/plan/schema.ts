/**
 * The plan's data model: zod schemas (the one source of truth, also for `loadr schema`) and the
 * TypeScript types of a loaded, normalised Plan. All durations are milliseconds; YAML key names
 * are kept as written (snake_case).
 */
import type { z } from "zod";
import type { DataSource, JsBlock, MetricDef, Observe, Output, PluginEntry, Secret } from "./schema/blocks.ts";
import type { ChainExtractor, ClassicExtractor, Condition, Extractor } from "./schema/checks.ts";
import type { Defaults, HttpDefaults, TlsConfig } from "./schema/http.ts";
import type { PlanSchema } from "./schema/plan.ts";
import type { Body } from "./schema/request.ts";
import type { ScenarioSchema, Stage } from "./schema/scenario.ts";

export { PlanSchema } from "./schema/plan.ts";
export { STEP_KINDS, StepSchema, stepKind } from "./schema/steps.ts";
export { EXECUTORS } from "./schema/scenario.ts";
export { STANDARD_METHODS } from "./schema/request.ts";
export type {
  Step, StepKind, RequestStep, ThinkTime, JsStep, GroupStep, RepeatStep, WhileStep, IfStep, RandomStep,
  RandomChoice, ForeachStep, SwitchStep, DuringStep, RetryStep, ParallelStep, RendezvousStep,
} from "./schema/steps.ts";
export type { Executor } from "./schema/scenario.ts";
export type { ThresholdEntry } from "./thresholds.ts";

export type Plan = z.output<typeof PlanSchema>;
export type Defaults = z.output<typeof Defaults>;
export type HttpDefaults = z.output<typeof HttpDefaults>;
export type TlsConfig = z.output<typeof TlsConfig>;
export type Scenario = z.output<typeof ScenarioSchema>;
export type Stage = z.output<typeof Stage>;
export type Body = z.output<typeof Body>;
export type Extractor = z.output<typeof Extractor>;
export type ClassicExtractor = z.output<typeof ClassicExtractor>;
export type ChainExtractor = z.output<typeof ChainExtractor>;
export type Condition = z.output<typeof Condition>;
export type Secret = z.output<typeof Secret>;
export type DataSource = z.output<typeof DataSource>;
export type MetricDef = z.output<typeof MetricDef>;
export type JsBlock = z.output<typeof JsBlock>;
export type Output = z.output<typeof Output>;
export type Observe = z.output<typeof Observe>;
export type PluginEntry = z.output<typeof PluginEntry>;
