/**
 * The module's run-level functions on the main thread (reference §2.1): `setup()` once before any
 * VU, `teardown(data)` once after the last (also after an abort), `handleSummary(summary)` once
 * the summary exists — and the init code run alone, so `validate` and the run's metric check
 * learn the custom metrics the module declares.
 *
 * They run on a lifecycle VU (id 0, scenario `setup`, tags `{scenario: setup}` without
 * `defaults.tags`; a scale-out aggregator adds its `instance`) in a run context like a worker's
 * (src/run/worker-setup.ts threadRunContext): its HTTP requests are recorded in this lifecycle's
 * own sink, which the run session merges into the run's metrics. handleSummary's samples are
 * dropped (the summary is already made).
 */
import { Sink } from "../metrics/sink.ts";
import type { LogLevel } from "../util/logger.ts";
import { ScenarioRuntime } from "../engine/worker/scenario-runtime.ts";
import { Vu } from "../engine/worker/vu.ts";
import { moduleOf } from "../engine/worker/js/module/calls.ts";
import { describeThrown } from "../engine/worker/js/errors.ts";
import type { ModuleInstance } from "../engine/worker/js/module/instance.ts";
import type { JsBundle } from "../js/bundle.ts";
import type { MetricKind } from "../metrics/registry.ts";
import type { PreparedRun } from "./prepare.ts";
import { threadRunContext } from "./worker-setup.ts";

export class LifecycleError extends Error {}

export class Lifecycle {
  readonly sink: Sink;
  private readonly vu: Vu;
  /** setup() was reached (with or without an exported setup): the run got to its start, so teardown() is due */
  private setUpReached = false;

  constructor(
    run: Pick<PreparedRun, "plan" | "baseDir" | "env" | "variables" | "secrets">,
    readonly bundle: JsBundle,
    o: { services?: Record<string, Record<string, unknown>>; logLevel?: LogLevel; write?(line: string): void; tags?: Record<string, string> } = {},
  ) {
    // bounded as the workers' sinks (src/metrics/series-limit.ts): setup() may loop over names too
    this.sink = new Sink(undefined, run.plan.defaults.max_series);
    const write = o.write ?? ((line: string) => void process.stderr.write(line + "\n"));
    const ctx = threadRunContext(
      {
        plan: run.plan,
        baseDir: run.baseDir,
        scenarios: [],
        env: run.env,
        variables: run.variables,
        secrets: run.secrets,
        services: o.services ?? {},
        logLevel: o.logLevel ?? "warn",
        js: bundle,
      },
      { sink: this.sink, write },
    );
    this.vu = new Vu(0, new ScenarioRuntime("setup", 0, ctx, o.tags ?? {}));
  }

  /** The module instance with its init code run (a LifecycleError names what failed). */
  private instance(): ModuleInstance {
    try {
      return moduleOf(this.vu);
    } catch (e) {
      throw new LifecycleError(describeThrown(e));
    }
  }

  /** The custom metrics the init code declares (`new Trend(...)`), with their kinds. */
  declaredMetrics(): { name: string; kind: MetricKind }[] {
    const inst = this.instance();
    return [...inst.rt.declared].map(([name, d]) => ({ name, kind: d.kind as MetricKind }));
  }

  /** Call an exported run-level function if the module has it; its value (awaited). */
  private async call(name: "setup" | "teardown" | "handleSummary", args: (inst: ModuleInstance) => unknown[]): Promise<{ called: boolean; value?: unknown }> {
    if (this.bundle.exports[name]?.fn !== true) return { called: false };
    const inst = this.instance();
    try {
      return { called: true, value: await inst.value(inst.call(inst.fn(name)!, args(inst))) };
    } catch (e) {
      throw new LifecycleError(`${name}() failed: ${describeThrown(e)}`);
    } finally {
      this.vu.close();
    }
  }

  /** setup()'s value as JSON for every VU (undefined: no setup, or it returned nothing). */
  async setup(): Promise<string | undefined> {
    this.setUpReached = true;
    const r = await this.call("setup", () => []);
    if (!r.called || r.value === undefined) return undefined;
    try {
      return JSON.stringify(r.value);
    } catch (e) {
      throw new LifecycleError(`setup() returned a value that is not JSON: ${(e as Error).message}`);
    }
  }

  /** teardown(data), unless the run never got to setup() (a scale-out test stopped at its start barrier) */
  async teardown(): Promise<void> {
    if (!this.setUpReached) return;
    await this.call("teardown", (inst) => [inst.setupData()]);
  }

  /** handleSummary's value (undefined when the module has none or it returned nothing); its samples are dropped. */
  async handleSummary(summary: unknown): Promise<{ called: boolean; value?: unknown }> {
    const r = await this.call("handleSummary", (inst) => [inst.json.parse(JSON.stringify(summary))]);
    this.sink.drain();
    return r;
  }

  close(): void {
    this.vu.close();
    this.vu.rt.run.flow.module?.stop();
  }
}
