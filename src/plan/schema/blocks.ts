/**
 * Top-level blocks other than scenarios/defaults: secrets, data sources, custom metrics, the JS
 * module, outputs, observe, plugins and thresholds. Several are only validated for now (a later
 * issue makes them run), but a plan using them already loads.
 */
import { z } from "zod";
import { normaliseEntries, parseExpression, parseSelector, ThresholdError } from "../thresholds.ts";
import { Count, Dur, Size, StrMap, strict } from "./common.ts";

export const Secret = strict({ env: z.string().optional(), file: z.string().optional() }).superRefine((s, ctx) => {
  if (s.env === undefined && s.file === undefined) ctx.addIssue({ code: "custom", message: "a secret needs `env` or `file`" });
});

// Data sources (§1.9): tagged by `type`, unknown keys ignored.
const cursor = {
  mode: z.enum(["shared", "per_vu"]).default("shared"),
  on_eof: z.enum(["recycle", "stop"]).default("recycle"),
  pick: z.enum(["sequential", "random", "shuffle"]).default("sequential"),
};
export const DataSource = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("csv"), path: z.string(), ...cursor,
    delimiter: z.string().default(","), has_header: z.boolean().default(true),
  }).superRefine((d, ctx) => {
    if (d.delimiter.length !== 1 || d.delimiter.charCodeAt(0) > 127)
      ctx.addIssue({ code: "custom", message: "`delimiter` must be a single ASCII character", path: ["delimiter"] });
  }),
  z.object({ type: z.literal("json"), path: z.string(), ...cursor }),
  z.object({ type: z.literal("inline"), rows: z.array(z.record(z.string(), z.unknown())), ...cursor }).superRefine((d, ctx) => {
    if (d.rows.length === 0) ctx.addIssue({ code: "custom", message: "inline data has no rows", path: ["rows"] });
  }),
]);

export const MetricDef = strict({
  kind: z.enum(["counter", "gauge", "rate", "trend"]),
  description: z.string().optional(),
  time: z.boolean().default(false),
});

export const JsBlock = strict({
  file: z.string().optional(),
  script: z.string().optional(),
  timeout: Dur.prefault("10s"),
  memory_limit_mb: Count.default(64),
}).superRefine((j, ctx) => {
  if (j.file !== undefined && j.script !== undefined)
    ctx.addIssue({ code: "custom", message: "`js.file` and `js.script` cannot both be set", path: ["script"] });
});

const interval = { interval: Dur.prefault("5s") };
// `${env.X}` in output values is expanded at run start (docs/compat.md), so it is checked there.
const isUrl = (s: string) => URL.canParse(s) || s.includes("${");
// Outputs (§4): tagged by `type`, unknown keys ignored, values not templated.
export const Output = z.discriminatedUnion("type", [
  // format: k6 writes k6's JSON lines (src/outputs/json-k6.ts)
  z.object({ type: z.literal("json"), path: z.string(), format: z.enum(["loadr", "k6"]).optional() }),
  z.object({ type: z.literal("csv"), path: z.string() }),
  z.object({ type: z.literal("prometheus"), listen: z.string().optional(), remote_write_url: z.string().optional(), ...interval })
    .superRefine((o, ctx) => {
      if (o.listen === undefined && o.remote_write_url === undefined)
        ctx.addIssue({ code: "custom", message: "prometheus output needs `listen` and/or `remote_write_url`" });
      if (o.remote_write_url !== undefined && !isUrl(o.remote_write_url))
        ctx.addIssue({ code: "custom", message: `invalid \`remote_write_url\` \`${o.remote_write_url}\``, path: ["remote_write_url"] });
    }),
  z.object({
    type: z.literal("influxdb"), url: z.string(), database: z.string(),
    token: z.string().optional(), organization: z.string().optional(), ...interval,
  }).superRefine((o, ctx) => {
    if (!isUrl(o.url)) ctx.addIssue({ code: "custom", message: `invalid influxdb \`url\` \`${o.url}\``, path: ["url"] });
  }),
  z.object({ type: z.literal("otlp"), endpoint: z.string(), protocol: z.enum(["grpc", "http", "http/json"]).default("grpc"), headers: StrMap.default({}), ...interval }),
  z.object({ type: z.literal("statsd"), address: z.string(), prefix: z.string().default("loadr.") }),
  z.object({ type: z.literal("plugin"), name: z.string(), config: z.record(z.string(), z.unknown()).default({}) }),
]);

