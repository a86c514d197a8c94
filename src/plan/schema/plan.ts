/** The top level of a plan (§1.3, strict). */
import { z } from "zod";
import { strict } from "./common.ts";
import { DataSource, JsBlock, MetricDef, Observe, Output, PluginEntry, Secret, Thresholds } from "./blocks.ts";
import { Defaults } from "./http.ts";
import { ScenarioSchema } from "./scenario.ts";

export const PlanSchema = strict({
  name: z.string().optional(),
  description: z.string().optional(),
  defaults: Defaults.prefault({}),
  /** Environment overlays; applied to the raw document before parsing (overlay.ts), kept for reference. */
  env: z.record(z.string(), z.unknown()).default({}),
  variables: z.record(z.string(), z.unknown()).default({}),
  secrets: z.record(z.string(), Secret).default({}),
  data: z.record(z.string(), DataSource).default({}),
  metrics: z.record(z.string(), MetricDef).default({}),
  js: JsBlock.optional(),
  scenarios: z.record(z.string(), ScenarioSchema).default({}),
  thresholds: Thresholds.default({}),
  outputs: z.array(Output).default([]),
  observe: z.array(Observe).default([]),
  plugins: z.array(PluginEntry).default([]),
});
