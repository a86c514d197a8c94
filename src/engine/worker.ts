/**
 * A worker thread: runs one segment of every scenario. It compiles the flows, reports `ready`,
 * starts on `go`, ships a metrics delta every second, and `done` with the last delta at the end.
 */
import { Sink } from "../metrics/sink.ts";
import { httpClientOptions } from "./http-options.ts";
import { Logger } from "./log.ts";
import type { FromWorker, ToWorker } from "./messages.ts";
import { runScenario } from "./scenario.ts";
import { ScenarioRuntime, type RunContext } from "./scenario-runtime.ts";
import { SharedState } from "./shared-state.ts";
import { compileSteps } from "./flow/compile.ts";
import { thinkTimeSampler } from "./flow/think-time.ts";
import { Throttle } from "./flow/throttle.ts";
import { FlowSharedState, flowLayout } from "./flow-shared-state.ts";
import { DataFeeds } from "./data/feeds.ts";
import type { FlowRuntime } from "./flow/runtime.ts";

declare const self: Worker;
const post = (m: FromWorker) => self.postMessage(m);
const METRICS_INTERVAL_MS = 1000;

let start: (() => void) | undefined;
const runtimes: ScenarioRuntime[] = [];

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === "init") void init(m);
  else if (m.type === "go") start?.();
  else if (m.type === "stop") for (const rt of runtimes) rt.softStop();
};

async function init(m: Extract<ToWorker, { type: "init" }>): Promise<void> {
  const sink = new Sink();
  const run: RunContext = {
    env: m.env,
    variables: m.variables,
    secrets: m.secrets,
    services: m.services,
    sink,
    shared: new SharedState(m.shared),
    log: new Logger(m.logLevel),
    baseDir: m.baseDir,
    abortTest: (reason) => post({ type: "abort", reason }),
    flow: undefined as unknown as FlowRuntime, // set below, once the HTTP options are known
  };
  const plan = m.plan;
  const defaults = plan.defaults;
  let scenarios: { rt: ScenarioRuntime; spec: any }[];
  let http;
  try {
    http = httpClientOptions(defaults.http, m.baseDir);
    const flowShared = new FlowSharedState(m.flowShared, flowLayout(plan, m.scenarios));
    run.flow = {
      shared: flowShared,
      data: new DataFeeds(plan, m.baseDir, flowShared),
      jsTimeoutMs: plan.js?.timeout ?? 10_000,
      env: Object.freeze({ ...m.env }),
      http,
    };
    scenarios = m.scenarios.map((name, index) => {
      const spec = plan.scenarios[name]!;
      const rt = new ScenarioRuntime(name, index, run, { ...(defaults.tags ?? {}), ...(spec.tags ?? {}) });
      const think = spec.think_time ?? defaults.think_time;
      rt.steps = compileSteps(spec.flow ?? [], {
        rt,
        defaults: defaults.http,
        baseDir: m.baseDir,
        thinkAfter: think ? thinkTimeSampler(think) : undefined,
        throttle: spec.throttle ? new Throttle(flowShared, flowShared.layout.throttle.get(name)!, spec.throttle.requests_per_second) : undefined,
      }, `scenarios.${name}.flow`);
      runtimes.push(rt);
      return { rt, spec };
    });
  } catch (e) {
    post({ type: "error", message: (e as Error).message });
    return;
  }
  await new Promise<void>((r) => {
    start = r;
    post({ type: "ready" });
  });

  const activeVus = () => runtimes.reduce((n, rt) => n + rt.vus.size, 0);
  const report = () => post({ type: "metrics", delta: sink.drain(), vus: activeVus() });
  const ticker = setInterval(report, METRICS_INTERVAL_MS);
  try {
    const running = Promise.all(scenarios.map(({ rt, spec }) => runScenario(rt, spec, m.segment, http)));
    // one early report once the VUs exist, so the coordinator's first tick sees them (vus/vus_max)
    setTimeout(report, 50);
    await running;
  } catch (e) {
    run.log.error((e as Error).message);
  } finally {
    clearInterval(ticker);
    post({ type: "done", delta: sink.drain() });
  }
}