export const Observe = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("prometheus"), name: z.string().optional(), source: z.string(), query: z.string(),
    as: z.string().optional(), unit: z.enum(["ratio", "percent", "bytes", "count", "seconds"]).optional(), token: z.string().optional(),
  }),
]);

/**
 * The request phases a WASM hook plugin may run in (docs/plugins/wasm.md "Hooks"): the WIT
 * function names, and Loom's phase names for the same places.
 */
export const HOOK_PHASE_ALIASES = {
  "on-request": "on-request",
  "on-response": "on-response",
  "on-log": "on-log",
  on_request_headers: "on-request",
  on_request_body: "on-request",
  on_response_headers: "on-response",
  on_response_body: "on-response",
  on_log: "on-log",
} as const;
export type HookPhase = (typeof HOOK_PHASE_ALIASES)[keyof typeof HOOK_PHASE_ALIASES];

const Phase = z.string().refine((p) => p in HOOK_PHASE_ALIASES, {
  error: (iss) => `unknown phase \`${String(iss.input)}\`; use on-request, on-response or on-log (or Loom's on_request_headers, on_request_body, on_response_headers, on_response_body, on_log)`,
});

/** What a WASM plugin may use besides computing (deny by default; docs/plugins/wasm.md "Capabilities"). */
export const Capabilities = strict({
  clock: z.boolean().default(false),
  random: z.boolean().default(false),
  /** environment variables it may read (those that are set) */
  env: z.array(z.string().min(1)).default([]),
  /** directories it may read, relative to the plan file */
  files: z.array(strict({ path: z.string().min(1), mode: z.literal("ro", { error: "`mode` must be `ro`: granted files are read-only" }).default("ro") })).default([]),
});

/** A `plugins:` entry (docs/dev/architecture.md "Contracts"). */
export const PluginEntry = strict({
  name: z.string().min(1),
  path: z.string().optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
  /** WASM per-call deadline, ms. */
  timeout: Dur.prefault("50ms"),
  /** WASM memory cap in bytes, rounded up to 64 KiB pages. */
  memory_limit: Size.prefault("16MB"),
  isolation: z.enum(["in-process", "process"]).default("in-process"),
  log_level: z.enum(["error", "warn", "info", "debug"]).default("warn"),
  /** a WASM hook's phases (default: every phase it exports); one name or a list */
  phase: z.union([Phase, z.array(Phase).min(1)]).transform((p) => (Array.isArray(p) ? p : [p])).optional(),
  /** a WASM hook's order: higher runs first (Loom's rule), default 0; equal ones in plan order */
  priority: z.number({ error: "`priority` must be an integer (higher runs first)" }).int({ error: "`priority` must be an integer (higher runs first)" }).optional(),
  /** a WASM plugin's grants (deny by default) */
  capabilities: Capabilities.optional(),
});

// Thresholds (§1.12): a string, or a list of strings / {threshold, abort_on_fail, delay_abort_eval}.
const ThresholdObject = z.object({ threshold: z.string(), abort_on_fail: z.boolean().default(false), delay_abort_eval: Dur.prefault(0) });
const ThresholdList = z.union([z.string(), z.array(z.union([z.string(), ThresholdObject]))]);

export const Thresholds = z
  .record(z.string(), ThresholdList)
  .superRefine((t, ctx) => {
    for (const [sel, raw] of Object.entries(t)) {
      try {
        parseSelector(sel);
      } catch (e) {
        if (!(e instanceof ThresholdError)) throw e;
        ctx.addIssue({ code: "custom", message: e.message, path: [sel], params: { at: "key" } });
      }
      const list = Array.isArray(raw) ? raw : [raw];
      list.forEach((entry, i) => {
        const expr = typeof entry === "string" ? entry : entry.threshold;
        try {
          parseExpression(expr);
        } catch (e) {
          if (!(e instanceof ThresholdError)) throw e;
          const path = Array.isArray(raw) ? (typeof entry === "string" ? [sel, i] : [sel, i, "threshold"]) : [sel];
          ctx.addIssue({ code: "custom", message: e.message, path });
        }
      });
    }
  })
  .transform((t) => {
    const out: Record<string, ReturnType<typeof normaliseEntries>> = {};
    for (const [sel, raw] of Object.entries(t)) out[sel] = normaliseEntries(raw);
    return out;
  });
