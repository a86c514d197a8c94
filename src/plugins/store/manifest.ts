/**
 * `plugin.toml` (reference §6.2): parsed with Bun's TOML parser and validated with zod, so every
 * user of a plugin directory (run, `loadr plugin ...`, install) sees the same manifest and the
 * same error text: `invalid plugin manifest at <path>: <what>`.
 */
import { readPlanText } from "../../util/plan-file.ts";
import { join } from "node:path";
import { z } from "zod";
import { isReservedMetric } from "../host/wasm/plugin-metrics.ts";

export const PLUGIN_KINDS = ["extractor", "assertion", "hook", "output", "protocol", "service"] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

const ManifestTable = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  kind: z.enum(PLUGIN_KINDS),
  type: z.enum(["wasm", "native"]),
  entry: z.string().min(1),
  // `native` = the reference's abi_stable; `c` = C ABI v1; `descriptor` = our versioned descriptor
  abi: z.enum(["native", "c", "descriptor"]).optional(),
  description: z.string().default(""),
  schemes: z.array(z.string()).default([]),
});

/** A metric a WASM plugin records through the host API, declared so `loadr validate` knows it. */
export interface DeclaredMetric {
  name: string;
  kind: "counter" | "gauge" | "rate" | "trend";
  description: string;
  /** a trend of durations in ms */
  time: boolean;
}

const MetricTable = z.strictObject({
  kind: z.enum(["counter", "gauge", "rate", "trend"]),
  description: z.string().default(""),
  time: z.boolean().default(false),
});
const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export interface Manifest {
  name: string;
  version: string;
  kind: PluginKind;
  type: "wasm" | "native";
  entry: string;
  abi?: "native" | "c" | "descriptor";
  description: string;
  schemes: string[];
  /** the `[config]` table; null when absent (an empty table is `{}`) */
  config: Record<string, unknown> | null;
  /** the `[metrics]` table (WASM plugins): what it records through the host API */
  metrics: DeclaredMetric[];
}

export class ManifestError extends Error {}

/** Parses manifest text; `where` is the path used in the error message. */
export function parseManifest(text: string, where: string): Manifest {
  let doc: Record<string, unknown>;
  try {
    doc = Bun.TOML.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ManifestError(`invalid plugin manifest at ${where}: ${(e as Error).message}`);
  }
  const table = doc.plugin;
  if (table === undefined || typeof table !== "object" || table === null) {
    throw new ManifestError(`invalid plugin manifest at ${where}: missing [plugin] table`);
  }
  const parsed = ManifestTable.safeParse(table);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join(".") || "plugin";
    throw new ManifestError(`invalid plugin manifest at ${where}: plugin.${key}: ${issue.message}`);
  }
  if (parsed.data.abi !== undefined && parsed.data.type !== "native") {
    throw new ManifestError(`invalid plugin manifest at ${where}: plugin.abi applies only to type = "native"`);
  }
  const config = doc.config;
  if (config !== undefined && (typeof config !== "object" || config === null || Array.isArray(config))) {
    throw new ManifestError(`invalid plugin manifest at ${where}: config must be a table`);
  }
  return { ...parsed.data, config: (config as Record<string, unknown> | undefined) ?? null, metrics: parseMetrics(doc.metrics, parsed.data.type, where) };
}

/** `[metrics]`: name = { kind, description?, time? }, each name a plugin's own (not a built-in metric's). */
function parseMetrics(table: unknown, type: "wasm" | "native", where: string): DeclaredMetric[] {
  if (table === undefined) return [];
  const bad = (what: string) => new ManifestError(`invalid plugin manifest at ${where}: ${what}`);
  if (typeof table !== "object" || table === null || Array.isArray(table)) throw bad("metrics must be a table");
  if (type !== "wasm") throw bad("[metrics] applies to WASM plugins (a native plugin's metrics are its protocol family)");
  return Object.entries(table).map(([name, def]) => {
    if (!METRIC_NAME.test(name)) throw bad(`metrics.${name}: a metric name is letters, digits and _, not starting with a digit`);
    if (isReservedMetric(name)) throw bad(`metrics.${name}: \`${name}\` is a built-in metric's name; a plugin's metrics need their own`);
    const m = MetricTable.safeParse(def);
    if (!m.success) {
      const issue = m.error.issues[0]!;
      throw bad(`metrics.${name}${issue.path.length ? `.${issue.path.join(".")}` : ""}: ${issue.message}`);
    }
    return { name, ...m.data };
  });
}

/** Reads `<dir>/plugin.toml`. */
export function readManifest(dir: string): Manifest {
  const path = join(dir, "plugin.toml");
  let text: string;
  try {
    text = readPlanText(path, "manifest");
  } catch (e) {
    throw new ManifestError(`plugin i/o error on ${path}: ${(e as Error).message}`);
  }
  return parseManifest(text, path);
}

export { mergeConfig } from "./merge-config.ts";
