/**
 * `type` → factory for the outputs a run can use. The built-in kinds are here from the start;
 * output plugins enter by the same door: the native output adapter registers the kind `plugin`
 * with registerOutput() (src/plugins/host/plan-plugins.ts), and a spec's `name`/`config` are its.
 * One registry per run (src/run/session.ts), because a registered kind is bound to that run's
 * loaded plugins.
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

const BUILT_IN: ReadonlyMap<string, OutputFactory> = new Map<string, OutputFactory>([
  ["json", jsonOutput],
  ["csv", csvOutput],
  ["prometheus", prometheusOutput],
  ["influxdb", influxOutput],
  ["statsd", statsdOutput],
  ["otlp", otlpOutput],
]);

export class OutputRegistry {
  private readonly factories = new Map(BUILT_IN);

  /** Add a kind; a kind that is already taken (a built-in or an earlier registration) is refused. */
  registerOutput(kind: string, factory: OutputFactory): void {
    if (this.factories.has(kind)) throw new Error(`output kind \`${kind}\` is already registered`);
    this.factories.set(kind, factory);
  }

  create(spec: OutputSpec, ctx: OutputContext): Output {
    const make = this.factories.get(spec.type);
    if (make === undefined) {
      if (spec.type === "plugin") throw new OutputSpecError(`output plugin \`${spec.name}\`: output plugins are not available in this build`);
      throw new OutputSpecError(`unknown output kind \`${spec.type}\``);
    }
    return make(spec, ctx);
  }
}
