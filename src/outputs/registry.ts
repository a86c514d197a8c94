/**
 * `kind` → factory for the outputs a run can use. The built-in kinds register here; the native
 * output-plugin adapter adds `plugin` with registerOutput() (the spec's `name`/`config` are its).
 */
import type { Output } from "./types.ts";
import type { OutputSpec } from "./spec.ts";
import { OutputSpecError } from "./spec.ts";
import { jsonOutput } from "./json.ts";
import { csvOutput } from "./csv.ts";
import { prometheusOutput } from "./prometheus.ts";
import { influxOutput } from "./influxdb.ts";
import { statsdOutput } from "./statsd.ts";
import { otlpOutput } from "./otlp.ts";

export interface OutputContext {
  /** relative file paths resolve here (the reference: the CWD) */
  cwd: string;
  /** a problem while running: shown once per output, the run goes on */
  problem(output: string, message: string): void;
  /** a non-fatal note (e.g. points dropped), shown at the end */
  note(message: string): void;
}

export type OutputFactory = (spec: any, ctx: OutputContext) => Output;

const factories = new Map<string, OutputFactory>([
  ["json", jsonOutput],
  ["csv", csvOutput],
  ["prometheus", prometheusOutput],
  ["influxdb", influxOutput],
  ["statsd", statsdOutput],
  ["otlp", otlpOutput],
]);

export function registerOutput(kind: string, factory: OutputFactory): void {
  factories.set(kind, factory);
}

export function createOutput(spec: OutputSpec, ctx: OutputContext): Output {
  const make = factories.get(spec.type);
  if (make === undefined) {
    if (spec.type === "plugin") throw new OutputSpecError(`output plugin \`${(spec as { name: string }).name}\`: output plugins are not available in this build`);
    throw new OutputSpecError(`unknown output kind \`${spec.type}\``);
  }
  return make(spec, ctx);
}
