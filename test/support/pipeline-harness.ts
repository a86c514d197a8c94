/**
 * Request steps run in-process, as a worker runs them (src/run/worker-thread.ts), for the request
 * pipeline's tests: a plan's flow compiled against a real router (the built-in HTTP handler, plus
 * any protocol handlers a test registers) and a test's request hooks, run by one VU, with the
 * samples read back from the sink.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPlanText } from "../../src/plan/load.ts";
import { Sink } from "../../src/metrics/sink.ts";
import type { Tags } from "../../src/metrics/tags.ts";
import { ScenarioRuntime, type RunContext } from "../../src/engine/worker/scenario-runtime.ts";
import { SharedState } from "../../src/engine/shared-state.ts";
import { Logger } from "../../src/util/logger.ts";
import { PauseGate } from "../../src/engine/worker/pause.ts";
import { compileSteps } from "../../src/engine/worker/flow/compile.ts";
import { runSteps, type CompiledStep } from "../../src/engine/worker/flow/step.ts";
import { FlowSharedState } from "../../src/engine/flow-shared-state.ts";
import { DataFeeds } from "../../src/engine/worker/data/feeds.ts";
import { Vu } from "../../src/engine/worker/vu.ts";
import { httpClientOptions } from "../../src/protocols/http/plan-options.ts";
import { builtinRouter } from "../../src/protocols/builtins.ts";
import type { ProtocolHandler } from "../../src/protocols/handler.ts";
import { RequestHooks, type RequestHook } from "../../src/pipeline/hooks.ts";
import type { Outcome } from "../../src/engine/worker/outcome.ts";
import type { Plan } from "../../src/plan/schema.ts";
import { ExtractorRegistry } from "../../src/extract/registry.ts";
import { ConditionRegistry } from "../../src/checks/registry.ts";

export interface Sample {
  metric: string;
  tags: Tags;
  /** counter: the sum; rate: passes; trend: the sum */
  value: number;
  /** rate: samples; trend: samples; counter: 1 */
  count: number;
  /** trend: the largest sample */
  max: number;
}

export interface Harness {
  /** the loaded, normalised plan (its one scenario is `s`) */
  plan: Plan;
  rt: ScenarioRuntime;
  steps: CompiledStep[];
  vu: Vu;
  /** log lines (warn and up) */
  logs: string[];
  /** run the flow once with the harness's VU */
  iterate(): Promise<Outcome>;
  /** what the sink recorded since the last call */
  samples(): Sample[];
}

export interface HarnessOptions {
  /** the scenario's `flow:` (YAML), e.g. `- request: { url: "http://127.0.0.1:1/" }` */
  flow: string;
  hooks?: RequestHook<Vu>[];
  /** more protocol handlers (a plugin's), with the schemes they serve */
  handlers?: { handler: ProtocolHandler<any>; schemes: string[] }[];
  /** the plan's `defaults:` block (YAML) */
  defaults?: string;
}

export function pipelineHarness(o: HarnessOptions): Harness {
  const dir = mkdtempSync(join(tmpdir(), "loadr-pipeline-"));
  const text = `${o.defaults ? `defaults:\n${o.defaults.replace(/^/gm, "  ")}\n` : ""}scenarios:\n  s:\n    executor: per-vu-iterations\n    vus: 1\n    iterations: 1\n    flow:\n${o.flow.replace(/^/gm, "      ")}\n`;
  const loaded = loadPlanText(text, join(dir, "plan.yaml"), dir);
  if (!loaded.plan) throw new Error(`test plan does not load: ${JSON.stringify(loaded.diagnostics)}\n${text}`);
  const plan = loaded.plan;
  const flowShared = FlowSharedState.create(plan, ["s"]);
  const sink = new Sink();
  const logs: string[] = [];
  const protocols = builtinRouter(httpClientOptions(plan.defaults.http, dir));
  for (const h of o.handlers ?? []) protocols.register(h.handler, h.schemes);
  const hooks = new RequestHooks<Vu>();
  for (const h of o.hooks ?? []) hooks.add(h);
  const run: RunContext = {
    env: {},
    variables: {},
    secrets: {},
    services: {},
    sink,
    shared: SharedState.create(1),
    log: new Logger("warn", (l) => logs.push(l)),
    baseDir: dir,
    pause: new PauseGate(),
    abortTest() {},
    extractors: new ExtractorRegistry(),
    conditions: new ConditionRegistry(),
    flow: { shared: flowShared, data: new DataFeeds(plan, dir, flowShared), jsTimeoutMs: 10_000, env: {} },
    protocols,
    hooks,
  };
  const rt = new ScenarioRuntime("s", 0, run, {});
  const steps = compileSteps(plan.scenarios.s!.flow, { rt, defaults: plan.defaults.http, baseDir: dir }, "scenarios.s.flow");
  rt.steps = steps;
  const vu = new Vu(1, rt);
  return {
    plan,
    rt,
    steps,
    vu,
    logs,
    iterate: () => {
      vu.iteration++;
      return runSteps(steps, vu);
    },
    samples: () => {
      const d = sink.drain();
      return d.series.map((s) => {
        const tags = d.tagSets[s.tagSet]!.tags;
        if (s.kind === "counter") return { metric: s.metric, tags, value: s.value, count: 1, max: s.value };
        if (s.kind === "rate") return { metric: s.metric, tags, value: s.passes, count: s.total, max: 1 };
        if (s.kind === "trend") return { metric: s.metric, tags, value: s.sum, count: s.count, max: s.max };
        return { metric: s.metric, tags, value: s.last, count: 1, max: s.max };
      });
    },
  };
}

/** The samples of `metric` whose tags include `tags`. */
export function of(samples: Sample[], metric: string, tags: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v));
}
