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
import { KindRegistry, ofType } from "../util/kind-registry.ts";

export interface OutputContext {
  /** relative file paths resolve here (the reference: the CWD) */
  cwd: string;
  /** a problem while running: shown once per output, the run goes on */
  problem(output: string, message: string): void;
  /** a non-fatal note (e.g. points dropped), shown at the end */
  note(message: string): void;
}

export type OutputFactory = (spec: { type: string }, ctx: OutputContext) => Output;

/** Each built-in is loaded when a run first uses it: most runs use none, and some pull in heavy
 *  encoders (protobufjs, snappy) that would otherwise slow every start. */
const BUILT_IN: ReadonlyMap<string, () => Promise<OutputFactory>> = new Map<string, () => Promise<OutputFactory>>([
  ["json", async () => ofType((await import("./json.ts")).jsonOutput)],
  ["csv", async () => ofType((await import("./csv.ts")).csvOutput)],
  ["prometheus", async () => ofType((await import("./prometheus.ts")).prometheusOutput)],
  ["influxdb", async () => ofType((await import("./influxdb.ts")).influxOutput)],
  ["statsd", async () => ofType((await import("./statsd.ts")).statsdOutput)],
  ["otlp", async () => ofType((await import("./otlp.ts")).otlpOutput)],
]);

export class OutputRegistry extends KindRegistry<() => Promise<OutputFactory>> {
  constructor() {
    super("output kind", BUILT_IN);
  }

  /** Add a kind; a kind that is already taken (a built-in or an earlier registration) is refused. */
  registerOutput<S>(kind: string, factory: (spec: S, ctx: OutputContext) => Output): void {
    const f = ofType(factory);
    this.register(kind, async () => f);
  }

  async create(spec: OutputSpec, ctx: OutputContext): Promise<Output> {
    const load = this.kinds.get(spec.type);
    if (load === undefined) {
      if (spec.type === "plugin") throw new OutputSpecError(`output plugin \`${spec.name}\`: output plugins are not available in this build`);
      throw new OutputSpecError(`unknown output kind \`${spec.type}\``);
    }
    return (await load())(spec, ctx);
  }
}
